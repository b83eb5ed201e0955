# make bench-peers: chatflow against a Drizzle ORM chat service, the same
# statements in plain better-sqlite3, and LangGraph's SQLite checkpointer,
# in one Node process on better-sqlite3's SQLite with dist/chatflow.so
# loaded into it (scripts/bench/peers/bench.mjs); then a LangGraph chat
# graph with SqliteSaver against the same graph with chatflow's
# ChatflowSaver (the package chatflow, bindings/node with dist/chatflow.so,
# staged into $(PEERS_DIR)/node_modules at each run).  Not a test suite.
# The npm packages of scripts/bench/peers/package.json are installed once
# into $(PEERS_DIR); better-sqlite3's download of a prebuilt binary fails
# offline and it is compiled there from source by node-gyp against the
# system's Node headers (nodedir /usr: /usr/include/node), which needs node
# (20 or later), npm, python3, make and g++ (about a minute, once).
#   make bench-peers                                    the default run (about 30 seconds)
#   make bench-peers PEERS_ARGS='--rounds 3 --n 500 --turns 200'    a quicker one
PEERS_DIR  ?= dist/peers
PEERS_ARGS ?=

.PHONY: bench-peers
bench-peers: all $(PEERS_DIR)/.installed
	@pkg=$(PEERS_DIR)/node_modules/chatflow; rm -rf "$$pkg" && mkdir -p "$$pkg" && \
	  cp bindings/node/package.json bindings/node/index.js bindings/node/index.d.ts \
	     bindings/node/langgraph.js bindings/node/langgraph.d.ts bindings/node/langgraph.d.mts "$$pkg/" && \
	  cp $(SO) "$$pkg/chatflow.so"
	@node scripts/bench/peers/bench.mjs --modules $(abspath $(PEERS_DIR)) \
	  --ext $(abspath $(SO)) $(PEERS_ARGS)

# Reinstalled when package.json changes; the stamp is written only after
# npm succeeded.
$(PEERS_DIR)/.installed: scripts/bench/peers/package.json
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  { echo "bench-peers: needs node (20 or later) and npm" >&2; exit 1; }
	@mkdir -p $(PEERS_DIR)
	cp scripts/bench/peers/package.json $(PEERS_DIR)/package.json
	cd $(PEERS_DIR) && npm_config_nodedir=/usr npm install --no-audit --no-fund
	@touch $@
