#!/usr/bin/python3
"""SQL-script tests: runs every tests/sql/NN_*.sql through the sqlite3 shell
and diffs the whole output (stdout and stderr merged) against NN_*.expected.

    tests/sql/run.py [NN_topic.sql ...]

Environment: SQLITE3 (default sqlite3; may be a command line such as
"valgrind -q --error-exitcode=99 sqlite3", whose reports then show in the
diff), CHATFLOW_EXT (extension path without
.so, default dist/chatflow), UPDATE_EXPECTED=1 (rewrite the .expected files;
read every rewritten file before accepting it: it is the spec).

Each script runs on a fresh temporary database as
    $SQLITE3 -init /dev/null -bail -cmd ".load $CHATFLOW_EXT" <db> < script
so it starts with the extension loaded and stops at the first error.  A
script that provokes errors on purpose switches `.bail off` first (the shell
cannot turn bail back on after an error) and marks the first line of every
statement that must fail with the comment `-- error`.  Besides the diff, the
runner checks that the statements that failed are exactly the marked ones,
so an unexpected error fails the test even if it was recorded into the
expected file.  The last line of the output is "[exit N]", the shell's exit
status.
"""
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SQLITE3 = shlex.split(os.environ.get("SQLITE3") or "sqlite3")  # may carry a wrapper
EXT = os.environ.get("CHATFLOW_EXT") or "dist/chatflow"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
ERR_RE = re.compile(r"^(?:Runtime|Parse) error near line (\d+):", re.M)


def run_script(path):
    with tempfile.TemporaryDirectory(prefix="chatflow-sql-") as tmp:
        db = os.path.join(tmp, "test.db")
        with open(path, "rb") as f:
            proc = subprocess.run(
                SQLITE3 + ["-init", os.devnull, "-bail", "-cmd", ".load " + EXT, db],
                stdin=f, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=os.getcwd(), timeout=300)
    out = proc.stdout.decode("utf-8", "backslashreplace")
    if out and not out.endswith("\n"):
        out += "\n"
    return out + "[exit %d]\n" % proc.returncode


def marker_problems(path, out):
    """Statements that failed vs. statements marked `-- error`."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    marked = {i + 1 for i, l in enumerate(lines) if re.search(r"--\s*error\b", l)}
    failed = [int(n) for n in ERR_RE.findall(out)]
    problems = []
    for n in failed:
        if n not in marked:
            problems.append("line %d failed but is not marked '-- error'" % n)
    for n in sorted(marked - set(failed)):
        problems.append("line %d is marked '-- error' but did not fail" % n)
    return problems


def main(argv):
    names = argv[1:] or sorted(n for n in os.listdir(HERE) if re.match(r"\d\d_.*\.sql$", n))
    npass = nfail = 0
    for name in names:
        path = os.path.join(HERE, os.path.basename(name))
        exp_path = path[:-4] + ".expected"
        out = run_script(path)
        problems = marker_problems(path, out)
        if UPDATE:
            with open(exp_path, "w", encoding="utf-8") as f:
                f.write(out)
            print("UPDATED %s" % os.path.basename(exp_path))
        try:
            with open(exp_path, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            expected = ""
            problems.append("no %s" % os.path.basename(exp_path))
        if out == expected and not problems:
            npass += 1
            print("PASS %s" % os.path.basename(path))
            continue
        nfail += 1
        print("FAIL %s" % os.path.basename(path))
        for p in problems:
            print("  %s" % p)
        sys.stdout.writelines(difflib.unified_diff(
            expected.splitlines(True), out.splitlines(True),
            os.path.basename(exp_path), "actual output"))
    print("sql: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
