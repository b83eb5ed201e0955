"""A VFS that counts the busy handler's waits, for tests/provider.

sqlite3_busy_timeout's busy handler (PRAGMA busy_timeout, Python's timeout)
sleeps through the connection's VFS, xSleep, once each time SQLite calls it,
with delays that depend only on the count (1, 2, 5, 10 ... 100 ms) until the
timeout is spent: a connection opened on this VFS shows in `count` how many
times it waited, and a wait of the whole timeout is always the same number
of sleeps.  The VFS is the default one with xSleep wrapped, registered
(not as the default) by ctypes in the libsqlite3 that Python's sqlite3
module uses; register() returns None where it cannot (a Python whose
sqlite3 module has SQLite linked in).

    vfs = sleep_vfs.register()        # None when it cannot be registered
    db = sqlite3.connect("file:%s?vfs=%s" % (path, vfs.NAME), uri=True)
    n = vfs.count ... vfs.count - n
"""
import ctypes
import sqlite3
import sys
import threading

NAME = "chatflow_sleep_count"
count = 0

_SLEEP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)


class _Vfs(ctypes.Structure):
    # struct sqlite3_vfs (sqlite3.h), versions 1 to 3
    _fields_ = [("iVersion", ctypes.c_int), ("szOsFile", ctypes.c_int), ("mxPathname", ctypes.c_int),
                ("pNext", ctypes.c_void_p), ("zName", ctypes.c_char_p), ("pAppData", ctypes.c_void_p),
                ("xOpen", ctypes.c_void_p), ("xDelete", ctypes.c_void_p), ("xAccess", ctypes.c_void_p),
                ("xFullPathname", ctypes.c_void_p), ("xDlOpen", ctypes.c_void_p),
                ("xDlError", ctypes.c_void_p), ("xDlSym", ctypes.c_void_p), ("xDlClose", ctypes.c_void_p),
                ("xRandomness", ctypes.c_void_p), ("xSleep", _SLEEP), ("xCurrentTime", ctypes.c_void_p),
                ("xGetLastError", ctypes.c_void_p), ("xCurrentTimeInt64", ctypes.c_void_p),
                ("xSetSystemCall", ctypes.c_void_p), ("xGetSystemCall", ctypes.c_void_p),
                ("xNextSystemCall", ctypes.c_void_p)]


_lock = threading.Lock()
_kept = []   # the structure and the callback live as long as the process


def _library():
    """The path of the libsqlite3 this process has loaded (the sqlite3
    module's), or None (a module linked with SQLite statically)."""
    sqlite3.connect(":memory:").close()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "/libsqlite3.so" in path:
                    return path
    except OSError:
        pass
    return None


def register():
    """This module once the VFS is registered, or None."""
    if _kept:
        return sys.modules[__name__]
    path = _library()
    if path is None:
        return None
    lib = ctypes.CDLL(path)   # the library already loaded: the same SQLite
    lib.sqlite3_vfs_find.restype = ctypes.POINTER(_Vfs)
    lib.sqlite3_vfs_find.argtypes = [ctypes.c_char_p]
    lib.sqlite3_vfs_register.argtypes = [ctypes.POINTER(_Vfs), ctypes.c_int]
    base = lib.sqlite3_vfs_find(None)
    if not base or base.contents.iVersion < 3:   # the unix VFS is version 3
        return None
    vfs = _Vfs()
    ctypes.memmove(ctypes.byref(vfs), base, ctypes.sizeof(_Vfs))
    real_sleep = base.contents.xSleep

    @_SLEEP
    def counted_sleep(_, microseconds):
        global count
        with _lock:
            count += 1
        return real_sleep(ctypes.cast(base, ctypes.c_void_p), microseconds)

    vfs.xSleep = counted_sleep
    vfs.zName = NAME.encode()
    vfs.pNext = None
    _kept.extend([vfs, counted_sleep, base, lib])
    if lib.sqlite3_vfs_register(ctypes.byref(vfs), 0) != 0:
        return None
    return sys.modules[__name__]
