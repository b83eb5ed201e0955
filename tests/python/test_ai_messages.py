#!/usr/bin/python3
"""Messages from AI applications, as a driver sends them: AI SDK UIMessages
(add_ui_message, chat_ui_messages), OpenAI tool calls and results
(add_message's tool_calls and tool_call_id, and the 0.1 forms), the retry
key (uid), and a replay an OpenAI-compatible server accepts.

Checked here:
  * every part type of the AI SDK's UIMessage round-trips JSON-equal;
  * the retry rule: the same message again returns its id and writes
    nothing (the database file is byte-for-byte the same), also with its
    keys in another order or as chat_ui_messages gives it back; a
    different one with that uid fails and writes nothing;
  * regenerate: parent_id puts the new answer under the question;
  * every malformed input (UIMessage without id, unknown role, parts not
    an array, a tool part without toolCallId or with an unknown state, a
    tool result answering no call, ids over 128 characters, tool_calls of
    the wrong shape) fails with its exact text and leaves the file as it
    was;
  * chat_history_json is a valid OpenAI messages array (the rules of
    tests/provider/fake_openai.py's check, restated in openai_errors()) at
    every budget from 0 to the whole conversation, for a conversation with
    parallel tool calls in both forms and AI SDK tool parts, and the window
    takes a call and its results together: both or neither;
  * export_conversation(id, 'openai') equals chat_history_json(id), and a
    conversation survives export and import with its uids.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_ai_messages.py
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
T0 = "2026-01-01T00:00:00.000Z"


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


def openai_errors(messages):
    """What an OpenAI-compatible server refuses in a messages array: a tool
    message that does not answer a call of the assistant message right
    before it (only tool messages in between), an assistant message whose
    calls are not all answered before the next other message, ids and
    arguments that are not strings, content that is neither a string nor
    (for a user) an array of text, image_url and file items."""
    errors = []
    pending = None  # the call ids still owed by the last assistant message
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            errors.append("messages[%d]: role %r" % (i, role))
        content = m.get("content")
        if role == "user" and isinstance(content, list):
            # a user's text, images and PDFs as content items
            if not content:
                errors.append("messages[%d]: empty content array" % i)
            for item in content:
                kind = item.get("type") if isinstance(item, dict) else None
                if not (kind == "text" and isinstance(item.get("text"), str)
                        or kind == "image_url" and isinstance(item.get("image_url", {}).get("url"), str)
                        or kind == "file" and isinstance(item.get("file", {}).get("file_data"), str)
                        and isinstance(item["file"].get("filename"), str)):
                    errors.append("messages[%d]: malformed content item %r" % (i, item))
        elif not isinstance(content, str):
            errors.append("messages[%d]: content is not a string" % i)
        if role == "tool":
            cid = m.get("tool_call_id")
            if not isinstance(cid, str):
                errors.append("messages[%d]: tool message without tool_call_id" % i)
            elif pending is None or cid not in pending:
                errors.append("messages[%d]: tool_call_id %r answers no pending call" % (i, cid))
            else:
                pending.discard(cid)
            continue
        if pending:
            errors.append("messages[%d]: calls %s have no result" % (i, sorted(pending)))
        pending = None
        if role == "assistant" and "tool_calls" in m:
            calls = m["tool_calls"]
            if not calls:
                errors.append("messages[%d]: empty tool_calls" % i)
            pending = set()
            for c in calls:
                if not isinstance(c.get("id"), str) or c.get("type") != "function" \
                        or not isinstance(c.get("function", {}).get("name"), str) \
                        or not isinstance(c.get("function", {}).get("arguments"), str):
                    errors.append("messages[%d]: malformed call %r" % (i, c))
                else:
                    pending.add(c["id"])
    if pending:
        errors.append("end: calls %s have no result" % sorted(pending))
    return errors


USER = {"id": "u-1", "role": "user", "parts": [
    {"type": "text", "text": "Weather in Paris and the time?"},
    {"type": "file", "mediaType": "image/png", "filename": "sky.png",
     "url": "data:image/png;base64,iVBORw0KGgo="}],
    "metadata": {"client": "web"}}

ASSISTANT = {"id": "a-1", "role": "assistant", "metadata": {
    "model": "gpt-4o", "totalUsage": {"inputTokens": 50, "outputTokens": 17, "totalTokens": 67}},
    "parts": [
        {"type": "step-start"},
        {"type": "reasoning", "text": "Two tools.", "providerMetadata": {"openai": {"itemId": "rs_1"}}},
        {"type": "tool-getWeather", "toolCallId": "call_w", "state": "output-available",
         "input": {"city": "Paris"}, "output": {"temp": 21.5, "unit": "C"}},
        {"type": "dynamic-tool", "toolName": "clock", "toolCallId": "call_c", "state": "output-error",
         "input": {}, "errorText": "clock unavailable"},
        {"type": "step-start"},
        {"type": "source-url", "sourceId": "s1", "url": "https://meteo.example/paris", "title": "Meteo"},
        {"type": "source-document", "sourceId": "s2", "mediaType": "application/pdf", "title": "Report",
         "filename": "r.pdf"},
        {"type": "data-weather", "id": "d1", "data": {"temp": 21.5}},
        {"type": "text", "text": "It is 21.5 °C in Paris; the clock failed.", "state": "done"},
        {"type": "tool-book", "toolCallId": "call_b", "state": "approval-requested",
         "input": {"what": "table"}, "approval": {"id": "ap_1"}},
        {"type": "tool-search", "toolCallId": "call_s", "state": "input-available", "input": {"q": "x"}},
        {"type": "tool-pay", "toolCallId": "call_p", "state": "output-denied", "input": {"eur": 5},
         "approval": {"id": "ap_2", "approved": False, "reason": "too much"}},
        {"type": "custom-future-kind", "payload": [1, 2.50, None, True]}]}


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-ai-")
        self.path = os.path.join(self.dir, "t.db")
        self.db = connect(self.path)
        self.db.execute("SELECT chatflow_init()")
        self.db.execute("SELECT chatflow_clock(?)", (T0,))
        self.cid = one(self.db, "SELECT create_conversation('acme')")

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir)

    def refused(self, sql, args, text):
        """sql fails with exactly text and the file does not change."""
        before = file_hash(self.path)
        with self.assertRaises(sqlite3.Error) as cm:
            self.db.execute(sql, args).fetchall()
        self.assertEqual(str(cm.exception), text)
        self.assertFalse(self.db.in_transaction)
        self.assertEqual(file_hash(self.path), before)

    def history(self, budget=None):
        return json.loads(one(self.db, "SELECT chat_history_json(?, ?)", (self.cid, budget)))


class UiMessages(Base):
    def test_every_part_type_round_trips(self):
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(USER))), 1)
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ASSISTANT))), 2)
        got = json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,)))
        self.assertEqual(got, [USER, ASSISTANT])
        # content is the text parts; tokens of the assistant from its usage
        self.assertEqual(self.db.execute("SELECT seq, role, content, tokens, uid FROM chat_messages"
                                         " ORDER BY seq").fetchall(), [
            (1, "user", "Weather in Paris and the time?", 8, "u-1"),
            (2, "assistant", "It is 21.5 °C in Paris; the clock failed.", 17, "a-1")])

    def test_replay_of_ui_tool_parts(self):
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(USER)))
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ASSISTANT)))
        h = self.history()
        self.assertEqual(openai_errors(h), [])
        self.assertEqual(h, [
            # the user's image goes with the text
            {"role": "user", "content": [
                {"type": "text", "text": "Weather in Paris and the time?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_w", "type": "function",
                 "function": {"name": "getWeather", "arguments": '{"city":"Paris"}'}},
                {"id": "call_c", "type": "function", "function": {"name": "clock", "arguments": "{}"}}]},
            {"role": "tool", "content": '{"temp":21.5,"unit":"C"}', "tool_call_id": "call_w"},
            {"role": "tool", "content": "clock unavailable", "tool_call_id": "call_c"},
            {"role": "assistant", "content": "It is 21.5 °C in Paris; the clock failed.", "tool_calls": [
                {"id": "call_p", "type": "function", "function": {"name": "pay", "arguments": '{"eur":5}'}}]},
            {"role": "tool", "content": "too much", "tool_call_id": "call_p"}])

    def test_replay_of_denied_approvals(self):
        """A tool part whose approval was denied is sent with a result that
        says so, as the AI SDK's convertToModelMessages sends it (an
        execution-denied result): output-denied, and approval-responded
        with approved false (left out before: no result, so no call).  The
        text is the approval's reason, else "The tool call was denied."; an
        approved call that has not run yet has no result and is left out."""
        parts = [
            {"type": "tool-pay", "toolCallId": "call_1", "state": "approval-responded", "input": {"eur": 5},
             "approval": {"id": "ap_1", "approved": False, "reason": "over budget"}},
            {"type": "tool-pay", "toolCallId": "call_2", "state": "approval-responded", "input": {"eur": 6},
             "approval": {"id": "ap_2", "approved": False}},
            {"type": "tool-pay", "toolCallId": "call_3", "state": "approval-responded", "input": {"eur": 7},
             "approval": {"id": "ap_3", "approved": True}},
            {"type": "tool-pay", "toolCallId": "call_4", "state": "output-denied", "input": {"eur": 8},
             "approval": {"id": "ap_4", "approved": False}}]
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(USER)))
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(
            {"id": "a-9", "role": "assistant", "parts": parts})))
        h = self.history()
        self.assertEqual(openai_errors(h), [])
        self.assertEqual([c["id"] for c in h[1]["tool_calls"]], ["call_1", "call_2", "call_4"])
        self.assertEqual([(m["tool_call_id"], m["content"]) for m in h[2:]],
                         [("call_1", "over budget"), ("call_2", "The tool call was denied."),
                          ("call_4", "The tool call was denied.")])

    def test_retry(self):
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(USER)))
        # (a pinned clock is a row every writing call sets and clears)
        self.db.execute("SELECT chatflow_clock(NULL)")
        before = file_hash(self.path)
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(USER))), 1)
        self.assertEqual(file_hash(self.path), before)
        changed = dict(USER, parts=[{"type": "text", "text": "Weather in Lyon?"}])
        self.refused("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(changed)),
                     "chatflow: message uid 'u-1' already exists in conversation 1 with different content")
        # the same uid in another conversation is another message
        other = one(self.db, "SELECT create_conversation('acme')")
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (other, json.dumps(USER))), 2)

    def test_retry_in_another_form(self):
        """A retry is the same message as JSON: its members in another
        order, or as chat_ui_messages gives it back (onFinish saving the
        whole list again, messages add_message wrote among them)."""
        add = lambda role, content, opts: one(self.db, "SELECT add_message(?, ?, ?, ?)",
                                               (self.cid, role, content, json.dumps(opts)))
        add("user", "Weather?", {"uid": "q"})
        add("assistant", "", {"uid": "call", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]})
        add("tool", '{"t": 21}', {"tool_call_id": "c1"})
        add("assistant", "It is 21.", {"uid": "a"})
        ui = dict(USER, metadata={"source": "web", "n": [1, {"x": None}]})
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ui))), 5)
        self.db.execute("SELECT chatflow_clock(NULL)")
        before = file_hash(self.path)
        reordered = {"metadata": {"n": [1, {"x": None}], "source": "web"},
                     "parts": [dict(reversed(list(part.items()))) for part in ui["parts"]],
                     "role": "user", "id": "u-1"}
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(reordered))), 5)
        listed = json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,)))
        self.assertEqual([m["id"] for m in listed], ["q", "call", "a", "u-1"])
        self.assertEqual([one(self.db, "SELECT add_ui_message(?, ?)", (self.cid, json.dumps(m))) for m in listed],
                         [1, 2, 4, 5])
        self.assertEqual(file_hash(self.path), before)
        # anything else under a taken id is still refused
        unanswered = dict(listed[1], parts=[dict(listed[1]["parts"][0], state="input-available")])
        del unanswered["parts"][0]["output"]
        for changed in (dict(listed[0], parts=[{"type": "text", "text": "Weather in Lyon?"}]), unanswered,
                        dict(reordered, metadata={"source": "app", "n": [1, {"x": None}]})):
            with self.subTest(changed["id"]):
                self.refused("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(changed)),
                             f"chatflow: message uid '{changed['id']}' already exists in conversation 1"
                             " with different content")
        self.refused("SELECT add_ui_message(?, ?, '{\"parent_id\": 1}')", (self.cid, json.dumps(reordered)),
                     "chatflow: message uid 'u-1' already exists in conversation 1 under another parent (message 4)")
        self.assertEqual(one(self.db, "SELECT add_ui_message(?, ?, '{\"parent_id\": 4}')",
                             (self.cid, json.dumps(reordered))), 5)

    def test_regenerate(self):
        """useChat's regenerate(): the new answer follows the question
        (parent_id), and becomes the branch chat_ui_messages shows."""
        question = {"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Hi"}]}
        first = {"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": "Hello 1"}]}
        second = {"id": "a2", "role": "assistant", "parts": [{"type": "text", "text": "Hello 2"}]}
        save = ("SELECT add_ui_message(?1, ?2, json_object('parent_id',"
                " (SELECT id FROM chat_messages WHERE conversation_id = ?1 AND uid = ?3)))")
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(question)))
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(first)))
        self.assertEqual(one(self.db, save, (self.cid, json.dumps(second), "u1")), 3)
        self.assertEqual(one(self.db, save, (self.cid, json.dumps(second), "u1")), 3)  # a retry
        self.assertEqual(json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))), [question, second])
        self.assertEqual(one(self.db, "SELECT group_concat(content || ':' || is_current) FROM message_siblings(3)"),
                         "Hello 1:0,Hello 2:1")
        self.refused("SELECT add_ui_message(?, ?, '{\"parent_id\": 9}')", (self.cid, json.dumps(first)),
                     "chatflow: unknown message 9 (parent_id)")

    def test_malformed(self):
        text = [{"type": "text", "text": "hi"}]
        cases = [
            ({"role": "user", "parts": text}, "chatflow: UIMessage id must be a string of 1 to 128 characters, got none"),
            ({"id": "", "role": "user", "parts": text},
             "chatflow: UIMessage id must be a string of 1 to 128 characters, got text '' "
             "(the AI SDK leaves it empty without generateMessageId)"),
            ({"id": "x" * 129, "role": "user", "parts": text},
             "chatflow: UIMessage id must be a string of 1 to 128 characters, got 129 characters"),
            ({"id": 7, "role": "user", "parts": text},
             "chatflow: UIMessage id must be a string of 1 to 128 characters, got integer 7"),
            ({"id": "m", "role": "tool", "parts": text},
             "chatflow: UIMessage role must be system, user or assistant, got text 'tool'"),
            ({"id": "m", "parts": text}, "chatflow: UIMessage role must be system, user or assistant, got none"),
            ({"id": "m", "role": ["user"], "parts": text},
             "chatflow: UIMessage role must be system, user or assistant, got array"),
            ({"id": "m", "role": "user", "parts": {"type": "text"}}, "chatflow: UIMessage parts must be an array, got object"),
            ({"id": "m", "role": "user", "content": "hi", "createdAt": "2025-01-01T00:00:00.000Z"},
             "chatflow: UIMessage parts must be an array, got none: a message with content and no parts is AI SDK 4's Message; send AI SDK"
             " 5's UIMessage, or its content with add_message(conversation_id, role, content)"),
            ({"id": "m", "role": "user", "parts": []}, "chatflow: UIMessage parts must not be empty"),
            ({"id": "m", "role": "user", "parts": text, "metadata": "m"},
             "chatflow: UIMessage metadata must be an object, got text 'm'"),
            ({"id": "m", "role": "assistant", "parts": [{"type": "tool-x", "state": "input-available"}]},
             'chatflow: parts[0] (tool-x) needs a "toolCallId": a string of 1 to 128 characters, got none'),
            ({"id": "m", "role": "assistant", "parts": [{"type": "tool-x", "toolCallId": "c" * 129,
                                                          "state": "input-available"}]},
             'chatflow: parts[0] (tool-x) needs a "toolCallId": a string of 1 to 128 characters,'
             ' got text of 129 characters'),
            ({"id": "m", "role": "assistant", "parts": [{"type": "tool-x", "toolCallId": "c"}]},
             'chatflow: parts[0] (tool-x) needs a string "state", got none'),
            ({"id": "m", "role": "assistant", "parts": [{"type": "tool-x", "toolCallId": "c", "state": "call"}]},
             "chatflow: parts[0] (tool-x) has the unknown state 'call' (expected input-streaming, "
             "input-available, approval-requested, approval-responded, output-available, output-error, "
             "output-denied)"),
            ({"id": "m", "role": "assistant", "parts": [{"type": "dynamic-tool", "toolCallId": "c",
                                                          "state": "input-available"}]},
             'chatflow: parts[0] (dynamic-tool) needs a "toolName": a string of 1 to 128 characters, got none'),
            ({"id": "m", "role": "user", "parts": [{"text": "no type"}]},
             'chatflow: parts[0].type must be a non-empty string, got none'),
            ([1], 'chatflow: UIMessage must be a JSON object {"id", "role", "parts", "metadata"?}'),
            # one call id twice in a message: a replay would send two calls with one id
            ({"id": "m", "role": "assistant", "parts": [
                {"type": "tool-x", "toolCallId": "c", "state": "input-available", "input": {}},
                {"type": "text", "text": "and"},
                {"type": "dynamic-tool", "toolName": "y", "toolCallId": "c", "state": "input-available",
                 "input": {}}]},
             "chatflow: parts[2] has the call id of parts[0]: the calls of one message need distinct ids"),
        ]
        for ui, err in cases:
            with self.subTest(err):
                self.refused("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ui)), err)
        self.refused("SELECT add_ui_message(?, '{\"id\": ')", (self.cid,),
                     "chatflow: UIMessage is not valid JSON at offset 7: unexpected end of input")
        self.refused("SELECT add_ui_message(?, ?, '{\"uid\": \"x\"}')", (self.cid, json.dumps(USER)),
                     "chatflow: unknown option 'uid' for add_ui_message "
                     "(expected type, attachments, tokens, run_id, parent_id, created_at, now)")
        self.refused("SELECT add_ui_message(99, ?)", (json.dumps(USER),), "chatflow: unknown conversation 99")

    def test_add_message_forms_as_ui_messages(self):
        self.db.execute("SELECT add_message(?, 'user', 'Weather?', '{\"uid\": \"q\"}')", (self.cid,))
        self.db.execute("SELECT add_message(?, 'assistant', 'Checking.', ?)", (self.cid, json.dumps(
            {"uid": "r", "tool_calls": [{"id": "c1", "type": "function",
                                         "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]})))
        self.db.execute("SELECT add_message(?, 'tool', '{\"temp\":21}', '{\"tool_call_id\": \"c1\"}')",
                        (self.cid,))
        self.assertEqual(json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))), [
            {"id": "q", "role": "user", "parts": [{"type": "text", "text": "Weather?"}]},
            {"id": "r", "role": "assistant", "parts": [
                {"type": "text", "text": "Checking."},
                {"type": "tool-weather", "toolCallId": "c1", "state": "output-available",
                 "input": {"city": "Paris"}, "output": {"temp": 21}}]}])


class ToolCalls(Base):
    def build(self):
        """system(3) user(9) assistant calling a and b in parallel(20)
        results b(8) a(6), assistant(5), user(4); then an old-form call
        (0.1 parts, metadata.tool_call_id) and a UI message with a call."""
        add = lambda role, content, opts: self.db.execute(
            "SELECT add_message(?, ?, ?, ?)", (self.cid, role, content, json.dumps(opts)))
        add("system", "Be brief.", {"tokens": 3})
        add("user", "Weather and time?", {"tokens": 9})
        add("assistant", "", {"tokens": 20, "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": {"city": "Paris"}}},
            {"id": "call_b", "type": "function", "function": {"name": "time", "arguments": "{}"}}]})
        add("tool", "12:00", {"tokens": 8, "tool_call_id": "call_b"})
        add("tool", "21 C", {"tokens": 6, "metadata": {"tool_call_id": "call_a"}})
        add("assistant", "21 C at noon.", {"tokens": 5})
        add("user", "And Lyon?", {"tokens": 4})
        add("assistant", "", {"tokens": 7, "parts": [
            {"type": "tool-call", "id": "old_1", "name": "weather", "arguments": '{"city":"Lyon"}'}]})
        add("tool", "19 C", {"tokens": 2, "metadata": {"tool_call_id": "old_1"}})
        self.db.execute("SELECT add_ui_message(?, ?, '{\"tokens\": 6}')", (self.cid, json.dumps(
            {"id": "ui-1", "role": "assistant", "parts": [
                {"type": "tool-weather", "toolCallId": "ui_call", "state": "output-available",
                 "input": {"city": "Nice"}, "output": "24 C"},
                {"type": "text", "text": "Lyon 19 C, Nice 24 C."}]})))
        add("user", "Thanks", {"tokens": 1})

    def test_stored_forms(self):
        self.build()
        self.assertEqual(json.loads(one(self.db, "SELECT parts FROM chat_messages WHERE seq = 3")), [
            {"type": "tool-call", "id": "call_a", "name": "weather", "arguments": '{"city":"Paris"}'},
            {"type": "tool-call", "id": "call_b", "name": "time", "arguments": "{}"}])
        self.assertEqual(self.db.execute("SELECT seq, metadata FROM chat_messages WHERE role = 'tool'"
                                         " ORDER BY seq").fetchall(),
                         [(4, '{"tool_call_id":"call_b"}'), (5, '{"tool_call_id":"call_a"}'),
                          (9, '{"tool_call_id":"old_1"}')])

    def test_every_budget(self):
        self.build()
        units = [[2], [3, 4, 5], [6], [7], [8, 9], [10], [11]]  # all but the system message
        tokens = dict(self.db.execute("SELECT seq, tokens FROM chat_messages").fetchall())
        total = sum(tokens.values())
        for budget in range(0, total + 2):
            with self.subTest(budget=budget):
                seqs = [r[0] for r in self.db.execute("SELECT seq FROM chat_history(?, ?)",
                                                      (self.cid, budget))]
                # expected: newest units while they fit, stopping at the first that does not
                left, want = budget - tokens[1], []
                for unit in reversed(units):
                    cost = sum(tokens[s] for s in unit)
                    if left < 0 or cost > left:
                        break
                    left -= cost
                    want = unit + want
                self.assertEqual(seqs, [1] + want)
                h = self.history(budget)
                self.assertEqual(openai_errors(h), [], h)
                # a call and its results: both in or both out
                ids = [c["id"] for m in h for c in m.get("tool_calls", [])]
                results = [m["tool_call_id"] for m in h if m["role"] == "tool"]
                self.assertEqual(sorted(ids), sorted(results))
        self.assertEqual(self.history(), self.history(total))

    def test_whole_replay(self):
        self.build()
        h = self.history()
        self.assertEqual(openai_errors(h), [])
        self.assertEqual([(m["role"], m.get("tool_call_id"), [c["id"] for c in m.get("tool_calls", [])])
                          for m in h], [
            ("system", None, []), ("user", None, []), ("assistant", None, ["call_a", "call_b"]),
            ("tool", "call_a", []), ("tool", "call_b", []), ("assistant", None, []), ("user", None, []),
            ("assistant", None, ["old_1"]), ("tool", "old_1", []),
            # one step: its text and its call in one assistant message, as convertToModelMessages does
            ("assistant", None, ["ui_call"]), ("tool", "ui_call", []), ("user", None, [])])
        self.assertEqual(h[9]["content"], "Lyon 19 C, Nice 24 C.")
        self.assertEqual(h[2]["tool_calls"][0]["function"]["arguments"], '{"city":"Paris"}')
        self.assertEqual(h[3]["content"], "21 C")
        self.assertEqual(one(self.db, "SELECT export_conversation(?, 'openai') = chat_history_json(?)",
                             (self.cid, self.cid)), 1)

    def test_export_import_keeps_uids(self):
        self.build()
        new = one(self.db, "SELECT import_conversation('beta', export_conversation(?))", (self.cid,))
        self.assertEqual(
            self.db.execute("SELECT seq, uid FROM chat_messages WHERE conversation_id = ? ORDER BY seq",
                            (new,)).fetchall(),
            self.db.execute("SELECT seq, uid FROM chat_messages WHERE conversation_id = ? ORDER BY seq",
                            (self.cid,)).fetchall())
        self.assertEqual(one(self.db, "SELECT chat_history_json(?) = chat_history_json(?)", (new, self.cid)), 1)
        fork = one(self.db, "SELECT fork_conversation(?, 5)", (self.cid,))
        self.assertEqual(openai_errors(json.loads(one(self.db, "SELECT chat_history_json(?)", (fork,)))), [])

    def test_bad_tool_input(self):
        self.db.execute("SELECT add_message(?, 'user', 'hi')", (self.cid,))
        cases = [
            ("SELECT add_message(?, 'tool', 'r', '{\"tool_call_id\": \"nope\"}')",
             "chatflow: the tool result answers no call: conversation 1 has no tool call with id 'nope'"),
            ("SELECT add_message(?, 'tool', 'r', '{\"metadata\": {\"tool_call_id\": \"nope\"}}')",
             "chatflow: the tool result answers no call: conversation 1 has no tool call with id 'nope'"),
            ("SELECT add_message(?, 'tool', 'r', '{\"tool_call_id\": \"a\", \"metadata\": {\"tool_call_id\": \"b\"}}')",
             "chatflow: tool_call_id 'a' differs from metadata.tool_call_id 'b'"),
            ("SELECT add_message(?, 'tool', 'r', '{\"metadata\": {\"tool_call_id\": 5}}')",
             "chatflow: metadata.tool_call_id must be a string, got integer 5"),
            ("SELECT add_message(?, 'user', 'r', '{\"tool_call_id\": \"a\"}')",
             "chatflow: option tool_call_id is for tool messages, not user"),
            ("SELECT add_message(?, 'tool', 'r', '{\"tool_call_id\": \"\"}')",
             "chatflow: tool_call_id must be a string of 1 to 128 characters, got 0"),
            ("SELECT add_message(?, 'user', 'r', '{\"tool_calls\": []}')",
             "chatflow: option tool_calls is for assistant messages, not user"),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [3]}')",
             'chatflow: tool_calls[0] must be an object {"id", "type": "function", "function": {"name", "arguments"}},'
             ' got integer 3'),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"function\": {\"name\": \"f\"}}]}')",
             "chatflow: tool_calls[0].id must be a string of 1 to 128 characters, got none"),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"id\": \"%s\", \"function\": {\"name\": \"f\"}}]}')"
             % ("i" * 129), "chatflow: tool_calls[0].id must be a string of 1 to 128 characters,"
             " got text of 129 characters"),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c\", \"type\": \"x\", \"function\": {\"name\": \"f\"}}]}')",
             "chatflow: tool_calls[0].type must be \"function\", got text 'x'"),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c\", \"function\": {}}]}')",
             "chatflow: tool_calls[0].function.name must be a string of 1 to 128 characters, got none"),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c\", \"function\": {\"name\": \"f\", \"arguments\": 3}}]}')",
             "chatflow: tool_calls[0].function.arguments must be a JSON string or an object, got integer 3"),
            ("SELECT add_message(?, 'assistant', '', '{\"parts\": [{\"type\": \"tool-call\", \"name\": \"f\"}]}')",
             'chatflow: parts[0] (tool-call) needs an "id": a string of 1 to 128 characters, got none'),
            ("SELECT add_message(?, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c\", \"function\": {\"name\": \"f\"}},"
             " {\"id\": \"d\", \"function\": {\"name\": \"f\"}}, {\"id\": \"c\", \"function\": {\"name\": \"g\"}}]}')",
             "chatflow: tool_calls[2].id is the id of an earlier call of the same message"),
            ("SELECT add_message(?, 'assistant', '', '{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c\", \"name\": \"f\"},"
             " {\"type\": \"tool-call\", \"id\": \"d\", \"name\": \"f\"}, {\"type\": \"tool-call\", \"id\": \"d\", \"name\": \"g\"}]}')",
             "chatflow: parts[2] has the call id of parts[1]: the calls of one message need distinct ids"),
            ("SELECT add_message(?, 'assistant', '', '{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c\", \"name\": \"f\"}],"
             " \"tool_calls\": [{\"id\": \"c\", \"function\": {\"name\": \"f\"}}]}')",
             "chatflow: tool_calls[0].id is the id of a call in the parts of the same message"),
            ("SELECT add_message(?, 'user', 'r', '{\"uid\": \"%s\"}')" % ("u" * 129),
             "chatflow: message uid must be a string of 1 to 128 characters, got 129 characters"),
        ]
        for sql, text in cases:
            with self.subTest(text):
                self.refused(sql, (self.cid,), text)

    def test_retry_add_message(self):
        opts = json.dumps({"uid": "m-1", "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
        self.assertEqual(one(self.db, "SELECT add_message(?, 'assistant', 'x', ?)", (self.cid, opts)), 1)
        self.db.execute("SELECT chatflow_clock(NULL)")
        before = file_hash(self.path)
        self.assertEqual(one(self.db, "SELECT add_message(?, 'assistant', 'x', ?)", (self.cid, opts)), 1)
        self.assertEqual(file_hash(self.path), before)
        self.refused("SELECT add_message(?, 'user', 'x', '{\"uid\": \"m-1\"}')", (self.cid,),
                     "chatflow: message uid 'm-1' already exists in conversation 1 with another role (assistant)")
        # a raw INSERT with a taken uid: the schema's constraint
        self.refused("INSERT INTO chat_messages (conversation_id, role, content, uid) VALUES (?, 'user', 'y', 'm-1')",
                     (self.cid,), "chatflow: the conversation already has a message with this uid; messages are immutable")
        self.refused("UPDATE chat_messages SET uid = 'other' WHERE id = 1", (),
                     "chatflow: messages are immutable: conversation_id, seq, uid, role, content and parts"
                     " cannot be updated")


class EdgeCases(Base):
    """Cases a review found, each once wrong."""

    def test_replace_or_ignore_by_uid(self):
        self.db.execute("SELECT add_message(?, 'user', 'sourdough bread', '{\"uid\": \"u1\"}')", (self.cid,))
        self.db.execute("SELECT chatflow_index()")
        for verb in ("INSERT OR REPLACE", "INSERT OR IGNORE"):
            with self.subTest(verb):
                self.refused(verb + " INTO chat_messages (conversation_id, role, content, uid)"
                             " VALUES (?, 'user', 'croissant', 'u1')", (self.cid,),
                             "chatflow: the conversation already has a message with this uid; messages are immutable")
        self.assertEqual(one(self.db, "SELECT message_count FROM chat_conversations"), 1)
        self.assertEqual(one(self.db, "SELECT group_concat(message_id) FROM search_messages('sourdough')"
                             " WHERE kind = 'message'"), "1")

    def test_tool_output_parsed_only_when_json(self):
        self.db.execute("SELECT add_message(?, 'assistant', '', ?)", (self.cid, json.dumps({"tool_calls": [
            {"id": "c%d" % i, "type": "function", "function": {"name": "f", "arguments": a}}
            for i, a in enumerate(["NaN", "{}", "{}", "{}"])]})))
        for i, text in enumerate(["Infinity", "42 is the answer", "null", "[1, 2]"]):
            self.db.execute("SELECT add_message(?, 'tool', ?, ?)", (self.cid, text, json.dumps({"tool_call_id": "c%d" % i})))
        ui = one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))
        self.assertEqual(one(self.db, "SELECT json_valid(?)", (ui,)), 1)
        parts = json.loads(ui)[0]["parts"]
        self.assertEqual([(p["input"], p["output"]) for p in parts],
                         [("NaN", "Infinity"), ({}, "42 is the answer"), ({}, None), ({}, [1, 2])])

    def test_window_of_a_run_with_a_result_of_an_earlier_call(self):
        self.db.execute("SELECT add_message(?, 'assistant', '', ?)", (self.cid, json.dumps({"tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})))
        rid = one(self.db, "SELECT start_run(?, 'topical_map')", (self.cid,))
        for text in ("run msg A", "run msg B"):
            self.db.execute("SELECT add_message(?, 'user', ?)", (self.cid, text))
        self.db.execute("SELECT add_message(?, 'tool', 'late', '{\"tool_call_id\": \"c1\"}')", (self.cid,))
        self.db.execute("SELECT add_message(?, 'assistant', 'run msg C')", (self.cid,))
        self.assertEqual([m["content"] for m in json.loads(one(
            self.db, "SELECT chat_history_json(?, 100000, ?)", (self.cid, rid)))],
            ["run msg A", "run msg B", "run msg C"])

    def test_escaped_type(self):
        self.db.execute("SELECT add_message(?, 'user', 'older question')", (self.cid,))
        self.db.execute("SELECT add_message(?, 'assistant', '', ?)", (
            self.cid, '{"parts":[{"type":"\\u0074ool-call","id":"c","name":"f","arguments":"{}"}]}'))
        self.db.execute("SELECT add_message(?, 'tool', 'res', '{\"tool_call_id\": \"c\"}')", (self.cid,))
        self.db.execute("SELECT add_message(?, 'assistant', 'final')", (self.cid,))
        h = self.history(100000)
        self.assertEqual(openai_errors(h), [])
        self.assertEqual([m["role"] for m in h], ["user", "assistant", "tool", "assistant"])

    def test_tokens_count_the_calls(self):
        self.db.execute("SELECT add_message(?, 'assistant', 'Let me check', ?)", (self.cid, json.dumps(
            {"tool_calls": [{"id": "c2", "type": "function", "function": {"name": "f", "arguments": "y" * 20000}}]})))
        self.db.execute("SELECT add_message(?, 'tool', 'ok', '{\"tool_call_id\": \"c2\"}')", (self.cid,))
        self.assertGreater(one(self.db, "SELECT tokens FROM chat_messages WHERE seq = 1"), 5000)
        self.assertEqual(self.history(50), [])

    def test_nearest_call_with_a_repeated_id(self):
        add = lambda role, content, opts=None: self.db.execute(
            "SELECT add_message(?, ?, ?, ?)", (self.cid, role, content, json.dumps(opts) if opts else None))
        add("user", "q1")
        add("assistant", "", {"tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "f"}}]})
        add("user", "never mind, q2")
        add("assistant", "", {"tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "g"}}]})
        add("tool", "result of g", {"tool_call_id": "call_0"})
        h = self.history()
        self.assertEqual(openai_errors(h), [])
        self.assertEqual([(m["role"], m.get("tool_calls", [{}])[0].get("function", {}).get("name")) for m in h],
                         [("user", None), ("user", None), ("assistant", "g"), ("tool", None)])
        parts = [p for m in json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))) for p in m["parts"]]
        self.assertEqual([(p["type"], p.get("state")) for p in parts if p["type"] != "text"],
                         [("tool-f", "input-available"), ("tool-g", "output-available")])

    def test_ui_metadata_nulls_kept(self):
        ui = {"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hi"}],
              "metadata": {"a": None, "b": {"c": None, "d": 1}}}
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ui)))
        self.assertEqual(json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))), [ui])

    def test_deep_parts(self):
        deep = '[{"type":"data-x","data":' + '[' * 40 + ']' * 40 + '}]'
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content, parts)"
                        " VALUES (?, 'assistant', 'deep', ?)", (self.cid, deep))
        self.assertEqual(self.history(100), [{"role": "assistant", "content": "deep"}])

    def test_content_of_a_message_without_text_parts(self):
        self.db.execute("SELECT add_message(?, 'user', 'describe this image', ?)", (self.cid, json.dumps(
            {"uid": "i", "parts": [{"type": "file", "mediaType": "image/png", "url": "https://x/y.png"}]})))
        self.db.execute("SELECT add_message(?, 'user', 'with empty parts', '{\"uid\": \"e\", \"parts\": []}')",
                        (self.cid,))
        self.assertEqual(json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))), [
            {"id": "i", "role": "user", "parts": [{"type": "text", "text": "describe this image"},
                                                  {"type": "file", "mediaType": "image/png", "url": "https://x/y.png"}]},
            {"id": "e", "role": "user", "parts": [{"type": "text", "text": "with empty parts"}]}])

    def test_tools_named_call_and_result(self):
        ui = {"id": "a", "role": "assistant", "parts": [
            {"type": "tool-call", "toolCallId": "t1", "state": "output-available", "input": {}, "output": 1},
            {"type": "tool-result", "toolCallId": "t2", "state": "output-available", "input": {}, "output": 2}]}
        self.db.execute("SELECT add_ui_message(?, ?)", (self.cid, json.dumps(ui)))
        self.assertEqual(json.loads(one(self.db, "SELECT chat_ui_messages(?)", (self.cid,))), [ui])
        h = self.history()
        self.assertEqual(openai_errors(h), [])
        self.assertEqual([c["function"]["name"] for c in h[0]["tool_calls"]], ["call", "result"])

    def test_raw_parts_without_id_or_name(self):
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content, parts) VALUES (?, 'assistant',"
                        " 'x', '[{\"type\":\"tool-call\",\"id\":\"\",\"name\":\"f\"}]')", (self.cid,))
        self.assertEqual(self.history(), [{"role": "assistant", "content": "x"}])

    def test_empty_tool_calls(self):
        self.db.execute("SELECT add_message(?, 'assistant', 'hi', '{\"tool_calls\": []}')", (self.cid,))
        self.assertEqual(one(self.db, "SELECT parts IS NULL FROM chat_messages"), 1)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("python: %d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
