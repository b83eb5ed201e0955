#!/usr/bin/python3
"""Model calls (issue 5): complete_chat and generate_title against a loopback
OpenAI-compatible server (tests/provider/fake_openai.py), with Debian's
/usr/bin/python3 (sqlite3 + load_extension).

Asserts the exact request sent (path, body, headers incl. Authorization from
the variable llm.api_key_env names, extra headers), the stored reply and its
metadata, parts for tool calls and reasoning, that nothing is written on
every failure mode (with the exact "chatflow: provider ..." texts), on_error
"fail_run", that the API key never reaches an error, the transaction rule,
Retry-After shown in an HTTP error, interruption of a slow call, other
writers during a slow call, a stream that outlasts another connection's
write lock (the busy handler's waits counted by tests/provider/sleep_vfs.py),
TLS verification, redirects (never followed; nothing reaches
another origin), llm.base_url's refusals (credentials, no host; also for a
value written by raw SQL), generate_title with and without a provider, the
new llm.* settings, and tool calling: the options tools and tool_choice, the
whole loop (tool calls stored, tool results added, both replayed in OpenAI's
format to a server that validates them as OpenAI does), and malformed tool
calls in a reply; a user's images and PDFs sent as content items, which
the fake server checks as OpenAI does.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/provider/test_provider.py
The output ends with "provider: N passed, M failed".
"""
import email.utils
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_openai import FakeOpenAI, tool_call  # noqa: E402
import sleep_vfs  # noqa: E402

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
T0 = "2026-01-01T00:00:00.000Z"
KEY = "sk-test-5f3a9c1e7b2d4a6f8e0c"
KEY_ENV = "CHATFLOW_TEST_KEY"     # llm.api_key_env of most tests
MALFORMED = '{"id": "chatcmpl-fake", "object": "chat.completion", "choices": [{"index"'

SRV = None      # the plain-http server, shared
TMP = None      # a temporary directory for databases and certificates

TABLES = {
    "chat_conversations": "id",
    "chat_messages": "conversation_id, seq",
    "workflow_runs": "id",
    "workflow_run_events": "id",
    "chatflow_settings": "key",
}


def setUpModule():
    global SRV, TMP
    TMP = tempfile.mkdtemp(prefix="chatflow-provider-")
    SRV = FakeOpenAI().start()


def tearDownModule():
    SRV.stop()
    shutil.rmtree(TMP, ignore_errors=True)


def connect(path, **kw):
    kw.setdefault("isolation_level", None)
    kw.setdefault("check_same_thread", False)
    db = sqlite3.connect(path, **kw)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout = 5000")
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


def snapshot(db):
    return {t: db.execute("SELECT * FROM %s ORDER BY %s" % (t, o)).fetchall()
            for t, o in TABLES.items()}


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def headers_of(req):
    return dict(req["headers"])



NO_TXN_COMPLETE = ("chatflow: complete_chat makes a network call and cannot run inside a transaction"
                   " or a statement that reads tables; call SELECT complete_chat(...) on its own")
NO_TXN_TITLE = ("chatflow: generate_title may make a network call and cannot run inside a transaction"
                " or a statement that reads tables; call SELECT generate_title(...) on its own")

class Base(unittest.TestCase):
    """A fresh database file with one conversation (a system and a user
    message), llm.base_url at the fake server, llm.model 'gpt-test',
    llm.api_key_env = KEY_ENV holding KEY."""

    journal = None

    def setUp(self):
        self.path = os.path.join(TMP, "%s.db" % self.id().split(".")[-1])
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        self.db = connect(self.path)
        if self.journal:
            self.db.execute("PRAGMA journal_mode = %s" % self.journal)
        self.q("SELECT chatflow_init()")
        self.q("SELECT chatflow_clock(?)", (T0,))
        self.q("SELECT chatflow_config('llm.base_url', ?)", (SRV.base_url,))
        self.q("SELECT chatflow_config('llm.model', 'gpt-test')")
        self.q("SELECT chatflow_config('llm.api_key_env', ?)", (KEY_ENV,))
        self.q("SELECT create_conversation('acme', 'Bakery')")
        self.q("SELECT add_message(1, 'system', 'Be brief.')")
        self.q("SELECT add_message(1, 'user', 'Hello')")
        self.saved_env = {k: os.environ.get(k) for k in (KEY_ENV, "CHATFLOW_TEST_HEADERS",
                                                          "OTHER_KEY")}
        os.environ[KEY_ENV] = KEY
        SRV.reset()

    def tearDown(self):
        self.db.close()
        for k, v in self.saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def q(self, sql, args=(), db=None):
        return (db or self.db).execute(sql, args).fetchall()

    def error_of(self, sql, args=(), db=None):
        with self.assertRaises(sqlite3.Error) as cm:
            self.q(sql, args, db)
        msg = str(cm.exception)
        self.assertNotIn(KEY, msg)
        self.assertNotIn(KEY[8:], msg)
        return msg

    def complete(self, opts=None):
        if opts is None:
            return one(self.db, "SELECT complete_chat(1)")
        return one(self.db, "SELECT complete_chat(1, ?)", (json.dumps(opts),))

    def reply(self, mid):
        row = self.db.execute(
            "SELECT seq, role, type, content, parts, tokens, run_id, workflow_step, metadata,"
            " created_at FROM chat_messages WHERE id = ?", (mid,)).fetchone()
        keys = ("seq", "role", "type", "content", "parts", "tokens", "run_id", "workflow_step",
                "metadata", "created_at")
        r = dict(zip(keys, row))
        r["metadata"] = json.loads(r["metadata"]) if r["metadata"] is not None else None
        r["parts"] = json.loads(r["parts"]) if r["parts"] is not None else None
        return r

    def body(self, i=-1):
        return SRV.requests[i]["body"]


