# Per-tenant shards (issue 18): tests/scale/test_shard_router.py (Debian's
# /usr/bin/python3, unittest) runs the example router
# scripts/examples/shard_router.py over three shard files against one
# database holding the same data: the owner -> shard rule (pinned), each
# owner's list, the merged list of several owners and search across shards
# walked with their merge cursors, stats per owner and summed, the lookup by
# (owner, uid), chatflow_check() on every shard, scripts/chatflow-cleanup
# over the three files; an owner moved to another shard (move_owner) keeps
# everything but its ids.  About 3 seconds.
#   make test-shards              (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Output ends with "shards: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3

.PHONY: test-shards
test-shards: all
	@out=$$(mktemp); \
	  CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) tests/scale/test_shard_router.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^shards: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "shards: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
