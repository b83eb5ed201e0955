-- 11_config_clock: chatflow_config (defaults, set, reset) and chatflow_clock
-- (pin, unpin), and the schema-version guard.
SELECT chatflow_init();
-- unpinned, the clock is the real time in the canonical form
SELECT chatflow_clock() GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z';
SELECT abs(julianday(chatflow_clock()) - julianday('now')) * 86400 < 5;
-- pinned, every function stamps that time
SELECT chatflow_clock('2026-03-04T05:06:07Z');
SELECT chatflow_clock();
SELECT chatflow_clock('2028-02-29T23:59:59.999Z');
SELECT chatflow_clock(NULL) <> '2028-02-29T23:59:59.999Z';
SELECT chatflow_clock('2026-03-04T05:06:07.008Z');

-- settings: defaults, set, read back, reset with NULL
.headers on
SELECT chatflow_config('llm.base_url') AS base_url, chatflow_config('llm.model') AS model,
       chatflow_config('llm.api_key_env') AS api_key_env, chatflow_config('llm.timeout_ms') AS timeout_ms,
       chatflow_config('limits.max_content_chars') AS max_content_chars;
SELECT chatflow_config('llm.base_url', 'https://api.openai.com/v1') AS set_url;
SELECT chatflow_config('llm.model', 'gpt-4o-mini') AS set_model;
SELECT chatflow_config('llm.api_key_env', 'OPENAI_KEY_2') AS set_env;
SELECT chatflow_config('llm.timeout_ms', '1500') AS set_timeout;
SELECT chatflow_config('limits.max_content_chars', '2000') AS set_limit;
SELECT key, value, updated_at FROM chatflow_settings ORDER BY key;
SELECT chatflow_config('llm.model', 'qwen3:8b') AS changed;
SELECT chatflow_config('llm.model') AS model;
SELECT chatflow_config('llm.model', NULL) AS reset_model, chatflow_config('llm.base_url', NULL) AS reset_url;
SELECT key, value FROM chatflow_settings ORDER BY key;
-- settings live in the database: a caller's ROLLBACK undoes them
BEGIN;
SELECT chatflow_config('llm.timeout_ms', '9') AS in_tx;
ROLLBACK;
SELECT chatflow_config('llm.timeout_ms') AS after_rollback;
.headers off

.bail off
-- integers are stored as they read; the schema refuses a value that breaks
-- a setting's rule, for raw SQL too (57_settings_rules shows every rule)
SELECT chatflow_config('runs.lease_seconds', '0300');
SELECT value FROM chatflow_settings WHERE key = 'runs.lease_seconds';
UPDATE chatflow_settings SET value = 'abc' WHERE key = 'runs.lease_seconds'; -- error
SELECT value FROM chatflow_settings WHERE key = 'runs.lease_seconds';
SELECT create_conversation('settings', NULL, '{"uid": "settings"}');
INSERT OR REPLACE INTO chatflow_settings (key, value, updated_at) VALUES ('limits.max_content_chars', '-1', '2026-01-01T00:00:00.000Z'); -- error
SELECT value FROM chatflow_settings WHERE key = 'limits.max_content_chars';
SELECT chatflow_config('limits.max_content_chars', '0005');
SELECT chatflow_config('runs.lease_seconds', NULL);
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'settings'), 'user', 'hello');
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'settings'), 'user', 'hello!'); -- error
SELECT start_run((SELECT id FROM chat_conversations WHERE uid = 'settings'), 'topical_map') > 0;
DELETE FROM chatflow_settings;

-- a database from a newer chatflow is refused clearly, and so is a missing schema
INSERT INTO chatflow_migrations (version, name, applied_at) VALUES (999, '999_future', '2030-01-01T00:00:00.000Z');
SELECT create_conversation('acme'); -- error
SELECT chatflow_config('llm.model'); -- error
SELECT chatflow_init(); -- error
DELETE FROM chatflow_migrations WHERE version = 999;
SELECT create_conversation('acme', NULL, '{"uid": "ok"}');
DELETE FROM chatflow_migrations;
SELECT create_conversation('acme'); -- error
SELECT active_run(1); -- error
