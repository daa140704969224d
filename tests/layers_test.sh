#!/usr/bin/env bash
# The folder tree is the architecture: each layer includes only itself and the layers below it.
#   core/memory < core/kernel < core/behaviours < core/components < sim, rt < testing < properties < cli
# Prints every include that reaches upward and fails if there is one.
set -u
cd "$(dirname "$0")/.."
allowed() {  # $1: folder of the including file -> the folders it may include from
  case $1 in
    core/memory) echo "core/memory" ;;
    core/kernel) echo "core/memory core/kernel" ;;
    core/behaviours) echo "core/memory core/kernel core/behaviours" ;;
    core/components) echo "core/memory core/kernel core/behaviours core/components" ;;
    sim*) echo "core sim" ;;
    rt) echo "core rt" ;;
    testing) echo "core sim testing" ;;
    properties) echo "core sim rt testing properties" ;;
    *) echo "" ;;
  esac
}
bad=0
while IFS= read -r line; do
  file=${line%%:*} target=${line#*<otpsim/} target=${target%%>*}
  dir=$(dirname "$file") ok=$(allowed "$dir")
  [ -z "$ok" ] && continue
  hit=0
  for a in $ok; do case $target in "$a"/*) hit=1 ;; esac; done
  if [ "$hit" -eq 0 ]; then echo "upward include: $file includes <otpsim/$target>"; bad=1; fi
done < <(git grep -n '#include <otpsim/' -- core sim rt testing properties)
n=$(git grep -c '#include "' -- core sim rt testing properties | wc -l)
if [ "$n" -ne 0 ]; then echo "quoted project includes (use <otpsim/...>):"; git grep -n '#include "' -- core sim rt testing properties; bad=1; fi
[ "$bad" -eq 0 ] && echo "layers ok"
exit "$bad"
