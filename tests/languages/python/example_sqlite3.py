"""A chatflow session from Python's sqlite3 module, loading the file directly.

Usage: /usr/bin/python3 example_sqlite3.py [path/to/chatflow]   (.so optional)
"""
import sqlite3
import sys

ext = sys.argv[1] if len(sys.argv) > 1 else "dist/chatflow"
conn = sqlite3.connect(":memory:")
conn.enable_load_extension(True)   # AttributeError on a Python built without it
conn.load_extension(ext)
conn.enable_load_extension(False)  # SQL cannot load libraries from here on

conn.execute("SELECT chatflow_init()")
conv = conn.execute("SELECT create_conversation(?, ?)", ("acme", "Languages")).fetchone()[0]
print("conversation", conv)

# The id bound as an int (INTEGER), then as a float (REAL: accepted when it
# is a whole number).
add = "SELECT add_message(?, ?, ?)"
print("message", conn.execute(add, (conv, "user", "Hello from Python")).fetchone()[0])
print("message", conn.execute(add, (float(conv), "assistant", "Hi! The id came as a float.")).fetchone()[0])

# A fractional id is refused with chatflow's error.
try:
    conn.execute(add, (1.5, "user", "never stored"))
except sqlite3.OperationalError as e:
    print("error:", e)

# A write the schema refuses (a conversation key or uid already taken) is
# SQLITE_CONSTRAINT, which Python raises as sqlite3.IntegrityError;
# sqlite3.Error catches every chatflow error.
key = "SELECT create_conversation(?, NULL, '{\"key\": \"ticket-42\"}')"
conn.execute(key, ("acme",))
try:
    conn.execute(key, ("acme",))
except sqlite3.IntegrityError as e:
    print("IntegrityError:", e)

# Python's sqlite3 (isolation_level "", the default) begins a transaction
# only before INSERT, UPDATE, DELETE and REPLACE. chatflow's calls are
# SELECTs, so in a bare `with conn:` each one commits by itself and an error
# later in the block rolls nothing back. BEGIN makes the block one
# transaction: `with` commits it, or rolls all of it back on an error.
try:
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(add, (conv, "user", "rolled back with the block"))
        conn.execute(add, (conv, "robot", "refused"))
except sqlite3.Error as e:
    print("rolled back:", e)

print(conn.execute("SELECT chat_history_json(?)", (conv,)).fetchone()[0])
conn.commit()
