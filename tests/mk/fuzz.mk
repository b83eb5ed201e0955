# libFuzzer harness (issue 8): tests/fuzz/fuzz_chatflow.c feeds fuzz input
# to every JSON and text argument of chatflow's functions and virtual
# tables on an in-memory database, checking autocommit and the invariants
# after every call (see the harness's header).  Built with clang
# -fsanitize=fuzzer,address,undefined against a static build of ext/ made
# with the same sanitizers (dist/fuzz/, -DSQLITE_CORE) and the system
# libsqlite3.  Seeds: tests/fuzz/corpus/ (written by tests/fuzz/seeds.py);
# dictionary: tests/fuzz/chatflow.dict; new inputs go to dist/fuzz/corpus/,
# crashes to dist/fuzz/crash-*.
#   make fuzz                       FUZZ_SECONDS of fuzzing (default 600); FUZZ_JOBS=N forks N workers (-fork)
#   make test-fuzz                  the seed corpus replayed, then a FUZZ_SMOKE_SECONDS (60) run;
#                                   skipped (and said so) when clang with libFuzzer is missing
#   make fuzz-replay FUZZ_INPUT=f   one input (a crash file) replayed with the statistics
# The output ends with "fuzz: N passed, M failed".
FUZZ_CC       ?= clang
FUZZ_DIR      ?= dist/fuzz
FUZZ_SAN      ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SECONDS  ?= 600
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_JOBS     ?= 1
FUZZ_BIN      := $(FUZZ_DIR)/fuzz_chatflow
FUZZ_ARGS     ?= -max_len=4096 -timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/chatflow.dict \
                 -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1

.PHONY: fuzz test-fuzz fuzz-bin fuzz-replay

# The sanitizer build of ext/ comes from the main Makefile's $(LIB) rule in
# a sub-make with its own OBJDIR and LIB (no rule here names that file, so
# the sub-make cannot recurse into this one).
fuzz-bin: setup-check
	@$(MAKE) --no-print-directory CC='$(FUZZ_CC)' OBJDIR='$(FUZZ_DIR)/obj' LIB='$(FUZZ_DIR)/libchatflow.a' \
	  SO='$(FUZZ_DIR)/chatflow.so' OPT='-O1 -g' SAN='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' \
	  $(FUZZ_DIR)/libchatflow.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

$(FUZZ_BIN): tests/fuzz/fuzz_chatflow.c $(FUZZ_DIR)/libchatflow.a
	$(call say,CC,$@)
	$(Q)$(FUZZ_CC) -O1 -g -Wall -Wextra -Werror -fsanitize=fuzzer $(FUZZ_SAN) \
	  $$(pkg-config --cflags sqlite3) -o $@ tests/fuzz/fuzz_chatflow.c $(FUZZ_DIR)/libchatflow.a \
	  $$(pkg-config --libs sqlite3) $(PKG_LIBS) -lm

fuzz: fuzz-bin
	@mkdir -p $(FUZZ_DIR)/corpus
	@echo "fuzz: $(FUZZ_SECONDS) s, $(FUZZ_JOBS) job(s), seeds tests/fuzz/corpus, new inputs $(FUZZ_DIR)/corpus"
	@FUZZ_STATS=1 tests/fuzz/run $(FUZZ_BIN) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_DIR)/corpus tests/fuzz/corpus -- $(FUZZ_ARGS)

test-fuzz:
	@if ! tests/fuzz/have-libfuzzer $(FUZZ_CC); then \
	  echo "fuzz: skipped: $(FUZZ_CC) with libFuzzer (clang, libclang-rt-14-dev) is not installed"; \
	  echo "fuzz: 0 passed, 0 failed (skipped)"; exit 0; fi; \
	mkdir -p $(FUZZ_DIR); \
	$(MAKE) --no-print-directory fuzz-bin >$(FUZZ_DIR)/build.log 2>&1 || \
	  { cat $(FUZZ_DIR)/build.log; echo "fuzz: 0 passed, 1 failed (build)"; exit 1; }; \
	mkdir -p $(FUZZ_DIR)/smoke && rm -rf $(FUZZ_DIR)/smoke/*; \
	FUZZ_STATS=1 tests/fuzz/run $(FUZZ_BIN) $(FUZZ_SMOKE_SECONDS) 1 $(FUZZ_DIR)/smoke tests/fuzz/corpus -- $(FUZZ_ARGS)

fuzz-replay: fuzz-bin
	@FUZZ_STATS=1 $(FUZZ_BIN) $(FUZZ_INPUT)
