# kill -9 durability loop (issue 8): a child process writes messages with
# add_message on a file database (synchronous=FULL, journal modes DELETE and
# WAL in alternate trials) and prints each acknowledged id to a pipe; the
# parent kills it with SIGKILL at a random moment, reopens the file and
# checks that every acknowledged message is there, integrity_check (and the
# search index's) is ok and the counters equal a recount.
#   make test-durability               30 trials (part of make test, a few seconds)
#   make durability                    300 trials (DURABILITY_TRIALS=N for another count)
# Output ends with "durability: N passed, M failed" (one per trial); a
# script that dies without printing that line counts as one failure.
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3
DURABILITY_TRIALS ?= 300

.PHONY: test-durability durability
test-durability: all
	@$(MAKE) --no-print-directory durability-run DURABILITY_RUN_TRIALS=30

durability: all
	@$(MAKE) --no-print-directory durability-run DURABILITY_RUN_TRIALS=$(DURABILITY_TRIALS)

.PHONY: durability-run
durability-run:
	@out=$$(mktemp); \
	  CHATFLOW_EXT='$(CHATFLOW_EXT)' timeout 1800 $(PYTHON) tests/durability/durability.py \
	    $(DURABILITY_RUN_TRIALS) >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^durability: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "durability: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
