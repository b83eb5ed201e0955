#!/usr/bin/python3
"""Runs the language examples of tests/languages and checks docs/languages.md.

    tests/languages/run.py            (from the repository root, after make)

A case is tests/languages/<lang>/<case>.sh, listed in CASES below, with its
exact output in <case>.expected beside it.  Each case runs as
`sh tests/languages/<lang>/<case>.sh` from the repository root, with stdin
from /dev/null and stderr merged into stdout; it passes when it exits 0 and
prints exactly its .expected file.  Exit status 77 means skipped (the case
says why in its output), anything else is a failure.

The page: docs/languages.md shows these files verbatim.  A line
`<!-- file: PATH [PATH ...] -->` is followed by as many fenced blocks (only
blank lines between) as it names paths, and each block's text must equal
its file.  Every fenced block of the page must be covered by such a line, so
the page holds no code that this suite does not run, and every case's .sh
and .expected (except those of DOC_EXEMPT) must appear on it.  With
LANGUAGES_UPDATE=1 the blocks are rewritten from the files (then read the
diff).

Environment: CHATFLOW_EXT (the extension without .so, default
dist/chatflow).  The suite keeps the toolchains' caches under
dist/languages: GOCACHE (Go's build cache) and CARGO_TARGET_DIR (Rust's
build, a few seconds once compiled; the first build of rusqlite takes
10-20 seconds).

Prints one line per case and per page block, and ends with
"languages: N passed, M failed" (", K skipped" when some were).
"""
import difflib
import os
import re
import subprocess
import sys
import time

HERE = "tests/languages"
PAGE = "docs/languages.md"
CASES = [
    ("sqlite3", "run"),
    ("python", "plain"),
    ("python", "package"),        # builds the wheel and the venv the next two use
    ("python", "stub"),
    ("python", "no-extensions"),
    ("node", "package"),          # packs and installs the package the next one uses
    ("node", "node-sqlite"),
    ("go", "gopath"),
    ("go", "modules"),
    ("php", "run"),
    ("php", "pdo"),
    ("rust", "run"),
    ("c", "run"),
    ("sqlite-utils", "run"),
]
DOC_EXEMPT = {("python", "stub")}  # a test of the package, not an example
SKIP = 77
TIMEOUT = 600
MARK_RE = re.compile(r"^<!-- file: (.+?) -->\s*$")
FENCE_RE = re.compile(r"^```(\S*)\s*$")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run_case(lang, case, env):
    script = os.path.join(HERE, lang, case + ".sh")
    want = read(os.path.join(HERE, lang, case + ".expected"))
    start = time.monotonic()
    try:
        proc = subprocess.run(["sh", script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, timeout=TIMEOUT)
        got, rc = proc.stdout.decode("utf-8", "backslashreplace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        got, rc = (e.stdout or b"").decode("utf-8", "backslashreplace"), "timeout"
    secs = time.monotonic() - start
    name = "%s/%s" % (lang, case)
    if rc == SKIP:
        print("SKIP %s (%.1f s): %s" % (name, secs, got.strip()))
        return "skip"
    if rc == 0 and got == want:
        print("PASS %s (%.1f s)" % (name, secs))
        return "pass"
    print("FAIL %s (%.1f s): exit %s" % (name, secs, rc))
    sys.stdout.writelines("  " + l for l in difflib.unified_diff(
        want.splitlines(True), got.splitlines(True), "expected", "actual"))
    if not got.endswith("\n"):
        print()
    return "fail"


def page_blocks(lines):
    """[(fence line index, closing index)] of the page's fenced blocks."""
    blocks = []
    i = 0
    while i < len(lines):
        if FENCE_RE.match(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            if j >= len(lines):
                raise ValueError("%s:%d: unclosed ``` fence" % (PAGE, i + 1))
            blocks.append((i, j))
            i = j + 1
        else:
            i += 1
    return blocks


def check_page(update):
    """Checks (or with update rewrites) the page; returns (passed, failed)."""
    lines = read(PAGE).split("\n")
    npass = nfail = 0
    try:
        blocks = page_blocks(lines)
    except ValueError as e:
        print("FAIL %s" % e)
        return 0, 1
    starts = {b[0]: b for b in blocks}
    covered = set()
    shown = set()
    edits = []  # (first content line, closing line, new content lines)
    for n, line in enumerate(lines):
        m = MARK_RE.match(line)
        if not m:
            continue
        k = n + 1
        for path in m.group(1).split():
            while k < len(lines) and lines[k].strip() == "":
                k += 1
            if k not in starts:
                print("FAIL %s:%d: no fenced block for %s" % (PAGE, n + 1, path))
                nfail += 1
                break
            start, end = starts[k]
            covered.add(start)
            shown.add(path)
            body = "".join(l + "\n" for l in lines[start + 1:end])
            try:
                text = read(path)
            except OSError as e:
                print("FAIL %s:%d: %s" % (PAGE, start + 1, e))
                nfail += 1
            else:
                if body == text:
                    print("PASS %s:%d shows %s" % (PAGE, start + 1, path))
                    npass += 1
                else:
                    print("FAIL %s:%d differs from %s" % (PAGE, start + 1, path))
                    sys.stdout.writelines("  " + l for l in difflib.unified_diff(
                        text.splitlines(True), body.splitlines(True), path, PAGE))
                    nfail += 1
                    edits.append((start + 1, end, text.rstrip("\n").split("\n") if text else []))
            k = end + 1
    for start, _ in blocks:
        if start not in covered:
            print("FAIL %s:%d: a code block that shows no file of %s" % (PAGE, start + 1, HERE))
            nfail += 1
    for lang, case in CASES:
        if (lang, case) in DOC_EXEMPT:
            continue
        for ext in (".sh", ".expected"):
            path = os.path.join(HERE, lang, case + ext)
            if path not in shown:
                print("FAIL %s does not show %s" % (PAGE, path))
                nfail += 1
    if update and edits:
        for first, end, new in sorted(edits, reverse=True):
            lines[first:end] = new
        with open(PAGE, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print("UPDATED %s (read the diff!)" % PAGE)
    return npass, nfail


def main():
    listed = {os.path.join(HERE, l, c + ".sh") for l, c in CASES}
    stray = sorted(os.path.join(HERE, d, f)
                   for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d))
                   for f in os.listdir(os.path.join(HERE, d))
                   if f.endswith(".sh") and os.path.join(HERE, d, f) not in listed)
    env = dict(os.environ)
    env.setdefault("CHATFLOW_EXT", "dist/chatflow")
    os.makedirs("dist/languages", exist_ok=True)
    env["GOCACHE"] = os.path.abspath("dist/languages/go-cache")
    env["CARGO_TARGET_DIR"] = os.path.abspath("dist/languages/rust-target")
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for path in stray:
        print("FAIL %s is not in the CASES of %s" % (path, sys.argv[0]))
        counts["fail"] += 1
    for lang, case in CASES:
        counts[run_case(lang, case, env)] += 1
    p, f = check_page(os.environ.get("LANGUAGES_UPDATE") == "1")
    counts["pass"] += p
    counts["fail"] += f
    print("languages: %d passed, %d failed%s" % (
        counts["pass"], counts["fail"],
        ", %d skipped" % counts["skip"] if counts["skip"] else ""))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