class TestRequest(Base):
    def test_request_and_stored_reply(self):
        mid = self.complete()
        self.assertEqual(mid, 3)
        reqs = SRV.requests
        self.assertEqual(len(reqs), 1)
        self.assertEqual(reqs[0]["path"], "/v1/chat/completions")
        self.assertEqual(reqs[0]["body"],
                         '{"model":"gpt-test","messages":[{"role":"system","content":"Be brief."},'
                         '{"role":"user","content":"Hello"}]}')
        h = headers_of(reqs[0])
        self.assertEqual(h["Authorization"], "Bearer " + KEY)
        self.assertEqual(h["Content-Type"], "application/json")
        self.assertEqual(h["Accept"], "application/json")
        self.assertEqual(h["User-Agent"], "chatflow/" + one(self.db, "SELECT chatflow_version()"))
        r = self.reply(mid)
        meta = r.pop("metadata")
        self.assertEqual(r, {"seq": 3, "role": "assistant", "type": "assistant_response",
                             "content": "echo: Hello", "parts": None, "tokens": 7,
                             "run_id": None, "workflow_step": None, "created_at": T0})
        self.assertEqual(list(meta), ["model", "tokens", "duration_ms", "finish_reason"])
        self.assertEqual(meta["model"], "gpt-test")
        self.assertEqual(meta["tokens"], {"input": 11, "output": 7, "total": 18})
        self.assertIsInstance(meta["duration_ms"], int)
        self.assertGreaterEqual(meta["duration_ms"], 0)
        self.assertEqual(meta["finish_reason"], "stop")
        self.assertEqual(self.q("SELECT message_count, last_seq FROM chat_conversations"), [(3, 3)])
        # the next call sends the reply back as history
        self.complete()
        self.assertEqual(json.loads(self.body())["messages"][-1],
                         {"role": "assistant", "content": "echo: Hello"})

    def test_user_images_and_pdfs(self):
        # a user's image (data URL and https) and PDF reach the model as
        # content items, in part order; a text file is left out; the fake
        # server checks the array as OpenAI does, and echoes its text
        png = "data:image/png;base64,iVBORw0KGgo="
        pdf = "data:application/pdf;base64,JVBERi0x"
        self.q("SELECT add_ui_message(1, ?)", (json.dumps({"id": "u-img", "role": "user", "parts": [
            {"type": "text", "text": "What is in"},
            {"type": "file", "mediaType": "image/png", "filename": "a.png", "url": png},
            {"type": "file", "mediaType": "image/jpeg", "url": "https://x.example/b.jpg"},
            {"type": "text", "text": "and the menu?"},
            {"type": "file", "mediaType": "application/pdf", "filename": "menu.pdf", "url": pdf},
            {"type": "file", "mediaType": "text/plain", "url": "data:text/plain;base64,aGk="}]}),))
        for opts in (None, {"stream": True}):
            with self.subTest(options=opts):
                SRV.reset()
                mid = self.complete(opts)
                sent = json.loads(self.body())["messages"]
                self.assertEqual(sent[:2], [{"role": "system", "content": "Be brief."},
                                            {"role": "user", "content": "Hello"}])
                self.assertEqual(sent[2], {"role": "user", "content": [
                    {"type": "text", "text": "What is in"},
                    {"type": "image_url", "image_url": {"url": png}},
                    {"type": "image_url", "image_url": {"url": "https://x.example/b.jpg"}},
                    {"type": "text", "text": "and the menu?"},
                    {"type": "file", "file": {"filename": "menu.pdf", "file_data": pdf}}]})
                self.assertEqual(sent, json.loads(one(self.db, "SELECT chat_history_json(1)"))[:len(sent)])
                self.assertEqual(one(self.db, "SELECT content FROM chat_messages WHERE id = ?", (mid,)),
                                 "echo: What is in\nand the menu?")
                self.q("DELETE FROM chat_messages WHERE id = ?", (mid,))

    def test_options_and_settings(self):
        self.complete({"model": "other-model", "temperature": 0.2, "max_tokens": 100})
        self.assertEqual(self.body(),
                         '{"model":"other-model","messages":[{"role":"system","content":"Be brief."},'
                         '{"role":"user","content":"Hello"}],"temperature":0.2,"max_tokens":100}')
        self.assertEqual(json.loads(one(self.db, "SELECT metadata FROM chat_messages WHERE seq = 3"))
                         ["model"], "other-model")
        self.q("SELECT chatflow_config('llm.temperature', '0.7')")
        self.q("SELECT chatflow_config('llm.max_tokens', '64')")
        self.complete({"history_tokens": 3})
        self.assertEqual(self.body(),
                         '{"model":"gpt-test","messages":[{"role":"system","content":"Be brief."}],'
                         '"temperature":0.7,"max_tokens":64}')
        # options win over settings; an integer temperature is sent as a number
        self.complete({"temperature": 1, "max_tokens": 5, "history_tokens": 3})
        self.assertEqual(self.body(),
                         '{"model":"gpt-test","messages":[{"role":"system","content":"Be brief."}],'
                         '"temperature":1.0,"max_tokens":5}')
        self.complete({"temperature": 0, "history_tokens": 3})
        self.assertEqual(json.loads(self.body())["temperature"], 0)

    def test_history_budget(self):
        # messages: 1 system (3 tokens), 2 user 'Hello' (2 tokens); add three more
        self.q("SELECT add_message(1, 'assistant', 'Hi! How can I help?')")   # 5 tokens
        self.q("SELECT add_message(1, 'user', 'A topical map, please.')")     # 6 tokens
        self.q("SELECT add_message(1, 'user', 'For a bakery.')")              # 4 tokens
        sysm = {"role": "system", "content": "Be brief."}
        cases = [  # (option, setting, expected messages)
            (None, None, None),
            (10, None, [sysm, {"role": "user", "content": "For a bakery."}]),
            (None, "13", [sysm, {"role": "user", "content": "A topical map, please."},
                          {"role": "user", "content": "For a bakery."}]),
            (3, "13", [sysm]),
        ]
        for opt, setting, expected in cases:
            with self.subTest(option=opt, setting=setting):
                self.q("SELECT chatflow_config('llm.history_tokens', ?)", (setting,))
                n = one(self.db, "SELECT message_count FROM chat_conversations")
                hist = json.loads(one(self.db, "SELECT chat_history_json(1, ?)",
                                      (opt if opt is not None else
                                       int(setting) if setting else None,)))
                self.complete({"history_tokens": opt} if opt is not None else None)
                sent = json.loads(self.body())["messages"]
                self.assertEqual(sent, hist)
                if expected is not None:
                    self.assertEqual(sent, expected)
                else:
                    self.assertEqual(len(sent), n)
                # the reply just written is not part of the request
                self.q("DELETE FROM chat_messages WHERE seq > 5")

    def test_current_branch(self):
        # messages: 1 system, 2 user 'Hello'; a reply, then a regenerated one
        first = self.complete()
        self.q("SELECT switch_branch(2)")  # the newest under 'Hello': the reply
        self.assertEqual(one(self.db, "SELECT current_leaf_id FROM chat_conversations"), first)
        self.q("SELECT edit_message(2, 'Hello again')")
        second = self.complete()
        # the edited question is sent, not the old one nor its reply
        self.assertEqual(json.loads(self.body())["messages"],
                         [{"role": "system", "content": "Be brief."},
                          {"role": "user", "content": "Hello again"}])
        self.assertEqual(one(self.db, "SELECT parent_id FROM chat_messages WHERE id = ?", (second,)),
                         one(self.db, "SELECT max(id) FROM chat_messages WHERE content = 'Hello again'"))
        # back on the first branch, the next request carries the first reply
        self.q("SELECT switch_branch(?)", (first,))
        self.q("SELECT add_message(1, 'user', 'Thanks')")
        self.complete()
        self.assertEqual(json.loads(self.body())["messages"],
                         [{"role": "system", "content": "Be brief."},
                          {"role": "user", "content": "Hello"},
                          {"role": "assistant", "content": "echo: Hello"},
                          {"role": "user", "content": "Thanks"}])

    def test_authorization_from_environment(self):
        self.complete()
        self.assertEqual(headers_of(SRV.requests[-1])["Authorization"], "Bearer " + KEY)
        del os.environ[KEY_ENV]
        self.complete()
        self.assertNotIn("Authorization", headers_of(SRV.requests[-1]))
        os.environ[KEY_ENV] = ""
        self.complete()
        self.assertNotIn("Authorization", headers_of(SRV.requests[-1]))
        os.environ["OTHER_KEY"] = "sk-other"
        self.q("SELECT chatflow_config('llm.api_key_env', 'OTHER_KEY')")
        self.complete()
        self.assertEqual(headers_of(SRV.requests[-1])["Authorization"], "Bearer sk-other")
        # the key is never stored
        for t in TABLES:
            self.assertNotIn("sk-other", repr(self.q("SELECT * FROM %s" % t)))

    def test_extra_headers(self):
        os.environ["CHATFLOW_TEST_HEADERS"] = ("OpenAI-Organization: org-acme\n\nnot a header\n"
                                               "X-Trace: t-1\n")
        self.complete()
        self.assertNotIn("OpenAI-Organization", headers_of(SRV.requests[-1]))
        self.q("SELECT chatflow_config('llm.extra_headers_env', 'CHATFLOW_TEST_HEADERS')")
        self.complete()
        names = [k for k, _ in SRV.requests[-1]["headers"]]
        h = headers_of(SRV.requests[-1])
        self.assertEqual(h["OpenAI-Organization"], "org-acme")
        self.assertEqual(h["X-Trace"], "t-1")
        self.assertEqual(h["Authorization"], "Bearer " + KEY)
        self.assertNotIn("not a header", " ".join(names))
        self.assertEqual(sorted(names), sorted(["Host", "User-Agent", "Content-Type", "Accept",
                                                "Authorization", "OpenAI-Organization",
                                                "X-Trace", "Content-Length"]))
        del os.environ["CHATFLOW_TEST_HEADERS"]
        self.complete()
        self.assertNotIn("OpenAI-Organization", headers_of(SRV.requests[-1]))

    def test_line_ends_and_white_space_in_key_and_headers(self):
        # an env file written with CRLFs leaves a CR at the end of each value:
        # sent as is it ended the header early and broke the request (the
        # body was lost: HTTP 400), so the white space around the key and
        # around each header line is not sent; lines end with LF, CRLF or CR
        os.environ[KEY_ENV] = " \t" + KEY + "\r\n"
        os.environ["CHATFLOW_TEST_HEADERS"] = ("OpenAI-Organization: org-acme\r\n"
                                               "OpenAI-Project: proj_42 \rX-Trace:  t-1\t\r\n")
        self.q("SELECT chatflow_config('llm.extra_headers_env', 'CHATFLOW_TEST_HEADERS')")
        self.assertIsInstance(self.complete(), int)
        h = headers_of(SRV.requests[-1])
        self.assertEqual(h["Authorization"], "Bearer " + KEY)
        self.assertEqual([h["OpenAI-Organization"], h["OpenAI-Project"], h["X-Trace"]],
                         ["org-acme", "proj_42", "t-1"])
        self.assertEqual(json.loads(self.body())["messages"][-1], {"role": "user", "content": "Hello"})
        # a key of white space only is no key
        os.environ[KEY_ENV] = " \r\n"
        self.complete()
        self.assertNotIn("Authorization", headers_of(SRV.requests[-1]))
        # a line break or another control character inside the key or a
        # header line is refused, naming the variable (never the key), and
        # nothing is sent
        SRV.reset()
        before = snapshot(self.db)
        os.environ[KEY_ENV] = KEY[:10] + "\nX-Injected: 1\n" + KEY[10:]
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: provider: the API key in the environment variable %s contains"
                         " a control character (a line break?); nothing was sent" % KEY_ENV)
        os.environ[KEY_ENV] = KEY
        os.environ["CHATFLOW_TEST_HEADERS"] = "X-Trace: t\x1b[31m-1"
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: provider: a header line in the environment variable"
                         " CHATFLOW_TEST_HEADERS contains a control character; nothing was sent")
        self.assertEqual(SRV.requests, [])
        self.assertEqual(snapshot(self.db), before)
        # and the refusals leave no statement of the call behind (its
        # interrupt probe, "SELECT 1", was prepared before and not finalized)
        self.assertEqual(self.q("SELECT count(*) FROM sqlite_stmt WHERE sql = 'SELECT 1'"), [(0,)])

    def test_base_url_trailing_slash(self):
        self.q("SELECT chatflow_config('llm.base_url', ?)", (SRV.base_url + "/",))
        self.complete()
        self.assertEqual(SRV.requests[-1]["path"], "/v1/chat/completions")

    def test_base_url_query_and_fragment(self):
        # a query (Azure's api-version) stays after the path: it went before
        # "/chat/completions" ("/v1?api-version=2024-10-21/chat/completions")
        for base in (SRV.base_url + "?api-version=2024-10-21", SRV.base_url + "/?api-version=2024-10-21"):
            self.q("SELECT chatflow_config('llm.base_url', ?)", (base,))
            self.assertEqual(self.reply(self.complete())["role"], "assistant")
            self.assertEqual(SRV.requests[-1]["path"], "/v1/chat/completions?api-version=2024-10-21")
        # a fragment is never sent, and "/chat/completions" after it would go
        # with it: the call went to the base URL itself; refused when set and
        # before a call (a value written by raw SQL)
        self.assertEqual(self.error_of("SELECT chatflow_config('llm.base_url', ?)", (SRV.base_url + "#v2",)),
                         "chatflow: llm.base_url must not have a fragment (#...), got '%s#v2'" % SRV.base_url)
        self.q("UPDATE chatflow_settings SET value = ? WHERE key = 'llm.base_url'", (SRV.base_url + "#v2",))
        SRV.reset()
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: llm.base_url must not have a fragment (#...), got '%s#v2'" % SRV.base_url)
        self.assertEqual(SRV.requests, [])

    def test_active_run(self):
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        r = self.reply(self.complete())
        self.assertEqual((r["run_id"], r["workflow_step"]), (1, "context_ingestion"))

    def test_tool_calls(self):
        r = self.reply(self.complete({"model": "mode-tools"}))
        self.assertEqual(r["content"], "")
        self.assertEqual(r["parts"], [
            {"type": "tool-call", "id": "call_1", "name": "get_weather",
             "arguments": "{\"city\": \"Paris\"}"},
            {"type": "tool-call", "id": "call_2", "name": "get_time", "arguments": "{}"}])
        self.assertEqual(r["metadata"]["finish_reason"], "tool_calls")
        self.assertEqual(r["tokens"], 7)
        # a tool run for its side effect answers with nothing: stored empty,
        # sent as "content": "", which OpenAI (and the fake server) accept
        self.q("SELECT add_message(1, 'tool', '', '{\"tool_call_id\": \"call_1\"}')")
        self.q("SELECT add_message(1, 'tool', '14:05', '{\"tool_call_id\": \"call_2\"}')")
        self.complete()
        self.assertEqual(json.loads(self.body())["messages"][-2:],
                         [{"role": "tool", "content": "", "tool_call_id": "call_1"},
                          {"role": "tool", "content": "14:05", "tool_call_id": "call_2"}])

    def test_reasoning(self):
        r = self.reply(self.complete({"model": "mode-reasoning"}))
        self.assertEqual(r["content"], "Croissants.")
        self.assertEqual(r["parts"], [{"type": "reasoning", "text": "The user runs a bakery."},
                                      {"type": "text", "text": "Croissants."}])
        # the reasoning is not replayed to the model
        self.complete()
        self.assertEqual(json.loads(self.body())["messages"][-1],
                         {"role": "assistant", "content": "Croissants."})
        # Ollama, OpenRouter and vLLM (from 0.10) name the field "reasoning";
        # a server that sends both fields (the same text) gives it once
        for field in ("reasoning", "both"):
            r = self.reply(self.complete({"model": "mode-reasoning:" + field}))
            self.assertEqual((field, r["content"], r["parts"]),
                             (field, "Croissants.", [{"type": "reasoning", "text": "The user runs a bakery."},
                                                     {"type": "text", "text": "Croissants."}]))

    def test_no_usage(self):
        r = self.reply(self.complete({"model": "mode-length"}))
        self.assertEqual(r["content"], "cut sh")
        self.assertEqual(r["tokens"], 2)          # the estimate: no usage.completion_tokens
        self.assertEqual(r["metadata"]["finish_reason"], "length")

    def test_bad_usage(self):
        # a usage count that is not an integer from 0 to 10^9 (a message's
        # tokens) fails the call, naming it, and nothing is written; the
        # message shows a number, else the type (a string may hold any
        # text: the message stays UTF-8, and a streamed draft is aborted);
        # without total_tokens, or with null, the total is the sum
        n = one(self.db, "SELECT count(*) FROM chat_messages")
        for usage, err in (
                ({"prompt_tokens": -5, "completion_tokens": 2}, "usage.prompt_tokens must be an integer from 0 to 1000000000, got -5"),
                ({"prompt_tokens": 5, "completion_tokens": "2"}, "usage.completion_tokens must be an integer from 0 to 1000000000, got a string"),
                ({"prompt_tokens": "ab" + "\u00e9" * 30}, "usage.prompt_tokens must be an integer from 0 to 1000000000, got a string"),
                ({"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 1e30}, "usage.total_tokens must be an integer from 0 to 1000000000, got 1e+30"),
                ({"prompt_tokens": 1000000001}, "usage.prompt_tokens must be an integer from 0 to 1000000000, got 1000000001"),
                ({"prompt_tokens": [1]}, "usage.prompt_tokens must be an integer from 0 to 1000000000, got an array")):
            for stream in (False, True):
                SRV.script({"role": "assistant", "content": "Hi.", "_usage": usage})
                opts = ", '{\"stream\": true}'" if stream else ""
                got = self.error_of("SELECT complete_chat(1%s)" % opts)
                if stream:  # the draft that streamed is aborted with the error as its reason
                    self.assertEqual(got, "chatflow: provider response " + err)
                    self.assertEqual(one(self.db, "SELECT status || ' ' || json_extract(metadata, '$.abort_reason')"
                                                  " FROM chat_messages ORDER BY id DESC LIMIT 1"),
                                     "aborted chatflow: provider response " + err)
                    self.q("DELETE FROM chat_messages WHERE status = 'aborted'")
                else:
                    self.assertEqual(got, "chatflow: provider response " + err)
                self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages"), n)
        SRV.script({"role": "assistant", "content": "Hi.", "_usage": {"prompt_tokens": 5, "completion_tokens": 2}})
        r = self.reply(self.complete())
        self.assertEqual((r["tokens"], r["metadata"]["tokens"]), (2, {"input": 5, "output": 2, "total": 7}))
        SRV.script({"role": "assistant", "content": "Hi.",
                    "_usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": None}})
        r = self.reply(self.complete())
        self.assertEqual((r["tokens"], r["metadata"]["tokens"]), (2, {"input": 5, "output": 2, "total": 7}))
        # a count of 0 is the reply's, not a missing one: stored as 0, streamed
        # or not; usage without completion_tokens keeps the estimate (1)
        for stream in (False, True):
            SRV.script({"role": "assistant", "content": "Hi.", "_usage": {"prompt_tokens": 5, "completion_tokens": 0}})
            r = self.reply(self.complete({"stream": True} if stream else None))
            self.assertEqual((stream, r["tokens"], r["metadata"]["tokens"]),
                             (stream, 0, {"input": 5, "output": 0, "total": 5}))
            SRV.script({"role": "assistant", "content": "Hi.", "_usage": {"prompt_tokens": 5}})
            r = self.reply(self.complete({"stream": True} if stream else None))
            self.assertEqual((stream, r["tokens"], r["metadata"]["tokens"]),
                             (stream, 1, {"input": 5, "output": 0, "total": 5}))

    def test_raw_settings(self):
        # the schema refuses a setting that breaks its rule, for raw SQL too,
        # so no call reads one (history_tokens 'abc' was read as 0: the
        # history silently dropped)
        for key, val, rule in (("llm.history_tokens", "abc", "an integer from 1 to 100000000"),
                               ("llm.timeout_ms", "0", "an integer from 1 to 3600000"),
                               ("llm.temperature", "hot", "a number from 0 to 2")):
            self.assertEqual(self.error_of("INSERT OR REPLACE INTO chatflow_settings (key, value, updated_at)"
                                           " VALUES (?, ?, '2026-01-01T00:00:00.000Z')", (key, val)),
                             "chatflow: %s must be %s" % (key, rule))
        self.assertEqual(self.q("SELECT count(*) FROM chatflow_settings WHERE key IN"
                                " ('llm.history_tokens', 'llm.timeout_ms', 'llm.temperature')"), [(0,)])
        # NULL written by raw SQL means no model, as ever: generate_title
        # takes the heuristic, and calls nothing; an empty one is refused
        self.q("INSERT OR REPLACE INTO chatflow_settings (key, value, updated_at)"
               " VALUES ('llm.model', NULL, '2026-01-01T00:00:00.000Z')")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Hello")
        self.assertEqual(self.error_of("UPDATE chatflow_settings SET value = '' WHERE key = 'llm.model'"),
                         "chatflow: llm.model must be 1 to 1000 characters")
        self.assertEqual(SRV.requests, [])

    def test_directonly(self):
        self.q("CREATE VIEW v1 AS SELECT complete_chat(1)")
        self.q("CREATE VIEW v2 AS SELECT generate_title(1)")
        self.assertEqual(self.error_of("SELECT * FROM v1"), "unsafe use of complete_chat()")
        self.assertEqual(self.error_of("SELECT * FROM v2"), "unsafe use of generate_title()")
        self.assertEqual(SRV.requests, [])


class TestFailures(Base):
    def expect_failure(self, opts, pattern, exact=True, requests=1):
        before = snapshot(self.db)
        t = time.monotonic()
        msg = self.error_of("SELECT complete_chat(1, ?)", (json.dumps(opts),))
        elapsed = time.monotonic() - t
        if exact:
            self.assertEqual(msg, pattern)
        else:
            self.assertRegex(msg, pattern)
        self.assertEqual(snapshot(self.db), before, "something was written")
        self.assertEqual(len(SRV.requests), requests)
        SRV.reset()
        return msg, elapsed

    def test_http_errors(self):
        self.expect_failure({"model": "mode-500"},
                            "chatflow: provider returned HTTP 500 Internal Server Error: "
                            "The server had an error while processing your request.")
        self.expect_failure({"model": "mode-401"},
                            "chatflow: provider returned HTTP 401 Unauthorized: Incorrect API key "
                            "provided: sk-te*****. You can find your API key at "
                            "https://platform.openai.com/account/api-keys.")
        self.expect_failure({"model": "mode-404"},
                            "chatflow: provider returned HTTP 404 Not Found: "
                            "The model `mode-404` does not exist")
        self.expect_failure({"model": "mode-html"},
                            "chatflow: provider returned HTTP 502 Bad Gateway: <html> <head><title>"
                            "502 Bad Gateway</title></head> <body>bad gateway</body> </html>")
        # error bodies without an "error" member: vLLM's top-level message, a
        # FastAPI server's detail (the whole JSON text was shown)
        self.expect_failure({"model": "mode-vllm-404"},
                            "chatflow: provider returned HTTP 404 Not Found: "
                            "The model `mode-vllm-404` does not exist.")
        self.expect_failure({"model": "mode-detail-422"},
                            "chatflow: provider returned HTTP 422 Unprocessable Entity: "
                            "messages: field required")

    def test_retry_after(self):
        # a 429 or 503 with a Retry-After header says when to retry (the
        # message said nothing of it): seconds, or an HTTP date less now
        rate = "chatflow: provider returned HTTP 429 Too Many Requests: Rate limit reached for requests"
        self.expect_failure({"model": "mode-retry-after"}, rate + " (retry after 20 s)")
        self.expect_failure({"model": "mode-retry-after-503:120"},
                            "chatflow: provider returned HTTP 503 Service Unavailable: The engine is currently"
                            " overloaded, please try again later (retry after 120 s)")
        self.expect_failure({"model": "mode-retry-after", "stream": True}, rate + " (retry after 20 s)")
        soon = email.utils.formatdate(time.time() + 90, usegmt=True)
        self.expect_failure({"model": "mode-retry-after:" + soon},
                            r"^%s \(retry after (8[89]|90) s\)$" % re.escape(rate), exact=False)
        self.expect_failure({"model": "mode-retry-after:Sun, 06 Nov 1994 08:49:37 GMT"},
                            rate + " (retry after 0 s)")
        # the name in any case, white space around the value; the first
        # usable header counts; junk, fractions and more than a day are not shown
        for lines, shown in [("retry-after:\t 5 \t", " (retry after 5 s)"),
                             ("RETRY-AFTER: soon\nRetry-After: 3\nRetry-After: 9", " (retry after 3 s)"),
                             ("Retry-After: 1767225600", ""), ("Retry-After: 1.5", ""),
                             ("Retry-After: -1", ""), ("Retry-After:", ""),
                             ("Retry-After: " + "9" * 5000, "")]:
            with self.subTest(lines=lines[:40]):
                self.expect_failure({"model": "mode-header-lines:" + lines}, rate + shown)
        # generate_title says it too
        self.q("SELECT chatflow_config('llm.model', 'mode-retry-after:7')")
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT generate_title(1)"), rate + " (retry after 7 s)")
        self.assertEqual(snapshot(self.db), before)

    def test_retry_after_ms(self):
        # OpenAI's retry-after-ms (milliseconds, a fraction allowed) is read
        # first, as openai-node and openai-python read it: shown with its
        # milliseconds, whole seconds as a Retry-After's
        rate = "chatflow: provider returned HTTP 429 Too Many Requests: Rate limit reached for requests"
        for lines, shown in [
                # alone; fractional; whole seconds as Retry-After shows them
                ("retry-after-ms: 1500", " (retry after 1.5 s)"),
                ("Retry-After-Ms: 200", " (retry after 0.2 s)"),
                ("retry-after-ms: 20000", " (retry after 20 s)"),
                ("retry-after-ms: 1234", " (retry after 1.234 s)"),
                ("retry-after-ms: 0", " (retry after 0 s)"),
                ("retry-after-ms: 1500.5", " (retry after 1.501 s)"),  # never earlier than asked
                ("retry-after-ms: 0.25", " (retry after 0.001 s)"),
                ("retry-after-ms: .5", " (retry after 0.001 s)"),
                ("retry-after-ms: 250.000", " (retry after 0.25 s)"),
                ("retry-after-ms:\t 86400000 ", " (retry after 86400 s)"),
                # both: retry-after-ms wins, before or after Retry-After
                ("retry-after-ms: 1500\nretry-after: 2", " (retry after 1.5 s)"),
                ("Retry-After: 2\nretry-after-ms: 1500", " (retry after 1.5 s)"),
                ("Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\nretry-after-ms: 700", " (retry after 0.7 s)"),
                # an invalid one is ignored: Retry-After counts, or nothing
                ("retry-after-ms: -500\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: soon\nRetry-After: 3", " (retry after 3 s)"),
                ("Retry-After: 3\nretry-after-ms: NaN", " (retry after 3 s)"),
                ("retry-after-ms: Infinity\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: 86400001\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: " + "9" * 400 + "\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms:\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: 1e3\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: 1,5\nRetry-After: 3", " (retry after 3 s)"),
                ("retry-after-ms: -1", ""), ("retry-after-ms: .", ""),
                # of several, the first usable one
                ("retry-after-ms: x\nretry-after-ms: 900\nretry-after-ms: 100", " (retry after 0.9 s)")]:
            with self.subTest(lines=lines[:60]):
                self.expect_failure({"model": "mode-header-lines:" + lines}, rate + shown)
        # streamed, and generate_title, say it too
        self.expect_failure({"model": "mode-header-lines:retry-after-ms: 2500\nretry-after: 3", "stream": True},
                            rate + " (retry after 2.5 s)")
        self.q("SELECT chatflow_config('llm.model', 'mode-header-lines:retry-after-ms: 40')")
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT generate_title(1)"), rate + " (retry after 0.04 s)")
        self.assertEqual(snapshot(self.db), before)

    def test_error_text_shown_as_utf8(self):
        # an error body's text reaches the message as valid UTF-8: a byte
        # that is not UTF-8 as U+FFFD, a NUL as \u0000 (not an end), a cut
        # between two characters
        self.expect_failure({"model": "mode-bad-bytes"},
                            "chatflow: provider returned HTTP 500 Internal Server Error: "
                            "bad \ufffd\ufffd bytes\\u0000 after")
        self.expect_failure({"model": "mode-bad-bytes:plain"},
                            "chatflow: provider returned HTTP 502 Bad Gateway: "
                            "upstream \ufffd\ufffd\\u0000 tail \\u001b[31mred\\u007f")
        self.expect_failure({"model": "mode-bad-bytes:long"},
                            "chatflow: provider returned HTTP 500 Internal Server Error: "
                            "x" + "\u00e9" * 149)
        # a message that is an object: its JSON, shown so too, '/' as sent;
        # an empty message: none
        self.expect_failure({"model": "mode-bad-bytes:object"},
                            "chatflow: provider returned HTTP 500 Internal Server Error: "
                            '{"detail":"bad \ufffd / bytes"}')
        self.expect_failure({"model": "mode-bad-bytes:empty"},
                            "chatflow: provider returned HTTP 500 Internal Server Error")

    def test_bad_bodies(self):
        self.expect_failure({"model": "mode-malformed"},
                            "chatflow: provider returned malformed JSON (%d bytes)" % len(MALFORMED))
        # one JSON value: anything after it but white space is malformed
        msg = self.error_of("SELECT complete_chat(1, '{\"model\": \"mode-trailing\"}')")
        self.assertTrue(msg.startswith("chatflow: provider returned malformed JSON ("), msg)
        self.assertEqual(self.reply(self.complete({"model": "mode-trailing:space"}))["content"], "echo: Hello")
        SRV.reset()
        self.expect_failure({"model": "mode-nochoices"},
                            "chatflow: provider response has no choices")
        self.expect_failure({"model": "mode-nocontent"},
                            "chatflow: provider response has no content")
        # OpenAI's refusal (content null): said so, nothing stored (it said
        # "provider response has no content")
        self.expect_failure({"model": "mode-refusal"},
                            "chatflow: provider refused to answer: I'm sorry, I can't help with that.")
        # a 2xx body with an OpenAI error member: its message, the key redacted
        # (it said "provider response has no content")
        self.expect_failure({"model": "mode-200-error"},
                            "chatflow: provider returned an error with HTTP 200: Provider disconnected"
                            " (Authorization=Bearer ***)")
        self.expect_failure({"model": "mode-drop"},
                            "chatflow: provider call failed: Empty reply from server")
        # the reply passes the text gate of every JSON argument: never cut
        # at a NUL, never stored as invalid UTF-8
        self.expect_failure({"model": "mode-nul"},
                            "chatflow: provider response: choices[0].message.content contains"
                            " a NUL character (\\u0000)")
        self.expect_failure({"model": "mode-surrogate"},
                            "chatflow: provider response: choices[0].message.content contains"
                            " a lone surrogate \\ud800")

    def test_response_size(self):
        self.q("SELECT chatflow_config('llm.max_response_bytes', '65536')")
        self.expect_failure({"model": "mode-huge:200000"},
                            "chatflow: provider response too large: response larger than 65536 "
                            "bytes (llm.max_response_bytes)")
        self.q("SELECT chatflow_config('llm.max_response_bytes', NULL)")
        # under the 8 MiB default, but over limits.max_content_chars: add_message refuses it
        self.expect_failure({"model": "mode-huge:150000"},
                            "chatflow: message content is 150000 characters, longer than the "
                            "limit of 100000 (limits.max_content_chars)")
        self.q("SELECT chatflow_config('limits.max_content_chars', '200000')")
        r = self.reply(self.complete({"model": "mode-huge:150000"}))
        self.assertEqual(len(r["content"]), 150000)

    def test_error_body_larger_than_the_cap(self):
        # an error status whose body is over llm.max_response_bytes (an HTML
        # error page, a long rate-limit message) is reported with its status
        # and the start of its body: it was "response too large", and a 429
        # could not be told from a reply too long
        self.q("SELECT chatflow_config('llm.max_response_bytes', '1024')")
        start = '{"error": {"message": "Rate limit reached for mode-big-error. '
        for stream in (False, True):
            self.expect_failure({"model": "mode-big-error", "stream": stream},
                                "chatflow: provider returned HTTP 429 Too Many Requests: "
                                + start + "x" * (200 - len(start)))
        # the body cut inside the key the server echoed: the key's start is
        # redacted too
        msg, _ = self.expect_failure({"model": "mode-big-error:1014"},
                                     r"^chatflow: provider returned HTTP 429 Too Many Requests: "
                                     r"\{\"error\": \{\"message\": \"Rate limit reached for mode-big-error:1014\. "
                                     r"Authorization=Bearer \*\*\*$", exact=False)
        self.assertNotIn(KEY[:10], msg)

    def test_connection_refused(self):
        port = closed_port()
        url = "http://127.0.0.1:%d/v1" % port
        self.q("SELECT chatflow_config('llm.base_url', ?)", (url,))
        self.expect_failure({}, r"^chatflow: provider unreachable at %s: .*127\.0\.0\.1 port %d.*"
                            % (re.escape(url), port), exact=False, requests=0)

    def test_timeout(self):
        self.q("SELECT chatflow_config('llm.timeout_ms', '300')")
        msg, elapsed = self.expect_failure(
            {"model": "mode-slow:3000"},
            r"^chatflow: provider timed out after (\d+) ms \(llm\.timeout_ms 300\): "
            r"Operation timed out after \d+ milliseconds with 0 bytes received$", exact=False)
        # whole milliseconds of the call's clock at both ends: libcurl's 300 ms
        # timer can read as 299
        self.assertGreaterEqual(int(re.search(r"after (\d+) ms", msg).group(1)), 299)
        self.assertLess(elapsed, 2.0)
        # the option wins over the setting
        msg, elapsed = self.expect_failure(
            {"model": "mode-slow:3000", "timeout_ms": 150},
            r"^chatflow: provider timed out after \d+ ms \(llm\.timeout_ms 150\): ", exact=False)
        self.assertLess(elapsed, 2.0)

    def test_no_model(self):
        self.q("SELECT chatflow_config('llm.model', NULL)")
        self.expect_failure({}, "chatflow: provider: no model configured; SELECT chatflow_config("
                            "'llm.model', '<model>') or pass {\"model\": ...}", requests=0)
        self.assertEqual(self.reply(self.complete({"model": "given"}))["metadata"]["model"],
                         "given")

    def test_conversation_and_argument_errors(self):
        self.assertEqual(self.error_of("SELECT complete_chat(9)"), "chatflow: unknown conversation 9")
        self.assertEqual(self.error_of("SELECT complete_chat(NULL)"),
                         "chatflow: conversation id must not be NULL")
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"on_error\": \"ignore\"}')"),
                         "chatflow: invalid on_error 'ignore' (expected raise, fail_run)")
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"max_tokens\": 0}')"),
                         "chatflow: complete_chat options max_tokens, history_tokens and "
                         "timeout_ms must be positive integers, got max_tokens 0")
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"temperature\": \"hot\"}')"),
                         "chatflow: option 'temperature' of complete_chat must be a number, "
                         "got a string")
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"streaming\": true}')"),
                         "chatflow: unknown option 'streaming' for complete_chat (expected model, "
                         "temperature, max_tokens, history_tokens, timeout_ms, on_error, tools, "
                         "tool_choice, now, stream, extra_body)")
        self.q("SELECT delete_conversation(1)")
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: conversation 1 is deleted; restore_conversation(1) first")
        self.assertEqual(SRV.requests, [])

    def test_key_never_in_errors(self):
        # a proxy that quotes the request's Authorization header in its error body
        self.expect_failure({"model": "mode-echo-auth"},
                            "chatflow: provider returned HTTP 400 Bad Request: "
                            "Bad header: Authorization=Bearer ***")
        # a plain-text body that ends with the key: the redaction shortened
        # the body but its old length was shown, so the key's last bytes
        # came back after a \u0000 ("Bearer ***\u0000est-5f3a...")
        self.expect_failure({"model": "mode-echo-auth:plain"},
                            "chatflow: provider returned HTTP 401 Unauthorized: "
                            "Invalid credentials: Bearer ***")
        # an extra header holding a key (Azure's api-key) is redacted too
        os.environ["CHATFLOW_TEST_HEADERS"] = "api-key: azure-secret-0123456789"
        self.q("SELECT chatflow_config('llm.extra_headers_env', 'CHATFLOW_TEST_HEADERS')")
        msg, _ = self.expect_failure({"model": "mode-echo-auth"},
                                     "chatflow: provider returned HTTP 400 Bad Request: "
                                     "Bad header: Authorization=Bearer ***")
        self.assertNotIn("azure-secret", msg)

    def test_fail_run(self):
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        n_msgs = one(self.db, "SELECT count(*) FROM chat_messages")
        # the default, on_error 'raise', leaves the run alone
        self.error_of("SELECT complete_chat(1, '{\"model\": \"mode-500\"}')")
        self.assertEqual(one(self.db, "SELECT status FROM workflow_runs WHERE id = 1"), "started")
        msg = self.error_of("SELECT complete_chat(1, ?)",
                            (json.dumps({"model": "mode-401", "on_error": "fail_run"}),))
        self.assertTrue(msg.startswith("chatflow: provider returned HTTP 401 Unauthorized: "), msg)
        self.assertEqual(self.q("SELECT status, error, completed_at FROM workflow_runs"),
                         [("failed", msg, T0)])
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages"), n_msgs)
        # without an active run, fail_run has nothing to fail: the error is raised
        msg2 = self.error_of("SELECT complete_chat(1, ?)",
                             (json.dumps({"model": "mode-500", "on_error": "fail_run"}),))
        self.assertEqual(msg2, "chatflow: provider returned HTTP 500 Internal Server Error: "
                               "The server had an error while processing your request.")
        self.assertEqual(one(self.db, "SELECT count(*) FROM workflow_runs"), 1)

    def test_now(self):
        """The option now, the time of the call: the reply's created_at and
        what on_error fail_run stamps, not the pinned clock; the pin is
        back for the next call."""
        t1, t2 = "2030-01-01T00:00:00.000Z", "2030-01-02T00:00:00.000Z"
        mid = one(self.db, "SELECT complete_chat(1, ?)", (json.dumps({"now": t1}),))
        self.assertEqual(self.reply(mid)["created_at"], t1)
        self.assertEqual(self.q("SELECT updated_at, last_message_at FROM chat_conversations"), [(t1, t1)])
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        self.error_of("SELECT complete_chat(1, ?)",
                      (json.dumps({"model": "mode-500", "on_error": "fail_run", "now": t2}),))
        self.assertEqual(self.q("SELECT status, completed_at FROM workflow_runs"), [("failed", t2)])
        self.assertEqual(one(self.db, "SELECT chatflow_clock()"), T0)
        mid = self.complete()
        self.assertEqual(self.reply(mid)["created_at"], T0)
        # refused before any request
        n = len(SRV.requests)
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"now\": \"2030-01-01\"}')"),
                         "chatflow: invalid timestamp '2030-01-01' for now (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)")
        self.assertEqual(len(SRV.requests), n)

    def test_inside_transaction(self):
        for begin in ("BEGIN", "BEGIN IMMEDIATE", "SAVEPOINT s"):
            with self.subTest(begin=begin):
                self.q(begin)
                self.assertEqual(self.error_of("SELECT complete_chat(1)"), NO_TXN_COMPLETE)
                self.assertEqual(self.error_of("SELECT generate_title(1)"), NO_TXN_TITLE)
                self.q("ROLLBACK")
        # a statement that reads a table keeps a read transaction open: refused too
        self.assertEqual(self.error_of("SELECT complete_chat(id) FROM chat_conversations"),
                         NO_TXN_COMPLETE)
        self.assertEqual(self.error_of("SELECT generate_title(id) FROM chat_conversations"),
                         NO_TXN_TITLE)
        self.assertEqual(SRV.requests, [])


