# chatflow — SQLite extension for chat conversations and workflow runs.
#
#   make            dist/chatflow.so and dist/libchatflow.a
#   make test       every test (unit, SQL scripts, bindings, races, build and install)
#   make asan       every test again under address+undefined sanitizers
#   make valgrind   the SQL-script suite, a scenario script and the unit tests under valgrind
#   make fuzz       libFuzzer harness for FUZZ_SECONDS (600); make durability: 300 kill -9 trials
#   make bench      benchmarks (not part of the tests)
#   make demo       the demo session on dist/demo.db
#   make node-package  dist/chatflow-<version>.tgz, the npm package of bindings/node
#   make python-package  dist/python/chatflow-<version>-py3-none-<platform>.whl, of bindings/python
#   make install / uninstall (PREFIX, DESTDIR), format, lint, clean
#
# The build is quiet: one "  CC  file" line per object (none under make -s or
# make demo); make V=1 shows every command.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PYTHON   ?= /usr/bin/python3
SQLITE3  ?= sqlite3
VERSION  := $(shell cat VERSION)
# 0.1.0 -> 1000: major * 1000000 + minor * 1000 + patch, as SQLITE_VERSION_NUMBER
VERSION_NUMBER := $(shell echo '$(VERSION)' | awk -F. '{ printf "%d", $$1 * 1000000 + $$2 * 1000 + $$3 }')
COMMIT   := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Quiet commands: $(Q) hides a command, $(call say,WHAT,FILE) prints the
# short line instead.  V=1 shows the commands; make -s shows neither.
V ?= 0
ifeq ($(V),1)
  Q :=
  say = @:
else
  Q := @
  say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
  say = @:
endif
# The per-object lines (make demo turns them off: see the demo target).
say_cc = $(call say,$(1),$(2))

# The libraries, found with pkg-config.  A fresh machine has neither them nor
# pkg-config, so before anything reads a flag, scripts/setup installs what is
# missing (it is a no-op when everything is there).  That runs here, while
# the Makefile is read, and only when pkg-config cannot find the libraries;
# if they are still missing afterwards (no root, no sudo, no network), make
# stops with a message instead of failing later in the compiler.
PKGS     := json-c libcurl libutf8proc sqlite3
ifeq ($(filter clean format,$(MAKECMDGOALS)),)
  ifneq ($(shell pkg-config --exists $(PKGS) cmocka 2>/dev/null && echo found),found)
    _SETUP := $(shell scripts/setup >&2)
    ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo found),found)
      $(error pkg-config cannot find $(PKGS) after scripts/setup; install the packages scripts/setup names (as root or with sudo) and run make again)
    endif
  endif
endif
# The flags are read when first used (after the lines above, whatever the
# order of the assignments), once each: "VAR = $(eval VAR := ...)$(VAR)".
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(shell pkg-config --libs json-c libcurl libutf8proc 2>/dev/null))$(PKG_LIBS)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE $(OPT) $(SAN) $(WARN) -fPIC -Iext -Idist/gen \
             $(PKG_CFLAGS) -DCHATFLOW_VERSION='"$(VERSION)"' -DCHATFLOW_COMMIT='"$(COMMIT)"' \
             -DCHATFLOW_BUILD_FLAGS='"$(strip $(OPT) $(SAN))"' $(CFLAGS)

SRCS     := ext/chatflow.c ext/util.c ext/json.c ext/schema.c ext/conversations.c \
            ext/messages.c ext/drafts.c ext/branches.c ext/ui.c ext/runs.c ext/history_vtab.c ext/interrupt_vtab.c ext/workflow.c \
            ext/http.c ext/provider.c ext/retention.c ext/list_vtab.c ext/page_vtab.c ext/search_vtab.c \
            ext/export.c ext/tvf.c ext/write.c ext/text.c ext/snippet.c ext/index.c \
            ext/langgraph.c ext/check.c
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
OBJDIR   ?= dist/obj
OBJS     := $(SRCS:ext/%.c=$(OBJDIR)/%.o) $(OBJDIR)/migrations.o
SOBJS    := $(SRCS:ext/%.c=$(OBJDIR)/static/%.o) $(OBJDIR)/static/migrations.o
SO       ?= dist/chatflow.so
LIB      ?= dist/libchatflow.a
# The public header, made from ext/chatflow.h.in with the version of VERSION.
HEADER   := dist/gen/chatflow.h
# Only the entry point is exported from the loadable (ext/chatflow.map);
# inside libchatflow.a every function stays visible to the others.
SO_EXPORTS := ext/chatflow.map

.PHONY: all setup setup-check test test-unit test-sql test-python test-plain test-race test-docs \
        asan valgrind bench demo install uninstall format lint clean node-package python-package

all: setup-check $(SO) $(LIB)

# Installs missing Debian packages (no-op when all are present).
setup:
	@scripts/setup

setup-check:
	@scripts/setup

dist/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)scripts/embed-sql $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(HEADER): ext/chatflow.h.in VERSION
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@VERSION_NUMBER@/$(VERSION_NUMBER)/g' $< > $@.tmp
	$(Q)mv $@.tmp $@

