#!/usr/bin/python3
"""The text gate as a driver sees it (DESIGN 6.1: every text that enters is
valid UTF-8 without NUL, or refused with an error that names the problem;
never truncated, never stored invalid).

JSON reaches chatflow with escapes that raw-byte checks cannot see: a
document whose message content is "hello\\u0000secret" was stored cut at
the NUL by SQLite 3.40's JSON functions, and a lone "\\ud800" decodes to
bytes that are not UTF-8, which a driver then cannot read back.  Checked
here:

  * import_conversation of such a document is refused with the message
    that names the problem and the place, and the database file is
    byte-for-byte what it was;
  * the same escapes in the JSON arguments of the other functions;
  * after the refused calls, and after accepted ones holding surrogate
    pairs, every text column of every table decodes as strict UTF-8 without
    NUL, every JSON column parses and each of its strings (keys included)
    encodes as UTF-8, and every conversation exports to a document Python
    reads back whole.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_text_gate.py
The output ends with "python: N passed, M failed".
"""
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
FORMAT = "chatflow.conversation.v1"


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def one(db, sql, args=()):
    return db.execute(sql, args).fetchone()[0]


def file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def doc(messages, conversation=None):
    """An import document; json.dumps writes "\\u0000" and a lone
    surrogate as escapes (ensure_ascii), as a JSON encoder would."""
    return json.dumps({"format": FORMAT, "conversation": conversation or {}, "messages": messages})


