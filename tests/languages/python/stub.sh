# chatflow.load on stand-in connections without the loading methods (the
# package installed by package.sh).
dist/languages/python/venv/bin/python tests/languages/python/stub_connection.py
