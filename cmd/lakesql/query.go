package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

var queryCommand = &command{
	name:     "query",
	synopsis: "[flags] [DIR] [SQL]",
	summary:  "run SQL over a folder and print the results",
	help: `Runs SQL over the data files in DIR (default: the bundled demo data) and
prints the results. The SQL is the argument after DIR, or -c SQL, or the
file -f FILE, or else standard input; statements end with ';'.

Examples:
  lakesql query "SELECT * FROM cities ORDER BY population DESC"
  lakesql query ./lake "SELECT count(*) FROM orders" --format json
  lakesql query ./lake -f report.sql --format csv
  echo "SELECT 1; SELECT 2" | lakesql query
`,
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		var eo engineOptions
		eo.define(fs)
		format := fs.String("format", "table", "output `format`: table, csv or json")
		command := fs.String("c", "", "run this `SQL`")
		file := fs.String("f", "", "read SQL from this `file`")
		return func(io stdio, args []string) int {
			sql, code := querySource(io, &eo, args, *command, *file)
			if code >= 0 {
				return code
			}
			return runQuery(io, &eo, sql, *format)
		}
	},
}

// querySource finds the SQL to run and the data folder among the positional
// arguments: `[DIR] [SQL]`. The first argument is the folder when it names
// one, or when SQL comes another way (-c, -f). It returns code -1 when the
// command may go on.
func querySource(io stdio, eo *engineOptions, args []string, command, file string) (string, int) {
	if command != "" && file != "" {
		return "", usageError(io, "query", "give -c or -f, not both")
	}
	sqlElsewhere := command != "" || file != ""
	if len(args) > 0 && (sqlElsewhere || isDir(args[0]) || (len(args) > 1 && looksLikePath(args[0]))) {
		if err := eo.takeFolder(args[0]); err != nil {
			return "", fail(io, err)
		}
		args = args[1:]
	}
	switch {
	case len(args) > 0 && sqlElsewhere:
		return "", usageError(io, "query", "SQL given both as an argument and with -c or -f")
	case len(args) > 0:
		return strings.Join(args, " "), -1
	case command != "":
		return command, -1
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fail(io, err)
		}
		return string(b), -1
	}
	b, err := readAll(io.in)
	if err != nil {
		return "", fail(io, err)
	}
	return b, -1
}

// looksLikePath tells a mistyped folder from SQL.
func looksLikePath(s string) bool {
	return !strings.ContainsAny(s, " \t\n") && (strings.ContainsRune(s, os.PathSeparator) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~"))
}

// runQuery runs sql and prints its results in format.
func runQuery(io stdio, eo *engineOptions, sql, format string) int {
	w, ok := writers[format]
	if !ok {
		return usageError(io, "query", "unknown format %q (table, csv, json)", format)
	}
	eng, err := eo.open("")
	if err != nil {
		return fail(io, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sess := eng.NewSession()
	err = sess.Execute(ctx, sql, func(r *engine.Result) error { return w(ctx, io.out, r) })
	if err != nil {
		e := sqlerr.As(err)
		fmt.Fprintf(io.err, "ERROR: %s (SQLSTATE %s)\n", e.Message, e.Code)
		return 1
	}
	return 0
}