def compact(value):
    """JSON text as SQLite's json functions write it (ASCII values only)."""
    return json.dumps(value, separators=(",", ":"))


WEATHER = {"type": "function",
           "function": {"name": "get_weather", "description": "Current weather of a city",
                        "parameters": {"type": "object",
                                       "properties": {"city": {"type": "string"},
                                                      "unit": {"type": "string",
                                                               "enum": ["celsius", "fahrenheit"],
                                                               "default": None}},
                                       "required": ["city"]},
                        "strict": False}}
CLOCK = {"type": "function", "function": {"name": "get_time",
                                          "parameters": {"type": "object", "properties": {}}}}
SYSTEM = {"role": "system", "content": "Be brief."}
HELLO = {"role": "user", "content": "Hello"}
ASK = {"role": "user", "content": "Weather in Paris?"}
# the model's arguments, spaced as it wrote them: stored and replayed as this text
ARGS = '{"city": "Paris",  "unit":"celsius"}'


class TestTools(Base):
    """complete_chat with tools: the request, the stored tool calls, the
    tool results added by the application, the replay. The fake server
    answers 400 (as OpenAI does) to a messages array whose tool calls and
    tool results do not match."""

    def setUp(self):
        super().setUp()
        self.q("SELECT add_message(1, 'user', 'Weather in Paris?')")

    def count(self):
        return one(self.db, "SELECT count(*) FROM chat_messages")

    def meta_without_duration(self, r):
        meta = dict(r["metadata"])
        self.assertIsInstance(meta.pop("duration_ms"), int)
        return meta

    def test_loop(self):
        SRV.script({"role": "assistant", "content": None,
                    "tool_calls": [tool_call("call_1", "get_weather", ARGS)]},
                   {"role": "assistant", "content": "It is 21 degrees in Paris."})
        mid = self.complete({"tools": [WEATHER]})
        self.assertEqual(mid, 4)
        # the tools are passed through after the messages
        self.assertEqual(self.body(), compact({"model": "gpt-test",
                                               "messages": [SYSTEM, HELLO, ASK],
                                               "tools": [WEATHER]}))
        r = self.reply(mid)
        meta = r.pop("metadata")
        self.assertEqual(r, {"seq": 4, "role": "assistant", "type": "assistant_response",
                             "content": "",
                             "parts": [{"type": "tool-call", "id": "call_1", "name": "get_weather",
                                        "arguments": ARGS}],
                             "tokens": 7, "run_id": None, "workflow_step": None,
                             "created_at": T0})
        self.assertEqual(list(meta), ["model", "tokens", "duration_ms", "finish_reason"])
        self.assertIsInstance(meta.pop("duration_ms"), int)
        self.assertEqual(meta, {"model": "gpt-test", "tokens": {"input": 11, "output": 7, "total": 18},
                                "finish_reason": "tool_calls"})
        # the arguments are the server's text, byte for byte
        self.assertEqual(one(self.db, "SELECT json_extract(parts, '$[0].arguments') FROM chat_messages"
                                      " WHERE id = 4"), ARGS)
        # the application runs the tool and adds its result
        self.assertEqual(one(self.db, "SELECT add_message(1, 'tool', '{\"temp\":21}',"
                                      " '{\"metadata\":{\"tool_call_id\":\"call_1\"}}')"), 5)
        mid = self.complete({"tools": [WEATHER]})
        self.assertEqual(mid, 6)
        self.assertEqual(len(SRV.requests), 2)
        self.assertEqual(self.body(), compact({
            "model": "gpt-test",
            "messages": [SYSTEM, HELLO, ASK,
                         {"role": "assistant", "content": "",
                          "tool_calls": [{"id": "call_1", "type": "function",
                                          "function": {"name": "get_weather", "arguments": ARGS}}]},
                         {"role": "tool", "content": "{\"temp\":21}", "tool_call_id": "call_1"}],
            "tools": [WEATHER]}))
        r = self.reply(mid)
        self.assertEqual((r["seq"], r["role"], r["content"], r["parts"], r["tokens"]),
                         (6, "assistant", "It is 21 degrees in Paris.", None, 7))
        self.assertEqual(self.meta_without_duration(r)["finish_reason"], "stop")
        self.assertEqual(self.q("SELECT seq, role, content FROM chat_messages WHERE seq > 3"),
                         [(4, "assistant", ""), (5, "tool", "{\"temp\":21}"),
                          (6, "assistant", "It is 21 degrees in Paris.")])
        self.assertEqual(self.q("SELECT message_count, last_seq FROM chat_conversations"), [(6, 6)])

    def test_parallel_calls(self):
        SRV.script({"role": "assistant", "content": "",
                    "tool_calls": [tool_call("call_a", "get_weather", '{"city":"Paris"}'),
                                   tool_call("call_b", "get_time", "{}")]},
                   {"role": "assistant", "content": "21 degrees, and it is noon."})
        mid = self.complete({"tools": [WEATHER, CLOCK]})
        r = self.reply(mid)
        self.assertEqual((r["content"], r["parts"]), ("", [
            {"type": "tool-call", "id": "call_a", "name": "get_weather",
             "arguments": '{"city":"Paris"}'},
            {"type": "tool-call", "id": "call_b", "name": "get_time", "arguments": "{}"}]))
        self.assertEqual(self.meta_without_duration(r)["finish_reason"], "tool_calls")
        # the results, in another order than the calls
        self.q("SELECT add_message(1, 'tool', '12:00', '{\"metadata\":{\"tool_call_id\":\"call_b\"}}')")
        self.q("SELECT add_message(1, 'tool', '{\"temp\":21}',"
               " '{\"metadata\":{\"tool_call_id\":\"call_a\"}}')")
        mid = self.complete({"tools": [WEATHER, CLOCK]})
        self.assertEqual(json.loads(self.body())["messages"][3:], [
            {"role": "assistant", "content": "",
             "tool_calls": [{"id": "call_a", "type": "function",
                             "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}},
                            {"id": "call_b", "type": "function",
                             "function": {"name": "get_time", "arguments": "{}"}}]},
            # the results follow the calls' order
            {"role": "tool", "content": "{\"temp\":21}", "tool_call_id": "call_a"},
            {"role": "tool", "content": "12:00", "tool_call_id": "call_b"}])
        self.assertEqual(self.reply(mid)["content"], "21 degrees, and it is noon.")

    def test_unanswered_call_not_replayed(self):
        # OpenAI refuses a call without its result (the fake server too, see
        # its own test): the replay leaves out a call nobody answered yet, and
        # a tool message that answers no call
        SRV.script({"role": "assistant", "content": None,
                    "tool_calls": [tool_call("call_a", "get_weather", '{"city":"Paris"}'),
                                   tool_call("call_b", "get_time", "{}")]},
                   {"role": "assistant", "content": "21 degrees."})
        self.complete({"tools": [WEATHER, CLOCK]})
        self.q("SELECT add_message(1, 'tool', '{\"temp\":21}',"
               " '{\"metadata\":{\"tool_call_id\":\"call_a\"}}')")
        self.q("SELECT add_message(1, 'tool', '12:00')")
        mid = self.complete({"tools": [WEATHER, CLOCK]})
        self.assertEqual(json.loads(self.body())["messages"][3:], [
            {"role": "assistant", "content": "",
             "tool_calls": [{"id": "call_a", "type": "function",
                             "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
            {"role": "tool", "content": "{\"temp\":21}", "tool_call_id": "call_a"}])
        self.assertEqual(self.reply(mid)["content"], "21 degrees.")

    def test_one_call_without_content(self):
        # content null or empty: stored as '' with the call as its only part
        for content in (None, ""):
            with self.subTest(content=content):
                SRV.script({"role": "assistant", "content": content,
                            "tool_calls": [tool_call("call_1", "get_time", "{}")]})
                r = self.reply(self.complete())
                self.assertEqual((r["content"], r["parts"]), ("", [
                    {"type": "tool-call", "id": "call_1", "name": "get_time", "arguments": "{}"}]))
                self.q("DELETE FROM chat_messages WHERE seq > 3")

    def test_text_with_tool_calls(self):
        # content and tool calls in one reply: a text part before the calls
        SRV.script({"role": "assistant", "content": "Let me check.",
                    "tool_calls": [tool_call("call_1", "get_weather", ARGS)]})
        r = self.reply(self.complete({"tools": [WEATHER]}))
        self.assertEqual((r["content"], r["parts"]), ("Let me check.", [
            {"type": "text", "text": "Let me check."},
            {"type": "tool-call", "id": "call_1", "name": "get_weather", "arguments": ARGS}]))
        self.q("SELECT add_message(1, 'tool', 'sunny', '{\"metadata\":{\"tool_call_id\":\"call_1\"}}')")
        self.complete()
        self.assertEqual(json.loads(self.body())["messages"][3:], [
            {"role": "assistant", "content": "Let me check.",
             "tool_calls": [{"id": "call_1", "type": "function",
                             "function": {"name": "get_weather", "arguments": ARGS}}]},
            {"role": "tool", "content": "sunny", "tool_call_id": "call_1"}])

    def test_arguments_not_a_string(self):
        # some servers send the arguments as an object, or none: stored as text
        SRV.script({"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
            {"id": "call_2", "type": "function", "function": {"name": "get_time"}},
            {"id": "call_3", "type": "function", "function": {"name": "get_time", "arguments": None}}]})
        r = self.reply(self.complete())
        self.assertEqual(r["parts"], [
            {"type": "tool-call", "id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
            {"type": "tool-call", "id": "call_2", "name": "get_time", "arguments": ""},
            {"type": "tool-call", "id": "call_3", "name": "get_time", "arguments": ""}])

    def test_tool_choice(self):
        cases = [
            ("auto", '"auto"'),
            ("none", '"none"'),
            ("required", '"required"'),
            ({"type": "function", "function": {"name": "get_time"}},
             '{"type":"function","function":{"name":"get_time"}}'),
        ]
        for choice, sent in cases:
            with self.subTest(tool_choice=choice):
                self.complete({"tools": [WEATHER, CLOCK], "tool_choice": choice, "max_tokens": 50})
                self.assertEqual(self.body(),
                                 '{"model":"gpt-test","messages":%s,"max_tokens":50,"tools":%s,'
                                 '"tool_choice":%s}' % (compact([SYSTEM, HELLO, ASK]),
                                                        compact([WEATHER, CLOCK]), sent))
                self.q("DELETE FROM chat_messages WHERE seq > 3")
        # null is absent: the request is the one without tools
        self.complete({"tools": None, "tool_choice": None})
        self.assertEqual(self.body(), compact({"model": "gpt-test", "messages": [SYSTEM, HELLO, ASK]}))

    def test_names(self):
        # OpenAI's rule: 1 to 64 of a-z A-Z 0-9 _ -
        for name in ("a", "Get-Weather_2", "x" * 64):
            with self.subTest(name=name):
                tool = {"type": "function", "function": {"name": name}}
                self.complete({"tools": [tool]})
                self.assertEqual(json.loads(self.body())["tools"], [tool])
                self.q("DELETE FROM chat_messages WHERE seq > 3")

    def test_option_errors(self):
        name_rule = ("must be a string of 1 to 64 characters a-z, A-Z, 0-9, _ or -")
        shape = ("chatflow: complete_chat option tool_choice must be 'none', 'auto', 'required' or"
                 " {\"type\": \"function\", \"function\": {\"name\": ...}}")
        fn = lambda **kw: {"type": "function", "function": kw}  # noqa: E731
        cases = [
            ({"tools": []},
             "chatflow: complete_chat option tools must be a non-empty array of tool definitions"),
            ({"tools": {"type": "function"}},
             "chatflow: option 'tools' of complete_chat must be an array, got an object"),
            ({"tools": "get_weather"},
             "chatflow: option 'tools' of complete_chat must be an array, got a string"),
            ({"tools": [WEATHER, "get_time"]},
             "chatflow: complete_chat option tools[1] must be an object, got text 'get_time'"),
            ({"tools": [WEATHER, {"type": "retrieval", "function": {"name": "x"}}]},
             "chatflow: complete_chat option tools[1].type must be 'function', got text 'retrieval'"),
            ({"tools": [{"function": {"name": "x"}}]},
             "chatflow: complete_chat option tools[0].type must be 'function', got none"),
            ({"tools": [{"type": "function"}]},
             "chatflow: complete_chat option tools[0].function must be an object, got none"),
            ({"tools": [{"type": "function", "function": "get_weather"}]},
             "chatflow: complete_chat option tools[0].function must be an object, got text 'get_weather'"),
            ({"tools": [fn(description="no name")]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule + ", got none"),
            ({"tools": [CLOCK, fn(name="")]},
             "chatflow: complete_chat option tools[1].function.name " + name_rule + ", got text ''"),
            ({"tools": [fn(name="get weather")]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule + ", got text 'get weather'"),
            ({"tools": [fn(name="x" * 65)]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule
             + ", got text of 65 characters"),
            ({"tools": [fn(name=12)]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule + ", got integer 12"),
            ({"tools": [fn(name="m\u00e9t\u00e9o")]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule
             + ", got text 'm\u00e9t\u00e9o'"),
            ({"tools": [fn(name="it's")]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule + ", got text 'it''s'"),
            ({"tools": [fn(name="get_weather", description=5)]},
             "chatflow: complete_chat option tools[0].function.description must be a string, got integer 5"),
            ({"tools": [fn(name="get_weather", parameters="object")]},
             "chatflow: complete_chat option tools[0].function.parameters must be an object"
             " (a JSON Schema), got text 'object'"),
            # the first bad item is named
            ({"tools": [fn(name="a b"), "x"]},
             "chatflow: complete_chat option tools[0].function.name " + name_rule + ", got text 'a b'"),
            ({"tool_choice": "auto"},
             "chatflow: complete_chat option tool_choice needs the option tools"),
            ({"tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
             "chatflow: complete_chat option tool_choice needs the option tools"),
            ({"tools": [], "tool_choice": "auto"},
             "chatflow: complete_chat option tools must be a non-empty array of tool definitions"),
            ({"tools": [WEATHER], "tool_choice": "any"}, shape + ", got text 'any'"),
            ({"tools": [WEATHER], "tool_choice": "AUTO"}, shape + ", got text 'AUTO'"),
            ({"tools": [WEATHER], "tool_choice": 1}, shape + ", got integer 1"),
            ({"tools": [WEATHER], "tool_choice": True}, shape + ", got true"),
            ({"tools": [WEATHER], "tool_choice": ["auto"]}, shape + ", got array"),
            ({"tools": [WEATHER], "tool_choice": {"type": "function"}}, shape + ", got object"),
            ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": 1}}},
             shape + ", got object"),
            ({"tools": [WEATHER], "tool_choice": {"type": "tool", "function": {"name": "get_weather"}}},
             shape + ", got object"),
            ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "get_time"}}},
             "chatflow: complete_chat option tool_choice names the function 'get_time', which is not"
             " one of tools"),
        ]
        # found before the call: on_error fail_run does not fail the run
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        for opts, err in cases:
            for extra in ({}, {"on_error": "fail_run"}):
                with self.subTest(options=opts, extra=extra):
                    n = self.count()
                    before = snapshot(self.db)
                    self.assertEqual(self.error_of("SELECT complete_chat(1, ?)",
                                                   (json.dumps(dict(opts, **extra)),)), err)
                    self.assertEqual(self.count(), n)
                    self.assertEqual(snapshot(self.db), before)
        self.assertEqual(one(self.db, "SELECT status FROM workflow_runs"), "started")
        self.assertEqual(SRV.requests, [])

    def test_malformed_tool_calls(self):
        good = tool_call("call_1", "get_weather", ARGS)
        cases = [
            ([{"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
             "chatflow: provider response tool_calls[0] has no id"),
            ([dict(good, id=17)], "chatflow: provider response tool_calls[0] has no id"),
            ([dict(good, id="")], "chatflow: provider response tool_calls[0] has no id"),
            (["call_1"], "chatflow: provider response tool_calls[0] has no id"),
            ([good, {"id": "call_2", "type": "function", "function": {"arguments": "{}"}}],
             "chatflow: provider response tool_calls[1] has no function.name"),
            ([good, {"id": "call_2", "type": "function"}],
             "chatflow: provider response tool_calls[1] has no function.name"),
            ([good, tool_call("call_2", None, "{}")],
             "chatflow: provider response tool_calls[1] has no function.name"),
            ([good, tool_call("call_2", ["get_time"], "{}")],
             "chatflow: provider response tool_calls[1] has no function.name"),
            ([good, tool_call("call_2", "", "{}")],
             "chatflow: provider response tool_calls[1] has no function.name"),
            # two calls with one id: the replay would be refused (see TestFakeValidation)
            ([good, dict(good)], "chatflow: provider response tool_calls[1] has the id of tool_calls[0]"),
            ([good, tool_call("call_2", "get_time", "{}"), tool_call("call_2", "get_weather", "{}"),
              tool_call("call_1", "get_time", "{}")],
             "chatflow: provider response tool_calls[2] has the id of tool_calls[1]"),
        ]
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        for calls, err in cases:
            with self.subTest(calls=calls):
                SRV.reset()
                SRV.script({"role": "assistant", "content": "Let me check.", "tool_calls": calls})
                n = self.count()
                before = snapshot(self.db)
                self.assertEqual(self.error_of("SELECT complete_chat(1)"), err)
                self.assertEqual(len(SRV.requests), 1)
                self.assertEqual(self.count(), n)
                self.assertEqual(snapshot(self.db), before)
        # with on_error fail_run the run records the error, and no message is written
        SRV.script({"role": "assistant", "content": None, "tool_calls": [dict(good, id=None)]})
        n = self.count()
        msg = self.error_of("SELECT complete_chat(1, '{\"on_error\": \"fail_run\"}')")
        self.assertEqual(msg, "chatflow: provider response tool_calls[0] has no id")
        self.assertEqual(self.q("SELECT status, error FROM workflow_runs"), [("failed", msg)])
        self.assertEqual(self.count(), n)


class TestFakeValidation(unittest.TestCase):
    """The fake server's check of tool calling, request by request: what
    OpenAI accepts gets 200, the rest an OpenAI 400 error body."""

    def setUp(self):
        SRV.reset()

    def post(self, messages, **extra):
        import urllib.error
        import urllib.request
        req = urllib.request.Request(SRV.base_url + "/chat/completions",
                                     data=json.dumps(dict({"model": "gpt-test",
                                                           "messages": messages}, **extra)).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_accepted(self):
        call = tool_call("c1", "f", "{}")
        for messages in (
                [HELLO],
                [HELLO, {"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "content": "r", "tool_call_id": "c1"}, HELLO],
                [HELLO, {"role": "assistant", "content": "", "tool_calls": [
                    call, tool_call("c2", "g", "{}")]},
                 {"role": "tool", "content": "r2", "tool_call_id": "c2"},
                 {"role": "tool", "content": "r1", "tool_call_id": "c1"}],
                # the same id in two turns: each answers its own
                [HELLO, {"role": "assistant", "content": "", "tool_calls": [call]},
                 {"role": "tool", "content": "r", "tool_call_id": "c1"},
                 {"role": "assistant", "content": "", "tool_calls": [call]},
                 {"role": "tool", "content": "r", "tool_call_id": "c1"}]):
            with self.subTest(messages=messages):
                status, body = self.post(messages)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["choices"][0]["message"]["content"],
                                 "echo: %s" % messages[-1]["content"])

    def test_content_arrays(self):
        # a user's text, images and PDFs as content items; the echo is their text
        png = "data:image/png;base64,iVBORw0KGgo="
        pdf = "data:application/pdf;base64,JVBERi0x"
        image = {"type": "image_url", "image_url": {"url": png}}
        for messages, echo in (
                ([{"role": "user", "content": [{"type": "text", "text": "What is"}, image,
                                               {"type": "text", "text": "this?"}]}], "What is\nthis?"),
                ([{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": "https://x.example/a.png", "detail": "low"}},
                    {"type": "file", "file": {"filename": "a.pdf", "file_data": pdf}},
                    {"type": "file", "file": {"file_id": "file-abc"}},
                    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}], ""),
                ([{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                  {"role": "assistant", "content": [{"type": "text", "text": "Hi"},
                                                    {"type": "refusal", "refusal": "No."}]},
                  HELLO], "Hello")):
            with self.subTest(messages=messages):
                status, body = self.post(messages)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["choices"][0]["message"]["content"], "echo: %s" % echo)

    def test_content_refused(self):
        png = "data:image/png;base64,iVBORw0KGgo="
        image = {"type": "image_url", "image_url": {"url": png}}
        c = "messages[0].content"
        cases = [
            ([{"role": "assistant", "content": [image]}, HELLO],
             "Invalid value: \"image_url\". Supported values are: 'text' and 'refusal'.",
             c + "[0].type", "invalid_value"),
            ([{"role": "system", "content": [{"type": "text", "text": "x"}, image]}, HELLO],
             "Invalid value: \"image_url\". Supported values are: 'text'.", c + "[1].type", "invalid_value"),
            ([{"role": "tool", "content": [image], "tool_call_id": "c1"}],
             "Invalid value: \"image_url\". Supported values are: 'text'.", c + "[0].type", "invalid_value"),
            ([{"role": "user", "content": [{"text": "x"}]}],
             "Missing required parameter: 'messages[0].content[0].type'.", c + "[0].type",
             "missing_required_parameter"),
            ([{"role": "user", "content": [{"type": "image", "image": png}]}],
             "Invalid value: \"image\". Supported values are: 'text', 'image_url', 'input_audio', and"
             " 'file'.", c + "[0].type", "invalid_value"),
            ([{"role": "user", "content": []}],
             "Invalid 'messages[0].content': empty array. Expected an array with minimum length 1, but"
             " got an empty array instead.", c, "empty_array"),
            ([{"role": "user", "content": {"type": "text", "text": "x"}}],
             "Invalid type for 'messages[0].content': expected one of a string or array of objects, but"
             " got an object instead.", c, "invalid_type"),
            ([{"role": "user"}], "Missing required parameter: 'messages[0].content'.", c,
             "missing_required_parameter"),
            ([{"role": "user", "content": ["x"]}],
             "Invalid type for 'messages[0].content[0]': expected an object, but got a string instead.",
             c + "[0]", "invalid_type"),
            ([{"role": "user", "content": [{"type": "text", "text": 1}]}],
             "Invalid type for 'messages[0].content[0].text': expected a string, but got an integer"
             " instead.", c + "[0].text", "invalid_type"),
            ([{"role": "user", "content": [{"type": "image_url"}]}],
             "Missing required parameter: 'messages[0].content[0].image_url'.", c + "[0].image_url",
             "missing_required_parameter"),
            ([{"role": "user", "content": [{"type": "image_url", "image_url": png}]}],
             "Invalid type for 'messages[0].content[0].image_url': expected an object, but got a string"
             " instead.", c + "[0].image_url", "invalid_type"),
            ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "s3://b/a.png"}}]}],
             "Invalid image URL: 'messages[0].content[0].image_url.url'. Expected a valid URL or a"
             " base64-encoded data URL with an image MIME type.", c + "[0].image_url.url", "invalid_value"),
            ([{"role": "user", "content": [{"type": "image_url",
                                            "image_url": {"url": "data:text/plain;base64,aGk="}}]}],
             "Invalid image URL: 'messages[0].content[0].image_url.url'. Expected a valid URL or a"
             " base64-encoded data URL with an image MIME type.", c + "[0].image_url.url", "invalid_value"),
            ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": png, "detail": "max"}}]}],
             "Invalid value: \"max\". Supported values are: 'auto', 'low', and 'high'.",
             c + "[0].image_url.detail", "invalid_value"),
            ([{"role": "user", "content": [{"type": "file", "file": {"filename": "a.pdf"}}]}],
             "Missing required parameter: 'messages[0].content[0].file.file_data' or"
             " 'messages[0].content[0].file.file_id'.", c + "[0].file", "missing_required_parameter"),
            ([{"role": "user", "content": [{"type": "file", "file": {
                "file_data": "data:application/pdf;base64,JVBERi0x"}}]}],
             "Missing required parameter: 'messages[0].content[0].file.filename'.",
             c + "[0].file.filename", "missing_required_parameter"),
            ([{"role": "user", "content": [{"type": "file", "file": {
                "filename": "a.pdf", "file_data": "https://x.example/a.pdf"}}]}],
             "Invalid file data: 'messages[0].content[0].file.file_data'. Expected a base64-encoded data"
             " URL with an application/pdf MIME type.", c + "[0].file.file_data", "invalid_value"),
        ]
        for messages, message, param, code in cases:
            with self.subTest(messages=messages):
                self.assertEqual(self.post(messages), (400, {"error": {
                    "message": message, "type": "invalid_request_error", "param": param,
                    "code": code}}))

    def test_response_format(self):
        # OpenAI's checks of response_format, and the JSON the normal reply gives
        schema = {"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"}, "hot": {"type": "boolean"},
            "unit": {"enum": ["C", "F"]}, "tags": {"type": "array", "items": {"type": "string"}},
            "note": {"type": ["null", "number"]}}}
        for rf, content in (
                (None, "echo: Hello"),
                ({"type": "text"}, "echo: Hello"),
                ({"type": "json_schema", "json_schema": {"name": "w-1", "schema": schema}},
                 '{"city": "Hello", "days": 7, "hot": true, "unit": "C", "tags": ["Hello"], "note": 0.5}'),
                ({"type": "json_schema", "json_schema": {"name": "w"}}, "null")):
            with self.subTest(response_format=rf):
                status, body = self.post([HELLO], response_format=rf)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["choices"][0]["message"]["content"], content)
        status, body = self.post([{"role": "user", "content": "Reply in JSON"}],
                                 response_format={"type": "json_object"})
        self.assertEqual((status, body["choices"][0]["message"]["content"]), (200, '{"echo": "Reply in JSON"}'))
        for rf, message, param in (
                ("json", "Invalid type for 'response_format': expected an object, but got a string instead.",
                 "response_format"),
                ({"type": "xml"}, "Invalid value: \"xml\". Supported values are: 'text', 'json_object', and"
                                  " 'json_schema'.", "response_format.type"),
                ({"type": "json_schema"}, "Missing required parameter: 'response_format.json_schema'.",
                 "response_format.json_schema"),
                ({"type": "json_schema", "json_schema": {"name": "a b"}},
                 "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string"
                 " that matches the pattern '^[a-zA-Z0-9_-]+$'.", "response_format.json_schema.name"),
                ({"type": "json_schema", "json_schema": {"name": "w", "schema": []}},
                 "Invalid type for 'response_format.json_schema.schema': expected an object, but got an array"
                 " instead.", "response_format.json_schema.schema"),
                ({"type": "json_object"}, "'messages' must contain the word 'json' in some form, to use"
                                          " 'response_format' of type 'json_object'.", "messages")):
            with self.subTest(response_format=rf):
                status, body = self.post([HELLO], response_format=rf)
                self.assertEqual((status, body["error"]["message"], body["error"]["param"]), (400, message, param))

    def test_refused(self):
        call = tool_call("c1", "f", "{}")
        asst = {"role": "assistant", "content": "", "tool_calls": [call]}
        answer = {"role": "tool", "content": "r", "tool_call_id": "c1"}
        orphan = ("Invalid parameter: messages with role 'tool' must be a response to a"
                  " preceeding message with 'tool_calls'.")
        unanswered = ("An assistant message with 'tool_calls' must be followed by tool messages"
                      " responding to each 'tool_call_id'. The following tool_call_ids did not"
                      " have response messages: ")
        cases = [
            ([HELLO, answer], orphan, "messages.[1].role", None),
            ([HELLO, asst, HELLO, answer], unanswered + "c1", "messages.[1].role", None),
            ([HELLO, asst], unanswered + "c1", "messages.[1].role", None),
            ([HELLO, dict(asst, tool_calls=[call, tool_call("c2", "g", "{}")]), answer, HELLO],
             unanswered + "c2", "messages.[1].role", None),
            ([HELLO, asst, answer, answer], orphan, "messages.[3].role", None),
            ([HELLO, asst, dict(answer, tool_call_id="c9")], orphan, "messages.[2].role", None),
            ([HELLO, asst, {"role": "tool", "content": "r"}],
             "Missing required parameter: 'messages[2].tool_call_id'.", "messages[2].tool_call_id",
             "missing_required_parameter"),
            ([HELLO, asst, dict(answer, tool_call_id=1)],
             "Invalid type for 'messages[2].tool_call_id': expected a string, but got an integer"
             " instead.", "messages[2].tool_call_id", "invalid_type"),
            ([HELLO, dict(asst, tool_calls=[])],
             "Invalid 'messages[1].tool_calls': empty array. Expected an array with minimum length"
             " 1, but got an empty array instead.", "messages[1].tool_calls", "empty_array"),
            ([HELLO, dict(asst, tool_calls={"id": "c1"})],
             "Invalid type for 'messages[1].tool_calls': expected an array, but got an object"
             " instead.", "messages[1].tool_calls", "invalid_type"),
            ([HELLO, dict(asst, tool_calls=[{"type": "function", "function": call["function"]}])],
             "Missing required parameter: 'messages[1].tool_calls[0].id'.",
             "messages[1].tool_calls[0].id", "missing_required_parameter"),
            ([HELLO, dict(asst, tool_calls=[dict(call, id=7)])],
             "Invalid type for 'messages[1].tool_calls[0].id': expected a string, but got an"
             " integer instead.", "messages[1].tool_calls[0].id", "invalid_type"),
            ([HELLO, dict(asst, tool_calls=[dict(call, type="tool")])],
             "Invalid value: 'tool'. Supported values are: 'function'.",
             "messages[1].tool_calls[0].type", "invalid_value"),
            ([HELLO, dict(asst, tool_calls=[dict(call, function={"arguments": "{}"})])],
             "Missing required parameter: 'messages[1].tool_calls[0].function.name'.",
             "messages[1].tool_calls[0].function.name", "missing_required_parameter"),
            ([HELLO, dict(asst, tool_calls=[tool_call("c1", "f", {"a": 1})])],
             "Invalid type for 'messages[1].tool_calls[0].function.arguments': expected a string,"
             " but got an object instead.", "messages[1].tool_calls[0].function.arguments",
             "invalid_type"),
            ([HELLO, dict(asst, tool_calls=[{"id": "c1", "type": "function",
                                              "function": {"name": "f"}}])],
             "Missing required parameter: 'messages[1].tool_calls[0].function.arguments'.",
             "messages[1].tool_calls[0].function.arguments", "missing_required_parameter"),
        ]
        for messages, message, param, code in cases:
            with self.subTest(messages=messages):
                self.assertEqual(self.post(messages), (400, {"error": {
                    "message": message, "type": "invalid_request_error", "param": param,
                    "code": code}}))



