# Test targets; included by the Makefile.  Each suite lives in its own
# tests/mk/<suite>.mk, defines the phony target test-<suite>, and ends its
# output with one line "<suite>: N passed, M failed".  `make test` runs all
# of them through tests/run-all, which prints the grand total.

SUITES := unit sql docs python node langgraph plain race provider cleanup faults durability litestream shards dqlite replay fuzz build languages
# Every suite loads this build (make asan points SO at the sanitizer build).
CHATFLOW_EXT ?= $(SO:.so=)
export CHATFLOW_EXT
-include $(sort $(wildcard tests/mk/*.mk))

test: all
	@tests/run-all $(SUITES)
