#!/usr/bin/python3
"""search_messages in scripts written without spaces, and emoji, from Python
(Debian's /usr/bin/python3): the trigram path of migration 005.

Substrings of one, two and three or more characters in Chinese, Japanese,
Thai and emoji are found in messages and titles, also at the very end of a
text; case folding beyond ASCII; mixed queries (each term routed by itself)
in fts5 and plain syntax; the owner, deleted, titles, order and limit
options; the index follows raw INSERTs and DELETEs and purges; all of it
with the messages waiting for the index and again once indexed.  Every
snippet of every row is fetched as bytes and decoded as strict UTF-8, and
no snippet splits a grapheme cluster: each cut ("…") and each mark ("[",
"]") stands where the text has a cluster boundary (checked against a
reference segmentation of the few clusters used here).

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_search_scripts.py
The output ends with "python: N passed, M failed".
"""
import os
import sqlite3
import sys
import tempfile
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # 👨‍👩‍👧
FLAG_FR = "\U0001F1EB\U0001F1F7"                        # 🇫🇷
FLAG_DE = "\U0001F1E9\U0001F1EA"                        # 🇩🇪
THUMB = "\U0001F44D\U0001F3FD"                          # 👍🏽
E_ACUTE = "e\u0301"                                     # é, decomposed
BREAD = "\U0001F35E"                                    # 🍞

# The multi-code-point clusters of the texts below: a snippet may not cut
# or mark inside one of them.
CLUSTERS = [FAMILY, FLAG_FR, FLAG_DE, THUMB, E_ACUTE]


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.text_factory = bytes  # every text arrives as bytes: decoded strictly below
    return db


def text(v):
    return v.decode("utf-8", "strict") if isinstance(v, bytes) else v


