# Node with the chatflow npm package: packed from bindings/node by
# scripts/pack-node (the loadable copied in, then npm pack), installed with
# npm into a new project, offline (the package has no dependencies).
# better-sqlite3 is compiled from npm once, into dist/node-test, by
# make test-node; the project links it from there.
set -e
out=dist/languages/node
rm -rf "$out" && mkdir -p "$out"
tgz=$(scripts/pack-node "${CHATFLOW_EXT:-dist/chatflow}.so" "$out")
make -s dist/node-test/.installed >/dev/null
cp tests/languages/node/example.mjs tests/languages/node/example_node_sqlite.mjs "$out/"
cd "$out"
npm install --offline --no-audit --no-fund --loglevel=error "./$(basename "$tgz")" >/dev/null
ln -s "$(cd ../../node-test/node_modules/better-sqlite3 && pwd)" node_modules/better-sqlite3
node example.mjs
