#!/usr/bin/python3
"""The topical-map session end to end through Python (issue 3).

Plays the whole shipped topical_map workflow — user prompt, run started,
clarification questions, the run waiting, answers and resume_run,
business context, pillar proposals awaiting approval, approvals with one
rename, SERP validation data, an interrupt checkpoint, the remaining steps
and completion — closing the database file after EVERY step and opening a
new connection before the next one.  After each reopen the whole workflow
is compared with what the steps so far must have left: the run (status,
step, state, clarifications with answered_at, business context, lease,
timestamps), the proposals, the interrupt blob (byte for byte), every
message with its run and workflow_step, and the event log (exact from/to
statuses and steps).  Each step finds its run through active_run(), not
through Python variables, so the workflow resumes from the database alone.

Also: a second resume of the same wait fails with the exact error;
advancing a run that awaits input fails; a worker that crashes with its
run 'processing' does not lock the conversation: once the pinned clock is
past the lease, expire_stale_runs() in a new connection fails the run and
a new start_run is accepted.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_topical_map.py
The output ends with "python: N passed, M failed".
"""
import copy
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

# The schema version this build creates: one per numbered migration in sql/.
import glob as _glob
SCHEMA_VERSION = len(_glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "sql", "[0-9][0-9][0-9]_*.sql")))

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))


def ts(minute, second=0, ms=0):
    return "2026-01-01T00:%02d:%02d.%03dZ" % (minute, second, ms)


# The checkpoint of the interrupted worker: every byte value, NULs and
# invalid UTF-8, so a text round trip anywhere would show.
BLOB = bytes(range(256)) * 40 + b"\x00\xff\xfe\x00\xc3("

PROMPT = "Build a topical map for our artisan bakery in Lyon: sourdough, viennoiserie and classes."
QUESTIONS = [("q1", "Who are your main customers: locals, tourists, or both?"),
             ("q2", "Do you sell online, or only in the shop?")]
ANSWERS = ["Mostly locals; tourists in summer.", "Shop only; class vouchers online soon."]
BUSINESS = {"offerings": ["sourdough", "viennoiserie", "baking classes"],
            "icp": "Lyon locals, 25-55", "geo": "Lyon, France",
            "monetization": "shop sales and class vouchers"}
PILLARS = [("Sourdough bread", "Core product with steady local demand"),
           ("Viennoiserie", "Croissants drive morning foot traffic"),
           ("Baking classes", "Highest margin; vouchers sell online")]
RENAMED = "Croissants & viennoiserie"
SERP = [{"competition_level": "medium", "intent_match": 0.86,
         "top_competitors": ["painlevain.example", "boulangerie-lyon.example"]},
        {"competition_level": "high", "intent_match": 0.74,
         "top_competitors": ["paul.example"]},
        {"competition_level": "low", "intent_match": 0.91, "top_competitors": []}]


def connect(path, fk=None):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    if fk is not None:
        db.execute("PRAGMA foreign_keys=%s" % ("ON" if fk else "OFF"))
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


