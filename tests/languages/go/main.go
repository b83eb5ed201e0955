// A chatflow session from Go with mattn/go-sqlite3 (database/sql).
// Usage: chatflow-go [path/to/chatflow]   (the extension, .so optional)
package main

import (
	"database/sql"
	"fmt"
	"log"
	"os"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// chatflowTime formats a UTC time as chatflow stores it:
// 2026-01-02T03:04:05.560Z.
const chatflowTime = "2006-01-02T15:04:05.000Z07:00"

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

	// Times go in as text: t.UTC().Format(chatflowTime) is chatflow's own
	// form. A time.Time bound as an argument goes in too: the driver sends
	// it as "2006-01-02 15:04:05.999999999-07:00", RFC 3339 with a space.
	sent := time.Date(2026, 1, 2, 4, 4, 5, 560000000, time.FixedZone("CET", 3600))
	created := sent.UTC().Format(chatflowTime)
	var bound int64
	if err := db.QueryRow("SELECT add_message(?, 'user', 'Dated, bound', json_object('created_at', ?))", conv, sent).Scan(&bound); err != nil {
		log.Fatal(err)
	}
	if err := db.QueryRow("SELECT add_message(?, 'user', 'Dated', json_object('created_at', ?))", conv, created).Scan(&msg); err != nil {
		log.Fatal(err)
	}
	fmt.Println("created_at sent", created)

	// Times come back as text (the columns are TEXT): scan a string and
	// parse it; scanning into a time.Time fails.
	var stamp string
	if err := db.QueryRow("SELECT created_at FROM chat_messages WHERE id = ?", msg).Scan(&stamp); err != nil {
		log.Fatal(err)
	}
	back, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created_at read", stamp, "same instant:", back.Equal(sent))
	if err := db.QueryRow("SELECT created_at FROM chat_messages WHERE id = ?", bound).Scan(&stamp); err != nil {
		log.Fatal(err)
	}
	fmt.Println("a time.Time argument stored as", stamp)
	var direct time.Time
	err = db.QueryRow("SELECT created_at FROM chat_messages WHERE id = ?", msg).Scan(&direct)
	fmt.Println("scan into time.Time:", err)

	var history string
	if err := db.QueryRow("SELECT chat_history_json(?)", conv).Scan(&history); err != nil {
		log.Fatal(err)
	}
	fmt.Println(history)
}
