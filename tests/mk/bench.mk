# make bench: chatflow's performance targets, not a test suite.
# scripts/bench/bench.c is linked statically against dist/libchatflow.a
# (registered with sqlite3_auto_extension) and Debian's libsqlite3, and
# run on a temporary WAL database; see docs/performance.md.
#   make bench                               the full run (about three minutes)
#   make bench BENCH_ARGS='--rounds 3 --big 20000'   a quicker one
#   make bench BENCH_ARGS=--strict           exit 1 when a target is missed
BENCH_BIN  ?= dist/bench
BENCH_LIB  ?= dist/libchatflow.a
BENCH_ARGS ?=

.PHONY: bench
bench: all $(BENCH_BIN)
	@$(BENCH_BIN) $(BENCH_ARGS)

$(BENCH_BIN): scripts/bench/bench.c $(BENCH_LIB)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror \
	  $$(pkg-config --cflags sqlite3) -o $@ scripts/bench/bench.c $(BENCH_LIB) \
	  $$(pkg-config --libs sqlite3) $(PKG_LIBS) -lm