class TestTls(Base):
    @classmethod
    def setUpClass(cls):
        cls.cert = os.path.join(TMP, "cert.pem")
        cls.key = os.path.join(TMP, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", cls.key, "-out", cls.cert],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=20)
        cls.tls = FakeOpenAI(tls=(cls.cert, cls.key)).start()

    @classmethod
    def tearDownClass(cls):
        cls.tls.stop()

    def test_verification(self):
        self.q("SELECT chatflow_config('llm.base_url', ?)", (self.tls.base_url,))
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: provider call failed: SSL certificate problem: "
                         "self-signed certificate")
        self.assertEqual(snapshot(self.db), before)
        self.assertEqual(self.tls.requests, [])
        # trusting the certificate through llm.ca_bundle
        self.q("SELECT chatflow_config('llm.ca_bundle', ?)", (self.cert,))
        self.assertEqual(self.reply(self.complete())["content"], "echo: Hello")
        self.assertEqual(headers_of(self.tls.requests[-1])["Authorization"], "Bearer " + KEY)
        missing = os.path.join(TMP, "missing.pem")
        self.q("SELECT chatflow_config('llm.ca_bundle', ?)", (missing,))
        self.assertEqual(self.error_of("SELECT complete_chat(1)"),
                         "chatflow: provider call failed: error setting certificate file: "
                         + missing)
        # the explicit opt-out
        self.q("SELECT chatflow_config('llm.tls_verify', 'off')")
        self.assertEqual(self.reply(self.complete())["content"], "echo: echo: Hello")


