// A chatflow session from Go with mattn/go-sqlite3 (database/sql).
// Usage: chatflow-go [path/to/chatflow]   (the extension, .so optional)
package main

import (
	"database/sql"
	"fmt"
	"log"
	"os"

	sqlite3 "github.com/mattn/go-sqlite3"
)

func main() {
	ext := "dist/chatflow"
	if len(os.Args) > 1 {
		ext = os.Args[1]
	}
	// Every connection the pool opens loads chatflow first.
	sql.Register("sqlite3_chatflow", &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			return conn.LoadExtension(ext, "sqlite3_chatflow_init")
		},
	})
	db, err := sql.Open("sqlite3_chatflow", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: each :memory: connection is its own database

	if _, err := db.Exec("SELECT chatflow_init()"); err != nil {
		log.Fatal(err)
	}
	var conv int64
	if err := db.QueryRow("SELECT create_conversation(?, ?)", "acme", "Languages").Scan(&conv); err != nil {
		log.Fatal(err)
	}
	fmt.Println("conversation", conv)

	// The id bound as an int64 (INTEGER), then as a float64 (REAL: accepted
	// when it is a whole number).
	var msg int64
	if err := db.QueryRow("SELECT add_message(?, 'user', ?)", conv, "Hello from Go").Scan(&msg); err != nil {
		log.Fatal(err)
	}
	fmt.Println("message", msg)
	if err := db.QueryRow("SELECT add_message(?, 'assistant', ?)", float64(conv), "Hi! The id came as a float64.").Scan(&msg); err != nil {
		log.Fatal(err)
	}
	fmt.Println("message", msg)

	// A fractional id is refused with chatflow's error.
	_, err = db.Exec("SELECT add_message(?, 'user', 'never stored')", 1.5)
	fmt.Println("error:", err)

	var history string
	if err := db.QueryRow("SELECT chat_history_json(?)", conv).Scan(&history); err != nil {
		log.Fatal(err)
	}
	fmt.Println(history)
}
