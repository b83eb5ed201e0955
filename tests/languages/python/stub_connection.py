"""chatflow.load on connections that cannot load extensions, simulated.

Run by Debian's python3 in the venv of package.sh: stand-ins for a
sqlite3.Connection without enable_load_extension (the attribute that a
Python built without --enable-loadable-sqlite-extensions lacks), and one
without load_extension.  Each must raise ExtensionLoadError with the
advice, and neither must call anything on the object.
"""
import sqlite3

import chatflow


class NoEnable:
    def load_extension(self, path):
        raise AssertionError("load_extension called")


class NoLoad:
    def enable_load_extension(self, on):
        raise AssertionError("enable_load_extension called")


for conn in (NoEnable(), NoLoad()):
    try:
        chatflow.load(conn)
        print(type(conn).__name__, "loaded")
    except chatflow.ExtensionLoadError as e:
        print(type(conn).__name__, "->", e)

# The error is a RuntimeError; a real connection of this Python loads.
print(issubclass(chatflow.ExtensionLoadError, RuntimeError))
conn = sqlite3.connect(":memory:")
chatflow.load(conn)
print(conn.execute("SELECT chatflow_version() = ?", (open("VERSION").read().strip(),)).fetchone()[0])
# load() switched loading off again: SQL cannot load a library.
try:
    conn.execute("SELECT load_extension(?)", (chatflow.loadable_path(),))
    print("load_extension() allowed")
except sqlite3.OperationalError as e:
    print("load_extension():", e)
