# SQL-script tests: tests/sql/NN_topic.sql run by the sqlite3 shell, the
# whole output diffed against NN_topic.expected (see tests/sql/run.py).
#   make test-sql                       all scripts
#   make test-sql UPDATE_EXPECTED=1     rewrite the expected files (then read them!)
# CHATFLOW_EXT follows SO, so a sanitizer build (SO=dist/asan/chatflow.so) is what gets loaded.
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-sql
test-sql: all
	@SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' UPDATE_EXPECTED='$(UPDATE_EXPECTED)' \
	  $(PYTHON) tests/sql/run.py
