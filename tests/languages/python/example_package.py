"""A chatflow session through the chatflow package (the extension bundled)."""
import os
import sqlite3
import sys

import chatflow

conn = sqlite3.connect(":memory:")
chatflow.load(conn)
print("loaded", os.path.relpath(chatflow.loadable_path(), sys.prefix))

conn.execute("SELECT chatflow_init()")
conv = conn.execute("SELECT create_conversation(?, ?)", ("acme", "Languages")).fetchone()[0]
print("conversation", conv)
add = "SELECT add_message(?, ?, ?)"
print("message", conn.execute(add, (conv, "user", "Hello from the package")).fetchone()[0])
print("message", conn.execute(add, (float(conv), "assistant", "Hi! The id came as a float.")).fetchone()[0])
print(conn.execute("SELECT chat_history_json(?)", (conv,)).fetchone()[0])
conn.commit()
