# Go with mattn/go-sqlite3 from Debian (golang-github-mattn-go-sqlite3-dev,
# sources in /usr/share/gocode, linked to the system libsqlite3), offline in
# GOPATH mode: no go.mod is read, imports come from GOPATH.
set -e
mkdir -p dist/languages
GO111MODULE=off GOPATH=/usr/share/gocode go build -o dist/languages/chatflow-go tests/languages/go/main.go
dist/languages/chatflow-go "${CHATFLOW_EXT:-dist/chatflow}"
