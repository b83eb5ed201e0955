-- 65_rfc3339_timestamps: every timestamp a function takes is an RFC 3339
-- date-time (section 5.6), with any offset and any fraction, as the
-- languages write it by default, and is stored as chatflow's UTC
-- milliseconds (cfParseTimestamp): the fraction truncated, the offset
-- subtracted (across a day, a month, a year).  A local time without an
-- offset is refused with the usual texts; raw SQL still writes only the
-- stored form (the schema's triggers); a list cursor, chatflow's own
-- output, only in the stored form.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-12-02T05:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Times');
-- add_message's created_at as each language writes it
SELECT add_message(1, 'user', 'python', '{"created_at": "2026-12-02T05:00:00.123456+00:00"}');
SELECT add_message(1, 'user', 'python, no microseconds', '{"created_at": "2026-12-02T05:00:00+00:00"}');
SELECT add_message(1, 'user', 'python, India', '{"created_at": "2026-12-02T10:30:00.654321+05:30"}');
SELECT add_message(1, 'user', 'go', '{"created_at": "2026-12-02T05:00:00.123456789Z"}');
SELECT add_message(1, 'user', 'go, Paris', '{"created_at": "2026-12-02T06:00:00.999999999+01:00"}');
SELECT add_message(1, 'user', 'php', '{"created_at": "2026-12-02T05:00:00+00:00"}');
SELECT add_message(1, 'user', 'php, New York', '{"created_at": "2026-12-02T00:00:00-05:00"}');
SELECT add_message(1, 'user', 'rust', '{"created_at": "2026-12-02T05:00:00.123456789+00:00"}');
SELECT add_message(1, 'user', 'javascript', '{"created_at": "2026-12-02T05:00:00.123Z"}');
SELECT add_message(1, 'user', 'lowercase', '{"created_at": "2026-12-02t05:00:00.5z"}');
SELECT add_message(1, 'user', 'minus zero', '{"created_at": "2026-12-02T05:00:00-00:00"}');
SELECT add_message(1, 'user', 'new year', '{"created_at": "2026-01-01T00:30:00+01:00"}');
SELECT add_message(1, 'user', 'leap day', '{"created_at": "2024-02-29T23:00:00-01:00"}');
SELECT add_message(1, 'user', 'a space: python str(), go driver', '{"created_at": "2026-12-02 06:00:00.5+01:00"}');
SELECT seq, content, created_at FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;
-- create_conversation's created_at, edit_message's and add_ui_message's
SELECT create_conversation('acme', 'Backfilled', '{"created_at": "2026-03-01T01:15:00.1-08:00"}');
SELECT 'conv', created_at, updated_at FROM chat_conversations WHERE id = 2;
SELECT edit_message(1, 'python, edited', '{"created_at": "2026-12-02T07:00:00.000001+02:00"}');
SELECT add_ui_message(2, '{"id": "ui-1", "role": "user", "parts": [{"type": "text", "text": "hi"}]}',
                      '{"created_at": "2026-03-01T12:00:00+09:00"}');
SELECT 'edit', created_at FROM chat_messages WHERE content = 'python, edited';
SELECT 'ui', created_at FROM chat_messages WHERE content = 'hi';
-- the option now: the time of the call, every stamp it makes
SELECT add_message(2, 'assistant', 'now', '{"now": "2026-12-02T07:00:00.250+02:00"}');
SELECT 'now', m.created_at, c.updated_at FROM chat_messages m JOIN chat_conversations c
  ON c.id = m.conversation_id WHERE m.content = 'now';
SELECT start_run(2, 'topical_map', NULL, '{"now": "2026-12-02T05:01:00.000000+00:00"}');
SELECT 'run', started_at, created_at FROM workflow_runs WHERE id = 1;
SELECT cancel_run(1, '{"now": "2026-12-02T00:02:00-05:00"}');
SELECT 'cancelled', completed_at, updated_at FROM workflow_runs WHERE id = 1;
-- chatflow_clock
SELECT chatflow_clock('2026-12-02T07:00:00+02:00');
SELECT chatflow_clock('2026-12-02T07:00:00.987654321+02:00');
SELECT chatflow_clock();
SELECT chatflow_clock('2026-12-02T05:00:00Z');
-- conversation_list's updated_since: conversation 1 was last touched at
-- 05:00:00.000Z (the pinned clock), conversation 2 at 05:00:00.250Z (the
-- message of the option now); the bound is inclusive, and truncated as
-- every time is (.250999999 is .250: rounded, it would leave 2 out)
SELECT 'list', id, updated_at FROM conversation_list('acme', '{"updated_since": "2026-12-02T10:30:00+05:30"}');
SELECT 'list', id FROM conversation_list('acme', '{"updated_since": "2026-12-02T06:00:00.25+01:00"}');
SELECT 'list', id FROM conversation_list('acme', '{"updated_since": "2026-12-02T06:00:00.250999999+01:00"}');
SELECT 'list', count(*) FROM conversation_list('acme', '{"updated_since": "2026-12-02T06:00:00.251+01:00"}');
SELECT 'list', count(*) FROM conversation_list('acme', '{"updated_since": "2026-12-01T23:59:59-05:00"}');
-- a cursor is chatflow's own output: the stored form only
SELECT 'cursor', cursor FROM conversation_list('acme', '{"limit": 1}');
SELECT 'after', id FROM conversation_list('acme', '{"after": "0|2026-12-02T05:00:00.250Z|2"}');
SELECT id FROM conversation_list('acme', '{"after": "0|2026-12-02t05:00:00.250z|2"}'); -- error
SELECT id FROM conversation_list('acme', '{"after": "0|2026-12-02T06:00:00.25+01:00|2"}'); -- error
-- workflow_interrupt's columns
INSERT INTO workflow_interrupt (workflow_id, data, created_at, updated_at)
VALUES ('wf-1', x'00', '2026-12-02T05:00:00.123456+00:00', '2026-12-02T00:00:00.5-05:00');
SELECT 'interrupt', created_at, updated_at FROM workflow_interrupts WHERE workflow_id = 'wf-1';
UPDATE workflow_interrupt SET updated_at = '2026-12-02T09:59:59.999999999+03:00' WHERE workflow_id = 'wf-1';
SELECT 'interrupt', created_at, updated_at FROM workflow_interrupts WHERE workflow_id = 'wf-1';
-- import_conversation: a document's timestamps from another tool
SELECT import_conversation('beta', json_set(export_conversation(2),
  '$.conversation.created_at', '2026-03-01T01:15:00.1-08:00',
  '$.messages[0].created_at', '2026-03-01T12:00:00.999999+09:00',
  '$.runs[0].completed_at', '2026-12-02T06:02:00+01:00'));
SELECT 'import', c.created_at, m.created_at, r.completed_at FROM chat_conversations c
  JOIN chat_messages m ON m.conversation_id = c.id AND m.seq = 1
  JOIN workflow_runs r ON r.conversation_id = c.id WHERE c.owner = 'beta';
-- refused: a local time (with a space too), an empty or too long fraction, an
-- offset out of range, a time outside years 0001-9999 in UTC
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00.123456"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02 05:00:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00.Z"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00.1234567891Z"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00+24:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2026-12-02T05:00:00+0100"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "2016-12-31T23:59:60+00:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "0001-01-01T00:30:00+01:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "9999-12-31T23:30:00-01:00"}'); -- error
SELECT add_message(1, 'user', 'x', '{"now": "2026-12-02T05:00:00"}'); -- error
SELECT create_conversation('acme', 'x', '{"created_at": "2026-02-29T12:00:00+01:00"}'); -- error
SELECT chatflow_clock('2026-12-02T07:00:00'); -- error
SELECT chatflow_clock('9998-12-31T23:30:00-01:00'); -- error
SELECT * FROM conversation_list('acme', '{"updated_since": "2026-12-02T05:00:00"}'); -- error
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('wf-2', x'00', '2026-12-02T05:00:00'); -- error
SELECT import_conversation('beta', json_set(export_conversation(2), '$.messages[0].created_at', '2026-03-01T12:00:00')); -- error
SELECT 'nothing written', count(*) FROM chat_messages WHERE content = 'x';
-- raw SQL: the schema takes only the stored form
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'raw', '2026-12-02T05:00:00+00:00'); -- error
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'raw', '2026-12-02T05:00:00.000Z');
SELECT 'raw', created_at FROM chat_messages WHERE content = 'raw';
