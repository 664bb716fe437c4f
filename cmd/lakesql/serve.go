package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/server"
)

// runServe implements `lakesql serve`: a PostgreSQL-wire server.
func runServe(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	root := fl.String("root", "", "folder of data files (default: the bundled demo data)")
	threads := fl.Int("threads", 0, "worker threads per query (default: one per core)")
	tmp := fl.String("tmp", engine.DefaultTmp(), "folder of the writable workspace dfs.tmp (CREATE TABLE AS, CREATE VIEW)")
	listen := fl.String("listen", "127.0.0.1:5433", "address to listen on")
	database := fl.String("database", "lake", "database name clients see")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	fsys, name, err := openRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	eng, err := engine.New(engine.Config{Root: fsys, RootName: name, Database: *database, Threads: *threads, Tmp: *tmp})
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(stdout, "lakesql serving %s on %s\nconnect with: psql -h %s -p %s -U lakesql %s\n", name, ln.Addr(), host, port, *database)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &server.Server{Engine: eng}
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	return 0
}
