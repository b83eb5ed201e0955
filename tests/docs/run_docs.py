#!/usr/bin/python3
"""Executes the examples of docs/*.md and compares their output exactly.

    tests/docs/run_docs.py [docs/page.md ...]

An example is a fenced ```sql block, optionally followed (only blank lines
between) by a fenced ```output block holding exactly what the sqlite3 shell
prints for it.  A ```sql block without an output block must print nothing.
Other fences (```text, ```sh, ...) are not executed.

All examples of one page run in order, in ONE sqlite3 shell process on a
fresh temporary database file:

    $SQLITE3 -init /dev/null -cmd ".load $CHATFLOW_EXT" <tmp>/docs.db

The runner first sends, silently, `SELECT chatflow_init();` and
`SELECT chatflow_clock('2026-01-01T00:00:00.000Z');` (a page that starts with
the line `<!-- docs: no-init -->` skips both and does them itself), then
each example followed by a `.print` marker that splits the output.  The
shell runs in its default list mode (`|` between columns, NULL printed as
nothing) without -bail, so a page goes on after an error.  stderr is merged
into stdout; an error line "Runtime error near line N: <message>" (or
"Parse error near line N: ...") is rewritten to "Error: <message>", so the
docs do not depend on line numbers of the generated script.

Environment: SQLITE3 (default sqlite3), CHATFLOW_EXT (the extension without
.so, default dist/chatflow), DOCS_UPDATE=1 (rewrite the output blocks with
what the shell printed -- then READ the diff: the docs are the spec).

Prints one line per failing example with a diff, one line per page, and
ends with "docs: N passed, M failed" (N, M count examples).  Exit status 1
when any example failed.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

SQLITE3 = os.environ.get("SQLITE3") or "sqlite3"
EXT = os.environ.get("CHATFLOW_EXT") or "dist/chatflow"
UPDATE = os.environ.get("DOCS_UPDATE") == "1"
CLOCK = "2026-01-01T00:00:00.000Z"
MARK = "@@chatflow-docs-example-%d@@"
MARK_RE = re.compile(r"^@@chatflow-docs-example-(\d+)@@$")
ERR_RE = re.compile(r"^(?:Runtime|Parse) error near line \d+: ", re.M)
FENCE_RE = re.compile(r"^```(\S*)\s*$")


class Example:
    def __init__(self, sql, sql_line, out, out_start, out_end):
        self.sql = sql              # the SQL text
        self.sql_line = sql_line    # 1-based line of the ```sql fence
        self.out = out              # expected output ("" when no block)
        self.out_start = out_start  # index of the first output line (or None)
        self.out_end = out_end      # index of the closing fence of output


def parse_page(lines):
    """Returns the examples of a page (lines without their newlines)."""
    examples = []
    i = 0
    n = len(lines)
    while i < n:
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        lang = m.group(1)
        j = i + 1
        while j < n and lines[j].rstrip() != "```":
            j += 1
        if j >= n:
            raise ValueError("line %d: unclosed ``` fence" % (i + 1))
        if lang == "output":
            raise ValueError("line %d: ```output block without a ```sql block before it" % (i + 1))
        if lang != "sql":
            i = j + 1
            continue
        sql = "\n".join(lines[i + 1:j]) + "\n"
        k = j + 1
        while k < n and lines[k].strip() == "":
            k += 1
        if k < n and FENCE_RE.match(lines[k]) and FENCE_RE.match(lines[k]).group(1) == "output":
            e = k + 1
            while e < n and lines[e].rstrip() != "```":
                e += 1
            if e >= n:
                raise ValueError("line %d: unclosed ```output fence" % (k + 1))
            out = "".join(l + "\n" for l in lines[k + 1:e])
            examples.append(Example(sql, i + 1, out, k + 1, e))
            i = e + 1
        else:
            examples.append(Example(sql, i + 1, "", None, None))
            i = j + 1
    return examples


def run_page(examples, init):
    """Runs the examples in one shell; returns (preamble, [output per example], exit code)."""
    script = []
    if init:
        script.append("SELECT chatflow_init();")
        script.append("SELECT chatflow_clock('%s');" % CLOCK)
    script.append(".print " + MARK % 0)
    for idx, ex in enumerate(examples, 1):
        script.append(ex.sql.rstrip("\n"))
        script.append(".print " + MARK % idx)
    text = "\n".join(script) + "\n"
    with tempfile.TemporaryDirectory(prefix="chatflow-docs-") as tmp:
        db = os.path.join(tmp, "docs.db")
        proc = subprocess.run(
            [SQLITE3, "-init", os.devnull, "-cmd", ".load " + EXT, db],
            input=text.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=os.getcwd(), timeout=300)
    out = proc.stdout.decode("utf-8", "backslashreplace")
    out = ERR_RE.sub("Error: ", out)
    chunks = {}
    cur = []
    preamble = None
    for line in out.splitlines(True):
        m = MARK_RE.match(line.rstrip("\n"))
        if m:
            k = int(m.group(1))
            if k == 0:
                preamble = "".join(cur)
            else:
                chunks[k] = "".join(cur)
            cur = []
        else:
            cur.append(line)
    tail = "".join(cur)
    results = [chunks.get(k) for k in range(1, len(examples) + 1)]
    return preamble, results, tail, proc.returncode


def check_page(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    name = os.path.relpath(path)
    try:
        examples = parse_page(lines)
    except ValueError as e:
        print("FAIL %s: %s" % (name, e))
        return 0, 1
    if not examples:
        return 0, 0
    init = not (lines and lines[0].strip() == "<!-- docs: no-init -->")
    preamble, results, tail, rc = run_page(examples, init)
    npass = nfail = 0
    if preamble is None or "rror" in preamble:
        print("FAIL %s: the preamble (chatflow_init, clock) failed:\n%s%s"
              % (name, preamble or "", tail))
        return 0, len(examples)
    if rc < 0 or rc > 1:
        print("  %s: sqlite3 exited with status %d; output after the last example:\n%s"
              % (name, rc, tail))
    new_lines = list(lines)
    for ex, got in sorted(zip(examples, results), key=lambda p: -p[0].sql_line):
        if got is not None and got == ex.out:
            npass += 1
            continue
        nfail += 1
        if got is None:
            print("FAIL %s:%d: the example did not finish (shell died?)" % (name, ex.sql_line))
            continue
        print("FAIL %s:%d" % (name, ex.sql_line))
        sys.stdout.writelines("  " + l for l in difflib.unified_diff(
            ex.out.splitlines(True), got.splitlines(True), "expected", "actual"))
        if UPDATE:
            body = got.rstrip("\n").split("\n") if got else []
            if ex.out_start is None:
                if body:
                    end = ex.sql_line  # index after the sql fence's closing line
                    while new_lines[end].rstrip() != "```":
                        end += 1
                    new_lines[end + 1:end + 1] = ["", "```output"] + body + ["```"]
            else:
                new_lines[ex.out_start:ex.out_end] = body
    if UPDATE and new_lines != lines:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(new_lines) + "\n")
        print("UPDATED %s (read the diff!)" % name)
    print("%s %s: %d examples, %d passed, %d failed"
          % ("PASS" if nfail == 0 else "FAIL", name, npass + nfail, npass, nfail))
    return npass, nfail


def main(argv):
    pages = argv[1:]
    if not pages:
        pages = sorted(os.path.join("docs", n) for n in os.listdir("docs") if n.endswith(".md"))
    tpass = tfail = 0
    for page in pages:
        p, f = check_page(page)
        tpass += p
        tfail += f
    if tpass + tfail == 0:
        print("no examples found")
        tfail = 1
    print("docs: %d passed, %d failed" % (tpass, tfail))
    return 1 if tfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