class SearchScripts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatflow-scripts-")
        self.path = os.path.join(self.tmp, "t.db")
        db = connect(self.path)
        db.execute("SELECT chatflow_clock('2026-01-01T00:00:00.000Z')")
        db.execute("SELECT chatflow_init()")
        q = lambda sql, *a: db.execute(sql, a).fetchone()[0]
        self.c1 = q("SELECT create_conversation('acme', ?)", "面包店的计划")
        self.c2 = q("SELECT create_conversation('acme', 'Trip')")
        self.c3 = q("SELECT create_conversation('other', '東京')")
        self.m = {}
        self.m["zh"] = q("SELECT add_message(?, 'user', ?)", self.c1, "我们的面包店在里昂开业了")
        self.m["zh2"] = q("SELECT add_message(?, 'assistant', ?)", self.c1,
                          "恭喜！面包是每天早上烤的吗？面包和咖啡一起卖吗？")
        self.m["bread"] = q("SELECT add_message(?, 'user', ?)", self.c1,
                            "I love fresh " + BREAD + " every morning with butter and jam")
        self.m["latin"] = q("SELECT add_message(?, 'user', 'Plain bread, no emoji here')", self.c1)
        self.m["ja"] = q("SELECT add_message(?, 'user', ?)", self.c2, "東京タワーに行きました")
        self.m["th"] = q("SELECT add_message(?, 'assistant', ?)", self.c2, "ร้านขนมปังของเราเปิดแล้ว")
        self.m["other"] = q("SELECT add_message(?, 'user', ?)", self.c3, "東京で面包を買った")
        self.m["emoji"] = q("SELECT add_message(?, 'user', ?)", self.c2,
                            "Our family " + FAMILY + " went to Paris " + FLAG_FR + FLAG_DE
                            + " and then gave a thumbs up " + THUMB + " to the café caf" + E_ACUTE
                            + " \U0001F389 at the end of a trip that lasted long")
        self.m["fold"] = q("SELECT add_message(?, 'user', ?)", self.c2, "ПРИВЕТ🍞МИР, ＡＢＣ and ΣΟΦΙΑ☕")
        db.close()
        self.db = connect(self.path)

    def tearDown(self):
        self.db.close()
        for n in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, n))
        os.rmdir(self.tmp)

    def search(self, query, owner=None, options=None):
        """Every row as a dict, every text decoded as strict UTF-8; each
        snippet checked not to split a cluster of its text."""
        cur = self.db.execute("SELECT * FROM search_messages(?, ?, ?)", (query, owner, options))
        names = [d[0] for d in cur.description]
        rows = []
        for r in cur.fetchall():
            row = {k: text(v) for k, v in zip(names, r)}
            if row["kind"] == "message":
                src = self.db.execute("SELECT content FROM chat_messages WHERE id = ?",
                                      (row["message_id"],)).fetchone()[0]
            else:
                src = self.db.execute("SELECT title FROM chat_conversations WHERE id = ?",
                                      (row["conversation_id"],)).fetchone()[0]
            self.check_snippet(row["snippet"], text(src))
            rows.append(row)
        return rows

    def check_snippet(self, s, src):
        """Every cut ("…") and every mark ("[", "]") of the snippet s of the
        text src stands where src has a cluster boundary: never inside one
        of CLUSTERS."""
        self.assertIsInstance(s, str)
        inside = set()
        for c in CLUSTERS:
            p = src.find(c)
            while p >= 0:
                inside.update(range(p + 1, p + len(c)))
                p = src.find(c, p + 1)
        bare, cuts = "", []
        for ch in s:
            if ch in "[]…":
                cuts.append(len(bare))
            else:
                bare += ch
        at = src.find(bare)
        self.assertGreaterEqual(at, 0, "%r is not a piece of %r" % (bare, src))
        for k in cuts:
            self.assertNotIn(at + k, inside, "%r cuts a cluster of %r" % (s, src))

    def ids(self, rows):
        return [(r["kind"], r["message_id"]) for r in rows]

    # ---------------------------------------------------------------- substrings

    def test_cjk_substrings(self):
        r = self.search("面包", "acme")
        self.assertEqual(sorted(self.ids(r), key=str),
                         sorted([("message", self.m["zh"]), ("message", self.m["zh2"]),
                                 ("title", None)], key=str))
        snippets = {x["message_id"]: x["snippet"] for x in r}
        self.assertEqual(snippets[self.m["zh"]], "我们的[面包]店在里昂开业了")
        self.assertEqual(snippets[None], "[面包]店的计划")
        self.assertEqual([x["snippet"] for x in self.search("面包店", "acme", '{"titles": false}')],
                         ["我们的[面包店]在里昂开业了"])
        self.assertEqual({x["snippet"] for x in self.search("包", "acme")},
                         {"我们的面[包]店在里昂开业了", "面[包]店的计划",
                          "恭喜！面[包]是每天早上烤的吗？面[包]和咖啡一起卖吗？"})

    def test_end_of_text(self):
        for q, want in (("了", "我们的面包店在里昂开业[了]"), ("业了", "我们的面包店在里昂开[业了]"),
                        ("开业了", "我们的面包店在里昂[开业了]")):
            self.assertEqual([x["snippet"] for x in self.search(q)], [want])
        self.assertEqual([x["snippet"] for x in self.search("计划")], ["面包店的[计划]"])

    def test_japanese_thai_emoji(self):
        self.assertEqual([(x["message_id"], x["snippet"]) for x in self.search("タワー")],
                         [(self.m["ja"], "東京[タワー]に行きました")])
        self.assertEqual([x["snippet"] for x in self.search("ขนมปัง")], ["ร้าน[ขนมปัง]ของเราเปิดแล้ว"])
        r = self.search(BREAD)
        self.assertEqual(sorted(x["message_id"] for x in r), sorted([self.m["bread"], self.m["fold"]]))
        self.assertIn("[" + BREAD + "]", r[0]["snippet"])

    def test_title_in_chinese(self):
        r = self.search("计划", None, '{"order": "newest"}')
        self.assertEqual([(x["kind"], x["conversation_id"], x["message_id"]) for x in r],
                         [("title", self.c1, None)])

    def test_case_folding(self):
        self.assertEqual([x["snippet"] for x in self.search("привет🍞мир")],
                         ["[ПРИВЕТ🍞МИР], ＡＢＣ and ΣΟΦΙΑ☕"])
        self.assertEqual([x["snippet"] for x in self.search("ａ")], ["ПРИВЕТ🍞МИР, [Ａ]ＢＣ and ΣΟΦΙΑ☕"])
        self.assertEqual([x["snippet"] for x in self.search("σοφια☕")], ["ПРИВЕТ🍞МИР, ＡＢＣ and [ΣΟΦΙΑ☕]"])

    # ---------------------------------------------------------------- routing

    def test_mixed_queries(self):
        self.assertEqual(self.search("bread " + BREAD), [])
        self.assertEqual([x["message_id"] for x in self.search("fresh " + BREAD)], [self.m["bread"]])
        self.assertEqual(self.search("fresh " + BREAD)[0]["snippet"],
                         "I love [fresh] [" + BREAD + "] every morning…")
        self.assertEqual(sorted(x["message_id"] for x in self.search("bread OR " + BREAD)),
                         sorted([self.m["latin"], self.m["bread"], self.m["fold"]]))
        self.assertEqual(self.ids(self.search("面包 NOT 咖啡", "acme", '{"titles": false}')),
                         [("message", self.m["zh"])])
        self.assertEqual([x["message_id"] for x in self.search("「面包」。咖啡？", None, '{"syntax": "plain"}')],
                         [self.m["zh2"]])
        self.assertEqual(self.search("bread OR " + BREAD, None, '{"syntax": "plain"}'), [])

    def test_errors(self):
        for q, msg in (("面包 AND", "fts5: syntax error near \"\""),
                       ('"面包', "unterminated string"),
                       ("NEAR(面包 店)", "NEAR, column filters, ^ and + cannot be used in a query that "
                                       "contains a character from U+0E00 on (Thai, CJK, emoji…)")):
            with self.assertRaises(sqlite3.OperationalError) as cm:
                self.search(q)
            self.assertEqual(str(cm.exception), "chatflow: invalid search query '%s': %s" % (q, msg))

    # ---------------------------------------------------------------- filters

    def test_filters_order_limit(self):
        self.assertEqual(self.ids(self.search("面包", "other")), [("message", self.m["other"])])
        self.assertEqual(self.search("面包", "nobody"), [])
        r = self.search("面包", None, '{"order": "newest"}')
        self.assertEqual([x["created_at"] for x in r], sorted([x["created_at"] for x in r], reverse=True))
        self.assertEqual(len(self.search("面包", None, '{"limit": 1}')), 1)
        r = self.search("面包", None, '{"titles": false}')
        self.assertEqual({x["kind"] for x in r}, {"message"})
        self.assertEqual([x["rank"] for x in r], sorted(x["rank"] for x in r))
        self.assertTrue(all(x["rank"] < 0 for x in r))
        self.db.execute("SELECT delete_conversation(?)", (self.c3,))
        self.assertEqual([(x["kind"], x["conversation_id"]) for x in self.search("東京")],
                         [("message", self.c2)])
        self.assertEqual(len(self.search("東京", None, '{"deleted": true}')), 3)

    # ---------------------------------------------------------------- index upkeep

    def test_raw_writes_and_purge(self):
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (?, 'tool', ?)",
                        (self.c2, "生のSQLで挿入した報告書"))
        self.assertEqual([x["snippet"] for x in self.search("報告")], ["生のSQLで挿入した[報告]書"])
        self.assertEqual([x["snippet"] for x in self.search("書")], ["生のSQLで挿入した報告[書]"])
        self.db.execute("DELETE FROM chat_messages WHERE content = ?", ("生のSQLで挿入した報告書",))
        self.assertEqual(self.search("報告"), [])
        self.assertEqual(self.search("書"), [])
        self.db.execute("SELECT delete_conversation(?)", (self.c3,))
        self.db.execute("SELECT purge_conversation(?)", (self.c3,))
        self.assertEqual(self.search("東京で", None, '{"deleted": true}'), [])
        self.assertEqual(self.search("買", None, '{"deleted": true}'), [])

    # ---------------------------------------------------------------- snippets

    def test_snippets_keep_clusters(self):
        cases = {
            "\U0001F469": "Our family [" + FAMILY + "] went to Paris " + FLAG_FR + FLAG_DE + "…",
            "\U0001F1F7": "…went to Paris [" + FLAG_FR + "]" + FLAG_DE + " and then gave…",
            "\U0001F1F7\U0001F1E9": "…went to Paris [" + FLAG_FR + FLAG_DE + "] and then gave…",
            "\U0001F3FD": "…a thumbs up [" + THUMB + "] to the café…",
            '"\u0301 \U0001F389"': "…the café caf[" + E_ACUTE + " \U0001F389] at the end of…",
        }
        for q, want in cases.items():
            self.assertEqual([x["snippet"] for x in self.search(q)], [want], q)

    def test_word_path_snippets_keep_clusters(self):
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (?, 'user', ?)",
                        (self.c2, "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda caf"
                         + E_ACUTE + " mu nu"))
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (?, 'user', ?)",
                        (self.c2, "caf" + E_ACUTE + " au lait"))
        self.assertEqual([x["snippet"] for x in self.search("alpha")],
                         ["[alpha] beta gamma delta epsilon zeta eta theta iota kappa lambda caf"
                          + E_ACUTE + "…"])
        self.assertEqual([x["snippet"] for x in self.search("cafe au")], ["[caf" + E_ACUTE + "] [au] lait"])

    def test_every_snippet_decodes(self):
        queries = ["面包", "包", "了", BREAD, "東京", "タワー", "ขนมปัง", "\U0001F468", "\U0001F1EB",
                   "\U0001F44D", "\U0001F389", "ａ", "bread", "family", "thumbs", "fresh " + BREAD]
        n = 0
        for q in queries:
            for opts in (None, '{"order": "newest"}', '{"syntax": "plain"}'):
                for r in self.search(q, None, opts):
                    n += 1
                    self.assertTrue(r["snippet"])
        self.assertGreater(n, 40)
        # raw bytes too: strict decoding of the whole column
        for (b,) in self.db.execute("SELECT snippet FROM search_messages(?)", ("\U0001F468",)):
            b.decode("utf-8", "strict")


class SearchScriptsIndexed(SearchScripts):
    """The same, with the messages in the indexes: SearchScripts finds them
    among the messages not indexed yet (fewer than a batch), this class
    after chatflow_index() moved them into chat_messages_trigram and
    chat_messages_fts."""

    def setUp(self):
        super().setUp()
        self.assertEqual(self.db.execute("SELECT chatflow_index()").fetchone()[0], len(self.m))
        self.assertEqual(self.db.execute("SELECT count(*) FROM chat_messages WHERE id >"
                                         " (SELECT indexed_upto FROM chatflow_search_state)").fetchone()[0], 0)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
