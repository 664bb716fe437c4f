// Command lakesql runs SQL over Parquet, CSV and JSON files in place.
//
//	lakesql [DIR]                an interactive SQL shell (or a script on stdin)
//	lakesql serve [DIR]          a PostgreSQL-wire server
//	lakesql query [DIR] [SQL]    one-shot queries
//
// With no folder it uses the bundled demo data. `lakesql help` lists the
// commands and `lakesql help NAME` a command's flags and examples.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

func main() {
	useMadvFree()
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

func init() {
	commands = []*command{serveCommand, queryCommand, passwdCommand, versionCommand, helpCommand}
}

// run executes a command line and returns the process exit code.
func run(args []string, std stdio) int {
	if len(args) > 0 {
		switch a := args[0]; a {
		case "--version", "-version", "-v":
			return printVersion(std)
		case "-h", "-help", "--help":
			return printUsage(std.out)
		}
		if c := lookupCommand(args[0]); c != nil {
			return c.exec(args[1:], std)
		}
	}
	return shellCommand.exec(args, std)
}

const overview = `lakesql runs SQL over the Parquet, CSV and JSON files in a folder, in place.

usage:
  lakesql [flags] [DIR]            an interactive SQL shell on DIR (default: the
                                   bundled demo data); without a terminal, run
                                   the SQL statements read from standard input
  lakesql COMMAND [flags] [args]

Commands:
`

const examples = `
Examples:
  lakesql                                  the shell on the demo data
  lakesql ./lake                           the shell on your folder
  echo "SELECT count(*) FROM orders" | lakesql ./lake
  lakesql ./lake -c "\dt"
  lakesql query ./lake "SELECT * FROM orders LIMIT 5" --format json
  lakesql serve ./lake                     serve it to psql and BI tools
`

// printUsage prints the overview: the commands, and the shell's flags.
func printUsage(w io.Writer) int {
	fmt.Fprint(w, overview)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, examples)
	fs := flag.NewFlagSet("lakesql", flag.ContinueOnError)
	shellCommand.setup(fs)
	printFlags(w, fs)
	fmt.Fprint(w, "\nRun 'lakesql help COMMAND' for a command's flags and examples.\n")
	return 0
}

var helpCommand = &command{
	name:     "help",
	synopsis: "[COMMAND]",
	summary:  "show help for lakesql or a command",
	help:     "Shows the commands, or one command's flags and examples.\n",
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		return func(std stdio, args []string) int {
			if len(args) == 0 {
				return printUsage(std.out)
			}
			c := lookupCommand(args[0])
			if c == nil || len(args) > 1 {
				return usageError(std, "help", "unknown command %q", strings.Join(args, " "))
			}
			return c.exec([]string{"--help"}, std)
		}
	},
}

var versionCommand = &command{
	name:     "version",
	synopsis: "",
	summary:  "print lakesql's version, commit and Go version",
	help:     "Prints the version, the commit it was built from and the Go version (also: lakesql --version).\n",
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		return func(std stdio, args []string) int {
			if len(args) > 0 {
				return usageError(std, "version", "no arguments expected")
			}
			return printVersion(std)
		}
	},
}

// version and commit are set at link time:
//
//	go build -ldflags "-X main.version=1.0.0 -X main.commit=$(git rev-parse HEAD)" ./cmd/lakesql
//
// Otherwise they come from the build information Go records.
var version, commit string

func printVersion(std stdio) int {
	v, c, modified := version, commit, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	} else if modified {
		c += " (modified)"
	}
	fmt.Fprintf(std.out, "lakesql %s\ncommit %s\n%s %s/%s\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

// versionString is the version alone, for the shell's greeting.
func versionString() string {
	var sb strings.Builder
	printVersion(stdio{out: &sb})
	v, _, _ := strings.Cut(strings.TrimPrefix(sb.String(), "lakesql "), "\n")
	return v
}
