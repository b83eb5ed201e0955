# Cron cleanup job tests (Debian's /usr/bin/python3, unittest): runs
# scripts/chatflow-cleanup against temporary databases — each retention
# step, batching, the dry run, the statistics table, exit codes, a locked
# database retried and given up on.
#   make test-cleanup                     (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "cleanup: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
# Follows SO (as tests/mk/sql.mk does), so a sanitizer build is what gets loaded.
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3

.PHONY: test-cleanup
test-cleanup: all
	@out=$$(mktemp); \
	  CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/cleanup/test_cleanup.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^cleanup: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "cleanup: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
