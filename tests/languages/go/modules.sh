# The same program in module mode, offline: go.mod replaces the module with
# Debian's sources, GOPROXY=off forbids any download, GOFLAGS=-mod=mod
# overrides an inherited -mod=vendor (go.mod is complete: nothing is
# rewritten, and a directory replacement needs no go.sum).
set -e
out=$PWD/dist/languages
mkdir -p "$out"
(cd tests/languages/go && GO111MODULE=on GOPROXY=off GOFLAGS=-mod=mod go build -o "$out/chatflow-go-mod" .)
"$out/chatflow-go-mod" "${CHATFLOW_EXT:-dist/chatflow}"
