# A Python whose sqlite3 cannot load extensions (pyenv builds one unless
# PYTHON_CONFIGURE_OPTS has --enable-loadable-sqlite-extensions): the
# package installs, and load() says what to do instead.  The python3 found
# on PATH first is used when its sqlite3 lacks enable_load_extension.
set -e
py=$(command -v python3)
if "$py" -c 'import sqlite3, sys; sys.exit(hasattr(sqlite3.Connection, "enable_load_extension"))'; then
  out=dist/languages/python
  rm -rf "$out/venv-noext"
  "$py" -m venv "$out/venv-noext"
  "$out/venv-noext/bin/pip" install -q --root-user-action=ignore --no-index "$out"/chatflow-*.whl
  "$out/venv-noext/bin/python" tests/languages/python/no_extensions.py
else
  echo "skipped: the first python3 on PATH ($py) can load extensions"; exit 77
fi
