package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/lakesql/lakesql/server"
)

var serveCommand = &command{
	name:     "serve",
	synopsis: "[flags] [DIR]",
	summary:  "serve a folder over the PostgreSQL wire protocol",
	help: `Serves the data files in DIR (default: the bundled demo data) to PostgreSQL
clients: psql, drivers, BI tools. Each data file directly in DIR is a table
named by its file stem; each sub-folder is a schema.

Examples:
  lakesql serve
  lakesql serve ./lake --listen 127.0.0.1:5433
  psql -h 127.0.0.1 -p 5433 -U lakesql lake
`,
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		var eo engineOptions
		eo.define(fs)
		listen := fs.String("listen", "127.0.0.1:5433", "`address` to listen on")
		database := fs.String("database", "lake", "database `name` clients see")
		return func(std stdio, args []string) int {
			if len(args) > 1 {
				return usageError(std, "serve", "one data folder at most, got %q", args)
			}
			if len(args) == 1 {
				if err := eo.takeFolder(args[0]); err != nil {
					return fail(std, err)
				}
			}
			return runServe(std, &eo, *listen, *database)
		}
	},
}

// runServe runs the PostgreSQL-wire server until interrupted.
func runServe(std stdio, eo *engineOptions, listen, database string) int {
	eng, err := eo.open(database)
	if err != nil {
		return fail(std, err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fail(std, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(std.out, "lakesql serving %s on %s\nconnect with: psql -h %s -p %s -U lakesql %s\n", eng.Catalog().RootName(), ln.Addr(), host, port, database)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &server.Server{Engine: eng}
	if err := srv.Serve(ctx, ln); err != nil {
		return fail(std, err)
	}
	return 0
}
