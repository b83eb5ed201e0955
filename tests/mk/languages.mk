# Languages test: the examples of docs/languages.md, each run with its own
# toolchain from Debian's packages, offline (tests/languages/run.py), but
# Node's better-sqlite3 and Node 22, which come from npm:
#   sqlite3 shell; Python's sqlite3 module, and the chatflow package of
#   bindings/python (wheel built, installed into a venv, used; the clear
#   error on a Python that cannot load extensions); Node (the chatflow npm
#   package of bindings/node, packed and installed, used with better-sqlite3
#   and with node:sqlite under npm's Node 22, both from make test-node's
#   dist/node-test, which the case installs when missing); Go (mattn/go-sqlite3,
#   GOPATH and module mode); PHP (SQLite3 class; PDO refused); Rust
#   (rusqlite); C (dist/libchatflow.a); sqlite-utils.
# Each case's whole output is compared with its .expected file, and every
# code block of docs/languages.md must equal the file it shows.
#   make test-languages                      (CHATFLOW_EXT=path/without/.so)
#   make test-languages LANGUAGES_UPDATE=1   rewrite the page's blocks from the files
# Build caches stay in dist/languages (Go's GOCACHE, Rust's target dir):
# about 15 s in all once built, about 30 s on a fresh tree.
# The output ends with "languages: N passed, M failed".
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3

.PHONY: test-languages
test-languages: all
	@CHATFLOW_EXT='$(CHATFLOW_EXT)' LANGUAGES_UPDATE='$(LANGUAGES_UPDATE)' $(PYTHON) tests/languages/run.py
