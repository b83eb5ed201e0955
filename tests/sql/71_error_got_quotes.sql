-- What an error got, quoted as SQL quotes it: a single quote inside a text
-- is doubled ("got text 'it''s'"), so the text ends where the quotes say;
-- 60 bytes of quotes, doubled, are shown whole, 61 bytes are a length.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT delete_conversation('it''s'); -- error
SELECT delete_conversation(''''); -- error
SELECT delete_conversation(printf('%.60c', '''')); -- error
SELECT delete_conversation(printf('%.61c', '''')); -- error
SELECT chatflow_index('a''b'); -- error
