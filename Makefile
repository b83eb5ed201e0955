# chatflow — SQLite extension for chat conversations and workflow runs.
#
#   make            dist/chatflow.so and dist/libchatflow.a
#   make test       every test (unit, SQL scripts, bindings, races)
#   make asan       every test again under address+undefined sanitizers
#   make valgrind   the SQL-script and Python tests under valgrind
#   make bench      benchmarks (not part of the tests)
#   make demo       the demo session on dist/demo.db
#   make install / uninstall (PREFIX, DESTDIR), format, lint, clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PYTHON   ?= /usr/bin/python3
SQLITE3  ?= sqlite3
VERSION  := $(shell cat VERSION)
COMMIT   := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKGS     := json-c libcurl sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs json-c libcurl 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE $(OPT) $(SAN) $(WARN) -fPIC -Iext -Idist/gen \
             $(PKG_CFLAGS) -DCHATFLOW_VERSION='"$(VERSION)"' -DCHATFLOW_COMMIT='"$(COMMIT)"' \
             -DCHATFLOW_BUILD_FLAGS='"$(strip $(OPT) $(SAN))"' $(CFLAGS)

SRCS     := ext/chatflow.c ext/util.c ext/json.c ext/schema.c ext/conversations.c \
            ext/messages.c ext/runs.c ext/history_vtab.c ext/interrupt_vtab.c
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
OBJDIR   ?= dist/obj
OBJS     := $(SRCS:ext/%.c=$(OBJDIR)/%.o) $(OBJDIR)/migrations.o
SOBJS    := $(SRCS:ext/%.c=$(OBJDIR)/static/%.o) $(OBJDIR)/static/migrations.o
SO       ?= dist/chatflow.so
LIB      ?= dist/libchatflow.a

.PHONY: all setup test test-unit test-sql test-python test-plain test-race test-docs \
        asan valgrind bench demo install uninstall format lint clean

all: setup-check $(SO) $(LIB)

# Installs missing Debian packages (no-op when all are present).
setup:
	@scripts/setup

setup-check:
	@scripts/setup

dist/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql $(MIGRATIONS) > $@

$(OBJDIR)/migrations.o: dist/gen/migrations.c ext/chatflow_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(OBJDIR)/static/migrations.o: dist/gen/migrations.c ext/chatflow_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DSQLITE_CORE -c $< -o $@

$(OBJDIR)/%.o: ext/%.c ext/chatflow_int.h VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(OBJDIR)/static/%.o: ext/%.c ext/chatflow_int.h VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DSQLITE_CORE -c $< -o $@

$(SO): $(OBJS)
	$(CC) -shared $(SAN) -Wl,-z,defs -o $@ $(OBJS) $(PKG_LIBS) -lm

$(LIB): $(SOBJS)
	rm -f $@
	ar rcs $@ $(SOBJS)

include tests/tests.mk

clean:
	rm -rf dist
