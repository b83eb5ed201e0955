# LangGraph tests: ChatflowSaver (bindings/node/langgraph.js) under vitest.
#   tests/langgraph/validate.test.mjs  LangGraph's conformance suite for
#                                      checkpointers, validate() of
#                                      @langchain/langgraph-checkpoint-validation
#                                      (its command-line runner is broken in
#                                      1.1.1), against ChatflowSaver
#   tests/langgraph/chatflow.test.mjs  what chatflow adds: no write from an
#                                      ended run or to a deleted thread,
#                                      retention, the one-active-run rule
#                                      through a graph run, a StateGraph with
#                                      MessagesAnnotation whose messages are
#                                      stored once, in chat_messages
#   tests/langgraph/types.test.mjs     the declarations of chatflow/langgraph
#                                      under tsc --strict, from ESM and CommonJS
#   tests/langgraph/docs.test.mjs      docs/langgraph.md shows example.mjs and
#                                      example.expected verbatim, and the
#                                      example prints that
#   make test-langgraph        (CHATFLOW_EXT=path/without/.so)
# The packages of tests/langgraph/package.json (exact versions) are
# installed once into $(LANGGRAPH_TEST_DIR), as make test-node installs its
# own (better-sqlite3 compiled from source against the headers of the Node
# that tests/node/runtime.sh names: about a minute, once).  Each run stages
# the package chatflow (bindings/node and the loadable under test) into
# its node_modules, copies the test files there and runs vitest (about 5
# seconds).  The output ends with "langgraph: N passed, M failed" (skipped
# tests count as neither and are listed).
LANGGRAPH_TEST_DIR ?= dist/langgraph-test
LANGGRAPH_TESTS := tests/langgraph/validate.test.mjs tests/langgraph/chatflow.test.mjs \
                   tests/langgraph/docs.test.mjs tests/langgraph/example.mjs \
                   tests/langgraph/types.test.mjs tests/langgraph/types_esm.mts tests/langgraph/types_cjs.cts

.PHONY: test-langgraph langgraph-test-modules
test-langgraph: all
	@node=$$(tests/node/runtime.sh) || { echo "langgraph: 0 passed, 1 failed"; exit 1; }; \
	if ! $(MAKE) --no-print-directory langgraph-test-modules; then \
	  echo "langgraph: installing tests/langgraph/package.json into $(LANGGRAPH_TEST_DIR) failed"; \
	  echo "langgraph: 0 passed, 1 failed"; exit 1; fi; \
	dir='$(LANGGRAPH_TEST_DIR)'; pkg=$$dir/node_modules/chatflow; \
	rm -rf "$$pkg" && mkdir -p "$$pkg" && \
	cp bindings/node/package.json bindings/node/index.js bindings/node/index.d.ts \
	   bindings/node/langgraph.js bindings/node/langgraph.d.ts bindings/node/langgraph.d.mts "$$pkg/" && \
	cp '$(CHATFLOW_EXT).so' "$$pkg/chatflow.so" && \
	cp tests/langgraph/vitest.config.mjs $(LANGGRAPH_TESTS) "$$dir/" || \
	  { echo "langgraph: staging failed"; echo "langgraph: 0 passed, 1 failed"; exit 1; }; \
	rm -f "$$dir/results.json"; \
	(cd "$$dir" && CHATFLOW_ROOT='$(CURDIR)' timeout 600 "$$node" node_modules/vitest/vitest.mjs run --reporter=dot \
	   --reporter=json --outputFile=results.json); rc=$$?; \
	"$$node" tests/langgraph/summary.mjs "$$dir/results.json" 2>/dev/null || { echo "langgraph: no results (exit $$rc)"; echo "langgraph: 0 passed, 1 failed"; exit 1; }; \
	exit $$rc

langgraph-test-modules:
	@node=$$(tests/node/runtime.sh) || exit 1; \
	[ "$$(cat $(LANGGRAPH_TEST_DIR)/.installed 2>/dev/null)" = "$$("$$node" --version)" ] || rm -f $(LANGGRAPH_TEST_DIR)/.installed; \
	$(MAKE) --no-print-directory $(LANGGRAPH_TEST_DIR)/.installed

# As $(NODE_TEST_DIR)/.installed in node.mk: the stamp holds the version
# of the Node the packages were built for, written after npm succeeded.
$(LANGGRAPH_TEST_DIR)/.installed: tests/langgraph/package.json
	@node=$$(tests/node/runtime.sh) || exit 1; \
	env="npm_config_nodedir=/usr"; \
	case "$$node" in \
	  $(abspath dist/node-runtime)/*) \
	    env="npm_config_nodedir=$${node%/bin/node} npm_config_target=$$("$$node" -p process.versions.node) npm_config_runtime=node npm_config_build_from_source=true";; \
	esac; \
	echo "langgraph: installing tests/langgraph/package.json into $(LANGGRAPH_TEST_DIR) for $$("$$node" --version) (compiles better-sqlite3, about a minute, once)"; \
	rm -rf $(LANGGRAPH_TEST_DIR)/node_modules $(LANGGRAPH_TEST_DIR)/package-lock.json && \
	mkdir -p $(LANGGRAPH_TEST_DIR) && \
	cp tests/langgraph/package.json $(LANGGRAPH_TEST_DIR)/package.json && \
	(cd $(LANGGRAPH_TEST_DIR) && env $$env npm install --no-audit --no-fund --loglevel=error) && \
	"$$node" --version > $@