class TestRedirects(Base):
    """Redirects are never followed: the request's headers (Authorization and
    the extra headers, here Azure's api-key and an X-Api-Key) and its body
    (the conversation) go to llm.base_url's origin and nowhere else.
    self.other is a second server on another port: another origin, which
    counts every connection it accepts and records every request."""

    EXTRA = "api-key: azure-secret-0123456789\nX-Api-Key: xkey-secret-9876543210"

    def setUp(self):
        super().setUp()
        self.other = FakeOpenAI().start()
        self.other_url = "http://127.0.0.1:%d" % self.other.port
        self.own_url = "http://127.0.0.1:%d" % SRV.port
        os.environ["CHATFLOW_TEST_HEADERS"] = self.EXTRA
        self.q("SELECT chatflow_config('llm.extra_headers_env', 'CHATFLOW_TEST_HEADERS')")

    def tearDown(self):
        self.other.stop()
        super().tearDown()

    def redirected(self, code, target, sql="SELECT complete_chat(1, ?)"):
        """The error of a call answered by `code` to `target`; asserts that
        nothing was written, that the configured server got exactly one
        request (with the secrets: the test would see them leak), and that
        the other server got nothing at all."""
        before = snapshot(self.db)
        args = (json.dumps({"model": "mode-redirect-%d:%s" % (code, target)}),) if "?" in sql else ()
        msg = self.error_of(sql, args)
        self.assertNotIn("azure-secret", msg)
        self.assertNotIn("xkey-secret", msg)
        self.assertEqual(snapshot(self.db), before, "something was written")
        reqs = SRV.requests
        self.assertEqual([(r["method"], r["path"]) for r in reqs], [("POST", "/v1/chat/completions")])
        h = headers_of(reqs[0])
        self.assertEqual((h["Authorization"], h["api-key"], h["X-Api-Key"]),
                         ("Bearer " + KEY, "azure-secret-0123456789", "xkey-secret-9876543210"))
        self.assertEqual(self.other.connections, 0, "a connection reached the other origin")
        self.assertEqual(self.other.requests, [])
        SRV.reset()
        return msg

    def test_cross_origin_refused(self):
        for code in (301, 302, 303, 307, 308):
            with self.subTest(code=code):
                self.assertEqual(
                    self.redirected(code, self.other_url + "/v1/chat/completions"),
                    "chatflow: provider redirected to another origin (%s/v1/chat/completions);"
                    " not followed (HTTP %d)" % (self.other_url, code))

    def test_other_origins(self):
        port = SRV.port
        cases = [
            # another host name for the same server, another scheme: other origins too
            ("http://localhost:%d/v1/chat/completions" % port,
             "http://localhost:%d/v1/chat/completions" % port),
            ("https://127.0.0.1:%d/v1/chat/completions" % port,
             "https://127.0.0.1:%d/v1/chat/completions" % port),
            # user, password, query and fragment are not shown
            ("http://user:pw@127.0.0.1:%d/steal?token=abc#frag" % self.other.port,
             self.other_url + "/steal"),
            # a Location that quotes a secret: redacted like any error
            (self.other_url + "/leak/" + KEY, self.other_url + "/leak/***"),
            (self.other_url + "/leak/azure-secret-0123456789", self.other_url + "/leak/***"),
            # other protocols
            ("file:///etc/passwd", "file:///etc/passwd"),
            ("ftp://127.0.0.1/x", "ftp://127.0.0.1/x"),
            # a long Location is cut
            (self.other_url + "/" + "a" * 500,
             (self.other_url + "/" + "a" * 500)[:204] + "..."),
        ]
        for target, shown in cases:
            with self.subTest(target=target):
                self.assertEqual(self.redirected(307, target),
                                 "chatflow: provider redirected to another origin (%s);"
                                 " not followed (HTTP 307)" % shown)

    def test_same_origin_reported(self):
        for code in (301, 302, 303, 307, 308):
            for target in ("/redirected/chat/completions",
                           self.own_url + "/redirected/chat/completions"):
                with self.subTest(code=code, target=target):
                    self.assertEqual(
                        self.redirected(code, target),
                        "chatflow: provider redirected to %s/redirected/chat/completions (HTTP %d);"
                        " redirects are not followed: point llm.base_url at the new location"
                        % (self.own_url, code))
        # the default mode-redirect (307 to the same server)
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"model\": \"mode-redirect\"}')"),
                         "chatflow: provider redirected to %s/redirected/chat/completions (HTTP 307);"
                         " redirects are not followed: point llm.base_url at the new location"
                         % self.own_url)
        self.assertEqual([r["path"] for r in SRV.requests], ["/v1/chat/completions"])

    def test_generate_title_and_fail_run(self):
        self.q("SELECT chatflow_config('llm.model', ?)",
               ("mode-redirect-308:%s/v1/chat/completions" % self.other_url,))
        self.assertEqual(self.redirected(308, None, "SELECT generate_title(1)"),
                         "chatflow: provider redirected to another origin (%s/v1/chat/completions);"
                         " not followed (HTTP 308)" % self.other_url)
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations"), "Bakery")
        # on_error fail_run records the same error on the run
        self.q("SELECT chatflow_config('llm.model', 'gpt-test')")
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        msg = self.error_of("SELECT complete_chat(1, ?)", (json.dumps(
            {"model": "mode-redirect-307:%s/x" % self.other_url, "on_error": "fail_run"}),))
        self.assertEqual(msg, "chatflow: provider redirected to another origin (%s/x);"
                              " not followed (HTTP 307)" % self.other_url)
        self.assertEqual(self.q("SELECT status, error FROM workflow_runs"), [("failed", msg)])
        self.assertEqual((self.other.connections, self.other.requests), (0, []))

    def test_other_server_records(self):
        # the control: the other server does see a request sent to it
        self.q("SELECT chatflow_config('llm.base_url', ?)", (self.other_url + "/v1",))
        self.assertEqual(self.reply(self.complete())["content"], "echo: Hello")
        self.assertEqual(self.other.connections, 1)
        self.assertEqual(headers_of(self.other.requests[0])["api-key"], "azure-secret-0123456789")


class TestBaseUrl(Base):
    """llm.base_url refuses credentials (a secret would be stored in the
    database) and an empty host, when set and - for a value written by raw
    SQL - before every call, with the same message."""

    CREDENTIALS = ("chatflow: llm.base_url must not contain credentials (user@ or "
                   "user:password@ before the host): settings are stored in the database; put "
                   "the key in the environment variable named by llm.api_key_env")

    def cases(self):
        port = SRV.port
        return [
            ("http://user:secret-pw@127.0.0.1:%d/v1" % port, self.CREDENTIALS),
            ("http://user@127.0.0.1:%d/v1" % port, self.CREDENTIALS),
            ("http://:secret-pw@127.0.0.1:%d/v1" % port, self.CREDENTIALS),
            ("http://@127.0.0.1:%d/v1" % port, self.CREDENTIALS),
            ("https://user:secret-pw@api.openai.com/v1", self.CREDENTIALS),
            ("ftp://user:secret-pw@example.com/", self.CREDENTIALS),
            ("https://", "chatflow: llm.base_url has no host, got 'https://'"),
            ("http://", "chatflow: llm.base_url has no host, got 'http://'"),
            ("http:///v1", "chatflow: llm.base_url has no host, got 'http:///v1'"),
            ("http://:%d/v1" % port, "chatflow: llm.base_url has no host, got 'http://:%d/v1'" % port),
            ("http://127.0.0.1:99999/v1", "chatflow: llm.base_url is not a valid URL (Port number "
                                          "was not a decimal number between 0 and 65535), got "
                                          "'http://127.0.0.1:99999/v1'"),
            ("ftp://example.com", "chatflow: llm.base_url must be an http:// or https:// URL, "
                                  "got 'ftp://example.com'"),
            ("http://exa mple.com", "chatflow: llm.base_url must not contain spaces or control "
                                    "characters"),
        ]

    def test_set(self):
        for url, err in self.cases():
            with self.subTest(url=url):
                self.assertEqual(self.error_of("SELECT chatflow_config('llm.base_url', ?)", (url,)), err)
                self.assertNotIn("secret-pw", err)
        self.assertEqual(one(self.db, "SELECT chatflow_config('llm.base_url')"), SRV.base_url)
        for url in ("https://api.openai.com/v1", "http://[::1]:11434/v1", "http://localhost:8080",
                    "http://127.0.0.1:%d/v1/" % SRV.port):
            self.assertEqual(one(self.db, "SELECT chatflow_config('llm.base_url', ?)", (url,)), url)

    def test_written_by_raw_sql(self):
        self.q("SELECT chatflow_config('llm.model', 'mode-title')")
        for url, err in self.cases():
            with self.subTest(url=url):
                self.q("UPDATE chatflow_settings SET value = ? WHERE key = 'llm.base_url'", (url,))
                before = snapshot(self.db)
                self.assertEqual(self.error_of("SELECT complete_chat(1)"), err)
                self.assertEqual(self.error_of("SELECT generate_title(1)"), err)
                self.assertEqual(snapshot(self.db), before)
        self.assertEqual((SRV.connections, SRV.requests), (0, []))
        # without a model, generate_title makes no call and does not read llm.base_url
        self.q("SELECT chatflow_config('llm.model', NULL)")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Hello")
        # a value put back through chatflow_config works again
        self.q("SELECT chatflow_config('llm.base_url', ?)", (SRV.base_url,))
        self.assertEqual(self.reply(self.complete({"model": "gpt-test"}))["content"], "echo: Hello")


class TestConcurrency(Base):
    """Helpers: a statement run in another thread, waiting for the server."""

    def call_in_thread(self, sql, args=()):
        res = {}

        def run():
            t = time.monotonic()
            try:
                res["value"] = self.db.execute(sql, args).fetchall()
            except sqlite3.Error as e:
                res["error"] = str(e)
            res["elapsed"] = time.monotonic() - t
        th = threading.Thread(target=run)
        th.start()
        return th, res

    def wait_for_request(self, n=1, limit=3.0):
        t = time.monotonic()
        while len(SRV.requests) < n and time.monotonic() - t < limit:
            time.sleep(0.01)
        self.assertEqual(len(SRV.requests), n)


class TestBranchDuringCall(TestConcurrency):
    def test_reply_follows_the_message_it_answers(self):
        # an edit in another connection while the model answers: the reply
        # goes under the question it was asked, not under the edit
        th, res = self.call_in_thread("SELECT complete_chat(1, '{\"model\": \"mode-slow:600\"}')")
        self.wait_for_request()
        other = connect(self.path)
        try:
            edit = one(other, "SELECT edit_message(2, 'Hello, edited')")
        finally:
            other.close()
        th.join(5)
        self.assertFalse(th.is_alive())
        reply = res["value"][0][0]
        self.assertEqual(self.q("SELECT parent_id, content FROM chat_messages WHERE id = ?", (reply,)),
                         [(2, "slow: Hello")])
        # the reply is the current leaf, on the question it answered
        self.assertEqual(json.loads(one(self.db, "SELECT chat_history_json(1)")),
                         [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"},
                          {"role": "assistant", "content": "slow: Hello"}])
        self.assertEqual(self.q("SELECT id, is_current FROM message_siblings(2)"), [(2, 1), (edit, 0)])


class TestInterrupt(TestConcurrency):
    def test_interrupt(self):
        before = snapshot(self.db)
        th, res = self.call_in_thread("SELECT complete_chat(1, '{\"model\": \"mode-slow:6000\"}')")
        self.wait_for_request()
        time.sleep(0.1)
        self.db.interrupt()
        th.join(5)
        self.assertFalse(th.is_alive())
        self.assertEqual(res.get("error"), "chatflow: provider call interrupted")
        self.assertLess(res["elapsed"], 3.0)   # the server would answer after 6 s
        self.assertEqual(snapshot(self.db), before)
        # the connection is usable afterwards
        self.assertEqual(self.reply(self.complete())["content"], "echo: Hello")

    def test_interrupt_generate_title(self):
        self.q("SELECT chatflow_config('llm.model', 'mode-slow:6000')")
        th, res = self.call_in_thread("SELECT generate_title(1)")
        self.wait_for_request()
        time.sleep(0.1)
        self.db.interrupt()
        th.join(5)
        self.assertEqual(res.get("error"), "chatflow: provider call interrupted")
        self.assertLess(res["elapsed"], 3.0)
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations"), "Bakery")


