# Memory checkers.
#
#   make asan      builds the loadable and the static library with
#                  ASAN_SAN (address + undefined) into dist/asan/, the unit
#                  tests against it, and runs every suite of SUITES that has
#                  a tests/mk/<suite>.mk, with CHATFLOW_EXT=dist/asan/chatflow,
#                  except those of ASAN_EXCLUDED (below).
#   make valgrind  the normal build: the SQL-script suite with the sqlite3
#                  shell under valgrind, tests/unit/valgrind.sql (every
#                  function and error path; run twice, the extension loaded
#                  again in between) under valgrind, and the unit test
#                  binaries under valgrind.  make asan runs valgrind.sql too.
#
# Both end with "asan: PASSED|FAILED" / "valgrind: PASSED|FAILED" and exit
# non-zero on any test failure or any checker report.
#
# How asan reaches the interpreters: the sqlite3 shell and python are not
# instrumented, so libasan and libubsan are put in LD_PRELOAD for everything
# the suites run, with detect_leaks=0 (interpreters leak at exit by design).
# The unit test binaries link libasan themselves; tests/unit/run drops
# LD_PRELOAD for them and turns leak detection back on.  UBSan errors are
# fatal (halt_on_error=1, exit status 86).  ASan reports go to
# dist/asan/logs/asan.<exe>.<pid> (not stderr), and any such file fails
# make asan even if a suite ignored the process's exit status; UBSan reports
# (the preloaded shared libubsan ignores log_path) go to stderr and the
# process exits 86, which fails its test.
# The sub-makes get OBJDIR/SO/LIB/SAN through the environment (the Makefile
# sets them with ?=), so `all` inside each suite is the sanitizer build.

ASAN_DIR ?= dist/asan
ASAN_SAN ?= -fsanitize=address,undefined -fno-omit-frame-pointer
# languages: its toolchains cannot run with the ASan runtime preloaded (PHP
# opens its modules with RTLD_DEEPBIND, which the runtime refuses), and what
# it checks -- loading and binding from each language, the page equal to
# the examples -- is not what the sanitizers look for; the other suites run
# the same SQL through the sanitizer build.
ASAN_EXCLUDED ?= languages
ASAN_SUITES = $(foreach s,$(filter-out $(ASAN_EXCLUDED),$(SUITES)),$(if $(wildcard tests/mk/$(s).mk),$(s)))
ASAN_LOGS = $(CURDIR)/$(ASAN_DIR)/logs
ASAN_ENV = OBJDIR='$(ASAN_DIR)/obj' SO='$(ASAN_DIR)/chatflow.so' LIB='$(ASAN_DIR)/libchatflow.a' \
  SAN='$(ASAN_SAN)' CHATFLOW_EXT='$(ASAN_DIR)/chatflow' \
  ASAN_OPTIONS='detect_leaks=0:exitcode=86:log_path=$(ASAN_LOGS)/asan:log_exe_name=1' \
  UBSAN_OPTIONS='halt_on_error=1:print_stacktrace=1:exitcode=86'

VALGRIND ?= valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
VG_DIR ?= dist/valgrind

.PHONY: asan valgrind

asan:
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@$(ASAN_ENV) $(MAKE) --no-print-directory all unit-bins
	@echo "asan: suites: $(ASAN_SUITES)"; \
	preload="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)"; \
	export $(ASAN_ENV) LD_PRELOAD="$$preload"; \
	tests/run-all $(ASAN_SUITES); rc=$$?; \
	echo "=== asan: tests/unit/valgrind.sql through the sqlite3 shell"; \
	{ cat tests/unit/valgrind.sql; echo '.load $(ASAN_DIR)/chatflow'; cat tests/unit/valgrind.sql; } | \
	  $(SQLITE3) -init /dev/null -cmd '.load $(ASAN_DIR)/chatflow' :memory: > $(ASAN_DIR)/valgrind-sql.out 2>&1; \
	sqlrc=$$?; unset LD_PRELOAD; \
	if [ $$sqlrc -ne 0 ] && [ $$sqlrc -ne 1 ]; then \
	  echo "asan: sqlite3 exited $$sqlrc on tests/unit/valgrind.sql"; tail -n 20 $(ASAN_DIR)/valgrind-sql.out; rc=1; fi; \
	if ls $(ASAN_LOGS)/* >/dev/null 2>&1; then \
	  for f in $(ASAN_LOGS)/*; do echo "=== sanitizer report $$f"; cat "$$f"; done; rc=1; fi; \
	if [ $$rc -eq 0 ]; then echo "asan: PASSED (no sanitizer reports)"; \
	else echo "asan: FAILED (see the failing suites and sanitizer reports above)"; fi; \
	exit $$rc

valgrind: all unit-bins
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)
	@rc=0; \
	if [ -f tests/mk/sql.mk ]; then \
	  echo "=== valgrind: test-sql (sqlite3 under valgrind)"; \
	  VG_LOG_DIR='$(VG_DIR)' VG_SQLITE3='$(SQLITE3)' VALGRIND='$(VALGRIND)' \
	    $(MAKE) --no-print-directory test-sql SQLITE3='$(CURDIR)/tests/unit/vg-sqlite3' || rc=1; \
	fi; \
	echo "=== valgrind: tests/unit/valgrind.sql"; \
	{ cat tests/unit/valgrind.sql; echo '.load $(SO:.so=)'; cat tests/unit/valgrind.sql; } | \
	VG_LOG_DIR='$(VG_DIR)' VG_SQLITE3='$(SQLITE3)' VALGRIND='$(VALGRIND)' \
	  tests/unit/vg-sqlite3 -init /dev/null -cmd '.load $(SO:.so=)' :memory: > $(VG_DIR)/valgrind-sql.out 2>&1; \
	sqlrc=$$?; \
	if [ $$sqlrc -ne 0 ] && [ $$sqlrc -ne 1 ]; then \
	  echo "valgrind: sqlite3 exited $$sqlrc on tests/unit/valgrind.sql"; rc=1; \
	else echo "valgrind.sql: $$(grep -c 'Runtime error' $(VG_DIR)/valgrind-sql.out) expected errors, shell exit $$sqlrc"; fi; \
	echo "=== valgrind: unit test binaries"; \
	$(MAKE) --no-print-directory test-unit UNIT_RUNNER='$(VALGRIND) -q' || rc=1; \
	bad=$$(grep -L 'ERROR SUMMARY: 0 errors' $(VG_DIR)/*.log 2>/dev/null); \
	n=$$(ls $(VG_DIR)/*.log 2>/dev/null | wc -l); \
	echo "valgrind: $$n sqlite3 runs checked"; \
	[ "$$n" -gt 0 ] || { echo "valgrind: no valgrind logs were written"; rc=1; }; \
	for f in $$bad; do echo "=== valgrind report $$f"; cat "$$f"; rc=1; done; \
	if [ $$rc -eq 0 ]; then echo "valgrind: PASSED (no errors, no definite leaks)"; \
	else echo "valgrind: FAILED (see above)"; fi; \
	exit $$rc
