-- 44_seq_limits: a message's seq is capped as ids are (2^53 - 1, exact as a
-- JavaScript number): a raw INSERT past it is refused, and once the last
-- seq is taken the next message is refused by name (SQLite would otherwise
-- compute a REAL seq and fail with "cannot store REAL value").  An import
-- cannot bring a seq or last_seq past it either, nor a message's tokens
-- past add_message's bound; each refusal writes nothing.
.bail off
.mode list
.headers off
SELECT chatflow_init();
SELECT create_conversation('seq', 'last seq');
INSERT INTO chat_messages (conversation_id, role, content, seq) VALUES (1, 'user', 'max', 9223372036854775807); -- error
INSERT INTO chat_messages (conversation_id, role, content, seq) VALUES (1, 'user', 'past', 9007199254740992); -- error
INSERT INTO chat_messages (conversation_id, role, content, seq) VALUES (1, 'user', 'last', 9007199254740991);
SELECT add_message(1, 'user', 'one more'); -- error
SELECT message_count, last_seq FROM chat_conversations WHERE id = 1;
SELECT import_conversation('seq2', json_set(export_conversation(1), '$.messages[0].seq', 9223372036854775807)); -- error
SELECT import_conversation('seq2', json_set(export_conversation(1), '$.messages[0].seq', 5, -- error
                                            '$.conversation.last_seq', 9223372036854775807));
SELECT import_conversation('seq2', json_set(export_conversation(1), '$.messages[0].seq', 5, -- error
                                            '$.messages[0].tokens', 1000000001));
SELECT import_conversation('seq2', json_set(export_conversation(1), '$.messages[0].seq', 5, -- error
                                            '$.messages[0].tokens', -1));
SELECT count(*) FROM chat_conversations WHERE owner = 'seq2';
SELECT import_conversation('seq2', json_set(export_conversation(1), '$.messages[0].seq', 5,
                                            '$.messages[0].tokens', 1000000000));
SELECT seq, tokens FROM chat_messages WHERE conversation_id = 2;
SELECT * FROM chatflow_check() WHERE NOT ok;
PRAGMA integrity_check;