class TestOtherWriters(TestConcurrency):
    """A rollback-journal database (journal_mode DELETE)."""

    def test_other_writers(self):
        self.assertEqual(one(self.db, "PRAGMA journal_mode"), self.journal or "delete")
        db2 = connect(self.path)
        try:
            th, res = self.call_in_thread("SELECT complete_chat(1, '{\"model\": \"mode-slow:1200\"}')")
            self.wait_for_request()
            t = time.monotonic()
            self.assertEqual(one(db2, "SELECT add_message(1, 'user', 'Also: gluten-free.')"), 3)
            self.assertEqual(one(db2, "SELECT create_conversation('acme', 'Other')"), 2)
            self.assertLess(time.monotonic() - t, 0.5, "the writer was blocked by the call")
            self.assertTrue(th.is_alive(), "the call did not outlive the write")
            th.join(5)
            self.assertNotIn("error", res)
            self.assertEqual(res["value"], [(4,)])
            # the reply answers the history read before the call, and comes after the new message
            self.assertEqual(self.q("SELECT seq, role, content FROM chat_messages WHERE seq > 2"),
                             [(3, "user", "Also: gluten-free."), (4, "assistant", "slow: Hello")])
        finally:
            db2.close()


class TestOtherWritersWal(TestOtherWriters):
    journal = "wal"


class TestStream(TestConcurrency):
    """complete_chat's option stream (docs/drafts.md): server-sent events
    written through begin_message / append_message / finish_message, each
    its own short transaction."""

    def test_stream_stored_like_a_reply(self):
        mid = self.complete({"stream": True})
        body = json.loads(self.body())
        self.assertIs(body["stream"], True)
        self.assertEqual(body["stream_options"], {"include_usage": True})
        self.assertEqual(headers_of(SRV.requests[-1])["Accept"], "text/event-stream")
        r = self.reply(mid)
        meta = r["metadata"]
        self.assertIsInstance(meta.pop("duration_ms"), int)
        self.assertEqual((r["seq"], r["role"], r["type"], r["content"], r["parts"], r["tokens"]),
                         (3, "assistant", "assistant_response", "echo: Hello", None, 7))
        self.assertEqual(meta, {"model": "gpt-test", "tokens": {"input": 11, "output": 7, "total": 18},
                                "finish_reason": "stop", "streamed": True})
        self.assertEqual(self.q("SELECT status, parent_id FROM chat_messages WHERE id = ?", (mid,)),
                         [("complete", 2)])
        self.assertEqual(one(self.db, "SELECT total_tokens FROM chat_conversations WHERE id = 1"),
                         3 + 2 + 7)
        self.assertEqual(json.loads(one(self.db, "SELECT chat_history_json(1)"))[-1],
                         {"role": "assistant", "content": "echo: Hello"})
        # the same request without stream stores the same message
        plain = self.reply(self.complete())
        self.assertEqual(plain["content"], "echo: echo: Hello")

    def test_stream_framing(self):
        # text/event-stream as the WHATWG standard defines it, not only as
        # OpenAI writes it: multi-line data joined by \n, LF/CRLF/CR line
        # ends (cut between writes), comments and other fields skipped
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-sse"}))
        meta = r["metadata"]
        self.assertIsInstance(meta.pop("duration_ms"), int)
        self.assertEqual((r["content"], r["parts"], r["tokens"]), ("echo: Hello", None, 7))
        self.assertEqual(meta, {"model": "mode-stream-sse", "tokens": {"input": 11, "output": 7, "total": 18},
                                "finish_reason": "stop", "streamed": True})

    def test_stream_null_usage_and_error_members(self):
        # "usage": null in every chunk but the usage chunk (OpenAI with
        # include_usage) and "error": null are no usage and no error: the
        # null error failed the stream ("provider stream failed: unknown error")
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-nulls"}))
        meta = r["metadata"]
        self.assertIsInstance(meta.pop("duration_ms"), int)
        self.assertEqual((r["content"], r["parts"], r["tokens"]), ("echo: Hello", None, 7))
        self.assertEqual(meta, {"model": "mode-stream-nulls", "tokens": {"input": 11, "output": 7, "total": 18},
                                "finish_reason": "stop", "streamed": True})

    def test_stream_bom_keepalive_plain_json_index(self):
        # a leading BOM is no part of the body (cut between writes here),
        # an event of empty data (a keep-alive) is skipped
        mid = self.complete({"stream": True, "model": "mode-stream-bom"})
        self.assertEqual(self.q("SELECT content, status FROM chat_messages WHERE id = ?", (mid,)),
                         [("echo: Hello", "complete")])
        # a server that answers one JSON body instead of a stream: said so,
        # nothing written
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"stream\": true, \"model\": \"mode-no-stream\"}')"),
                         "chatflow: provider did not stream: its answer (Content-Type application/json) has no"
                         " data: events; does the server support \"stream\": true?")
        self.assertEqual(snapshot(self.db), before)
        # a tool call delta's index is an integer, not a number or a string
        for index in ("1.5", '"1"'):
            with self.subTest(index=index):
                self.assertEqual(self.error_of("SELECT complete_chat(1, ?)", (json.dumps(
                    {"stream": True, "model": "mode-stream-index:" + index}),)),
                    "chatflow: provider stream tool call index must be an integer, got " + index)
                # (the draft begun at the first event is deleted: see test_stream_that_stores_nothing)
                self.assertEqual(snapshot(self.db)["chat_messages"], before["chat_messages"])

    def test_stream_reasoning_tools_length(self):
        r = self.reply(self.complete({"stream": True, "model": "mode-reasoning"}))
        self.assertEqual((r["content"], r["parts"]),
                         ("Croissants.", [{"type": "reasoning", "text": "The user runs a bakery."},
                                          {"type": "text", "text": "Croissants."}]))
        for field in ("reasoning", "both"):
            r = self.reply(self.complete({"stream": True, "model": "mode-reasoning:" + field}))
            self.assertEqual((field, r["content"], r["parts"]),
                             (field, "Croissants.", [{"type": "reasoning", "text": "The user runs a bakery."},
                                                     {"type": "text", "text": "Croissants."}]))
        r = self.reply(self.complete({"stream": True, "model": "mode-tools"}))
        self.assertEqual((r["content"], r["parts"], r["metadata"]["finish_reason"]),
                         ("", [{"type": "tool-call", "id": "call_1", "name": "get_weather",
                                "arguments": '{"city": "Paris"}'},
                               {"type": "tool-call", "id": "call_2", "name": "get_time",
                                "arguments": "{}"}], "tool_calls"))
        self.q("SELECT add_message(1, 'tool', '18C', '{\"tool_call_id\": \"call_1\"}')")
        self.q("SELECT add_message(1, 'tool', 'noon', '{\"tool_call_id\": \"call_2\"}')")
        r = self.reply(self.complete({"stream": True, "model": "mode-length"}))
        self.assertEqual((r["content"], r["tokens"], r["metadata"].get("tokens"),
                          r["metadata"]["finish_reason"]), ("cut sh", 2, None, "length"))

    def test_stream_parallel_calls_all_index_0(self):
        # Ollama, LiteLLM and Gemini gateways stream every call of a
        # parallel batch with index 0: each id begins its own call, and each
        # call keeps its own name and arguments
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-index0"}))
        self.assertEqual((r["content"], r["parts"], r["metadata"]["finish_reason"]),
                         ("", [{"type": "tool-call", "id": "call_1", "name": "get_weather",
                                "arguments": '{"city": "Paris"}'},
                               {"type": "tool-call", "id": "call_2", "name": "get_time",
                                "arguments": "{}"}], "tool_calls"))
        self.q("SELECT add_message(1, 'tool', '18C', '{\"tool_call_id\": \"call_1\"}')")
        self.q("SELECT add_message(1, 'tool', 'noon', '{\"tool_call_id\": \"call_2\"}')")
        r = self.reply(self.complete({"stream": True}))
        self.assertEqual(r["content"], "echo: noon")

    def test_stream_arguments_as_an_object(self):
        # a server that streams arguments as an object gets its JSON text, as
        # without streaming (they were stored as "")
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-object-args"}))
        self.assertEqual(r["parts"], [{"type": "tool-call", "id": "call_1", "name": "get_weather",
                                       "arguments": '{"city":"Paris"}'},
                                      {"type": "tool-call", "id": "call_2", "name": "get_time",
                                       "arguments": "{}"}])

    def test_stream_calls_in_index_order(self):
        # a server that begins index 1 before index 0: the calls are stored
        # in the order of their index, as a reply that did not stream gives
        # them; more calls than a reply may hold is refused as such
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-reversed"}))
        self.assertEqual([p["id"] for p in r["parts"]], ["call_1", "call_2"])
        self.assertEqual(r["parts"][0]["arguments"], '{"city": "Paris"}')
        self.q("SELECT add_message(1, 'tool', '18C', '{\"tool_call_id\": \"call_1\"}')")
        self.q("SELECT add_message(1, 'tool', 'noon', '{\"tool_call_id\": \"call_2\"}')")
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-many:64"}))
        self.assertEqual([p["id"] for p in r["parts"]], ["call_%d" % (k + 1) for k in range(64)])
        for k in range(64):
            self.q("SELECT add_message(1, 'tool', 'noon', ?)", (json.dumps({"tool_call_id": "call_%d" % (k + 1)}),))
        n = self.q("SELECT count(*) FROM chat_messages")[0][0]
        with self.assertRaises(sqlite3.OperationalError) as e:
            self.complete({"stream": True, "model": "mode-stream-many:65"})
        self.assertEqual(str(e.exception), "chatflow: provider stream has more than 64 tool calls")
        self.assertEqual(self.q("SELECT count(*) FROM chat_messages WHERE status <> 'aborted'")[0][0], n)

    def test_reader_sees_the_draft_grow(self):
        # another connection follows the draft while the call runs, and
        # resumes from the offset it had read
        th, res = self.call_in_thread(
            "SELECT complete_chat(1, '{\"model\": \"mode-stream-slow:150\", \"stream\": true}')")
        reader = connect(self.path)
        try:
            seen, offset, text = [], 0, ""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                row = reader.execute("SELECT substr(content, ? + 1), status FROM chat_messages"
                                     " WHERE conversation_id = 1 AND seq = 3", (offset,)).fetchone()
                if row is not None:
                    text += row[0]
                    offset += len(row[0])
                    seen.append((offset, row[1]))
                    if row[1] != "streaming":
                        break
                time.sleep(0.05)
            th.join(10)
            self.assertNotIn("error", res)
            self.assertEqual(text, "echo: Hello")
            growing = sorted({o for o, st in seen if st == "streaming"})
            self.assertGreaterEqual(len(growing), 2, seen)   # several lengths seen mid-stream
            self.assertLess(growing[0], len("echo: Hello"))
            self.assertEqual(seen[-1], (len("echo: Hello"), "complete"))
            # while it streamed, chat_history_json of the reader left it out (checked after: complete)
            self.assertEqual(len(json.loads(one(reader, "SELECT chat_history_json(1)"))), 3)
        finally:
            reader.close()

    def test_history_leaves_out_the_draft_while_it_streams(self):
        th, res = self.call_in_thread(
            "SELECT complete_chat(1, '{\"model\": \"mode-stream-slow:150\", \"stream\": true}')")
        reader = connect(self.path)
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and one(
                    reader, "SELECT length(content) FROM chat_messages WHERE seq = 3") in (None, 0):
                time.sleep(0.02)
            self.assertEqual(one(reader, "SELECT status FROM chat_messages WHERE seq = 3"), "streaming")
            self.assertEqual(json.loads(one(reader, "SELECT chat_history_json(1)")),
                             [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}])
            self.assertEqual(one(reader, "SELECT current_leaf_id FROM chat_conversations"), 3)
        finally:
            reader.close()
            th.join(10)
        self.assertNotIn("error", res)

    def test_failure_mid_stream_aborts_the_draft(self):
        cases = [
            ("mode-stream-drop:2", "chatflow: provider call failed: ", "echo: He"),
            ("mode-stream-error:2", "chatflow: provider stream failed: The server is overloaded.", "echo: He"),
            ("mode-stream-nodone", "chatflow: provider stream ended before [DONE]", "echo: Hello"),
        ]
        for model, err, kept in cases:
            with self.subTest(model=model):
                msg = self.error_of("SELECT complete_chat(1, ?)", (json.dumps({"model": model, "stream": True}),))
                self.assertTrue(msg.startswith(err), msg)
                row = self.db.execute("SELECT id, status, content, json_extract(metadata, '$.abort_reason'),"
                                      " tokens FROM chat_messages ORDER BY id DESC LIMIT 1").fetchone()
                self.assertEqual(row[1:3], ("aborted", kept))
                self.assertEqual(row[3], msg[:2000])
                self.assertEqual(row[4], (len(kept) + 3) // 4)
                # out of the history; the next call sends what it sent before
                self.assertEqual(len(json.loads(one(self.db, "SELECT chat_history_json(1)"))), 2)
        # a failure before any event writes nothing
        before = snapshot(self.db)
        msg = self.error_of("SELECT complete_chat(1, '{\"model\": \"mode-500\", \"stream\": true}')")
        self.assertTrue(msg.startswith("chatflow: provider returned HTTP 500"), msg)
        self.assertEqual(snapshot(self.db), before)
        self.assertEqual(self.q("SELECT * FROM chatflow_check() WHERE NOT ok"), [])

    def test_nothing_to_send(self):
        # an empty messages array is refused before any request (OpenAI
        # answers 400, local servers answer blind): a conversation without
        # messages, and a window of 0 tokens without a system message
        self.q("SELECT create_conversation('acme', 'Empty')")
        self.assertEqual(self.error_of("SELECT complete_chat(2)"),
                         "chatflow: conversation 2 has no message to send (it has none, or"
                         " history_tokens (no limit) leaves none in the window)")
        self.q("SELECT add_message(2, 'user', 'Hello there')")
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT complete_chat(2, '{\"history_tokens\": 1}')"),
                         "chatflow: conversation 2 has no message to send (it has none, or"
                         " history_tokens 1 leaves none in the window)")
        self.assertEqual(snapshot(self.db), before)
        self.assertEqual(SRV.requests, [])

    def test_connection_dropped_after_the_answer_ended(self):
        # the finish_reason and usage came, then the connection closed
        # before [DONE] (a proxy that cuts the last chunk): the answer is
        # whole and stored as complete, as when the body ends properly
        r = self.reply(self.complete({"stream": True, "model": "mode-stream-drop-end"}))
        self.assertEqual(r["content"], "echo: Hello")
        row = self.db.execute("SELECT status, content, json_extract(metadata, '$.finish_reason'),"
                              " json_extract(metadata, '$.tokens.output') FROM chat_messages"
                              " ORDER BY id DESC LIMIT 1").fetchone()
        self.assertEqual(row, ("complete", "echo: Hello", "stop", 7))
        self.assertEqual(self.q("SELECT * FROM chatflow_check() WHERE NOT ok"), [])

    def test_stream_that_stores_nothing(self):
        # a stream with no content, or whose tool calls fail a check, ends
        # as the same reply without streaming does: an error and no message
        # (the draft begun at the first event is deleted, not left empty)
        call = tool_call("call_1", "get_weather", ARGS)
        cases = [
            ({"role": "assistant", "content": ""}, "chatflow: provider response has no content"),
            # OpenAI's refusal, streamed in delta.refusal pieces
            ({"role": "assistant", "content": None, "refusal": "I'm sorry, I can't help with that."},
             "chatflow: provider refused to answer: I'm sorry, I can't help with that."),
            ({"role": "assistant", "content": None, "tool_calls": [call, dict(call)]},
             "chatflow: provider response tool_calls[1] has the id of tool_calls[0]"),
            ({"role": "assistant", "content": None, "tool_calls": [dict(call, id=None)]},
             "chatflow: provider response tool_calls[0] has no id"),
        ]
        traces = "SELECT last_seq, updated_at, counter_stamp FROM chat_conversations WHERE id = 1"
        for k, (message, err) in enumerate(cases):
            with self.subTest(message=message):
                SRV.script(message)
                before = snapshot(self.db)
                seq, _, stamp = self.q(traces)[0]
                now = "2026-01-0%dT00:00:00.000Z" % (k + 2)
                self.q("SELECT chatflow_clock(?)", (now,))
                self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"stream\": true}')"), err)
                # nothing but the draft's traces (docs/providers.md): its
                # seq is not reused, updated_at and counter_stamp moved
                self.assertEqual(self.q(traces), [(seq + 1, now, stamp + 2)])
                after = snapshot(self.db)
                self.assertEqual([r[:14] + r[15:16] + r[17:21] + r[22:] for r in after["chat_conversations"]],
                                 [r[:14] + r[15:16] + r[17:21] + r[22:] for r in before["chat_conversations"]])
                del after["chat_conversations"], before["chat_conversations"]
                self.assertEqual(after, before)
        self.assertEqual(self.q("SELECT * FROM chatflow_check() WHERE NOT ok"), [])
        # with text received first, the draft keeps it, aborted with the reason
        SRV.script({"role": "assistant", "content": "Let me check.", "tool_calls": [call, dict(call)]})
        msg = self.error_of("SELECT complete_chat(1, '{\"stream\": true}')")
        self.assertEqual(msg, "chatflow: provider response tool_calls[1] has the id of tool_calls[0]")
        self.assertEqual(self.q("SELECT status, content, json_extract(metadata, '$.abort_reason')"
                                " FROM chat_messages ORDER BY id DESC LIMIT 1"),
                         [("aborted", "Let me check.", msg)])

    def test_interrupt_mid_stream(self):
        th, res = self.call_in_thread(
            "SELECT complete_chat(1, '{\"model\": \"mode-stream-slow:400\", \"stream\": true}')")
        reader = connect(self.path)
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and one(
                    reader, "SELECT length(content) FROM chat_messages WHERE seq = 3") in (None, 0):
                time.sleep(0.02)
            self.db.interrupt()
            th.join(10)
            self.assertEqual(res.get("error"), "chatflow: provider call interrupted")
            # the interrupted connection writes nothing more in that call:
            # the draft keeps what it had, still streaming, until aborted
            # (here, or by expire_stale_runs after the timeout)
            status, content = reader.execute(
                "SELECT status, content FROM chat_messages WHERE seq = 3").fetchone()
            self.assertEqual(status, "streaming")
            self.assertTrue("echo: Hello".startswith(content) and content, content)
            self.assertEqual(one(self.db, "SELECT abort_message(3, 'interrupted')"), 1)
            self.assertEqual(one(reader, "SELECT status FROM chat_messages WHERE seq = 3"), "aborted")
        finally:
            reader.close()

    def other(self, sql, args=()):
        db = connect(self.path)
        try:
            return one(db, sql, args)
        finally:
            db.close()

    def test_run_of_the_call(self):
        """The run active when the call began is the reply's (streamed or
        not) and the one on_error fail_run fails, only while it is still
        active: another connection that ends it and starts another during
        the call does not move the reply or the failure to the new run."""
        def call(opts, action, wait_draft=False):
            n = len(SRV.requests)
            th, res = self.call_in_thread("SELECT complete_chat(1, ?)", (json.dumps(opts),))
            self.wait_for_request(n + 1)
            deadline = time.monotonic() + 5
            while wait_draft and time.monotonic() < deadline and self.other(
                    "SELECT count(*) FROM chat_messages WHERE status = 'streaming' AND content <> ''") == 0:
                time.sleep(0.02)
            value = self.other(action)
            th.join(10)
            self.assertFalse(th.is_alive())
            return value, res
        cancel = "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"cancel\"}')"
        rollback = "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"rollback\"}')"
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        # a late error fails neither the cancelled run nor the new one
        n, res = call({"model": "mode-slow-500:600", "on_error": "fail_run"}, cancel)
        self.assertEqual((n, res.get("error")), (2, "chatflow: provider returned HTTP 500 Internal Server"
                                                    " Error: The server had an error while processing your request."))
        self.assertEqual(self.q("SELECT id, status, error FROM workflow_runs"),
                         [(1, "cancelled", None), (2, "started", None)])
        # the reply goes to the run of the call's start, ended since (as
        # add_message's run_id may name an ended run), streamed or not
        n, res = call({"model": "mode-slow:600"}, cancel)
        self.assertEqual(self.q("SELECT run_id, workflow_step, status FROM chat_messages WHERE id = ?",
                                (res["value"][0][0],)), [(2, "context_ingestion", "complete")])
        n, res = call({"model": "mode-stream-slow:300", "stream": True}, cancel)
        self.assertEqual(self.q("SELECT run_id, status, content FROM chat_messages WHERE id = ?",
                                (res["value"][0][0],)), [(3, "complete", "echo: slow: Hello")])
        self.assertEqual(n, 4)
        # a run rolled back (deleted) during the call: nothing stored, the
        # error says why, and no other run is failed
        before = self.q("SELECT * FROM chat_messages ORDER BY id")
        n, res = call({"model": "mode-slow:600", "on_error": "fail_run"}, rollback)
        self.assertEqual(res.get("error"), "chatflow: provider reply not stored: run 4, active when the"
                                           " call began, was deleted by another connection")
        self.assertEqual(self.q("SELECT * FROM chat_messages ORDER BY id"), before)
        # streamed: the draft goes with the run
        n, res = call({"model": "mode-stream-slow:150", "stream": True, "on_error": "fail_run"}, rollback,
                      wait_draft=True)
        draft = one(self.db, "SELECT max(id) FROM chat_messages") + 1
        self.assertEqual(res.get("error"), "chatflow: provider stream stopped: message %d was deleted by"
                                           " another connection" % draft)
        self.assertEqual(self.q("SELECT * FROM chat_messages ORDER BY id"), before)
        self.assertEqual(self.q("SELECT id, status FROM workflow_runs WHERE id > 3"), [(6, "started")])
        # a draft aborted by another connection (delete_conversation)
        n, res = call({"model": "mode-stream-slow:150", "stream": True}, "SELECT delete_conversation(1)",
                      wait_draft=True)
        self.assertEqual(res.get("error"), "chatflow: provider stream stopped: message %d was aborted by"
                                           " another connection (conversation deleted)" % (draft + 1))
        self.assertEqual(self.q("SELECT * FROM chatflow_check() WHERE NOT ok"), [])

    def test_stream_response_size(self):
        # llm.max_response_bytes caps the stream as it arrives, as it caps
        # a body without streaming: the draft keeps what came, aborted
        self.q("SELECT chatflow_config('limits.max_content_chars', '200000')")
        self.q("SELECT chatflow_config('llm.max_response_bytes', '65536')")
        msg = self.error_of("SELECT complete_chat(1, '{\"model\": \"mode-huge:150000\", \"stream\": true}')")
        self.assertEqual(msg, "chatflow: provider response too large: response larger than 65536 bytes"
                              " (llm.max_response_bytes)")
        status, n, reason = self.db.execute(
            "SELECT status, length(content), json_extract(metadata, '$.abort_reason')"
            " FROM chat_messages ORDER BY id DESC LIMIT 1").fetchone()
        self.assertEqual((status, reason), ("aborted", msg))
        self.assertTrue(0 < n < 65536, n)
        self.q("SELECT chatflow_config('llm.max_response_bytes', NULL)")
        r = self.reply(self.complete({"model": "mode-huge:150000", "stream": True}))
        self.assertEqual(len(r["content"]), 150000)

    def test_stream_option_type(self):
        self.assertEqual(self.error_of("SELECT complete_chat(1, '{\"stream\": 1}')"),
                         "chatflow: option 'stream' of complete_chat must be a boolean, got an integer")


