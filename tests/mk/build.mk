# Build and packaging tests (tests/build/test_build.py): the first make on a
# machine without pkg-config (a copy of the repository, a PATH without it,
# scripts/setup replaced by a stand-in that installs it), the quiet build
# and V=1, the demo's whole output (tests/build/demo.expected), the
# loadable's exported symbols, make install into a temporary PREFIX (a C
# program built with pkg-config's flags against the static library, the
# shell's `.load chatflow` by bare name, the installed cleanup job), DESTDIR
# and make uninstall.
#   make test-build                       (SO, LIB, SAN follow the build, as make asan sets them)
#   make test-build UPDATE_EXPECTED=1     rewrite tests/build/demo.expected (then read the diff!)
# Output ends with "build: N passed, M failed"; a script that dies without
# printing that line counts as one failure.
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-build
test-build: all
	@out=$$(mktemp); \
	  SO='$(SO)' LIB='$(LIB)' SAN='$(SAN)' SQLITE3='$(SQLITE3)' MAKE='$(MAKE)' \
	  UPDATE_EXPECTED='$(UPDATE_EXPECTED)' $(PYTHON) tests/build/test_build.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^build: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "build: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc
