"""What chatflow.load says on a Python whose sqlite3 cannot load extensions."""
import sqlite3

import chatflow

try:
    chatflow.load(sqlite3.connect(":memory:"))
    print("loaded")
except chatflow.ExtensionLoadError as e:
    print(e)
