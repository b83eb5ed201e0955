# Python's sqlite3 module, loading the file: Debian's /usr/bin/python3, whose
# sqlite3 can load extensions.
/usr/bin/python3 tests/languages/python/example_sqlite3.py "${CHATFLOW_EXT:-dist/chatflow}"
