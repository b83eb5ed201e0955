-- 57_settings_rules: the schema refuses a settings value that breaks its
-- key's rule, for raw SQL too (the triggers read settings as integers, and a
-- text that is not one read as 0: a lease of 0 seconds, every message
-- refused).  chatflow_config writes through the same rule and quotes the
-- value.  A key chatflow does not know is stored as written; NULL is unset;
-- llm.base_url and llm.extra_body are checked in C, not here.
-- Last, a 0.1 database holding a bad value: the migration stops, naming
-- the key, until the row is fixed.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();

-- integers: digits only, in range
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', 'abc'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '-5'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '1e999'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', ''); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', ' 60'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '60.0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '86401'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '99999999999999999999999'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', 0.5); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('limits.max_content_chars', '0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('limits.max_content_chars', '10000001'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('messages.draft_timeout_seconds', '0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('messages.draft_timeout_seconds', '604801'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.awaiting_ttl_seconds', '-1'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.awaiting_ttl_seconds', '31536001'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.timeout_ms', '12ms'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.connect_timeout_ms', '600001'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.max_tokens', '0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.history_tokens', '1e3'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.max_response_bytes', '1023'); -- error
-- the other kinds
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '.5'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '-0'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '1e999'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '0x1'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '1.'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.temperature', '2.5'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.tls_verify', 'false'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.api_key_env', '1KEY'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.extra_headers_env', 'LLM-HEADERS'); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.model', ''); -- error
INSERT INTO chatflow_settings (key, value) VALUES ('llm.ca_bundle', printf('%.1001c', 'x')); -- error
SELECT 'nothing stored', count(*) FROM chatflow_settings;

-- good values are stored as written; NULL is unset; an unknown key is kept
INSERT INTO chatflow_settings (key, value, updated_at) SELECT column1, column2, '2026-01-01T00:00:00.000Z' FROM (VALUES
  ('runs.lease_seconds', '0060'), ('runs.awaiting_ttl_seconds', '0'), ('llm.temperature', '7e-1'),
  ('llm.tls_verify', 'off'), ('llm.api_key_env', '_MY_KEY2'), ('llm.model', 'qwen3:8b'),
  ('llm.max_tokens', NULL), ('my.own', 'abc'));
SELECT key, value FROM chatflow_settings ORDER BY key;

-- an UPDATE, an upsert, a REPLACE and a rename meet the same rule
UPDATE chatflow_settings SET value = 'abc' WHERE key = 'runs.lease_seconds'; -- error
UPDATE chatflow_settings SET value = value || 'x'; -- error
INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '30') -- error
    ON CONFLICT (key) DO UPDATE SET value = '-30';
INSERT OR REPLACE INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '1e3'); -- error
UPDATE chatflow_settings SET key = 'llm.timeout_ms' WHERE key = 'my.own'; -- error
UPDATE chatflow_settings SET updated_at = '2026-01-02T00:00:00.000Z' WHERE key = 'runs.lease_seconds';
SELECT key, value, updated_at FROM chatflow_settings WHERE key IN ('runs.lease_seconds', 'my.own') ORDER BY key;

-- the triggers read what was written: a raw run gets a lease of 60 s
SELECT create_conversation('acme', NULL, '{"uid": "c1"}');
INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (1, 'topical_map', 'started');
SELECT id, status, round((julianday(lease_expires_at) - julianday(created_at)) * 86400) FROM workflow_runs;

-- chatflow_config: the same rule, the value quoted, its integers as they read
SELECT chatflow_config('runs.lease_seconds', 'abc'); -- error
SELECT chatflow_config('llm.temperature', '.5'); -- error
SELECT chatflow_config('llm.model', ''); -- error
SELECT chatflow_config('runs.lease_seconds', '0000086401'); -- error
SELECT chatflow_config('runs.lease_seconds', '000120');
SELECT chatflow_config('my.own', 'abc'); -- error
SELECT key, value FROM chatflow_settings WHERE key = 'runs.lease_seconds';

-- llm.base_url and llm.extra_body: their rules are C's, applied by
-- chatflow_config and before every call, not by the schema (only a call
-- reads them): a raw value is stored, and the call refuses it
SELECT chatflow_config('llm.extra_body', '{"model": "x"}'); -- error
SELECT chatflow_config('llm.extra_body', '[1]'); -- error
INSERT INTO chatflow_settings (key, value, updated_at) VALUES
  ('llm.extra_body', '{"stream": false}', '2026-01-01T00:00:00.000Z'),
  ('llm.base_url', 'ftp://example.com', '2026-01-01T00:00:00.000Z');
SELECT key, value FROM chatflow_settings WHERE key IN ('llm.base_url', 'llm.extra_body') ORDER BY key;
SELECT add_message(1, 'user', 'Hello') > 0;
SELECT complete_chat(1, '{"model": "m"}'); -- error
UPDATE chatflow_settings SET value = 'not json' WHERE key = 'llm.extra_body';
SELECT complete_chat(1, '{"model": "m"}'); -- error
DELETE FROM chatflow_settings WHERE key = 'llm.extra_body';
SELECT complete_chat(1, '{"model": "m"}'); -- error
DELETE FROM chatflow_settings WHERE key = 'llm.base_url';

-- a 0.1 database: raw SQL could store anything there; the migration stops
-- at a bad value, naming its key, and leaves the database as it was
.restore tests/fixtures/chatflow-0.1.db
SELECT max(version) FROM chatflow_migrations;
INSERT INTO chatflow_settings (key, value, updated_at) VALUES
  ('runs.lease_seconds', 'abc', '2025-06-01T00:00:00.000Z'),
  ('llm.model', '', '2025-06-01T00:00:00.000Z'),
  ('limits.max_content_chars', '20000', '2025-06-01T00:00:00.000Z'),
  ('my.own', 'abc', '2025-06-01T00:00:00.000Z');
SELECT chatflow_init(); -- error
SELECT max(version) FROM chatflow_migrations;
SELECT key, value FROM chatflow_settings ORDER BY key;
UPDATE chatflow_settings SET value = '120' WHERE key = 'runs.lease_seconds';
-- an empty llm.model meant none: the migration deletes it
SELECT chatflow_init();
SELECT key, value, updated_at FROM chatflow_settings ORDER BY key;
UPDATE chatflow_settings SET value = '0' WHERE key = 'runs.lease_seconds'; -- error
SELECT 'check', count(*) FROM chatflow_check() WHERE NOT ok;
