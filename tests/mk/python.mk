# Python bindings test (Debian's /usr/bin/python3, sqlite3 + load_extension):
# a conversation and a run end to end, the file closed and reopened between
# steps; errors, caller transactions, foreign_keys ON/OFF, isolation modes.
#   make test-python                      (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "python: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-python
test-python: all
	@out=$$(mktemp); \
	  SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/python/test_bindings.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^python: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "python: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
