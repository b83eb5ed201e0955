"""The tally the scale suites share (litestream.py, dqlite.py,
test_replay.py): one line per check, "ok    <what>" or "FAIL  <what>",
and the counts for the suite's closing line "<suite>: N passed, M failed"."""
import sys


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        """Counts and prints one check; returns ok."""
        if ok:
            self.passed += 1
            print("ok    %s" % what)
        else:
            self.failed += 1
            print("FAIL  %s" % what)
        sys.stdout.flush()
        return ok
