package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"

	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// runQuery implements `lakesql query`.
func runQuery(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("query", flag.ContinueOnError)
	fl.SetOutput(stderr)
	root := fl.String("root", "", "folder of data files (default: the bundled demo data)")
	threads := fl.Int("threads", 0, "worker threads per query (default: one per core)")
	tmp := fl.String("tmp", engine.DefaultTmp(), "folder of the writable workspace dfs.tmp (CREATE TABLE AS, CREATE VIEW)")
	format := fl.String("format", "table", "output format: table, csv or json")
	file := fl.String("f", "", "read SQL from this file")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var sql string
	switch {
	case *file != "":
		b, err := os.ReadFile(*file)
		if err != nil {
			fmt.Fprintf(stderr, "lakesql: %v\n", err)
			return 1
		}
		sql = string(b)
	case fl.NArg() > 0:
		sql = strings.Join(fl.Args(), " ")
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	w, ok := writers[*format]
	if !ok {
		fmt.Fprintf(stderr, "lakesql: unknown format %q (table, csv, json)\n", *format)
		return 2
	}
	fsys, name, err := openRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	eng, err := engine.New(engine.Config{Root: fsys, RootName: name, Threads: *threads, Tmp: *tmp})
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sess := eng.NewSession()
	err = sess.Execute(ctx, sql, func(r *engine.Result) error { return w(ctx, stdout, r) })
	if err != nil {
		e := sqlerr.As(err)
		fmt.Fprintf(stderr, "ERROR: %s (SQLSTATE %s)\n", e.Message, e.Code)
		return 1
	}
	return 0
}

// openRoot opens the data folder; nothing outside it is reachable.
func openRoot(dir string) (fs.FS, string, error) {
	if dir == "" {
		return demo.FS, "demo", nil
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	return r.FS(), dir, nil
}
