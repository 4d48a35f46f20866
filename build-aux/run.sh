#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds TaskSteper and runs its main job.  Until
# the desktop client lands this validates the example project schemas and
# draws their workflows.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/deps.sh
[ -d build ] || meson setup build
ninja -C build

./build/src/admin/tasksteper-admin validate schemas/*.json
mkdir -p build/workflows
for schema in schemas/*.json; do
  name=$(basename "$schema" .json)
  ./build/src/admin/tasksteper-admin dot "$schema" > "build/workflows/$name.dot"
  dot -Tsvg "build/workflows/$name.dot" -o "build/workflows/$name.svg"
done
echo "Workflow pictures: build/workflows/*.svg"