$(OBJDIR)/migrations.o: dist/gen/migrations.c ext/chatflow_int.h $(HEADER)
	@mkdir -p $(@D)
	$(call say_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(OBJDIR)/static/migrations.o: dist/gen/migrations.c ext/chatflow_int.h $(HEADER)
	@mkdir -p $(@D)
	$(call say_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -DSQLITE_CORE -c $< -o $@

$(OBJDIR)/%.o: ext/%.c ext/chatflow_int.h $(HEADER) VERSION
	@mkdir -p $(@D)
	$(call say_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(OBJDIR)/static/%.o: ext/%.c ext/chatflow_int.h $(HEADER) VERSION
	@mkdir -p $(@D)
	$(call say_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -DSQLITE_CORE -c $< -o $@

$(SO): $(OBJS) $(SO_EXPORTS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared $(SAN) -Wl,-z,defs -Wl,-z,nodelete -Wl,--version-script=$(SO_EXPORTS) \
	  -o $@ $(OBJS) $(PKG_LIBS) -lm

$(LIB): $(SOBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(SOBJS)

# The npm package of bindings/node with $(SO) as its chatflow.so, packed by
# npm pack (scripts/pack-node; needs node and npm, works offline).
NODE_PACKAGE := dist/chatflow-$(VERSION).tgz

node-package: $(NODE_PACKAGE)

$(NODE_PACKAGE): $(SO) VERSION LICENSE scripts/pack-node $(wildcard bindings/node/*)
	$(call say,PACK,$@)
	$(Q)scripts/pack-node $(SO) $(@D) >/dev/null

# The wheel of bindings/python with $(SO) as its chatflow.so, built offline
# by Debian's python3 with python3-setuptools and python3-wheel (setup.py
# copies the loadable in); docs/languages.md.
python-package: $(SO)
	$(call say,WHEEL,dist/python)
	$(Q)rm -rf dist/python && mkdir -p dist/python
	$(Q)CHATFLOW_SO=$(SO) $(PYTHON) -m pip wheel -q --no-index --no-build-isolation --no-deps \
	  -w dist/python bindings/python
	$(Q)rm -rf bindings/python/build bindings/python/*.egg-info

include tests/tests.mk

clean:
	rm -rf dist

# The main job: a demo session on the default database dist/demo.db.  The
# build it needs prints no per-object lines (V=1 still shows the commands).
# The demo's one refusal (a second active run) is expected; any other error
# fails the target.
DEMO_DB ?= dist/demo.db
demo: say_cc = @:
demo: all
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@$(SQLITE3) $(DEMO_DB) -cmd ".load $(SO:.so=)" < sql/demo.sql > $(DEMO_DB:.db=.log) 2>&1; \
	  rc=$$?; cat $(DEMO_DB:.db=.log); \
	  if grep -E '(Runtime|Parse) error|^Error' $(DEMO_DB:.db=.log) | grep -qv 'already has an active run'; then \
	    echo "demo: FAILED (unexpected error above)"; exit 1; fi; \
	  [ $$rc -eq 0 ] || [ $$rc -eq 1 ] || { echo "demo: sqlite3 exited $$rc"; exit 1; }

# make install puts, under $(DESTDIR)$(PREFIX):
#   lib/chatflow.so            the loadable extension (see docs/setup.md for
#                              `.load chatflow` by bare name)
#   lib/libchatflow.a          the static library, include/chatflow.h its header,
#   lib/pkgconfig/chatflow.pc  and its pkg-config file
#   bin/chatflow-cleanup       the cron cleanup job (loads lib/chatflow.so)
#   share/chatflow/            the migrations and sql/demo.sql
#   share/doc/chatflow/        README.md, CHANGELOG.md, LICENSE and docs/*.md
# make uninstall removes exactly these files, then the directories of
# chatflow's own that are left empty.
LIBDIR      = $(PREFIX)/lib
INCLUDEDIR  = $(PREFIX)/include
BINDIR      = $(PREFIX)/bin
DATADIR     = $(PREFIX)/share/chatflow
DOCDIR      = $(PREFIX)/share/doc/chatflow
PCDIR       = $(LIBDIR)/pkgconfig
DOCS        = README.md CHANGELOG.md LICENSE
DOCS_PAGES  = $(sort $(wildcard docs/*.md))
INSTALLED   = $(LIBDIR)/chatflow.so $(LIBDIR)/libchatflow.a $(INCLUDEDIR)/chatflow.h \
              $(PCDIR)/chatflow.pc $(BINDIR)/chatflow-cleanup \
              $(addprefix $(DATADIR)/,$(notdir $(MIGRATIONS)) demo.sql) \
              $(addprefix $(DOCDIR)/,$(DOCS)) $(addprefix $(DOCDIR)/,$(DOCS_PAGES))

install: all $(HEADER)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/docs
	install -m 0755 $(SO) $(DESTDIR)$(LIBDIR)/chatflow.so
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libchatflow.a
	install -m 0644 $(HEADER) $(DESTDIR)$(INCLUDEDIR)/chatflow.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	  -e 's|@VERSION@|$(VERSION)|g' ext/chatflow.pc.in > $(DESTDIR)$(PCDIR)/chatflow.pc
	chmod 0644 $(DESTDIR)$(PCDIR)/chatflow.pc
	install -m 0755 scripts/chatflow-cleanup $(DESTDIR)$(BINDIR)/chatflow-cleanup
	install -m 0644 $(MIGRATIONS) sql/demo.sql $(DESTDIR)$(DATADIR)/
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(DOCS_PAGES) $(DESTDIR)$(DOCDIR)/docs/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR) 2>/dev/null || true

format:
	clang-format -i ext/*.c ext/*.h

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	  --suppress=missingIncludeSystem -Iext ext/*.c
