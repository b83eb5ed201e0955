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
# better-sqlite3 is compiled from source by node-gyp against the system's
# Node headers (nodedir /usr), which needs node 20 or later, npm, python3,
# make and g++ (about a minute, once; reinstalled when package.json or the
# Node version changes).  The suite fails, it does not skip, when node or
# npm is missing.  About 10 seconds once installed.
# The output ends with "node: N passed, M failed" (tests/node/reporter.mjs
# counts the top-level tests; todo tests, known extension bugs, count as
# neither); a run that dies without that line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
NODE_TEST_DIR ?= dist/node-test
NODE_TESTS := tests/node/test_ui_messages.mjs tests/node/test_integer_args.mjs tests/node/test_package.mjs

.PHONY: test-node
test-node: all
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "node: needs node (20 or later) and npm on PATH (scripts/setup installs them)"; \
	  echo "node: 0 passed, 1 failed"; exit 1; fi; \
	major=$$(node -p 'process.versions.node.split(".")[0]'); \
	if [ "$$major" -lt 20 ]; then \
	  echo "node: needs node 20 or later (better-sqlite3 12), found $$(node --version)"; \
	  echo "node: 0 passed, 1 failed"; exit 1; fi; \
	[ "$$(cat $(NODE_TEST_DIR)/.installed 2>/dev/null)" = "$$(node --version)" ] || rm -f $(NODE_TEST_DIR)/.installed; \
	if ! $(MAKE) --no-print-directory $(NODE_TEST_DIR)/.installed; then \
	  echo "node: installing tests/node/package.json into $(NODE_TEST_DIR) failed"; \
	  echo "node: 0 passed, 1 failed"; exit 1; fi; \
	out=$$(mktemp); \
	CHATFLOW_EXT='$(CHATFLOW_EXT)' NODE_TEST_MODULES='$(abspath $(NODE_TEST_DIR))' timeout 300 \
	  node --test --test-reporter=./tests/node/reporter.mjs $(NODE_TESTS) >"$$out" 2>&1; rc=$$?; \
	cat "$$out"; last=$$(tail -n 1 "$$out"); rm -f "$$out"; \
	if ! echo "$$last" | grep -Eq '^node: [0-9]+ passed, [0-9]+ failed$$'; then \
	  echo "node: no summary (exit $$rc)"; echo "node: 0 passed, 1 failed"; exit 1; fi; \
	if [ $$rc -ne 0 ] && echo "$$last" | grep -q ' 0 failed$$'; then \
	  echo "node: exit $$rc"; echo "node: 0 passed, 1 failed"; exit 1; fi; \
	exit $$rc

# The stamp holds the Node version the packages were built for; it is
# written only after npm succeeded.
$(NODE_TEST_DIR)/.installed: tests/node/package.json
	@echo "node: installing tests/node/package.json into $(NODE_TEST_DIR) (compiles better-sqlite3, about a minute, once)"
	@mkdir -p $(NODE_TEST_DIR)
	@cp tests/node/package.json $(NODE_TEST_DIR)/package.json
	@cd $(NODE_TEST_DIR) && npm_config_nodedir=/usr npm install --no-audit --no-fund --loglevel=error
	@node --version > $@