def strings(value):
    """Every string of a parsed JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)


class Fixture(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-gate-")
        self.path = os.path.join(self.dir, "gate.db")
        db = connect(self.path)
        db.execute("SELECT chatflow_init()")
        db.execute("SELECT chatflow_clock('2026-01-01T00:00:00.000Z')")
        db.execute("SELECT create_conversation('acme', 'Bakery')")
        db.execute("SELECT add_message(1, 'user', 'Plan a topical map', ?)",
                   ('{"metadata": {"client": "web"}}',))
        db.execute("SELECT start_run(1, 'topical_map', '{\"seed\": \"bakery\"}')")
        db.close()
        self.db = connect(self.path)

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir)

    def refused(self, sql, args, text):
        """sql fails with exactly text and leaves the file as it was."""
        before = file_hash(self.path)
        with self.assertRaises(sqlite3.Error) as cm:
            self.db.execute(sql, args).fetchall()
        self.assertEqual(str(cm.exception), text)
        self.assertEqual(cm.exception.sqlite_errorcode & 0xff, sqlite3.SQLITE_ERROR)
        self.assertFalse(self.db.in_transaction)
        self.assertEqual(file_hash(self.path), before, "a refused call changed the file")

    def assert_all_text_readable(self):
        """Every text column of every table is strict UTF-8 without NUL; every
        JSON column (json_valid) parses, and its strings encode as UTF-8;
        every conversation exports to a document that does too."""
        raw = sqlite3.connect(self.path)
        raw.text_factory = bytes  # no decoding by the driver: we decode
        tables = [r[0] for r in raw.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'"
            " AND name NOT LIKE '%\\_trigram\\_%' ESCAPE '\\'")]
        self.assertIn(b"chat_messages", tables)
        nText = nJson = 0
        for t in tables:
            cols = [r[1] for r in raw.execute("SELECT * FROM pragma_table_info(?)", (t,))]
            for c in cols:
                q = 'SELECT "%s", json_valid("%s") FROM "%s" WHERE typeof("%s") = \'text\'' % (
                    c.decode(), c.decode(), t.decode(), c.decode())
                for value, is_json in raw.execute(q):
                    text = value.decode("utf-8")  # strict: raises on invalid bytes
                    self.assertNotIn("\x00", text, "%s.%s holds a NUL" % (t.decode(), c.decode()))
                    nText += 1
                    if is_json and text[:1] in "{[":
                        for s in strings(json.loads(text)):
                            s.encode("utf-8")  # strict: raises on a lone surrogate
                            self.assertNotIn("\x00", s, "%s.%s holds \\u0000" % (t.decode(), c.decode()))
                        nJson += 1
        raw.close()
        self.assertGreater(nText, 20)
        self.assertGreater(nJson, 5)
        for (cid,) in self.db.execute("SELECT id FROM chat_conversations ORDER BY id").fetchall():
            exported = json.loads(one(self.db, "SELECT export_conversation(?)", (cid,)))
            for s in strings(exported):
                s.encode("utf-8")
                self.assertNotIn("\x00", s)


class ImportRegressions(Fixture):
    def test_nul_in_content(self):
        d = doc([{"role": "user", "content": "hello\x00secret"}])
        self.assertIn('"hello\\u0000secret"', d)
        convs = one(self.db, "SELECT count(*) FROM chat_conversations")
        self.refused("SELECT import_conversation('zeta', ?)", (d,),
                     "chatflow: import: messages[0].content contains a NUL character (\\u0000)")
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_conversations"), convs)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages WHERE content LIKE 'hello%'"), 0)
        self.assert_all_text_readable()

    def test_lone_surrogate_in_content(self):
        d = doc([{"role": "user", "content": "a\ud800b"}])
        self.assertIn('"a\\ud800b"', d)
        convs = one(self.db, "SELECT count(*) FROM chat_conversations")
        self.refused("SELECT import_conversation('zeta', ?)", (d,),
                     "chatflow: import: messages[0].content contains a lone surrogate \\ud800")
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_conversations"), convs)
        self.assert_all_text_readable()

    def test_lone_surrogates_inside_json_fields(self):
        # text fields were checked before; JSON fields were stored as given
        cases = [
            (doc([], {"metadata": {"note": "\udc00"}}),
             "chatflow: import: conversation.metadata.note contains a lone surrogate \\udc00"),
            (doc([{"role": "user", "content": "x", "parts": [{"type": "text", "text": "\ud800\u0041"}]}]),
             "chatflow: import: messages[0].parts[0].text contains a lone surrogate \\ud800"),
            (doc([{"role": "user", "content": "x", "metadata": {"k\x00": 1}}]),
             "chatflow: import: the document has a key with \\u0000 or an unpaired surrogate in it:"
             " \"k\\u0000\""),
        ]
        for d, text in cases:
            with self.subTest(text):
                self.refused("SELECT import_conversation('zeta', ?)", (d,), text)
        self.assert_all_text_readable()

    def test_pair_is_kept_whole(self):
        d = doc([{"role": "user", "content": "cake \U0001F382 for \U0001F600"}],
                {"title": "\U0001F600", "metadata": {"emoji": "\U0001F382"}})
        self.assertIn("\\ud83c\\udf82", d)  # the escapes, not the characters
        cid = one(self.db, "SELECT import_conversation('zeta', ?)", (d,))
        self.assertEqual(one(self.db, "SELECT content FROM chat_messages WHERE conversation_id = ?", (cid,)),
                         "cake \U0001F382 for \U0001F600")
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations WHERE id = ?", (cid,)), "\U0001F600")
        self.assertEqual(one(self.db, "SELECT json_extract(metadata, '$.emoji') FROM chat_conversations"
                                      " WHERE id = ?", (cid,)), "\U0001F382")
        self.assert_all_text_readable()


class OtherEntryPoints(Fixture):
    def test_json_arguments(self):
        nul, lone = json.dumps("a\x00b"), json.dumps("\ud800")
        cases = [
            ("SELECT add_message(1, 'user', 'hi', ?)", '{"parts": [{"type": "text", "text": %s}]}' % nul,
             "chatflow: add_message options: parts[0].text contains a NUL character (\\u0000)"),
            ("SELECT add_message(1, 'user', 'hi', ?)", '{"metadata": {"a": [%s]}}' % lone,
             "chatflow: add_message options: metadata.a[0] contains a lone surrogate \\ud800"),
            ("SELECT create_conversation('acme', 't', ?)", '{"context": {"k": %s}}' % lone,
             "chatflow: create_conversation options: context.k contains a lone surrogate \\ud800"),
            ("SELECT merge_run_state(1, ?)", '{"k": %s}' % nul,
             "chatflow: state patch: k contains a NUL character (\\u0000)"),
            ("SELECT set_business_context(1, ?)", '{"k": %s}' % lone,
             "chatflow: business context: k contains a lone surrogate \\ud800"),
            ("SELECT advance_run(1, ?)", '{"k": %s}' % nul,
             "chatflow: step output: k contains a NUL character (\\u0000)"),
            ("SELECT start_run(1, 'topical_map', ?)", '{"k": %s}' % lone,
             "chatflow: run input: k contains a lone surrogate \\ud800"),
        ]
        for sql, arg, text in cases:
            with self.subTest(text):
                self.refused(sql, (arg,), text)
        # a raw NUL inside the JSON text is named as a NUL, not as bad UTF-8
        self.refused("SELECT add_message(1, 'user', 'hi', ?)", ('{"metadata": {"k": "a\x00b"}}',),
                     "chatflow: add_message options contains a NUL character")
        self.refused("SELECT merge_run_state(1, ?)", ('{"k": "a\x00b"}',),
                     "chatflow: state patch contains a NUL character")
        # pairs go through, whole
        self.db.execute("SELECT add_message(1, 'user', 'pair', ?)",
                        (json.dumps({"metadata": {"e": "\U0001F600"}}),))
        self.assertEqual(one(self.db, "SELECT json_extract(metadata, '$.e') FROM chat_messages"
                                      " WHERE content = 'pair'"), "\U0001F600")
        self.assert_all_text_readable()


class RawInvalidUtf8(Fixture):
    def test_table_functions_show_it_repaired(self):
        """Raw SQL can store bytes that are not UTF-8 (the functions refuse
        them): every table-valued function gives such text with U+FFFD for
        each bad byte, so that the driver can read the rows at all (it
        failed: "Could not decode to UTF-8 column 'snippet'")."""
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content)"
                        " VALUES (1, 'user', CAST(x'627265616420ff' AS TEXT))")
        self.db.execute("UPDATE chat_conversations SET title = CAST(x'42ff' AS TEXT) WHERE id = 1")
        self.assertEqual(self.db.execute("SELECT snippet FROM search_messages('bread')").fetchall(),
                         [("[bread] \ufffd",)])
        self.assertEqual(self.db.execute("SELECT title, last_message_preview FROM conversation_list('acme')")
                         .fetchall(), [("B\ufffd", "bread \ufffd")])
        self.assertEqual(self.db.execute("SELECT content FROM chat_history(1)").fetchall()[-1], ("bread \ufffd",))
        self.assertEqual(self.db.execute("SELECT content FROM conversation_messages(1)").fetchall()[-1],
                         ("bread \ufffd",))
        # the stored bytes are the caller's: not changed
        self.assertEqual(one(self.db, "SELECT hex(content) FROM chat_messages WHERE id = (SELECT max(id)"
                                      " FROM chat_messages)"), "627265616420FF")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("python: %d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
