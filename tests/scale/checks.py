"""What the scale suites share (litestream.py, dqlite.py, test_replay.py):
the tally, one line per check, "ok    <what>" or "FAIL  <what>", with the
counts for the suite's closing line "<suite>: N passed, M failed"; and the
counters' recount in plain SQL, run on a copy without the extension."""
import sys

# the conversations whose maintained counters differ from a recount
COUNTERS_DIFFER = (
    "SELECT c.id FROM chat_conversations c WHERE"
    "  c.message_count != (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id)"
    "  OR c.last_seq != (SELECT coalesce(max(seq), 0) FROM chat_messages m WHERE m.conversation_id = c.id)"
    "  OR c.total_tokens != (SELECT coalesce(sum(tokens), 0) FROM chat_messages m WHERE m.conversation_id = c.id)"
)


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
