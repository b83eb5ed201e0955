# Python bindings tests (Debian's /usr/bin/python3, sqlite3 + load_extension):
#   tests/python/test_bindings.py     a conversation and a run end to end, the file closed and
#                                     reopened between steps; errors, caller transactions,
#                                     foreign_keys ON/OFF, isolation modes.
#   tests/python/test_failure_paths.py every writing function failing on a held lock and on a
#                                     refused commit: autocommit restored, nothing written, codes.
#   tests/python/test_topical_map.py  the whole topical_map workflow, the file closed and reopened
#                                     between every step; double resume, advancing while waiting,
#                                     a crashed worker's lease expiring.
#   tests/python/test_text_gate.py    \u0000 and lone surrogates in JSON (import documents, options,
#                                     state ...) refused, the file unchanged; every text readable after.
#   tests/python/test_identity.py     ids never reused, run_<n> checkpoints, deleted
#                                     conversations, NUL, grapheme-safe title and preview,
#                                     the pinned clock in chatflow_init, a 0.1 database migrated.
#   tests/python/test_search_scripts.py search_messages in scripts without spaces and emoji
#                                     (the trigram path): every snippet decoded as UTF-8 and
#                                     checked not to cut a grapheme cluster; waiting and indexed.
#   tests/python/test_search_batches.py messages indexed in batches: found by another connection
#                                     at commit, the mark's rules, the private copy of the
#                                     messages not indexed yet following every change.
#   tests/python/test_ai_messages.py  AI SDK UIMessages (every part type round trip, malformed
#                                     ones), OpenAI tool calls and results, the uid retry rule,
#                                     the replay valid for OpenAI at every budget.
#   tests/python/test_drafts.py       streaming drafts across processes: a reader following a
#                                     writer by offset and resuming after a reconnect, a writer
#                                     killed (kill -9) mid-stream then expired with a pinned clock.
#   make test-python                      (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Each script ends its output with "python: N passed, M failed"; that line is
# shown as "<script>: N passed, M failed" and the totals end the output as
# "python: N passed, M failed".  A script that dies without printing its
# line counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3
PYTHON_TESTS := tests/python/test_bindings.py tests/python/test_topical_map.py \
                tests/python/test_retention_scale.py tests/python/test_failure_paths.py \
                tests/python/test_text_gate.py \
                tests/python/test_identity.py \
                tests/python/test_search_scripts.py \
                tests/python/test_search_batches.py \
                tests/python/test_ai_messages.py \
                tests/python/test_drafts.py

.PHONY: test-python
test-python: all
	@pass=0; fail=0; out=$$(mktemp); \
	  for t in $(PYTHON_TESTS); do \
	    SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' $(PYTHON) $$t >"$$out" 2>&1; rc=$$?; \
	    last=$$(tail -n 1 "$$out"); \
	    if echo "$$last" | grep -Eq '^python: [0-9]+ passed, [0-9]+ failed$$'; then \
	      sed '$$d' "$$out"; \
	      p=$$(echo "$$last" | sed -E 's/^python: ([0-9]+) passed.*/\1/'); \
	      f=$$(echo "$$last" | sed -E 's/.* ([0-9]+) failed$$/\1/'); \
	      [ $$rc -ne 0 ] && [ $$f -eq 0 ] && f=1; \
	      echo "$$(basename $$t): $$p passed, $$f failed"; \
	    else \
	      cat "$$out"; p=0; f=1; echo "$$(basename $$t): no summary (exit $$rc)"; \
	    fi; \
	    pass=$$((pass + p)); fail=$$((fail + f)); \
	  done; \
	  rm -f "$$out"; \
	  echo "python: $$pass passed, $$fail failed"; \
	  [ $$fail -eq 0 ]
