-- langgraph_get takes the option owner as langgraph_list does: another
-- owner's thread reads as unknown (no row, no error), as delete_thread
-- with owner treats it.  Without the option (or with owner null, as in
-- every options_json), nothing is checked.  A bad owner or options value
-- is refused with the siblings' error texts.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT langgraph_put('t-acme', 'c-1', x'00', '{"step": 1}', '{"owner": "acme"}');
SELECT langgraph_put('t-acme', 'c-2', x'00', '{"step": 2}', '{"owner": "acme", "parent_checkpoint_id": "c-1"}');
SELECT langgraph_put('t-acme', 'c-3', x'00', '{"step": 3}', '{"owner": "acme", "checkpoint_ns": "child"}');
SELECT langgraph_put('t-other', 'c-1', x'00', '{"step": 1}', '{"owner": "other"}');
SELECT langgraph_put('t-other', 'c-2', x'00', '{"step": 2}', '{"owner": "other", "checkpoint_ns": "child"}');
SELECT uid, owner FROM chat_conversations ORDER BY id;
-- its own thread: the newest of the root namespace, a checkpoint named,
-- another namespace (NULL: the root one), a checkpoint of another namespace
SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "acme"}');
SELECT checkpoint_id FROM langgraph_get('t-acme', '', 'c-1', '{"owner": "acme"}');
SELECT checkpoint_ns, checkpoint_id FROM langgraph_get('t-acme', 'child', NULL, '{"owner": "acme"}');
SELECT checkpoint_ns, checkpoint_id FROM langgraph_get('t-acme', 'child', 'c-3', '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-acme', '', 'c-3', '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-acme', 'child', 'c-1', '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-acme', '', 'c-9', '{"owner": "acme"}');
-- another owner's thread: no row, whatever the namespace and checkpoint
SELECT count(*) FROM langgraph_get('t-other', NULL, NULL, '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-other', '', 'c-1', '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-other', 'child', NULL, '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-other', 'child', 'c-2', '{"owner": "acme"}');
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "other"}');
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "ACME"}');
-- the same as an unknown thread
SELECT count(*) FROM langgraph_get('no-such-thread', NULL, NULL, '{"owner": "acme"}');
-- the owner's own thread of the other: its rows
SELECT checkpoint_ns, checkpoint_id FROM langgraph_get('t-other', 'child', NULL, '{"owner": "other"}');
-- without owner: unchanged (no options, NULL options, {}, owner null)
SELECT checkpoint_id FROM langgraph_get('t-other');
SELECT checkpoint_id FROM langgraph_get('t-other', 'child');
SELECT checkpoint_id FROM langgraph_get('t-other', '', 'c-1');
SELECT checkpoint_id FROM langgraph_get('t-other', NULL, NULL, NULL);
SELECT checkpoint_id FROM langgraph_get('t-other', NULL, NULL, '{}');
SELECT checkpoint_id FROM langgraph_get('t-other', NULL, NULL, '{"owner": null}');
-- the hidden column by name
SELECT checkpoint_id FROM langgraph_get WHERE thread = 't-acme' AND options = '{"owner": "acme"}';
SELECT count(*) FROM langgraph_get WHERE thread = 't-other' AND options = '{"owner": "acme"}';
-- a bad owner: refused as by the writers, langgraph_list and delete_thread
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": ""}'); -- error
SELECT count(*) FROM langgraph_list('t-acme', '{"owner": ""}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": 5}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": ["acme"]}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "ac\u0000me"}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, json_object('owner', printf('%.201c', 'a'))); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, json_object('owner', printf('%.200c', 'a')));
-- bad options
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"ownr": "acme"}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"checkpoint_ns": "child"}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '["acme"]'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "acme"'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, ''); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, 5); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, x'7b7d'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "acme"}' || char(0)); -- error
-- the other arguments are checked before the options, as before
SELECT count(*) FROM langgraph_get(NULL, NULL, NULL, '{"owner": "acme"}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', 5, NULL, '{"owner": "acme"}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, 5, '{"owner": ""}'); -- error
SELECT count(*) FROM langgraph_get('t-acme', NULL, NULL, '{"owner": "acme"}', 'more'); -- error
SELECT count(*) FROM langgraph_get WHERE options = '{"owner": "acme"}'; -- error
