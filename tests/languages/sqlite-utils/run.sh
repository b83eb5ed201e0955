# sqlite-utils (Debian: sqlite-utils): every command is a new connection, so
# each one loads chatflow with --load-extension, on one database file.
db=dist/languages/sqlite-utils.db
ext=${CHATFLOW_EXT:-dist/chatflow}
mkdir -p dist/languages && rm -f "$db"
sqlite-utils query "$db" --load-extension "$ext" "SELECT chatflow_init() AS schema_version"
sqlite-utils query "$db" --load-extension "$ext" "SELECT create_conversation('acme', 'Languages') AS id"
# -p binds every value as text: cast the id (a text id is refused).
sqlite-utils query "$db" --load-extension "$ext" -p id 1 -p text 'Hello from sqlite-utils' \
  "SELECT add_message(CAST(:id AS INTEGER), 'user', :text) AS id"
sqlite-utils query "$db" --load-extension "$ext" -p id 1 \
  "SELECT add_message(:id, 'user', 'never stored') AS id" || echo "exit status $?"
# JSON comes back as a string, unless --json-cols parses it.
sqlite-utils query "$db" --load-extension "$ext" "SELECT chat_history_json(1) AS history"
sqlite-utils query "$db" --load-extension "$ext" --json-cols "SELECT chat_history_json(1) AS history"
