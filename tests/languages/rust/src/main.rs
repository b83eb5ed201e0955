//! A chatflow session from Rust with rusqlite.
//! Usage: chatflow-rust [path/to/chatflow]   (the extension, .so optional)
use rusqlite::{params, Connection, Result};

fn main() -> Result<()> {
    let ext = std::env::args().nth(1).unwrap_or_else(|| "dist/chatflow".into());
    let conn = Connection::open_in_memory()?;
    // Loading is enabled only while chatflow loads.
    unsafe {
        conn.load_extension_enable()?;
        conn.load_extension(&ext, Some("sqlite3_chatflow_init"))?;
    }
    conn.load_extension_disable()?;

    conn.query_row("SELECT chatflow_init()", [], |_| Ok(()))?;
    let conv: i64 = conn.query_row(
        "SELECT create_conversation(?1, ?2)",
        params!["acme", "Languages"],
        |row| row.get(0),
    )?;
    println!("conversation {conv}");

    // The id bound as an i64 (INTEGER), then as an f64 (REAL: accepted when
    // it is a whole number).
    let add = "SELECT add_message(?1, ?2, ?3)";
    let msg: i64 = conn.query_row(add, params![conv, "user", "Hello from Rust"], |row| row.get(0))?;
    println!("message {msg}");
    let msg: i64 = conn.query_row(
        add,
        params![conv as f64, "assistant", "Hi! The id came as an f64."],
        |row| row.get(0),
    )?;
    println!("message {msg}");

    // A fractional id is refused with chatflow's error.
    let err = conn
        .query_row(add, params![1.5, "user", "never stored"], |row| row.get::<_, i64>(0))
        .unwrap_err();
    println!("error: {err}");

    // execute() is for statements that return no rows: a SELECT of a
    // writing function runs, writes, and then execute() returns
    // Err(ExecuteReturnedResults). Call chatflow's functions with
    // query_row, or execute_batch when nothing comes back.
    let err = conn
        .execute("SELECT add_message(?1, 'user', 'stored all the same')", [conv])
        .unwrap_err();
    let stored: i64 = conn.query_row("SELECT count(*) FROM chat_messages", [], |row| row.get(0))?;
    println!("execute: {err}; messages stored: {stored}");

    let history: String =
        conn.query_row("SELECT chat_history_json(?1)", [conv], |row| row.get(0))?;
    println!("{history}");
    Ok(())
}
