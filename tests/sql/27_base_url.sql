-- 27_base_url: llm.base_url refuses credentials (a secret would be stored in
-- the database) and URLs without a host, naming the setting and never
-- quoting a URL that holds a password; complete_chat and generate_title
-- refuse such a value written by raw SQL with the same message, before any
-- network call (issue 8).
SELECT chatflow_init();
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT create_conversation('acme', 'Bakery');
SELECT add_message(1, 'user', 'Hello');
SELECT chatflow_config('llm.model', 'qwen3:4b');
-- refused when set
SELECT chatflow_config('llm.base_url', 'http://user:s3cret@127.0.0.1:11434/v1'); -- error
SELECT chatflow_config('llm.base_url', 'https://user@api.openai.com/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://:s3cret@127.0.0.1/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://@127.0.0.1/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://127.0.0.1\@evil.example/v1'); -- error
SELECT chatflow_config('llm.base_url', 'ftp://user:s3cret@example.com/'); -- error
SELECT chatflow_config('llm.base_url', 'https://'); -- error
SELECT chatflow_config('llm.base_url', 'http://'); -- error
SELECT chatflow_config('llm.base_url', 'http:///v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://:8080/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://127.0.0.1:99999/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://[::1/v1'); -- error
SELECT chatflow_config('llm.base_url', 'http://127.0.0.1:11434/v1' || char(127)); -- error
SELECT chatflow_config('llm.base_url', 'HTTPS://api.openai.com/v1'); -- error
SELECT count(*) FROM chatflow_settings WHERE key = 'llm.base_url';
-- accepted: an '@' after the host is part of the path or query
SELECT chatflow_config('llm.base_url', 'http://[::1]:11434/v1');
SELECT chatflow_config('llm.base_url', 'https://gateway.example/v1/@team?user=a@b');
SELECT chatflow_config('llm.base_url', 'http://localhost:8080');
-- written by raw SQL: refused before any call, with the same message
UPDATE chatflow_settings SET value = 'http://user:s3cret@127.0.0.1:9/v1' WHERE key = 'llm.base_url';
SELECT complete_chat(1); -- error
SELECT generate_title(1); -- error
UPDATE chatflow_settings SET value = 'https://' WHERE key = 'llm.base_url';
SELECT complete_chat(1); -- error
SELECT generate_title(1); -- error
UPDATE chatflow_settings SET value = 'http:///v1' WHERE key = 'llm.base_url';
SELECT complete_chat(1, '{"model": "gpt-4o-mini"}'); -- error
UPDATE chatflow_settings SET value = 'file:///etc/passwd' WHERE key = 'llm.base_url';
SELECT complete_chat(1); -- error
-- nothing was written
SELECT count(*), max(seq) FROM chat_messages;
SELECT title, metadata FROM chat_conversations;
-- without a model, generate_title makes no call and does not use llm.base_url
SELECT chatflow_config('llm.model', NULL);
SELECT generate_title(1);
