-- 29_trusted_schema: PRAGMA trusted_schema=OFF (SQLite's hardening for
-- untrusted files) on Debian's SQLite 3.40.  Its JSON functions (in the
-- CHECK constraints and triggers) and its FTS5 tables (written by the
-- search triggers) are not innocuous there, so it refuses chatflow's
-- schema: chatflow_init says what to do and leaves nothing behind; on an
-- initialised database every statement that touches the schema fails
-- (also in a plain sqlite3); trusted_schema=ON on the same connection
-- brings everything back.  (SQLite 3.5x, as bundled by better-sqlite3,
-- accepts the schema with trusted_schema=OFF: tests/python/test_bindings.py
-- does not cover it; see docs/operations.md.)
.bail off
.mode list
.headers off

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
PRAGMA trusted_schema;
PRAGMA trusted_schema = OFF;
PRAGMA trusted_schema;
-- a new database: refused with the one message, nothing created
SELECT chatflow_init(); -- error
SELECT count(*) FROM sqlite_schema;
-- the default (ON): initialised, with data
PRAGMA trusted_schema = ON;
SELECT chatflow_init();
SELECT create_conversation('acme', 'Hardening');
SELECT add_message(1, 'user', 'Is trusted_schema off supported?');

-- trusted_schema turned OFF on a connection that has already read the
-- schema: reads still work, writes fail where a CHECK or trigger uses JSON
PRAGMA trusted_schema = OFF;
SELECT chatflow_init();
SELECT count(*) FROM chat_messages;
SELECT add_message(1, 'user', 'refused'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'raw'); -- error
PRAGMA trusted_schema = ON;

-- an initialised database with trusted_schema=OFF.  A connection parses
-- the schema once: one that read it while ON keeps it, so make this one
-- read it again, as a new connection would (a schema change through a
-- second handle on the same file: the stale schema is reloaded under OFF).
ATTACH (SELECT file FROM pragma_database_list WHERE name = 'main') AS again;
CREATE TABLE again.bump (x);
DROP TABLE again.bump;
DETACH again;
PRAGMA trusted_schema = OFF;
SELECT chatflow_init(); -- error
-- the writers and readers: SQLite refuses the schema itself
SELECT add_message(1, 'user', 'refused'); -- error
SELECT create_conversation('acme'); -- error
SELECT * FROM search_messages('trusted'); -- error
SELECT count(*) FROM chat_messages; -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'raw'); -- error

-- back to ON on the same connection: everything works, nothing was written meanwhile
PRAGMA trusted_schema = ON;
SELECT chatflow_init();
SELECT seq, content FROM chat_messages ORDER BY seq;
SELECT add_message(1, 'assistant', 'Only with trusted_schema=ON on SQLite 3.40.');
SELECT message_id, snippet FROM search_messages('trusted_schema');
PRAGMA integrity_check;
