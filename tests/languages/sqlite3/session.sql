SELECT chatflow_init();
SELECT create_conversation('acme', 'Languages');
SELECT add_message(1, 'user', 'Hello from the sqlite3 shell');
SELECT add_message(1.0, 'assistant', 'Hi! The id came as a REAL.');
SELECT chat_history_json(1);
