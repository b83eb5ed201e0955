#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_chatflow.c into tests/fuzz/corpus/.

Each seed is one or more calls separated by 0x1E; a call is one selector
byte (the index of the entry in the harness's aEntry; +0x80 binds the
arguments as BLOBs) and its arguments separated by 0x1F.  ENTRIES below
must list aEntry's names in aEntry's order.

Run: /usr/bin/python3 tests/fuzz/seeds.py   (rewrites the directory; the
seeds are committed, regression inputs for fixed bugs live beside them as
regress-*)
"""
import json
import os

ENTRIES = [
    "add_message.content", "add_message.options", "add_message.role", "add_message.run",
    "create_conversation.title", "create_conversation.options", "create_conversation.owner",
    "find_or_create_conversation.key", "find_or_create_conversation.options",
    "start_run.input", "start_run.options", "start_run.workflow", "advance_run.output",
    "resume_run.clarification", "resume_run.approval", "merge_run_state",
    "set_business_context", "add_clarification", "add_proposal", "validate_proposal",
    "set_run_status", "fail_run", "import_conversation", "import_conversation.options",
    "export_conversation.format", "fork_conversation.options", "chatflow_config.get",
    "chatflow_config.set", "chatflow_clock", "search_messages.query",
    "search_messages.owner_options", "conversation_list.options", "conversation_list.owner",
    "chat_history", "chat_history_json", "workflow_interrupt.insert",
    "workflow_interrupt.select", "workflow_interrupt.update", "chatflow_stats", "retention",
    "heartbeat_run", "add_message.deleted_conversation", "run_status",
    "fork_conversation.args", "fixed", "update_conversation_raw", "add_message.uid_parts",
    "export_conversation.id", "purge_deleted", "add_ui_message", "chat_ui_messages",
    "add_message.tool", "update_conversation", "conversation_by_uid", "conversation_messages",
    "delete_messages", "approve_proposal", "reject_proposal",
    "chatflow_base64", "run_usage",
    "langgraph_put", "langgraph_put.options", "langgraph_put_blob", "langgraph_put_write",
    "langgraph_list", "langgraph_get", "langgraph_delete_thread",
    "add_message.parent", "edit_message", "switch_branch", "message_siblings",
    "now.cancel_run", "now.advance_run", "now.heartbeat_expire", "now.retention",
    "now.update_conversation",
    "begin_message", "append_message", "finish_message", "abort_message",
    "langgraph_get.options",
]
SEP_CALL = b"\x1e"
SEP_ARG = b"\x1f"

EXPORT = {
    "format": "chatflow.conversation.v1",
    "conversation": {"id": 1, "uid": "37d2767591ada5a23d88d6ee254af3c4", "owner": "acme",
                     "key": "k", "title": "t", "visibility": "private", "model": None,
                     "agent": None, "context": {}, "metadata": {}, "pinned_at": None,
                     "archived_at": None, "deleted_at": None,
                     "created_at": "2026-01-01T00:00:00.000Z",
                     "updated_at": "2026-01-01T00:00:00.000Z", "message_count": 1,
                     "last_seq": 1, "total_tokens": 3,
                     "last_message_at": "2026-01-01T00:00:00.000Z",
                     "last_message_preview": "hi", "forked_from_id": None,
                     "forked_at_seq": None},
    "messages": [{"id": 1, "conversation_id": 1, "seq": 1, "run_id": 1, "role": "user",
                  "type": "user_input", "content": "hi",
                  "parts": [{"type": "text", "text": "hi"}], "attachments": None,
                  "workflow_step": "context_ingestion", "metadata": None, "tokens": 3,
                  "created_at": "2026-01-01T00:00:00.000Z"}],
    "runs": [{"id": 1, "conversation_id": 1, "workflow": "topical_map", "status": "started",
              "current_step": "context_ingestion", "state": {}, "business_context": {},
              "clarifications": [], "error": None,
              "lease_expires_at": "2026-01-01T00:05:00.000Z",
              "started_at": "2026-01-01T00:00:00.000Z", "completed_at": None,
              "created_at": "2026-01-01T00:00:00.000Z",
              "updated_at": "2026-01-01T00:00:00.000Z",
              "events": [{"id": 1, "run_id": 1, "from_status": None, "to_status": "started",
                          "from_step": None, "to_step": "context_ingestion", "detail": None,
                          "created_at": "2026-01-01T00:00:00.000Z"}],
              "proposals": [{"id": 1, "run_id": 1, "kind": "pillar", "proposed_name": "P",
                             "approved_name": None, "rationale": None, "user_approved": 0,
                             "approved_at": None, "validated": 0, "validated_at": None,
                             "validation": None, "ref": None,
                             "created_at": "2026-01-01T00:00:00.000Z"}]}],
}


def j(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


def call(name, *args, blob=False):
    sel = ENTRIES.index(name)
    if sel in (SEP_CALL[0], SEP_ARG[0]):  # the selector byte must not be a separator
        sel += len(ENTRIES)
    sel |= 0x80 if blob else 0
    return bytes([sel]) + SEP_ARG.join(a if isinstance(a, bytes) else a.encode() for a in args)


SEEDS = {
    "add_message": [call("add_message.content", "hello world"),
                    call("add_message.content", "caf\u00e9 \U0001F468\u200d\U0001F469\u200d\U0001F467 flag \U0001F1EB\U0001F1F7"),
                    call("add_message.options", j({"type": "tool_call", "tokens": 7,
                                                   "parts": [{"type": "text", "text": "a"},
                                                             {"type": "tool-call", "toolCallId": "c1",
                                                              "toolName": "f", "input": {"x": 1}}],
                                                   "attachments": [{"url": "u"}],
                                                   "metadata": {"model": "m", "tokens": {"input": 1, "output": 2, "total": 3}},
                                                   "created_at": "2026-01-01T00:00:01.000Z"})),
                    call("add_message.options", j({"run_id": 3, "tokens": 1.0})),
                    call("add_message.role", "assistant"),
                    call("add_message.run", "step output", j({"type": "assistant_response"})),
                    call("add_message.deleted_conversation", "x", j({})),
                    call("add_message.uid_parts", "1", "tool", "r", j({"type": "tool_result", "run_id": 1})),
                    call("add_message.content", "bad \\u0000 nul", blob=True)],
    "conversation": [call("create_conversation.title", "Hello title"),
                     call("create_conversation.options", j({"key": "k9", "visibility": "public", "model": "gpt",
                                                            "agent": "a", "context": {"x": [1, 2]},
                                                            "metadata": {"m": None}, "uid": "u-1",
                                                            "created_at": "2026-01-01T00:00:00Z"})),
                     call("create_conversation.owner", "beta", "T", j({"key": "k1"})),
                     call("find_or_create_conversation.key", "k1"),
                     call("find_or_create_conversation.options", "acme", "new", "T", j({"model": "m"})),
                     call("update_conversation_raw", "new title", j({"a": 1}))],
    "runs": [call("start_run.input", j({"seed": "bakery", "n": [1, 2.5, True, None]})),
             call("start_run.options", j({"x": 1}), j({"on_active": "cancel"})),
             call("start_run.workflow", "topical_map"),
             call("advance_run.output", j({"context": {"offerings": ["bread"]}, "drop": None})),
             call("resume_run.clarification", j({"clarifications": [{"question_id": "q1", "question": "Who?",
                                                                     "answer": "locals"}], "extra": {"k": "v"}})),
             call("resume_run.approval", j({"approvals": [{"proposal_id": 1, "approved_name": "Breads"},
                                                          {"proposal_id": 2}]})),
             call("merge_run_state", j({"a": {"b": {"c": None}}, "list": [1]})),
             call("set_business_context", j({"offerings": ["x"], "icp": "smb", "geo": "FR",
                                             "monetization": "ads"})),
             call("add_clarification", "q2", "Where?", "Lyon"),
             call("add_proposal", "pillar", "Sourdough", "why"),
             call("validate_proposal", j({"competition_level": "low", "intent_match": 0.9,
                                          "top_competitors": ["a", "b"]})),
             call("set_run_status", "completed", ""),
             call("set_run_status", "awaiting_clarification", "clarification"),
             call("fail_run", "worker crashed"),
             call("heartbeat_run", "60"),
             call("run_status", "3"),
             call("start_run.options", j({"x": 2}), j({"on_active": "enqueue", "ttl_seconds": 60})),
             call("start_run.options", j({}), j({"on_active": "rollback", "ttl_seconds": 0}))],
    "export": [call("import_conversation", j(EXPORT)),
               call("import_conversation.options", "acme", j({"uid": "copy-1"})),
               call("export_conversation.format", "openai"),
               call("export_conversation.id", "2", "chatflow"),
               call("fork_conversation.options", j({"uid": "fork-1"})),
               call("fork_conversation.args", "1", "1", j({}))],
    "config": [call("chatflow_config.get", "llm.model"),
               call("chatflow_config.set", "limits.max_content_chars", "10"),
               call("chatflow_config.set", "llm.base_url", "https://example.invalid/v1"),
               call("chatflow_config.set", "runs.lease_seconds", "1"),
               call("chatflow_clock", "2026-02-03T04:05:06.789Z"),
               call("chatflow_clock", "2026-02-03T04:05:06+02:00"),
               call("chatflow_clock", "0001-01-01T00:30:00+01:00")],
    "read": [call("search_messages.query", "hello"),
             call("search_messages.query", "\"bakery pillar\" OR hel* NOT x"),
             call("search_messages.owner_options", "hello", "acme", j({"order": "newest", "limit": 5,
                                                                       "deleted": True, "titles": True,
                                                                       "syntax": "fts5"})),
             call("conversation_list.options", j({"limit": 2, "deleted": False, "archived": "only"})),
             call("conversation_list.owner", "acme", j({"after": "x"})),
             call("chat_history", "1", "10", "1"),
             call("chat_history_json", "100", "1"),
             call("chatflow_stats", "acme")],
    "interrupt": [call("workflow_interrupt.insert", "run_3", "checkpoint", "2026-01-01T00:00:00.000Z",
                       "2026-01-01T00:00:00.000Z"),
                  call("workflow_interrupt.insert", "run_9", "x"),
                  call("workflow_interrupt.select", "run_1"),
                  call("workflow_interrupt.update", "ext-1", "new data", blob=True)],
    "retention": [call("retention", "0", "10", "0"), call("purge_deleted", "0", "5")],
    "ai": [call("add_ui_message", "1", j({"id": "u", "role": "user", "parts": [{"type": "text", "text": "hi"}]})),
           call("add_ui_message", "5", j({"id": "a", "role": "assistant", "metadata": {"usage": {"outputTokens": 3}},
                                          "parts": [{"type": "step-start"},
                                                    {"type": "tool-f", "toolCallId": "c", "state": "output-available",
                                                     "input": {"x": 1}, "output": [1, "two"]},
                                                    {"type": "text", "text": "ok"}]}), j({"run_id": 1})),
           call("chat_ui_messages", "5", j({"max_tokens": 10})),
           call("add_message.tool", "5", "assistant", "", j({"uid": "m", "tool_calls": [
               {"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})),
           call("add_message.tool", "5", "tool", "r", j({"tool_call_id": "t1"})),
           call("chat_ui_messages", "5", ""),
           call("run_usage", "1"), call("run_usage", "3")],
    "seed_parity": [call("update_conversation", "1", j({"title": "t", "pinned": True, "archived": False,
                                                         "context": {"a": 1}, "visibility": "public"})),
                    call("update_conversation", "1", j({"owner": "x"})),
                    call("update_conversation", "4", "{}"),
                    call("conversation_by_uid", "37d2767591ada5a23d88d6ee254af3c4", "acme"),
                    call("conversation_messages", "1", j({"limit": 2, "order": "desc", "before_seq": 3})),
                    call("conversation_messages", "5", j({"after_seq": 1, "limit": 500})),
                    call("delete_messages", "1", j({"after_seq": 1})),
                    call("delete_messages", "5", j({"run_id": 1})),
                    call("delete_messages", "1", "{}"),
                    call("approve_proposal", "1", "Renamed"), call("reject_proposal", "1", "no"),
                    call("approve_proposal", "2", ""),
                    call("chatflow_base64", b"\x00\xff\x10", blob=True)],
    "langgraph": [call("langgraph_put", "t-1", "c-9", "{\"v\":4}", j({"source": "loop", "step": 1})),
                  call("langgraph_put", "t-new", "c-1", "", "{}"),
                  call("langgraph_put.options", j({"a": [1, {"b": None}]}),
                       j({"checkpoint_ns": "child", "parent_checkpoint_id": "c-1", "type": "json",
                          "channel_versions": {"messages": "2"}, "owner": "beta", "run_id": 3})),
                  call("langgraph_put.options", "{}", j({"run_id": 4})),
                  call("langgraph_put_blob", "messages", "2", "[\"hi\"]", j({"type": "json"})),
                  call("langgraph_put_write", "c-1", "task", "-1", j({"replace": True, "task_path": "p"})),
                  call("langgraph_put_write", "c-404", "task", "1.5", "{}"),
                  call("langgraph_list", "t-1", j({"filter": {"source": "input"}, "limit": 2, "before": "c-2"})),
                  call("langgraph_list", "", j({"checkpoint_ns": ""})),
                  call("langgraph_get", "t-1", "", "c-1"),
                  call("langgraph_delete_thread", "t-1", "1", "10"),
                  call("langgraph_get.options", "t-1", "", "c-1", j({"owner": "langgraph"})),
                  call("langgraph_get.options", "t-1", "", "c-1", j({"owner": "acme"})),
                  call("langgraph_get.options", "t-1"),
                  call("langgraph_get.options", "t-1", "", "c-1", "{\"owner\": \"a\\u0000\"}")],
    "branches": [call("add_message.parent", "1", "Regenerated", j({"parent_id": 2})),
                 call("add_message.parent", "1", "Other conversation's parent", j({"parent_id": 4})),
                 call("add_message.parent", "4", "Deleted", j({"parent_id": 6, "uid": "u"})),
                 call("add_message.parent", "1", "x", "{\"parent_id\": 2.0}"),
                 call("edit_message", "2", "Edited", j({"uid": "e", "metadata": {"a": 1}})),
                 call("edit_message", "1", "New first message", "{}"),
                 call("edit_message", "6", "In a deleted conversation", "{}"),
                 call("edit_message", "2", "x", j({"parent_id": 1})),
                 call("switch_branch", "3"), call("switch_branch", "1.0"), call("switch_branch", "6"),
                 call("message_siblings", "3"), call("message_siblings", "1"), call("message_siblings", "-1")],
    "now": [call("now.cancel_run", "3", j({"now": "2030-01-01T00:00:00Z"})),
            call("now.cancel_run", "3", j({"now": "2030-02-30T00:00:00Z"})),
            call("now.advance_run", "3", "{}", j({"now": "2030-01-01T00:00:00.123Z"})),
            call("now.advance_run", "1", j({"x": 1}), j({"now": 1})),
            call("now.heartbeat_expire", "3", j({"now": "2026-01-01T00:00:00Z"}), j({"now": "2026-01-01T00:05:01Z"})),
            call("now.retention", "0", j({"now": "2030-01-01T00:00:00Z"})),
            call("now.update_conversation", j({"pinned": True}), j({"now": "9999-12-31T23:59:59.999Z"})),
            call("now.update_conversation", j({"title": "t"}), "{\"now\": \"2030-01-01T00:00:00Z\u0000\"}"),
            call("add_message.options", j({"now": "2030-01-01T00:00:00Z", "created_at": "2029-01-01T00:00:00Z"})),
            call("add_message.options", j({"now": "2030-01-01T00:30:00.123456+01:00",
                                           "created_at": "2029-12-31T23:30:00.123456789-01:00"}))],
    "drafts": [call("begin_message", "1", "assistant", j({"uid": "d", "metadata": {"m": 1}})),
               call("append_message", "7", "Sour"), call("append_message", "7", "dough \u00e9"),
               call("append_message", "7", b"\xc3("), call("append_message", "1", "x"),
               call("finish_message", "7", j({"tokens": 3, "parts": [{"type": "text", "text": "x"}]})),
               call("finish_message", "7", "{}"),
               call("begin_message", "4", "user", "{}"), call("begin_message", "1", "robot", "{}"),
               call("begin_message", "1", "assistant", j({"tokens": 1})),
               call("abort_message", "8", "stopped"), call("abort_message", "8", "")],
    "run_uid": [call("start_run.options", j({"uid": "r-1", "on_active": "enqueue"})),
                call("start_run.options", j({"uid": "", "ttl_seconds": 5})),
                call("start_run.options", j({"uid": "x" * 129}))],
}

# JSON the scanner must judge: nesting, escapes, duplicate keys (also
# spelled with escapes), numbers at the edges, lone surrogates
SEEDS["json"] = [
    call("merge_run_state", b'{"a":' * 40 + b'1' + b'}' * 40),
    call("merge_run_state", b'{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}'),
    call("add_message.options", b'{"parts":[{"type":"text","text":"a"}],"p\u0061rts":[]}'),
    call("add_message.options", b'{"metadata":{"k":"\ud83d\ude00 \u00e9 \" \\ \/ \b\f\n\r\t"}}'),
    call("add_message.options", b'{"metadata":{"k":"\ud800"}}'),
    call("add_message.options", b'{"tokens":9223372036854775807,"metadata":{"x":-1.5e-308,"y":1E+2}}'),
    call("set_business_context", b' \t\n{ "offerings" : [ ] , "icp" : null } \n'),
    call("start_run.input", b'{"a":1,"a":2}'),
    call("resume_run.approval", b'{"approvals":[{"proposal_id":1.0},{"proposal_id":2,"approved_name":"\u0000"}]}'),
]

# sequences: a call, then state changes, then more calls
SEQUENCES = {
    "seq_search_snippet": [
        call("add_message.content", ("bread sourdough \u0301 \U0001F468\u200d\U0001F469 " * 40
                                      + "pillar bakery " * 30 + "\U0001F1EB\U0001F1F7" * 5)),
        call("search_messages.query", "bread OR pillar"),
        call("search_messages.owner_options", "\"sourdough bread\"", "acme", j({"order": "newest"})),
        call("search_messages.query", "bakery NEAR(bread pillar, 3)")],
    "seq_run_life": [call("start_run.input", j({})), call("fixed", b"\x00"), call("advance_run.output", j({"x": 1})),
                     call("resume_run.clarification", j({"clarifications": []})), call("fixed", b"\x02"),
                     call("add_message.content", "after")],
    "seq_delete_restore": [call("fixed", b"\x04"), call("add_message.content", "x"), call("fixed", b"\x05"),
                           call("add_message.deleted_conversation", "y", j({}))],
    "seq_export_import": [call("fixed", b"\x0e"), call("search_messages.query", "bakery"),
                          call("fixed", b"\x06"), call("conversation_list.options", j({"deleted": True}))],
    "seq_clock_retention": [call("chatflow_clock", "2030-01-01T00:00:00.000Z"), call("fixed", b"\x07"),
                            call("fixed", b"\x08"), call("fixed", b"\x09"), call("chatflow_stats", "")],
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "corpus")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.startswith("seed-"):
            os.remove(os.path.join(out, f))
    n = 0
    for group, calls in SEEDS.items():
        for i, c in enumerate(calls):
            with open(os.path.join(out, "seed-%s-%02d" % (group, i)), "wb") as f:
                f.write(c)
            n += 1
    for name, calls in SEQUENCES.items():
        with open(os.path.join(out, "seed-%s" % name), "wb") as f:
            f.write(SEP_CALL.join(calls))
        n += 1
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
