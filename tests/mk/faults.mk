# Fault injection (tests/fault/fault.c): out-of-memory at every allocation
# (SQLITE_CONFIG_MALLOC) and SQLITE_IOERR_* at every VFS call (a shim VFS
# over the default one), in rollback-journal (DELETE) and WAL mode, while a
# scenario calls every writing function; after each fault: no crash, no
# leak, autocommit restored, integrity_check, invariants, and either the
# fault's error or the full fault-free result.
#   make faults             every site of every mode and scenario (10 to 15
#                           minutes with two cores, FAULT_JOBS workers, and
#                           about 20 more since chatflow_check builds the
#                           schema in memory: 138,593 oom regress sites);
#                           prints the site counts and every violation
#   make test-faults        a sample of FAULT_SAMPLE sites per mode and
#                           scenario (part of make test, a few seconds)
#   make faults-asan        the full sweep with the ASan/UBSan build (slow)
#   make faults FAULT_ARGS='--mode oom --scenario main --site 1234 --backtrace'
#                           one site, with the stack of the injected fault
# The binary links $(LIB) (the static build) and the system libsqlite3, and
# follows LIB like the unit tests, so make asan runs it against the
# sanitizer build (with leak detection on, as tests/unit/run does).  The
# databases live in a fresh directory under FAULT_TMP (tmpfs when there is
# one: every step syncs), removed afterwards.  Output ends with
# "faults: N passed, M failed", one test per mode and scenario.
FAULT_BIN_DIR ?= $(patsubst %/,%,$(dir $(LIB)))/fault
FAULT_BIN     := $(FAULT_BIN_DIR)/fault
FAULT_TMP     ?= $(if $(wildcard /dev/shm/.),/dev/shm,$(CURDIR)/dist)
FAULT_JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
FAULT_SAMPLE  ?= 60
FAULT_ARGS    ?=
# Sites to leave out of the make test sample (--skip [MODE:]TEXT) or checks
# to tolerate (--exclude-check TEXT), each with its reproducer; none today.
FAULT_SKIP    ?=
FAULT_LIBS    := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(PKG_LIBS) -lm

.PHONY: test-faults faults faults-asan fault-bin

fault-bin: $(FAULT_BIN)

$(FAULT_BIN): tests/fault/fault.c $(LIB)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -DSQLITE_CORE -rdynamic -o $@ $< $(LIB) $(FAULT_LIBS)

# $(1): the harness's arguments; $(2): the number of worker processes.
define fault_run
	@d=$$(mktemp -d '$(FAULT_TMP)/chatflow-faults.XXXXXX') || exit 1; \
	  env -u LD_PRELOAD ASAN_OPTIONS="$${ASAN_OPTIONS:+$$ASAN_OPTIONS:}detect_leaks=1" \
	    $(FAULT_BIN) --dir "$$d" --jobs $(2) $(1); rc=$$?; \
	  rm -rf "$$d"; \
	  if [ $$rc -gt 1 ]; then echo "faults: 0 passed, 1 failed (harness exited $$rc)"; fi; \
	  exit $$rc
endef

# The sample in make test runs FAULT_JOBS workers (about 12 s with two).
# Workers used to report a few io-wal init and migrate sites at random as
# "not deterministic": the harness fixes SQLite's randomness, so side by
# side they drew the same temporary file names; each now keeps its
# temporary files in its own directory (setTempDir in fault.c).
test-faults: all $(FAULT_BIN)
	$(call fault_run,--sample $(FAULT_SAMPLE) $(FAULT_SKIP) $(FAULT_ARGS),$(FAULT_JOBS))

faults: all $(FAULT_BIN)
	$(call fault_run,$(FAULT_ARGS),$(FAULT_JOBS))

faults-asan:
	@$(ASAN_ENV) $(MAKE) --no-print-directory all fault-bin
	@$(ASAN_ENV) ASAN_OPTIONS='exitcode=86' $(MAKE) --no-print-directory faults