LOCKED = ("chatflow: database is locked (database is locked): another connection held its lock past this"
          " connection's busy timeout (200 ms); retry, or raise PRAGMA busy_timeout")


class TestStreamLock(TestConcurrency):
    """complete_chat's stream while another connection holds the write lock
    past the busy timeout (200 ms here): a write the lock refuses waits in
    memory and the next event tries again, so the draft's content is every
    delta, in order (the refused append aborted the whole stream, although
    the answer was still arriving). A rollback-journal database; WAL below."""

    QUESTION = "Rye, spelt or emmer for a sourdough loaf?"
    ANSWER = "echo: " + QUESTION   # 47 characters: 12 content events of mode-stream-slow

    def setUp(self):
        super().setUp()
        self.q("SELECT add_message(1, 'user', ?)", (self.QUESTION,))
        self.db.execute("PRAGMA busy_timeout = 200")
        self.other = connect(self.path)

    def tearDown(self):
        if self.other.in_transaction:
            self.other.execute("ROLLBACK")
        self.other.close()
        super().tearDown()

    def stream(self, ms):
        return self.call_in_thread("SELECT complete_chat(1, ?)",
                                   (json.dumps({"model": "mode-stream-slow:%d" % ms, "stream": True}),))

    def draft(self):
        return self.other.execute("SELECT id, status, content FROM chat_messages WHERE seq = 4").fetchone()

    def lock_once_the_draft_has_text(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (self.draft() or (0, "", ""))[2] == "":
            time.sleep(0.02)
        self.other.execute("BEGIN IMMEDIATE")
        return self.draft()[2]

    def test_lock_mid_stream_loses_nothing(self):
        th, res = self.stream(150)
        held = self.lock_once_the_draft_has_text()
        self.assertTrue(0 < len(held) < len(self.ANSWER), held)
        time.sleep(0.9)   # some 6 events come, their appends refused (the first after 200 ms)
        self.assertEqual(self.draft(), (4, "streaming", held))
        self.other.execute("COMMIT")
        th.join(10)
        self.assertFalse(th.is_alive())
        self.assertNotIn("error", res)
        self.assertEqual(res["value"], [(4,)])
        self.assertEqual(self.q("SELECT status, content, tokens, parent_id FROM chat_messages WHERE id = 4"),
                         [("complete", self.ANSWER, 7, 3)])
        self.assertEqual(self.q("SELECT * FROM chatflow_check() WHERE NOT ok"), [])

    def counted(self):
        """self.db again, on the VFS that counts the busy handler's sleeps
        (tests/provider/sleep_vfs.py), and the sleeps of one wait of the
        whole busy timeout."""
        vfs = sleep_vfs.register()
        if vfs is None:
            self.skipTest("no libsqlite3 to register a VFS in (Python's sqlite3 has SQLite linked in)")
        self.db.close()
        self.db = connect("file:%s?vfs=%s" % (urllib.parse.quote(self.path), vfs.NAME), uri=True)
        self.db.execute("PRAGMA busy_timeout = 200")
        self.other.execute("BEGIN IMMEDIATE")
        n = vfs.count
        self.assertEqual(self.error_of("SELECT create_conversation('acme')"), LOCKED)
        wait = vfs.count - n
        self.other.execute("ROLLBACK")
        self.assertGreater(wait, 5)
        return vfs, wait

    def test_lock_mid_stream_waits_once(self):
        # a lock held past the busy timeout mid-stream: the first refused
        # append waits the busy timeout, the next ones do not until one
        # goes through (each waited it: timeout x events, the stream
        # stalled); the content is still every delta
        vfs, wait = self.counted()
        th, res = self.stream(150)
        held = self.lock_once_the_draft_has_text()
        n = vfs.count
        time.sleep(0.9)   # some 6 events come (each refusal waited: 4 busy timeouts in 0.9 s)
        self.assertEqual(self.draft(), (4, "streaming", held))
        self.other.execute("COMMIT")
        th.join(10)
        self.assertFalse(th.is_alive())
        self.assertNotIn("error", res)
        self.assertLess(vfs.count - n, 2 * wait)
        self.assertEqual(self.q("SELECT status, content, tokens, parent_id FROM chat_messages WHERE id = 4"),
                         [("complete", self.ANSWER, 7, 3)])

    def test_lock_held_through_the_stream_waits_twice(self):
        # held from before the first event to the end: the busy timeout is
        # waited at the first refused begin_message and at the end (it was
        # waited at each of the 15 events, and once more at the end)
        vfs, wait = self.counted()
        before = snapshot(self.db)
        self.other.execute("BEGIN IMMEDIATE")
        n = vfs.count
        th, res = self.stream(20)
        th.join(15)
        self.assertFalse(th.is_alive())
        self.other.execute("COMMIT")
        self.assertEqual(res["error"], LOCKED)
        self.assertEqual(vfs.count - n, 2 * wait)
        self.assertEqual(snapshot(self.db), before)
        # the connection's busy timeout is its own again
        self.assertEqual(one(self.db, "PRAGMA busy_timeout"), 200)

    def test_lock_before_the_first_event(self):
        # the draft's begin_message waits too, with the text received
        self.other.execute("BEGIN IMMEDIATE")
        th, res = self.stream(100)
        self.wait_for_request()
        time.sleep(0.8)
        self.assertIsNone(self.draft())
        self.other.execute("COMMIT")
        th.join(10)
        self.assertNotIn("error", res)
        self.assertEqual(self.q("SELECT id, status, content, tokens, parent_id FROM chat_messages WHERE seq = 4"),
                         [(4, "complete", self.ANSWER, 7, 3)])

    def test_lock_held_at_the_end(self):
        # the end's writes wait the busy timeout as any write, then fail
        # with the lock's error; the draft cannot be aborted either, and the
        # error says what it lacks and what ends it (it said only "database
        # is locked", while the docs promise an aborted draft)
        th, res = self.stream(100)
        held = self.lock_once_the_draft_has_text()
        th.join(15)
        self.assertFalse(th.is_alive())
        self.assertEqual(self.draft(), (4, "streaming", held))
        self.other.execute("COMMIT")
        self.assertTrue(self.ANSWER.startswith(held) and len(held) < len(self.ANSWER), held)
        self.assertEqual(res["error"], LOCKED + "; message 4 could not be aborted and is left streaming without"
                         " the last %d characters received: abort_message(4) or expire_stale_runs() ends it"
                         % (len(self.ANSWER) - len(held)))
        self.q("SELECT abort_message(4)")
        # held from before the first event: nothing was written at all
        before = snapshot(self.db)
        SRV.reset()
        self.other.execute("BEGIN IMMEDIATE")
        th, res = self.stream(20)
        th.join(15)
        self.other.execute("COMMIT")
        self.assertEqual(len(SRV.requests), 1)
        self.assertEqual(res["error"], LOCKED)
        self.assertEqual(snapshot(self.db), before)


class TestStreamLockWal(TestStreamLock):
    journal = "wal"


class TestTitle(Base):
    def test_heuristic_without_model(self):
        self.q("SELECT chatflow_config('llm.model', NULL)")
        self.q("SELECT create_conversation('acme')")
        self.q("SELECT add_message(2, 'user', '  Plan a   topical map for our bakery  ')")
        self.q("UPDATE chat_conversations SET title = NULL WHERE id = 2")
        self.assertEqual(one(self.db, "SELECT generate_title(2)"), "Plan a topical map for our bakery")
        self.assertEqual(self.q("SELECT title, metadata FROM chat_conversations WHERE id = 2"),
                         [("Plan a topical map for our bakery", "{}")])
        # an existing title is replaced by the heuristic's
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Hello")
        self.assertEqual(SRV.requests, [])

    def test_with_model(self):
        self.q("SELECT chatflow_config('llm.model', 'mode-title')")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Bakery topical map")
        self.assertEqual(len(SRV.requests), 1)
        self.assertEqual(self.body(),
                         '{"model":"mode-title","max_tokens":32,"messages":[{"role":"system",'
                         '"content":"Write a short title (at most 8 words) for a conversation that '
                         'starts with the user message below. Reply with the title only, no quotes."},'
                         '{"role":"user","content":"Hello"}]}')
        self.assertEqual(headers_of(SRV.requests[0])["Authorization"], "Bearer " + KEY)
        title, meta = self.db.execute("SELECT title, metadata FROM chat_conversations").fetchone()
        self.assertEqual(title, "Bakery topical map")
        tg = json.loads(meta)["title_generation"]
        self.assertEqual(list(tg), ["model", "tokens", "duration_ms"])
        self.assertEqual((tg["model"], tg["tokens"]), ("mode-title", 18))
        self.assertGreaterEqual(tg["duration_ms"], 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages"), 2)  # no message written
        # a response without usage: no tokens key, as in complete_chat's
        # metadata (it said "tokens": 0)
        self.q("SELECT chatflow_config('llm.model', 'mode-length')")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "cut sh")
        tg = json.loads(one(self.db, "SELECT metadata FROM chat_conversations"))["title_generation"]
        self.assertEqual(list(tg), ["model", "duration_ms"])

    def test_long_reply(self):
        # white space collapsed (the newline too); cut to 200 characters at a
        # grapheme boundary: not inside the emoji that holds the 200th
        # character, and without the space the cut leaves at the end
        self.q("SELECT chatflow_config('llm.model', 'mode-long-title')")
        want = ("ab " * 66).rstrip()
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), want)
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations WHERE id = 1"), want)
        self.assertEqual(len(want), 197)
        # Unicode spaces count as white space too
        self.q("SELECT chatflow_config('llm.model', 'mode-space-title')")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Bakery map")

    def test_thinking_in_the_reply(self):
        # a reasoning model whose server leaves the thinking in the content:
        # the "<think>...</think>" block is not the title (it was taken as one)
        self.q("SELECT chatflow_config('llm.model', 'gpt-test')")
        SRV.script({"role": "assistant", "content": "<think>\nThe user greets.\n</think>\n\n\"Hello There\""})
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Hello There")
        # the 32 tokens spent thinking: no title, the old one kept
        SRV.script({"role": "assistant", "content": "<think>\nOkay, the user says hello, so a title"})
        self.assertEqual(self.error_of("SELECT generate_title(1)"),
                         "chatflow: the model gave an empty title for conversation 1; nothing stored")
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations WHERE id = 1"), "Hello There")

    def test_now(self):
        self.q("SELECT chatflow_config('llm.model', 'mode-title')")
        self.assertEqual(one(self.db, "SELECT generate_title(1, '{\"now\": \"2030-01-01T00:00:00Z\"}')"),
                         "Bakery topical map")
        self.assertEqual(self.q("SELECT updated_at FROM chat_conversations"), [("2030-01-01T00:00:00.000Z",)])
        self.assertEqual(self.error_of("SELECT generate_title(1, '{\"when\": 1}')"),
                         "chatflow: unknown option 'when' for generate_title (expected now, extra_body)")

    def test_failure_keeps_title(self):
        self.q("SELECT chatflow_config('llm.model', 'mode-500')")
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT generate_title(1)"),
                         "chatflow: provider returned HTTP 500 Internal Server Error: "
                         "The server had an error while processing your request.")
        self.assertEqual(snapshot(self.db), before)

    def test_blank_first_message(self):
        # the first user message with a visible character, as add_message's
        # title rule chooses (white space, Unicode spaces included, is not)
        self.q("SELECT create_conversation('acme')")
        self.q("SELECT add_message(2, 'user', ' ' || char(160, 12288) || char(10))")
        self.assertEqual(self.error_of("SELECT generate_title(2)"),
                         "chatflow: conversation 2 has no user message to title")
        self.q("SELECT add_message(2, 'user', 'Rye' || char(160) || 'bread')")
        self.assertEqual(one(self.db, "SELECT title FROM chat_conversations WHERE id = 2"), "Rye bread")
        # the model (the fake echoes it) is asked about that message
        self.assertEqual(one(self.db, "SELECT generate_title(2)"), "echo: Rye bread")
        self.assertEqual(json.loads(self.body())["messages"][1],
                         {"role": "user", "content": "Rye\u00a0bread"})

    def test_errors(self):
        self.q("SELECT create_conversation('acme')")
        self.q("SELECT add_message(2, 'system', 'sys only')")
        self.assertEqual(self.error_of("SELECT generate_title(2)"),
                         "chatflow: conversation 2 has no user message to title")
        self.assertEqual(self.error_of("SELECT generate_title(9)"), "chatflow: unknown conversation 9")
        self.assertEqual(SRV.requests, [])


SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {
    "name": "weather", "strict": True,
    "schema": {"type": "object", "properties": {"city": {"type": "string"}, "degrees": {"type": "number"},
                                                "unit": {"type": "string", "enum": ["C", "F"]}},
               "required": ["city", "degrees", "unit"], "additionalProperties": False}}}


class TestExtraBody(Base):
    """The option extra_body (of complete_chat and generate_title) and the
    setting llm.extra_body: members added to the request body as written,
    after chatflow's own; the keys chatflow sets refused."""

    HEAD = ('{"model":"gpt-test","messages":[{"role":"system","content":"Be brief."},'
            '{"role":"user","content":"Hello"}]')
    TITLE = ('{"model":"gpt-test","max_tokens":32,"messages":[{"role":"system","content":"Write a short'
             ' title (at most 8 words) for a conversation that starts with the user message below. Reply'
             ' with the title only, no quotes."},{"role":"user","content":"Hello"}]')

    def count(self):
        return one(self.db, "SELECT count(*) FROM chat_messages")

    def call(self, opts_text):
        """complete_chat with the options text as given; the reply removed."""
        mid = one(self.db, "SELECT complete_chat(1, ?)", (opts_text,))
        self.q("DELETE FROM chat_messages WHERE id = ?", (mid,))
        return self.body()

    def test_sent_as_written(self):
        # after chatflow's members, in the object's order; numbers and
        # escapes as written (0.90, 1e-5, \u00e9), white space dropped; a
        # null member is not sent
        self.assertEqual(self.call(
            '{"max_tokens": 50, "extra_body": {"seed": 42, "top_p": 0.90, "frequency_penalty": 1e-5,'
            ' "stop": ["\\n", "END"], "logit_bias": {"50256": -100}, "user": "caf\\u00e9-7",'
            ' "max_completion_tokens": 300, "reasoning_effort": "low", "service_tier": null,'
            ' "presence_penalty": -0.5}}'),
            self.HEAD + ',"max_tokens":50,"seed":42,"top_p":0.90,"frequency_penalty":1e-5,'
            '"stop":["\\n","END"],"logit_bias":{"50256":-100},"user":"caf\\u00e9-7",'
            '"max_completion_tokens":300,"reasoning_effort":"low","presence_penalty":-0.5}')
        # with tools and stream: after stream_options
        self.assertEqual(self.call(
            '{"tools": [{"type": "function", "function": {"name": "get_time"}}], "tool_choice": "auto",'
            ' "stream": true, "extra_body": {"parallel_tool_calls": false}}'),
            self.HEAD + ',"tools":[{"type":"function","function":{"name":"get_time"}}],'
            '"tool_choice":"auto","stream":true,"stream_options":{"include_usage":true},'
            '"parallel_tool_calls":false}')
        # nested values (a provider's own members) as written, their nulls kept
        self.assertEqual(self.call(
            '{"extra_body": {"chat_template_kwargs": {"enable_thinking": false},'
            ' "provider": {"order": ["a", "b"], "sort": null}, "options": {}}}'),
            self.HEAD + ',"chat_template_kwargs":{"enable_thinking":false},'
            '"provider":{"order":["a","b"],"sort":null},"options":{}}')
        # empty, null, or only null members: the body without extra_body
        for opts in ('{"extra_body": {}}', '{"extra_body": null}', '{"extra_body": {"seed": null}}'):
            with self.subTest(options=opts):
                self.assertEqual(self.call(opts), self.HEAD + '}')

    def test_setting_and_option(self):
        setting = '{"keep_alive": "5m",\n "seed": 1, "options": {"num_ctx": 8192}}'
        self.assertEqual(one(self.db, "SELECT chatflow_config('llm.extra_body', ?)", (setting,)), setting)
        self.assertEqual(one(self.db, "SELECT chatflow_config('llm.extra_body')"), setting)
        cases = [
            (None, ',"keep_alive":"5m","seed":1,"options":{"num_ctx":8192}}'),
            # the option's members after the setting's it does not name
            ('{"extra_body": {"seed": 7, "top_k": 20}}',
             ',"keep_alive":"5m","options":{"num_ctx":8192},"seed":7,"top_k":20}'),
            # a member replaced whole, not merged into
            ('{"extra_body": {"options": {"temperature": 0}}}',
             ',"keep_alive":"5m","seed":1,"options":{"temperature":0}}'),
            # null takes the setting's member away
            ('{"extra_body": {"keep_alive": null, "seed": null}}', ',"options":{"num_ctx":8192}}'),
        ]
        for opts, tail in cases:
            with self.subTest(options=opts):
                mid = self.complete() if opts is None else one(self.db, "SELECT complete_chat(1, ?)", (opts,))
                self.q("DELETE FROM chat_messages WHERE id = ?", (mid,))
                self.assertEqual(self.body(), self.HEAD + tail)
        self.assertIsNone(one(self.db, "SELECT chatflow_config('llm.extra_body', NULL)"))
        self.assertEqual(self.call('{"extra_body": {"seed": 7}}'), self.HEAD + ',"seed":7}')

    def test_response_format_json_schema(self):
        # structured outputs end to end: the fake server answers an instance
        # of the schema, stored as the reply's content, streamed or not
        opts = {"extra_body": {"response_format": SCHEMA_FORMAT}}
        for stream in (False, True):
            with self.subTest(stream=stream):
                mid = self.complete(dict(opts, stream=stream))
                sent = json.loads(self.body())
                self.assertEqual(sent["response_format"], SCHEMA_FORMAT)
                self.assertEqual(list(sent)[-1], "response_format")
                r = self.reply(mid)
                self.assertEqual(r["content"], '{"city": "Hello", "degrees": 0.5, "unit": "C"}')
                self.assertEqual(json.loads(r["content"]), {"city": "Hello", "degrees": 0.5, "unit": "C"})
                self.assertEqual(r["parts"], None)
                self.q("DELETE FROM chat_messages WHERE id = ?", (mid,))
        # JSON mode: OpenAI wants the word "json" in the messages
        before = snapshot(self.db)
        self.assertEqual(self.error_of("SELECT complete_chat(1, ?)",
                                       (json.dumps({"extra_body": {"response_format": {"type": "json_object"}}}),)),
                         "chatflow: provider returned HTTP 400 Bad Request: 'messages' must contain the word"
                         " 'json' in some form, to use 'response_format' of type 'json_object'.")
        self.assertEqual(snapshot(self.db), before)
        self.q("SELECT add_message(1, 'user', 'Answer in JSON.')")
        mid = self.complete({"extra_body": {"response_format": {"type": "json_object"}}})
        self.assertEqual(self.reply(mid)["content"], '{"echo": "Answer in JSON."}')
        # the server's refusal of a bad schema comes back as its HTTP error
        bad = dict(SCHEMA_FORMAT, json_schema=dict(SCHEMA_FORMAT["json_schema"], name="my weather"))
        self.assertEqual(self.error_of("SELECT complete_chat(1, ?)",
                                       (json.dumps({"extra_body": {"response_format": bad}}),)),
                         "chatflow: provider returned HTTP 400 Bad Request: Invalid"
                         " 'response_format.json_schema.name': string does not match pattern. Expected a"
                         " string that matches the pattern '^[a-zA-Z0-9_-]+$'.")

    def test_option_errors(self):
        owned = [("model", "it comes from the option model or llm.model"),
                 ("messages", "it is the conversation's history"),
                 ("temperature", "it comes from the option temperature or llm.temperature"),
                 ("max_tokens", "it comes from the option max_tokens or llm.max_tokens"),
                 ("tools", "it comes from the option tools"),
                 ("tool_choice", "it comes from the option tool_choice"),
                 ("stream", "it comes from the option stream"),
                 ("stream_options", "it comes from the option stream"),
                 ("n", "chatflow stores one choice, choices[0]"),
                 ("functions", "use the option tools"),
                 ("function_call", "use the option tool_choice")]
        cases = [('{"extra_body": {"seed": 1, "%s": null}}' % k,
                  'chatflow: complete_chat option extra_body must not set "%s": %s' % (k, why))
                 for k, why in owned]
        cases += [
            ('{"extra_body": [{"seed": 1}]}',
             "chatflow: option 'extra_body' of complete_chat must be an object, got an array"),
            ('{"extra_body": "{\\"seed\\": 1}"}',
             "chatflow: option 'extra_body' of complete_chat must be an object, got a string"),
            ('{"extra_body": {"s\\u0065ed": 1}}',
             'chatflow: complete_chat option extra_body has the key "s\\u0065ed" spelled with escapes;'
             ' write it as plain text'),
            ('{"extra_body": {"seed": 1, "seed": 2}}',
             'chatflow: complete_chat options has the key "seed" twice in one object'),
            ('{"extra_body": {"user": "a\\u0000b"}}',
             "chatflow: complete_chat options: extra_body.user contains a NUL character (\\u0000)"),
            ('{"extra_body": {"stop": ["\\ud800"]}}',
             "chatflow: complete_chat options: extra_body.stop[0] contains a lone surrogate \\ud800"),
            ('{"extra_body": %s}' % json.dumps({"k%d" % i: i for i in range(65)}),
             "chatflow: complete_chat option extra_body has more than 64 members"),
            ('{"extra_body": {"x": %s1%s}}' % ("[" * 32, "]" * 32),
             "chatflow: complete_chat options nests deeper than 32 levels at offset 51"),
            ('{"extra_body": {"seed": 1,}}',
             "chatflow: complete_chat options is not valid JSON at offset 26: unexpected character"),
        ]
        self.assertEqual(one(self.db, "SELECT start_run(1, 'topical_map')"), 1)
        for opts, err in cases:
            for extra in ('', ', "on_error": "fail_run"'):
                with self.subTest(options=opts, extra=extra):
                    before = snapshot(self.db)
                    text = opts[:-1] + extra + '}'
                    self.assertEqual(self.error_of("SELECT complete_chat(1, ?)", (text,)), err)
                    self.assertEqual(snapshot(self.db), before)
        self.assertEqual(one(self.db, "SELECT status FROM workflow_runs"), "started")
        # 64 members are fine
        self.assertEqual(len(json.loads(self.call(json.dumps(
            {"extra_body": {"k%d" % i: i for i in range(64)}})))), 66)
        self.assertEqual(len(SRV.requests), 1)

    def test_setting_errors(self):
        cases = [
            ('{"model": "x"}', 'chatflow: llm.extra_body must not set "model": it comes from the option model'
                               ' or llm.model'),
            ('{"stream": false}', 'chatflow: llm.extra_body must not set "stream": it comes from the option'
                                  ' stream'),
            ('[1]', "chatflow: llm.extra_body must be a JSON object, got an array"),
            ('"seed"', "chatflow: llm.extra_body must be a JSON object, got a string"),
            ('42', "chatflow: llm.extra_body must be a JSON object, got an integer"),
            ('4.2', "chatflow: llm.extra_body must be a JSON object, got a number"),
            ('true', "chatflow: llm.extra_body must be a JSON object, got a boolean"),
            ('null', "chatflow: llm.extra_body must be a JSON object, got null"),
            ('{"seed": 1', "chatflow: llm.extra_body is not valid JSON at offset 10: unexpected end of input"),
            ('{"seed": NaN}', "chatflow: llm.extra_body is not valid JSON at offset 9: unexpected 'NaN'"),
            ('{"a": 1, "a": 2}', 'chatflow: llm.extra_body has the key "a" twice in one object'),
            ('{"a": "\\u0000"}', "chatflow: llm.extra_body: a contains a NUL character (\\u0000)"),
            ('{"k\\u0065ep_alive": "5m"}', 'chatflow: llm.extra_body has the key "k\\u0065ep_alive" spelled'
                                           ' with escapes; write it as plain text'),
            (json.dumps({"k%d" % i: i for i in range(65)}),
             "chatflow: llm.extra_body has more than 64 members"),
            ('{"x": "%s"}' % ("y" * 65528), "chatflow: setting value is 65537 characters, longer than the limit of 65536"),
        ]
        for val, err in cases:
            with self.subTest(value=val[:40]):
                self.assertEqual(self.error_of("SELECT chatflow_config('llm.extra_body', ?)", (val,)), err)
        self.assertIsNone(one(self.db, "SELECT chatflow_config('llm.extra_body')"))
        big = '{"x": "%s"}' % ("y" * 65527)
        self.assertEqual(len(big), 65536)
        self.assertEqual(one(self.db, "SELECT chatflow_config('llm.extra_body', ?)", (big,)), big)
        # a value raw SQL wrote is checked before every call, nothing sent
        self.q("INSERT OR REPLACE INTO chatflow_settings (key, value, updated_at)"
               " VALUES ('llm.extra_body', '{\"messages\": []}', ?)", (T0,))
        raw = ("chatflow: chatflow_settings holds an invalid llm.extra_body (raw SQL wrote it): llm.extra_body"
               " must not set \"messages\": it is the conversation's history; set it with chatflow_config")
        self.assertEqual(self.error_of("SELECT complete_chat(1)"), raw)
        self.assertEqual(self.error_of("SELECT generate_title(1)"), raw)
        self.assertEqual(SRV.requests, [])
        # generate_title without a model makes no call and does not read it
        self.q("SELECT chatflow_config('llm.model', NULL)")
        self.assertEqual(one(self.db, "SELECT generate_title(1)"), "Hello")
        self.assertEqual(SRV.requests, [])

    def test_generate_title(self):
        self.q("SELECT chatflow_config('llm.extra_body', '{\"keep_alive\": \"5m\"}')")
        cases = [
            (None, ',"keep_alive":"5m"}'),
            ('{"extra_body": {"reasoning_effort": "minimal"}}', ',"keep_alive":"5m","reasoning_effort":"minimal"}'),
            ('{"extra_body": {"keep_alive": null}, "now": "2030-01-01T00:00:00Z"}', '}'),
        ]
        for opts, tail in cases:
            with self.subTest(options=opts):
                got = one(self.db, "SELECT generate_title(1)") if opts is None else \
                    one(self.db, "SELECT generate_title(1, ?)", (opts,))
                self.assertEqual(got, "echo: Hello")
                self.assertEqual(self.body(), self.TITLE + tail)
        self.assertEqual(one(self.db, "SELECT updated_at FROM chat_conversations"), "2030-01-01T00:00:00.000Z")
        before = snapshot(self.db)
        n = len(SRV.requests)
        for opts, err in [
                ('{"extra_body": {"max_tokens": 64}}',
                 'chatflow: generate_title option extra_body must not set "max_tokens": it comes from the option'
                 ' max_tokens or llm.max_tokens'),
                ('{"extra_body": 1}', "chatflow: option 'extra_body' of generate_title must be an object, got an"
                                      " integer"),
                ('{"seed": 1}', "chatflow: unknown option 'seed' for generate_title (expected now, extra_body)")]:
            with self.subTest(options=opts):
                self.assertEqual(self.error_of("SELECT generate_title(1, ?)", (opts,)), err)
        self.assertEqual(snapshot(self.db), before)
        self.assertEqual(len(SRV.requests), n)



class TestSettings(Base):
    def test_defaults(self):
        got = {k: one(self.db, "SELECT chatflow_config(?)", (k,)) for k in (
            "llm.connect_timeout_ms", "llm.max_tokens", "llm.temperature", "llm.history_tokens",
            "llm.max_response_bytes", "llm.tls_verify", "llm.ca_bundle", "llm.extra_headers_env")}
        self.assertEqual(got, {"llm.connect_timeout_ms": "10000", "llm.max_tokens": None,
                               "llm.temperature": None, "llm.history_tokens": None,
                               "llm.max_response_bytes": "8388608", "llm.tls_verify": "on",
                               "llm.ca_bundle": None, "llm.extra_headers_env": None})

    def test_checked(self):
        cases = [
            ("llm.connect_timeout_ms", "0", "chatflow: llm.connect_timeout_ms must be an integer "
                                            "from 1 to 600000, got '0'"),
            ("llm.max_tokens", "-1", "chatflow: llm.max_tokens must be an integer from 1 to "
                                     "10000000, got '-1'"),
            ("llm.temperature", "2.5", "chatflow: llm.temperature must be a number from 0 to 2, "
                                       "got '2.5'"),
            ("llm.temperature", "warm", "chatflow: llm.temperature must be a number from 0 to 2, "
                                        "got 'warm'"),
            # a decimal number: no hex, bare point, sign, comma, or bare exponent
            *[("llm.temperature", v, "chatflow: llm.temperature must be a number from 0 to 2, got '%s'" % v)
              for v in ("0x1", ".5", "1.", "+1", "0,5", "1.2.3", "1e", "1e+", "2e1", "1e99999999")],
            ("llm.history_tokens", "1e3", "chatflow: llm.history_tokens must be an integer from 1 "
                                          "to 100000000, got '1e3'"),
            ("llm.max_response_bytes", "100", "chatflow: llm.max_response_bytes must be an integer "
                                              "from 1024 to 268435456, got '100'"),
            ("llm.tls_verify", "no", "chatflow: llm.tls_verify must be 'on' or 'off', got 'no'"),
            ("llm.extra_headers_env", "X-H", "chatflow: llm.extra_headers_env must name an "
                                             "environment variable ([A-Za-z_][A-Za-z0-9_]*), "
                                             "got 'X-H'"),
        ]
        for key, val, err in cases:
            with self.subTest(key=key, value=val):
                self.assertEqual(self.error_of("SELECT chatflow_config(?, ?)", (key, val)), err)
        for key, val in [("llm.temperature", "0.35"), ("llm.temperature", "0"), ("llm.temperature", "2.0"),
                         ("llm.temperature", "7e-1"), ("llm.temperature", "20E-1"),
                         ("llm.tls_verify", "off"), ("llm.max_tokens", "1"),
                         ("llm.ca_bundle", "/etc/ssl/certs/ca-certificates.crt")]:
            self.assertEqual(one(self.db, "SELECT chatflow_config(?, ?)", (key, val)), val)


class Result(unittest.TextTestResult):
    pass


if __name__ == "__main__":
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Result)
    t = time.monotonic()
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("time: %.1f s" % (time.monotonic() - t))
    print("provider: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
