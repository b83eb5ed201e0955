# Docs tests: every ```sql example of docs/*.md runs in the sqlite3 shell
# (one fresh database per page) and its output must equal the ```output
# block after it (see tests/docs/run_docs.py and docs/README.md).
#   make test-docs                 all pages
#   make test-docs DOCS_UPDATE=1   rewrite the output blocks (then read the diff!)
CHATFLOW_EXT ?= dist/chatflow
PYTHON ?= /usr/bin/python3
SQLITE3 ?= sqlite3

.PHONY: test-docs
test-docs: all
	@SQLITE3='$(SQLITE3)' CHATFLOW_EXT='$(CHATFLOW_EXT)' DOCS_UPDATE='$(DOCS_UPDATE)' \
	  $(PYTHON) tests/docs/run_docs.py
