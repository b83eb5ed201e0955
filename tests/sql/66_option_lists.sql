-- The unknown-option error lists exactly the options the function takes:
-- edit_message takes add_message's but parent_id, begin_message add_message's
-- but tokens.  Those two are still read, and refused with their reason.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Options');
SELECT add_message(1, 'user', 'Name a bread.');
SELECT add_message(1, 'assistant', 'Rye.');
SELECT add_message(1, 'assistant', 'x', '{"role": "user"}'); -- error
SELECT edit_message(2, 'Spelt.', '{"role": "user"}'); -- error
SELECT edit_message(2, 'Spelt.', '{"parent_id": 1}'); -- error
SELECT edit_message(2, 'Spelt.', '{"parent_id": null}');
SELECT begin_message(1, 'assistant', '{"role": "user"}'); -- error
SELECT begin_message(1, 'assistant', '{"tokens": 3}'); -- error
SELECT begin_message(1, 'assistant', '{"tokens": null}');
SELECT finish_message(4, '{"role": "user"}'); -- error
SELECT id, seq, role, content, status, coalesce(parent_id, 0) FROM chat_messages ORDER BY id;
