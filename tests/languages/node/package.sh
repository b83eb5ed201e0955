# Node with the chatflow npm package: packed from bindings/node by
# scripts/pack-node (the loadable copied in, then npm pack), installed with
# npm into a new project, offline (the package has no dependencies).
# better-sqlite3 is compiled from npm once, into dist/node-test, by
# make test-node; the project links it from there and runs with the Node
# it was built for, which tests/node/runtime.sh names: node when it is 20
# or later, else npm's Node 22 (Debian 12's nodejs is 18).
set -e
out=dist/languages/node
rm -rf "$out" && mkdir -p "$out"
tgz=$(scripts/pack-node "${CHATFLOW_EXT:-dist/chatflow}.so" "$out")
if ! log=$(make -s node-test-modules 2>&1); then echo "$log"; exit 1; fi
node=$(tests/node/runtime.sh)
cp tests/languages/node/example.mjs tests/languages/node/example_node_sqlite.mjs "$out/"
cd "$out"
npm install --offline --no-audit --no-fund --loglevel=error "./$(basename "$tgz")" >/dev/null
ln -s "$(cd ../../node-test/node_modules/better-sqlite3 && pwd)" node_modules/better-sqlite3
"$node" example.mjs
