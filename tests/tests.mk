# Test targets; included by the Makefile.  Each suite lives in its own
# tests/mk/<suite>.mk, defines the phony target test-<suite>, and ends its
# output with one line "<suite>: N passed, M failed".  `make test` runs all
# of them through tests/run-all, which prints the grand total.

SUITES := unit sql docs python plain race
-include $(sort $(wildcard tests/mk/*.mk))

test: all
	@tests/run-all $(SUITES)
