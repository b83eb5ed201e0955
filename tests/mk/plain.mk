# Plain-sqlite test: a chatflow database opened WITHOUT the extension
# (Python sqlite3 and the sqlite3 shell) still refuses invalid transitions,
# a second active run and message edits; raw INSERT/DELETE fill and cascade;
# foreign_keys ON and OFF.
#   make test-plain                      (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "plain: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-plain
test-plain: all
	@out=$$(mktemp); \
	  SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/plain/plain.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^plain: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "plain: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
