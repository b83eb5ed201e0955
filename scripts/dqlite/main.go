// chatflow-dqlite: runs chatflow on a dqlite cluster (Debian's libdqlite and
// go-dqlite, built offline in GOPATH mode: see tests/mk/dqlite.mk).
//
//	chatflow-dqlite node EXT DIR ADDRESS [JOIN,JOIN...]
//	    registers the chatflow extension EXT (a path without .so) with
//	    sqlite3_auto_extension, so that every connection dqlite opens in this
//	    process has chatflow, then serves a dqlite node at ADDRESS
//	    (127.0.0.1:port) with its data in DIR, joining the cluster of the
//	    JOIN addresses (none: the first node).  Prints "ready" when the node
//	    is part of the cluster; SIGTERM hands leadership over and stops.
//	chatflow-dqlite cluster CLUSTER
//	    prints "leader <address>", then "node <id> <address> <role>" for
//	    every node of the cluster.
//	chatflow-dqlite dump CLUSTER DIR
//	    writes the leader's copy of the database (chatflow.db and its WAL,
//	    dqlite's dump) into DIR, to be opened by any SQLite.
//	chatflow-dqlite write CLUSTER SECONDS
//	    the workload: chatflow_init, then for SECONDS, in explicit
//	    transactions (BEGIN ... COMMIT), add_message with a uid into a few
//	    conversations.  Prints "ack <id> <uid>" after each COMMIT that
//	    returned; a failed transaction (a failover) is retried with the same
//	    uid until it commits (the uid makes the retry safe: the same message
//	    is returned, not written twice) and printed as "retry <uid> <error>".
//	chatflow-dqlite refuse CLUSTER
//	    a second start_run and an add_message with a bad role, each in a
//	    transaction: prints the error the client gets for each ("error
//	    <text>"), then "runs <n> active <true|false>" (the state to look at
//	    instead).
//	chatflow-dqlite check CLUSTER
//	    prints every message ("msg <id> <uid> <content>"), the failing rows
//	    of chatflow_check() ("check <name> <detail>"), PRAGMA integrity_check
//	    ("integrity <result>") and "done".
//
// CLUSTER is a comma-separated list of node addresses.
package main

/*
#cgo LDFLAGS: -ldl -lsqlite3
#include <dlfcn.h>
#include <stdlib.h>
#include <sqlite3.h>

static const char *cf_register(const char *path) {
	void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (!h) return dlerror();
	void *f = dlsym(h, "sqlite3_chatflow_init");
	if (!f) return "no sqlite3_chatflow_init in the extension";
	if (sqlite3_auto_extension((void (*)(void))f) != SQLITE_OK)
		return "sqlite3_auto_extension failed";
	return 0;
}
*/
import "C"

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/canonical/go-dqlite/app"
	"github.com/canonical/go-dqlite/client"
	"github.com/canonical/go-dqlite/driver"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "chatflow-dqlite: "+format+"\n", a...)
	os.Exit(1)
}

