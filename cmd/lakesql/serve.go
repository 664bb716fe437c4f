package main

import (
	"flag"
	"fmt"
	"net"

	"github.com/lakesql/lakesql/server"
)

var serveCommand = &command{
	name:     "serve",
	synopsis: "[flags] [DIR]",
	summary:  "serve a folder over the PostgreSQL wire protocol",
	help: `Serves the data files in DIR (default: the bundled demo data) to PostgreSQL
clients: psql, drivers, BI tools. Each data file directly in DIR is a table
named by its file stem; each sub-folder is a schema.

With --auth trust (the default) it listens on loopback only. To serve a
network, log clients in with SCRAM (users made by 'lakesql passwd') and
encrypt with TLS. On SIGTERM or SIGINT it lets running statements finish
for --shutdown-grace, then stops; a second signal stops it at once.

Examples:
  lakesql serve
  lakesql serve ./lake --listen 127.0.0.1:5433
  psql -h 127.0.0.1 -p 5433 -U lakesql lake
  lakesql serve ./lake --listen 0.0.0.0:5433 --auth scram-sha-256 --users users.txt --tls-self-signed
`,
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		var eo engineOptions
		eo.define(fs)
		listen := fs.String("listen", "127.0.0.1:5433", "`address` to listen on")
		database := fs.String("database", "lake", "database `name` clients see")
		var sf serverFlags
		sf.define(fs)
		return func(std stdio, args []string) int {
			if len(args) > 1 {
				return usageError(std, "serve", "one data folder at most, got %q", args)
			}
			if len(args) == 1 {
				if err := eo.takeFolder(args[0]); err != nil {
					return fail(std, err)
				}
			}
			return runServe(std, &eo, &sf, *listen, *database)
		}
	},
}

// runServe runs the PostgreSQL-wire server until interrupted.
func runServe(std stdio, eo *engineOptions, sf *serverFlags, listen, database string) int {
	cfg, err := sf.config()
	if err != nil {
		return fail(std, err)
	}
	logger, err := sf.logger(std.err)
	if err != nil {
		return fail(std, err)
	}
	eng, err := eo.open(database)
	if err != nil {
		return fail(std, err)
	}
	ln, err := listenSecurely(listen, cfg, sf.insecureListen)
	if err != nil {
		return fail(std, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(std.out, "lakesql serving %s on %s\nconnect with: psql %s\n", eng.Catalog().RootName(), ln.Addr(), connectHint(host, port, database, cfg))
	srv := &server.Server{Engine: eng, Config: cfg, Logger: logger}
	if err := serveSignals(srv, ln, sf.debugListen, std.err); err != nil {
		return fail(std, err)
	}
	return 0
}
