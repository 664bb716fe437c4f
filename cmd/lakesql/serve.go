package main

import (
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/server"
)

// runServe implements `lakesql serve`: a PostgreSQL-wire server.
func runServe(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	root := fl.String("root", "", "folder of data files (default: the bundled demo data)")
	threads := fl.Int("threads", 0, "worker threads per query (default: one per core)")
	listen := fl.String("listen", "127.0.0.1:5433", "address to listen on")
	database := fl.String("database", "lake", "database name clients see")
	var sf serverFlags
	sf.define(fl)
	if err := fl.Parse(args); err != nil {
		return 2
	}
	cfg, err := sf.config()
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 2
	}
	logger, err := sf.logger(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 2
	}
	fsys, name, err := openRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	eng, err := engine.New(engine.Config{Root: fsys, RootName: name, Database: *database, Threads: *threads})
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	ln, err := listenSecurely(*listen, cfg, sf.insecureListen)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(stdout, "lakesql serving %s on %s\nconnect with: psql %s\n", name, ln.Addr(), connectHint(host, port, *database, cfg))
	srv := &server.Server{Engine: eng, Config: cfg, Logger: logger}
	if err := serveSignals(srv, ln, sf.debugListen, stderr); err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	return 0
}
