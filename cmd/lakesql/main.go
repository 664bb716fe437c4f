// Command lakesql runs SQL over Parquet, CSV and JSON files in place.
//
//	lakesql serve [--root DIR] [--listen 127.0.0.1:5433]
//	lakesql query [--root DIR] [--format table|csv|json] (-f FILE | SQL...)
//	lakesql passwd NAME < password
//
// With no --root it uses the bundled demo data.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  lakesql serve [--root DIR] [--listen 127.0.0.1:5433]
  lakesql query [--root DIR] [--format table|csv|json] (-f FILE | SQL...)
  lakesql passwd NAME < password   (prints a --users line: NAME:SCRAM-SHA-256$...)
`

// run executes a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "query":
		return runQuery(args[1:], stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "passwd":
		return runPasswd(args[1:], os.Stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "lakesql: unknown command %q\n%s", args[0], usage)
	return 2
}
