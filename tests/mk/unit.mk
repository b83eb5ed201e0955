# cmocka tests: tests/unit/test_*.c, one binary each, linked against the
# static library $(LIB) (objects built with -DSQLITE_CORE, so the tests call
# sqlite3_chatflow_init() directly) plus the system libsqlite3, json-c and
# libcurl.  tests/unit/run runs every binary and prints the summary line.
#   make test-unit                  against dist/libchatflow.a, binaries in dist/unit/
#   make test-unit UNIT_RUNNER='valgrind ...'   each binary under a wrapper
# `make asan` builds them against dist/asan/libchatflow.a (LIB=...) into
# dist/asan/unit/, because UNIT_DIR follows LIB.

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_DIR    ?= $(patsubst %/,%,$(dir $(LIB)))/unit
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(UNIT_DIR)/%)
UNIT_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
UNIT_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka) \
               $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(PKG_LIBS) -lm
UNIT_RUNNER ?=

.PHONY: test-unit unit-bins
unit-bins: $(UNIT_BINS)

$(UNIT_DIR)/test_%: tests/unit/test_%.c tests/unit/unit.h ext/chatflow_int.h $(LIB)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) $(UNIT_CFLAGS) -DSQLITE_CORE -Itests/unit -o $@ $< $(LIB) $(UNIT_LIBS)

test-unit: all $(UNIT_BINS)
	@UNIT_RUNNER='$(UNIT_RUNNER)' tests/unit/run $(UNIT_BINS)
