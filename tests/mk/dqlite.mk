# dqlite tests (issue 18): tests/scale/dqlite.py with Debian's /usr/bin/python3
# runs chatflow on a three-node dqlite cluster on 127.0.0.1, started by the
# test and stopped by pid.  The host program scripts/dqlite/main.go
# registers the extension with sqlite3_auto_extension in each node; the
# workload (add_message with a uid, every call in BEGIN ... COMMIT, a failed
# COMMIT retried with the same uid) runs through the leader, which is killed
# with SIGKILL two seconds in (before it: the error text a refused call
# gets through dqlite, pinned).  Checked through the new leader and in its
# dump: every acknowledged message once, with its id and content, nothing
# unacknowledged, chatflow_check() all ok, integrity_check, counters against
# a recount without the extension.  About 15 seconds.
#   make test-dqlite             (CHATFLOW_EXT=path/without/.so, PYTHON=/usr/bin/python3)
# The host is built into $(DQLITE_HOST) with Debian's go, libdqlite-dev and
# golang-github-canonical-go-dqlite-dev (scripts/setup installs them) in
# GOPATH mode from /usr/share/gocode: offline, no go.mod.  go-dqlite's cgo
# flags name -Wl,-z,now, which Go allows only through CGO_LDFLAGS_ALLOW.
# Output ends with "dqlite: N passed, M failed".
CHATFLOW_EXT ?= $(SO:.so=)
PYTHON ?= /usr/bin/python3
DQLITE_HOST ?= dist/dqlite/chatflow-dqlite

.PHONY: test-dqlite
test-dqlite: all
	@if ! $(MAKE) --no-print-directory $(DQLITE_HOST); then \
	  echo "dqlite: building $(DQLITE_HOST) from scripts/dqlite/main.go failed"; \
	  echo "dqlite: 0 passed, 1 failed"; exit 1; fi; \
	out=$$(mktemp); \
	  DQLITE_HOST='$(abspath $(DQLITE_HOST))' CHATFLOW_EXT='$(CHATFLOW_EXT)' \
	    timeout 300 $(PYTHON) tests/scale/dqlite.py >"$$out" 2>&1; rc=$$?; \
	  cat "$$out"; \
	  if ! tail -n 1 "$$out" | grep -Eq '^dqlite: [0-9]+ passed, [0-9]+ failed$$'; then \
	    rm -f "$$out"; echo "dqlite: 0 passed, 1 failed (no summary; exit $$rc)"; exit 1; fi; \
	  rm -f "$$out"; exit $$rc

$(DQLITE_HOST): scripts/dqlite/main.go
	@mkdir -p $(@D)
	@echo "  GO      $@"
	@CGO_LDFLAGS_ALLOW='-Wl,-z,now' GO111MODULE=off GOPATH=/usr/share/gocode \
	  GOCACHE=$(abspath $(@D))/gocache go build -o $@ scripts/dqlite/main.go
