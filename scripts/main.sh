#!/usr/bin/env bash
# The main job: install, build Release, run `otpsim check` over the shipped scenarios.
set -eu -o pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build build/release
build/release/cli/otpsim check scenarios all-suites --seeds "${SEEDS:-50}" "$@"