class Base(unittest.TestCase):
    FK = None
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-tm-")
        self.path = os.path.join(self.dir, "topical.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def open(self, clock=None):
        db = connect(self.path, fk=self.FK)
        if clock is not None:
            self.assertEqual(one(db, "SELECT chatflow_clock(?)", (clock,)), clock)
        return db

    def assertChatflowError(self, db, sql, args, text):
        with self.assertRaises(sqlite3.OperationalError) as cm:
            db.execute(sql, args).fetchall()
        self.assertEqual(str(cm.exception), text)


class TopicalMapSession(Base):
    """The session, one step per connection, checked after every reopen."""

    def step(self, name, at, action):
        """Runs action(db) in a new connection whose clock is pinned to at,
        closes it, then checks in another new connection that the database
        holds exactly self.want.  Returns what action returned."""
        db = self.open(at)
        try:
            result = action(db)
            self.assertFalse(db.in_transaction, name)
        finally:
            db.close()
        db = self.open()
        try:
            with self.subTest(after=name):
                self.check(db, name)
        finally:
            db.close()
        self.steps += 1
        return result

    def run_id(self, db):
        """The run a worker would pick up: the conversation's active run."""
        run = one(db, "SELECT active_run(1)")
        self.assertEqual(run, 1)
        return run

    # ---------------------------------------------------------------- model

    def event(self, at, from_status, to_status, from_step, to_step, detail=None):
        self.want["events"].append((from_status, to_status, from_step, to_step, detail, at))

    def message(self, role, type_, content, run_id, step, at):
        seq = len(self.want["messages"]) + 1
        self.want["messages"].append((seq, role, type_, content, run_id, step, at))
        return seq

    def move(self, at, status, step, lease):
        run = self.want["run"]
        self.event(at, run["status"], status, run["current_step"], step)
        run.update(status=status, current_step=step, lease_expires_at=lease, updated_at=at)

    def check(self, db, name):
        want = self.want
        run = want["run"]
        if run is None:
            self.assertEqual(one(db, "SELECT count(*) FROM workflow_runs"), 0, name)
        else:
            cur = db.execute(
                "SELECT id, conversation_id, workflow, status, current_step, state,"
                "       business_context, clarifications, error, lease_expires_at,"
                "       started_at, completed_at, created_at, updated_at"
                "  FROM workflow_runs")
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r)) for r in cur.fetchall()]
            self.assertEqual(len(rows), 1, name)
            got = rows[0]
            for k in ("state", "business_context", "clarifications"):
                got[k] = json.loads(got[k])
            self.assertEqual(got, run, name)
            # what a worker reads to know where it is
            status = json.loads(one(db, "SELECT run_status(1)"))
            awaiting = run["status"].startswith("awaiting_")
            active = run["status"] not in ("completed", "failed", "cancelled")
            self.assertEqual(status, {
                "id": 1, "conversation_id": 1, "workflow": "topical_map",
                "status": run["status"], "current_step": run["current_step"],
                "is_active": active, "is_awaiting_input": awaiting,
                "started_at": run["started_at"], "completed_at": run["completed_at"],
                "error": run["error"], "expires_at": None, "queue_position": None}, name)
            self.assertEqual(one(db, "SELECT active_run(1)"), 1 if active else None, name)

        cur = db.execute(
            "SELECT id, run_id, kind, proposed_name, approved_name, rationale, user_approved,"
            "       approved_at, validated, validated_at, validation, ref, created_at"
            "  FROM workflow_proposals ORDER BY id")
        cols = [d[0] for d in cur.description]
        got = [dict(zip(cols, r)) for r in cur.fetchall()]
        for g in got:
            g["validation"] = None if g["validation"] is None else json.loads(g["validation"])
        self.assertEqual(got, want["proposals"], name)

        got = db.execute("SELECT workflow_id, data, created_at, updated_at"
                         "  FROM workflow_interrupt").fetchall()
        if want["interrupt"] is None:
            self.assertEqual(got, [], name)
        else:
            self.assertEqual(len(got), 1, name)
            self.assertEqual(got[0][0], "run_1", name)
            self.assertIs(type(got[0][1]), bytes, name)
            self.assertTrue(got[0][1] == want["interrupt"][0], name)  # byte-identical
            self.assertEqual(got[0][2:], want["interrupt"][1:], name)
            # the point lookup an engine uses
            self.assertEqual(one(db, "SELECT data FROM workflow_interrupt WHERE workflow_id = ?",
                                 ("run_1",)), want["interrupt"][0], name)

        got = db.execute("SELECT seq, role, type, content, run_id, workflow_step, created_at"
                         "  FROM chat_messages WHERE conversation_id = 1 ORDER BY seq").fetchall()
        self.assertEqual(got, want["messages"], name)
        self.assertEqual(db.execute("SELECT message_count, last_seq FROM chat_conversations"
                                    " WHERE id = 1").fetchone(),
                         (len(want["messages"]), len(want["messages"])), name)

        got = db.execute("SELECT from_status, to_status, from_step, to_step, detail, created_at"
                         "  FROM workflow_run_events WHERE run_id = 1 ORDER BY id").fetchall()
        self.assertEqual(got, want["events"], name)
        # the readable view says the same
        got = db.execute("SELECT transition, step FROM run_events WHERE run_id = 1"
                         " ORDER BY event_id").fetchall()
        self.assertEqual(got, [
            ("%s -> %s" % (e[0] or "(new)", e[1]),
             e[3] if e[2] == e[3] else "%s -> %s" % (e[2] or "(new)", e[3]))
            for e in want["events"]], name)

    # ------------------------------------------------------------- the walk

    def test_session(self):
        self.steps = 0
        self.want = {"run": None, "proposals": [], "interrupt": None, "messages": [],
                     "events": []}
        want = self.want

        # 1. schema, conversation, system prompt
        def s1(db):
            self.assertEqual(one(db, "SELECT chatflow_init()"), SCHEMA_VERSION)
            self.assertEqual(one(db, "SELECT create_conversation('acme', NULL, ?)",
                                 ('{"key": "ticket-42", "uid": "conv-42"}',)), 1)
            self.assertEqual(one(db, "SELECT add_message(1, 'system', ?)",
                                 ("You are an SEO strategist.",)), 1)
        self.message("system", "system", "You are an SEO strategist.", None, None, ts(0))
        self.step("init", ts(0), s1)

        # 2. the user's prompt, before any run
        self.message("user", "user_input", PROMPT, None, None, ts(1))
        self.step("prompt", ts(1), lambda db: self.assertEqual(
            one(db, "SELECT add_message(1, 'user', ?)", (PROMPT,)), 2))

        # 3. the run starts at the first step, with a lease
        want["run"] = {
            "id": 1, "conversation_id": 1, "workflow": "topical_map", "status": "started",
            "current_step": "context_ingestion", "state": {"seed": "bakery Lyon"},
            "business_context": {}, "clarifications": [], "error": None,
            "lease_expires_at": ts(7), "started_at": ts(2), "completed_at": None,
            "created_at": ts(2), "updated_at": ts(2)}
        self.event(ts(2), None, "started", None, "context_ingestion")
        self.step("start_run", ts(2), lambda db: self.assertEqual(
            one(db, "SELECT start_run(1, 'topical_map', ?)", ('{"seed": "bakery Lyon"}',)), 1))

        # 4. context ingested: the next step awaits clarification
        def s4(db):
            got = one(db, "SELECT advance_run(?, ?)",
                      (self.run_id(db), '{"site": {"url": "https://bakery.example", "pages": 14}}'))
            self.assertEqual(json.loads(got), {"status": "awaiting_clarification",
                                               "current_step": "clarification"})
        want["run"]["state"]["site"] = {"url": "https://bakery.example", "pages": 14}
        self.move(ts(3), "awaiting_clarification", "clarification", None)
        self.step("advance to clarification", ts(3), s4)

        # 5. the assistant's questions, one step each; they attach to the waiting run
        for i, (qid, question) in enumerate(QUESTIONS):
            meta = {"model": "gpt-4o-mini", "tokens": {"input": 300, "output": 16, "total": 316}}
            self.message("assistant", "clarification_request", question, 1, "clarification",
                         ts(4, i))
            self.step("question %s" % qid, ts(4, i), lambda db, q=question, m=meta: self.assertEqual(
                one(db, "SELECT add_message(1, 'assistant', ?, ?)",
                    (q, json.dumps({"type": "clarification_request", "metadata": m}))), 3 + i))

        # 6. the run waits: nothing moves it but an answer
        def s6(db):
            run = self.run_id(db)
            status = json.loads(one(db, "SELECT run_status(?)", (run,)))
            self.assertTrue(status["is_awaiting_input"])
            self.assertChatflowError(
                db, "SELECT advance_run(?)", (run,),
                "chatflow: run 1 is awaiting_clarification; resume_run(1, answer) before advancing it")
            self.assertChatflowError(
                db, "SELECT advance_run(?, ?)", (run, '{"x": 1}'),
                "chatflow: run 1 is awaiting_clarification; resume_run(1, answer) before advancing it")
            self.assertChatflowError(
                db, "SELECT start_run(1, 'topical_map')", (),
                "chatflow: conversation 1 already has an active run 1 (awaiting_clarification)")
            self.assertChatflowError(
                db, "SELECT heartbeat_run(?)", (run,),
                "chatflow: run 1 is awaiting_clarification: it waits for a person and holds no lease")
        self.step("refusals while waiting", ts(5), s6)

        # 7. the user's answers, as messages
        for i, answer in enumerate(ANSWERS):
            self.message("user", "clarification_answer", answer, 1, "clarification", ts(6, i))
            self.step("answer %d" % i, ts(6, i), lambda db, a=answer: self.assertEqual(
                one(db, "SELECT add_message(1, 'user', ?, ?)",
                    (a, '{"type": "clarification_answer"}')), 5 + i))

        # 8. resume_run with the clarifications (and a state key)
        answer = {"clarifications": [{"question_id": q[0], "question": q[1], "answer": a}
                                     for q, a in zip(QUESTIONS, ANSWERS)],
                  "audience": "locals"}

        def s8(db):
            got = one(db, "SELECT resume_run(?, ?)", (self.run_id(db), json.dumps(answer)))
            self.assertEqual(json.loads(got), {"status": "processing",
                                               "current_step": "clarification"})
        want["run"]["clarifications"] = [dict(c, answered_at=ts(7))
                                         for c in answer["clarifications"]]
        want["run"]["state"]["audience"] = "locals"
        self.move(ts(7), "processing", "clarification", ts(12))
        self.step("resume with clarifications", ts(7), s8)

        # 9. the same wait cannot be resumed twice
        self.step("second resume", ts(8), lambda db: self.assertChatflowError(
            db, "SELECT resume_run(1, ?)", (json.dumps(answer),),
            "chatflow: run 1 is not awaiting input (processing); nothing to resume"))

        # 10. one more clarification, recorded directly
        want["run"]["clarifications"].append(
            {"question_id": "q3", "question": "Seasonal products?", "answer": "Galette des rois",
             "answered_at": ts(9)})
        want["run"]["updated_at"] = ts(9)
        self.step("add_clarification", ts(9), lambda db: self.assertEqual(
            one(db, "SELECT add_clarification(?, 'q3', 'Seasonal products?', 'Galette des rois')",
                (self.run_id(db),)), 1))

        # 11. the business context
        want["run"]["business_context"] = copy.deepcopy(BUSINESS)
        want["run"]["updated_at"] = ts(10)
        self.step("set_business_context", ts(10), lambda db: self.assertEqual(
            one(db, "SELECT set_business_context(?, ?)", (self.run_id(db), json.dumps(BUSINESS))), 1))

        # 12. on to pillar_proposal, which awaits approval
        def s12(db):
            got = one(db, "SELECT advance_run(?, '{\"pillar_count\": 3}')", (self.run_id(db),))
            self.assertEqual(json.loads(got), {"status": "awaiting_approval",
                                               "current_step": "pillar_proposal"})
        want["run"]["state"]["pillar_count"] = 3
        self.move(ts(11), "awaiting_approval", "pillar_proposal", None)
        self.step("advance to pillar_proposal", ts(11), s12)

        # 13. three proposals with rationale, one step each
        for i, (name, why) in enumerate(PILLARS):
            want["proposals"].append({
                "id": i + 1, "run_id": 1, "kind": "pillar", "proposed_name": name,
                "approved_name": None, "rationale": why, "user_approved": 0, "approved_at": None,
                "validated": 0, "validated_at": None, "validation": None, "ref": None,
                "created_at": ts(12, i)})
            self.step("proposal %d" % (i + 1), ts(12, i), lambda db, n=name, w=why: self.assertEqual(
                one(db, "SELECT add_proposal(?, 'pillar', ?, ?)", (self.run_id(db), n, w)), i + 1))
        text = "Three pillars: " + ", ".join(p[0] for p in PILLARS) + ". Approve or rename them."
        self.message("assistant", "proposal", text, 1, "pillar_proposal", ts(13))
        self.step("proposal message", ts(13), lambda db: self.assertEqual(
            one(db, "SELECT add_message(1, 'assistant', ?, '{\"type\": \"proposal\"}')", (text,)), 7))

        # 14. the user's decision, and advancing is still refused
        decision = 'Approved; call the second one "%s".' % RENAMED

        def s14(db):
            self.assertEqual(one(db, "SELECT add_message(1, 'user', ?, ?)",
                                 (decision, '{"type": "approval_decision"}')), 8)
            self.assertChatflowError(
                db, "SELECT advance_run(1)", (),
                "chatflow: run 1 is awaiting_approval; resume_run(1, answer) before advancing it")
        self.message("user", "approval_decision", decision, 1, "pillar_proposal", ts(14))
        self.step("approval decision", ts(14), s14)

        # 15. approvals, one renamed
        approvals = {"approvals": [{"proposal_id": 1},
                                   {"proposal_id": 2, "approved_name": RENAMED},
                                   {"proposal_id": 3}]}

        def s15(db):
            got = one(db, "SELECT resume_run(?, ?)", (self.run_id(db), json.dumps(approvals)))
            self.assertEqual(json.loads(got), {"status": "processing",
                                               "current_step": "pillar_proposal"})
        for p, name in zip(want["proposals"], [PILLARS[0][0], RENAMED, PILLARS[2][0]]):
            p.update(approved_name=name, user_approved=1, approved_at=ts(15))
        self.move(ts(15), "processing", "pillar_proposal", ts(20))
        self.step("resume with approvals", ts(15), s15)

        self.step("second approval resume", ts(16), lambda db: self.assertChatflowError(
            db, "SELECT resume_run(1, ?)", (json.dumps(approvals),),
            "chatflow: run 1 is not awaiting input (processing); nothing to resume"))

        # 16. pillar_validation with SERP data, one proposal per step
        self.move(ts(17), "processing", "pillar_validation", ts(22))
        self.step("advance to pillar_validation", ts(17), lambda db: self.assertEqual(
            json.loads(one(db, "SELECT advance_run(?)", (self.run_id(db),))),
            {"status": "processing", "current_step": "pillar_validation"}))
        for i, serp in enumerate(SERP):
            want["proposals"][i].update(validated=1, validated_at=ts(18, i), validation=serp)
            self.step("validate %d" % (i + 1), ts(18, i), lambda db, s=serp: self.assertEqual(
                one(db, "SELECT validate_proposal(?, ?)", (i + 1, json.dumps(s))), 1))

        # 17. the worker is interrupted: its checkpoint
        def s17(db):
            db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(?), ?)",
                       (self.run_id(db), BLOB))
        want["interrupt"] = (BLOB, ts(19), ts(19))
        self.step("interrupt", ts(19), s17)

        # 18. another worker resumes: reads the checkpoint, takes the lease, goes on
        def s18(db):
            run = self.run_id(db)
            self.assertEqual(one(db, "SELECT data FROM workflow_interrupt WHERE workflow_id = ?",
                                 ("run_%d" % run,)), BLOB)
            self.assertEqual(one(db, "SELECT heartbeat_run(?, 60)", (run,)), 1)
            self.assertEqual(one(db, "SELECT lease_expires_at FROM workflow_runs WHERE id = ?",
                                 (run,)), ts(21))
            self.assertEqual(json.loads(one(db, "SELECT advance_run(?, '{\"validated\": 3}')", (run,))),
                             {"status": "processing", "current_step": "cluster_generation"})
        want["run"]["state"]["validated"] = 3
        self.move(ts(20), "processing", "cluster_generation", ts(25))
        self.step("advance to cluster_generation", ts(20), s18)

        clusters = "Clusters: starter care, lamination, kids workshops."
        self.message("assistant", "assistant_response", clusters, 1, "cluster_generation", ts(21))
        self.step("clusters message", ts(21), lambda db: self.assertEqual(
            one(db, "SELECT add_message(1, 'assistant', ?)", (clusters,)), 9))

        want["run"]["state"]["clusters"] = 6
        self.move(ts(22), "processing", "completion", ts(27))
        self.step("advance to completion", ts(22), lambda db: self.assertEqual(
            json.loads(one(db, "SELECT advance_run(?, '{\"clusters\": 6}')", (self.run_id(db),))),
            {"status": "processing", "current_step": "completion"}))

        # 19. past the last step: completed; the checkpoint goes with the run
        want["run"]["state"]["done"] = True
        self.move(ts(23), "completed", "completion", None)
        want["run"]["completed_at"] = ts(23)
        want["interrupt"] = None
        self.step("complete", ts(23), lambda db: self.assertEqual(
            json.loads(one(db, "SELECT advance_run(?, '{\"done\": true}')", (self.run_id(db),))),
            {"status": "completed", "current_step": "completion"}))

        # 20. a finished run refuses everything
        def s20(db):
            self.assertChatflowError(db, "SELECT advance_run(1)", (),
                                     "chatflow: run 1 is completed; it cannot advance")
            self.assertChatflowError(db, "SELECT resume_run(1, ?)", (json.dumps(approvals),),
                                     "chatflow: run 1 is completed; it cannot be resumed")
        self.step("refusals when completed", ts(24), s20)

        # 21. the replay, from the file alone
        db = self.open()
        try:
            rows = db.execute("SELECT seq, role, type, content, run_id, workflow_step, created_at"
                              "  FROM chat_history(1)").fetchall()
            self.assertEqual(rows, want["messages"])
            # a budget: the system message, then the newest that fit
            tokens = dict(db.execute("SELECT seq, tokens FROM chat_messages").fetchall())
            budget = tokens[1] + tokens[9] + tokens[8] + tokens[7]
            self.assertEqual(json.loads(one(db, "SELECT chat_history_json(1, ?)", (budget,))), [
                {"role": "system", "content": "You are an SEO strategist."},
                {"role": "assistant", "content": text},
                {"role": "user", "content": decision},
                {"role": "assistant", "content": clusters}])
            self.assertEqual(len(json.loads(one(db, "SELECT chat_history_json(1, ?)",
                                                (budget - 1,)))), 3)
        finally:
            db.close()
        self.assertEqual(self.steps, 31)


