"""chatflow for Python's sqlite3: the loadable extension, bundled.

    import sqlite3
    import chatflow

    conn = sqlite3.connect("app.db")
    chatflow.load(conn)
    conn.execute("SELECT chatflow_init()")

load(conn) works with any connection that has enable_load_extension and
load_extension (the standard sqlite3 module of a Python built with loadable
extensions, such as Debian's /usr/bin/python3, or pysqlite3).  Loading
registers chatflow's functions on that connection only; the schema is
created by SELECT chatflow_init().
"""
import os

__all__ = ["load", "loadable_path", "ExtensionLoadError"]


class ExtensionLoadError(RuntimeError):
    """This connection cannot load SQLite extensions."""


def loadable_path():
    """The absolute path of the bundled chatflow.so."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chatflow.so")
    if not os.path.isfile(path):
        raise FileNotFoundError("chatflow: the loadable %s is missing: install chatflow from its "
                                "wheel (the source tree has no chatflow.so)" % path)
    return path


def load(conn):
    """Loads chatflow into conn, a sqlite3.Connection (or pysqlite3's).

    Extension loading is switched on only for the call and off again after
    it, so SQL cannot load other libraries through load_extension().
    Raises ExtensionLoadError when the connection cannot load extensions.
    """
    enable = getattr(conn, "enable_load_extension", None)
    load_extension = getattr(conn, "load_extension", None)
    if enable is None or load_extension is None:
        raise ExtensionLoadError(
            "chatflow: this Python's sqlite3 cannot load extensions (the connection has no %s: "
            "Python was built without --enable-loadable-sqlite-extensions); use a Python whose "
            "sqlite3 supports extensions, e.g. Debian's /usr/bin/python3, or pysqlite3 "
            "(from pysqlite3 import dbapi2 as sqlite3)"
            % ("enable_load_extension" if enable is None else "load_extension"))
    path = loadable_path()
    enable(True)
    try:
        load_extension(path)
    finally:
        enable(False)