func node(ext, dir, address string, join []string) {
	cpath := C.CString(ext + ".so")
	defer C.free(unsafe.Pointer(cpath))
	if msg := C.cf_register(cpath); msg != nil {
		fail("%s: %s", ext, C.GoString(msg))
	}
	if err := os.MkdirAll(dir, 0755); err != nil {
		fail("%v", err)
	}
	a, err := app.New(dir, app.WithAddress(address), app.WithCluster(join),
		app.WithRolesAdjustmentFrequency(500*time.Millisecond))
	if err != nil {
		fail("app: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Ready(ctx); err != nil {
		fail("ready: %v", err)
	}
	fmt.Println("ready")
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
	a.Handover(context.Background())
	a.Close()
}

func open(cluster []string) *sql.DB {
	store := client.NewInmemNodeStore()
	infos := make([]client.NodeInfo, len(cluster))
	for i, addr := range cluster {
		infos[i].Address = addr
	}
	store.Set(context.Background(), infos)
	drv, err := driver.New(store, driver.WithLogFunc(func(client.LogLevel, string, ...interface{}) {}),
		driver.WithConnectionTimeout(2*time.Second), driver.WithContextTimeout(5*time.Second))
	if err != nil {
		fail("driver: %v", err)
	}
	sql.Register("dqlite-chatflow", drv)
	db, err := sql.Open("dqlite-chatflow", "chatflow.db")
	if err != nil {
		fail("open: %v", err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// tx runs fn inside BEGIN ... COMMIT.
func tx(db *sql.DB, fn func(*sql.Tx) error) error {
	t, err := db.Begin()
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

func scalar(t *sql.Tx, q string, args ...interface{}) (int64, error) {
	var v int64
	err := t.QueryRow(q, args...).Scan(&v)
	return v, err
}

func content(n int) string {
	return fmt.Sprintf("message %d %s", n, strings.Repeat("lorem ipsum ", n%17))
}

func write(db *sql.DB, seconds float64) {
	retry := func(what string, fn func(*sql.Tx) error) {
		deadline := time.Now().Add(60 * time.Second)
		for {
			err := tx(db, fn)
			if err == nil {
				return
			}
			fmt.Printf("retry %s %q\n", what, err.Error())
			if time.Now().After(deadline) {
				fail("%s: gave up: %v", what, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	retry("init", func(t *sql.Tx) error { _, err := scalar(t, "SELECT chatflow_init()"); return err })
	convs := []int64{}
	for i := 0; i < 3; i++ {
		var id int64
		key := fmt.Sprintf("k%d", i)
		retry("conversation", func(t *sql.Tx) (err error) {
			id, err = scalar(t, "SELECT find_or_create_conversation('dqlite', ?)", key)
			return
		})
		convs = append(convs, id)
	}
	fmt.Println("started")
	end := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	for n := 1; time.Now().Before(end); n++ {
		uid := fmt.Sprintf("u%d", n)
		var id int64
		retry(uid, func(t *sql.Tx) (err error) {
			id, err = scalar(t, "SELECT add_message(?, 'user', ?, json_object('uid', ?))",
				convs[n%len(convs)], content(n), uid)
			return
		})
		fmt.Printf("ack %d %s\n", id, uid)
	}
	fmt.Println("done")
}

// refuse makes chatflow refuse two calls inside transactions and prints
// what the client gets ("error <text>"), then the state that tells what
// happened: the conversation's runs and its active run.
func refuse(db *sql.DB) {
	var cid, rid int64
	err := tx(db, func(t *sql.Tx) (err error) {
		if _, err = scalar(t, "SELECT chatflow_init()"); err != nil {
			return
		}
		if cid, err = scalar(t, "SELECT find_or_create_conversation('refuse', 'k')"); err != nil {
			return
		}
		rid, err = scalar(t, "SELECT start_run(?, 'topical_map')", cid)
		return
	})
	if err != nil {
		fail("refuse: %v", err)
	}
	for _, q := range []string{"SELECT start_run(?, 'topical_map')", "SELECT add_message(?, 'admin', 'x')"} {
		err := tx(db, func(t *sql.Tx) (err error) { _, err = scalar(t, q, cid); return })
		fmt.Printf("error %v\n", err)
	}
	var runs, active int64
	if err := db.QueryRow("SELECT count(*), active_run(?) FROM workflow_runs WHERE conversation_id = ?",
		cid, cid).Scan(&runs, &active); err != nil {
		fail("refuse: %v", err)
	}
	fmt.Printf("runs %d active %v\n", runs, active == rid)
}

func check(db *sql.DB) {
	rows, err := db.Query("SELECT id, uid, content FROM chat_messages ORDER BY id")
	if err != nil {
		fail("messages: %v", err)
	}
	for rows.Next() {
		var id int64
		var uid, text string
		if err := rows.Scan(&id, &uid, &text); err != nil {
			fail("messages: %v", err)
		}
		fmt.Printf("msg %d %s %s\n", id, uid, strconv.Quote(text))
	}
	rows.Close()
	rows, err = db.Query(`SELECT "check", coalesce(detail, '') FROM chatflow_check() WHERE NOT ok`)
	if err != nil {
		fail("chatflow_check: %v", err)
	}
	for rows.Next() {
		var name, detail string
		rows.Scan(&name, &detail)
		fmt.Printf("check %s %s\n", name, detail)
	}
	rows.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM chatflow_check()").Scan(&n); err != nil {
		fail("chatflow_check: %v", err)
	}
	fmt.Printf("checks %d\n", n)
	var ic string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ic); err != nil {
		fail("integrity_check: %v", err)
	}
	fmt.Printf("integrity %s\n", ic)
	fmt.Println("done")
}

// leader connects to the cluster's current leader.
func leader(ctx context.Context, cluster []string) *client.Client {
	store := client.NewInmemNodeStore()
	var infos []client.NodeInfo
	for _, a := range cluster {
		infos = append(infos, client.NodeInfo{Address: a})
	}
	store.Set(ctx, infos)
	cli, err := client.FindLeader(ctx, store, client.WithLogFunc(func(client.LogLevel, string, ...interface{}) {}))
	if err != nil {
		fail("leader: %v", err)
	}
	return cli
}

func main() {
	args := os.Args[1:]
	if len(args) < 2 {
		fail("usage: node EXT DIR ADDRESS [JOIN] | cluster CLUSTER | dump CLUSTER DIR | write CLUSTER SECONDS | refuse CLUSTER | check CLUSTER")
	}
	switch args[0] {
	case "node":
		var join []string
		if len(args) > 4 && args[4] != "" {
			join = strings.Split(args[4], ",")
		}
		node(args[1], args[2], args[3], join)
	case "cluster", "dump":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cli := leader(ctx, strings.Split(args[1], ","))
		if args[0] == "dump" {
			if len(args) < 3 {
				fail("usage: dump CLUSTER DIR")
			}
			files, err := cli.Dump(ctx, "chatflow.db")
			if err != nil {
				fail("dump: %v", err)
			}
			for _, f := range files {
				if err := os.WriteFile(args[2]+"/"+f.Name, f.Data, 0644); err != nil {
					fail("dump: %v", err)
				}
				fmt.Printf("file %s %d\n", f.Name, len(f.Data))
			}
			return
		}
		info, err := cli.Leader(ctx)
		if err != nil {
			fail("leader: %v", err)
		}
		fmt.Printf("leader %s\n", info.Address)
		nodes, err := cli.Cluster(ctx)
		if err != nil {
			fail("cluster: %v", err)
		}
		for _, n := range nodes {
			fmt.Printf("node %d %s %s\n", n.ID, n.Address, n.Role)
		}
	case "write":
		s, err := strconv.ParseFloat(args[2], 64)
		if err != nil {
			fail("seconds: %v", err)
		}
		write(open(strings.Split(args[1], ",")), s)
	case "check":
		check(open(strings.Split(args[1], ",")))
	case "refuse":
		refuse(open(strings.Split(args[1], ",")))
	default:
		fail("unknown command %q", args[0])
	}
}
