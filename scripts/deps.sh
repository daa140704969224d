#!/usr/bin/env bash
# Installs the Debian packages otpsim builds with, when run as root and any is missing.
set -eu
pkgs=(cmake ninja-build clang libclang-rt-14-dev g++ git patch libgtest-dev libgmock-dev librapidcheck-dev libfmt-dev
      libboost-graph-dev libcli11-dev libbenchmark-dev libtomlplusplus-dev nlohmann-json3-dev
      chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
  exit 2
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
