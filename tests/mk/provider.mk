# Model-call tests (issue 5): complete_chat and generate_title against a
# loopback OpenAI-compatible server that the test starts and stops itself.
#   tests/provider/fake_openai.py    the server (stdlib http.server, port 0; modes chosen by
#                                    the requested model name: mode-slow, mode-500, ...;
#                                    scripted replies; tool calls and tool messages checked
#                                    as OpenAI checks them, HTTP 400 otherwise)
#   tests/provider/test_provider.py  request bodies and headers, stored replies, every failure
#                                    mode, interrupts, other writers, TLS, redirects (never
#                                    followed: a second server on another port must see no
#                                    connection), llm.base_url refusals, titles, tool calling
#                                    (tools, tool_choice, the whole loop, malformed calls)
#   tests/provider/sleep_vfs.py      a VFS (ctypes) that counts the busy handler's sleeps: how
#                                    often a stream under another connection's lock waited
#   make test-provider                   (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# Needs openssl (for the TLS test's self-signed certificate).  About 5 s.
# The output ends with "provider: N passed, M failed"; a script that dies
# without printing it counts as one failure.
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3

.PHONY: test-provider
test-provider: all
	@out=$$(mktemp); \
	  CHATFLOW_EXT='$(CHATFLOW_EXT)' timeout 300 $(PYTHON) tests/provider/test_provider.py >"$$out" 2>&1; rc=$$?; \
	  last=$$(tail -n 1 "$$out"); \
	  if echo "$$last" | grep -Eq '^provider: [0-9]+ passed, [0-9]+ failed$$'; then \
	    cat "$$out"; \
	    if [ $$rc -ne 0 ] && echo "$$last" | grep -q ' 0 failed$$'; then \
	      echo "provider: exit $$rc"; echo "provider: 0 passed, 1 failed"; \
	    fi; \
	  else \
	    cat "$$out"; echo "provider: no summary (exit $$rc)"; echo "provider: 0 passed, 1 failed"; rc=1; \
	  fi; \
	  rm -f "$$out"; \
	  exit $$rc
