package main

import (
	"flag"
	"os"
	"strings"
)

var queryCommand = &command{
	name:     "query",
	synopsis: "[flags] [DIR] [SQL]",
	summary:  "run SQL over a folder and print the results",
	help: `Runs SQL over the data files in DIR (default: the bundled demo data) and
prints the results. The SQL is the argument after DIR, or -c SQL, or the
file -f FILE, or else standard input; statements end with ';' and
backslash commands (\x, \dt, \d NAME, ...) work as in the shell. It stops
at the first failed statement with exit status 1.

Examples:
  lakesql query "SELECT * FROM cities ORDER BY population DESC"
  lakesql query ./lake "SELECT count(*) FROM orders" --format json
  lakesql query ./lake -f report.sql --format csv --output report.csv
  lakesql query ./lake "SELECT * FROM orders WHERE total > 100" --format parquet --output big.parquet
  echo "SELECT 1; SELECT 2" | lakesql query
`,
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		var o scriptOptions
		o.define(fs)
		return func(std stdio, args []string) int {
			src, code := querySource(std, &o, args)
			if code >= 0 {
				return code
			}
			return runSQL(std, &o, src)
		}
	},
}

// querySource finds the SQL to run and the data folder among the positional
// arguments: `[DIR] [SQL]`. The first argument is the folder when it names
// one, or when SQL comes another way (-c, -f). It returns code -1 when the
// command may go on.
func querySource(std stdio, o *scriptOptions, args []string) (script, int) {
	if o.command != "" && o.file != "" {
		return script{}, usageError(std, "query", "give -c or -f, not both")
	}
	sqlElsewhere := o.command != "" || o.file != ""
	if len(args) > 0 && (sqlElsewhere || isDir(args[0]) || (len(args) > 1 && looksLikePath(args[0]))) {
		if err := o.takeFolder(args[0]); err != nil {
			return script{}, fail(std, err)
		}
		args = args[1:]
	}
	switch {
	case len(args) > 0 && sqlElsewhere:
		return script{}, usageError(std, "query", "SQL given both as an argument and with -c or -f")
	case len(args) > 0:
		return script{sql: strings.Join(args, " ")}, -1
	}
	return scriptFromFlags(o), -1
}

// scriptFromFlags is the SQL of -c or -f, or else standard input.
func scriptFromFlags(o *scriptOptions) script {
	switch {
	case o.command != "":
		return script{sql: o.command}
	case o.file != "":
		return script{file: o.file}
	}
	return script{stdin: true}
}

// looksLikePath tells a mistyped folder from SQL.
func looksLikePath(s string) bool {
	return !strings.ContainsAny(s, " \t\n") && (strings.ContainsRune(s, os.PathSeparator) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~"))
}