class TopicalMapSessionForeignKeysOn(TopicalMapSession):
    FK = True


class WorkerCrash(Base):
    """A worker dies with its run 'processing': the lease frees the conversation."""

    def test_crashed_worker_lease_expires(self):
        db = self.open(ts(0))
        self.assertEqual(one(db, "SELECT chatflow_init()"), SCHEMA_VERSION)
        self.assertEqual(one(db, "SELECT create_conversation('acme', 'crash')"), 1)
        self.assertEqual(one(db, "SELECT create_conversation('acme', 'waiting')"), 2)
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 1)
        self.assertEqual(json.loads(one(db, "SELECT advance_run(1)"))["status"],
                         "awaiting_clarification")
        self.assertEqual(json.loads(one(db, "SELECT resume_run(1, '{}')"))["status"], "processing")
        # the worker takes a one-minute lease and saves a checkpoint ...
        self.assertEqual(one(db, "SELECT heartbeat_run(1, 60)"), 1)
        self.assertEqual(one(db, "SELECT lease_expires_at FROM workflow_runs WHERE id = 1"), ts(1))
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', ?)", (BLOB,))
        # ... while run 2 waits for a person: it holds no lease
        self.assertEqual(one(db, "SELECT start_run(2, 'topical_map')"), 2)
        self.assertEqual(json.loads(one(db, "SELECT advance_run(2)"))["status"],
                         "awaiting_clarification")
        db.close()  # the worker process dies here

        db = self.open()
        self.assertEqual(db.execute("SELECT id, status, current_step, lease_expires_at"
                                    "  FROM workflow_runs ORDER BY id").fetchall(),
                         [(1, "processing", "clarification", ts(1)),
                          (2, "awaiting_clarification", "clarification", None)])
        db.close()

        # exactly at the lease: not yet expired; the conversation is still locked
        db = self.open(ts(1))
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 0)
        self.assertChatflowError(db, "SELECT start_run(1, 'topical_map')", (),
                                 "chatflow: conversation 1 already has an active run 1 (processing)")
        db.close()

        # a new connection, a millisecond past the lease (and run 2 long forgotten)
        db = self.open(ts(1, 0, 1))
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 1)
        db.close()

        db = self.open()
        self.assertEqual(db.execute("SELECT id, status, current_step, error, completed_at,"
                                    "       lease_expires_at FROM workflow_runs ORDER BY id").fetchall(),
                         [(1, "failed", "clarification", "lease expired", ts(1, 0, 1), None),
                          (2, "awaiting_clarification", "clarification", None, None, None)])
        self.assertEqual(db.execute("SELECT from_status, to_status, from_step, to_step, detail,"
                                    "       created_at FROM workflow_run_events WHERE run_id = 1"
                                    " ORDER BY id").fetchall(), [
            (None, "started", None, "context_ingestion", None, ts(0)),
            ("started", "awaiting_clarification", "context_ingestion", "clarification", None, ts(0)),
            ("awaiting_clarification", "processing", "clarification", "clarification", None, ts(0)),
            ("processing", "failed", "clarification", "clarification",
             '{"error":"lease expired"}', ts(1, 0, 1))])
        self.assertEqual(json.loads(one(db, "SELECT run_status(1)"))["error"], "lease expired")
        self.assertIsNone(one(db, "SELECT active_run(1)"))
        self.assertEqual(one(db, "SELECT count(*) FROM workflow_interrupt"), 0)
        db.close()

        # the conversation is free again
        db = self.open(ts(2))
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 3)
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 0)
        db.close()
        db = self.open()
        self.assertEqual(db.execute("SELECT id, status, lease_expires_at FROM workflow_runs"
                                    " WHERE conversation_id = 1 ORDER BY id").fetchall(),
                         [(1, "failed", None), (3, "started", ts(7))])
        self.assertEqual(one(db, "SELECT active_run(1)"), 3)
        db.close()


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
