# Multi-process race test: 6 spawned processes on one WAL file (busy_timeout
# 10000) race chatflow_init, find_or_create_conversation, start_run,
# add_message and run completion; afterwards the invariants are checked
# against what every call returned.  RACE_WORKERS, RACE_OPS tune it.
# Then the regressions beside it: deferred_busy.py, locked_txn.py (issue 8:
# a locked call in DELETE mode ends its own transaction) and ack_race.py
# (6 processes x 200 calls in DELETE and WAL mode, busy_timeout 0 and 2000:
# no failed call leaves a transaction open, every acknowledged write is on
# disk; ACK_WORKERS, ACK_OPS, ACK_MODES tune it, e.g. ACK_WORKERS=8 ACK_OPS=300),
# and queue_race.py (8 processes double-texting with every on_active strategy,
# and start_run against expire_stale_runs; QUEUE_WORKERS, QUEUE_OPS tune it).
#   make test-race                      (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "race: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-race
test-race: all
	@out=$$(mktemp); \
	  SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/race/race.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^race: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "race: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
