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
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

func init() {
	commands = []*command{serveCommand, queryCommand, versionCommand, helpCommand}
}

// run executes a command line and returns the process exit code.
func run(args []string, io stdio) int {
	if len(args) > 0 {
		switch a := args[0]; a {
		case "--version", "-version", "-v":
			return printVersion(io)
		case "-h", "-help", "--help":
			return printUsage(io.out)
		}
		if c := lookupCommand(args[0]); c != nil {
			return c.exec(args[1:], io)
		}
	}
	fmt.Fprint(io.err, usage())
	return 2
}

func usage() string {
	var sb strings.Builder
	sb.WriteString("usage: lakesql COMMAND [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&sb, "  %-8s %s\n", c.name, c.summary)
	}
	sb.WriteString("\nRun 'lakesql help COMMAND' for a command's flags and examples.\n")
	return sb.String()
}

func printUsage(w io.Writer) int {
	fmt.Fprint(w, usage())
	return 0
}

var helpCommand = &command{
	name:     "help",
	synopsis: "[COMMAND]",
	summary:  "show help for lakesql or a command",
	help:     "Shows the commands, or one command's flags and examples.\n",
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		return func(io stdio, args []string) int {
			if len(args) == 0 {
				return printUsage(io.out)
			}
			c := lookupCommand(args[0])
			if c == nil || len(args) > 1 {
				return usageError(io, "help", "unknown command %q", strings.Join(args, " "))
			}
			return c.exec([]string{"--help"}, io)
		}
	},
}

var versionCommand = &command{
	name:     "version",
	synopsis: "",
	summary:  "print lakesql's version, commit and Go version",
	help:     "Prints the version, the commit it was built from and the Go version (also: lakesql --version).\n",
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		return func(io stdio, args []string) int {
			if len(args) > 0 {
				return usageError(io, "version", "no arguments expected")
			}
			return printVersion(io)
		}
	},
}

// version and commit are set at link time:
//
//	go build -ldflags "-X main.version=1.0.0 -X main.commit=$(git rev-parse HEAD)" ./cmd/lakesql
//
// Otherwise they come from the build information Go records.
var version, commit string

func printVersion(io stdio) int {
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
	fmt.Fprintf(io.out, "lakesql %s\ncommit %s\n%s %s/%s\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

// readAll reads a script from r.
func readAll(r io.Reader) (string, error) {
	var sb strings.Builder
	_, err := io.Copy(&sb, bufio.NewReader(r))
	return sb.String(), err
}
