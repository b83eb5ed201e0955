# Statement replication (issue 18): tests/scale/test_replay.py (Debian's
# /usr/bin/python3) runs one log of statements -- every kind of writing
# call, with uids supplied and the time given (a pinned clock before each;
# then again with the option now in each call and no pin) -- on two fresh
# databases a second apart, as a statement-replicating engine (rqlite) runs
# them on its nodes, and compares every table of the two files (the search
# index's shadow tables and sqlite_sequence included) row by row.  About a
# few seconds.
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
