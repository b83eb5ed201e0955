# Statement replication (issue 18): tests/scale/test_replay.py (Debian's
# /usr/bin/python3) runs one log of statements -- every kind of writing
# call, with uids supplied and the clock pinned before each -- on two fresh
# databases a second apart, as a statement-replicating engine (rqlite) runs
# them on its nodes, and compares every table of the two files (the search
# index's shadow tables and sqlite_sequence included) row by row.  About a
# second.
#   make test-replay              (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "replay: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3

.PHONY: test-replay
test-replay: all
	@out=$$(mktemp); \
	  CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/scale/test_replay.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^replay: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "replay: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
