# The sqlite3 shell: .load takes the path, .so optional (the entry point
# sqlite3_chatflow_init is found from the file name).
sqlite3 :memory: -cmd ".load ${CHATFLOW_EXT:-dist/chatflow}" < tests/languages/sqlite3/session.sql
