package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// stdio is where a command reads and writes; tests pass buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// A command is one subcommand of lakesql. Its flags are defined by setup on
// a FlagSet of its own, so adding a flag to a command is one line there:
//
//	limit := fs.Int("max-connections", 100, "refuse clients past this many")
//
// setup returns the function that runs the command once the flags are
// parsed; it receives the positional arguments, which may come before,
// between or after the flags.
type command struct {
	name     string
	synopsis string // the arguments after the name, e.g. "[DIR] [SQL]"
	summary  string // one line for `lakesql help`
	help     string // description and examples for `lakesql help NAME`
	setup    func(fs *flag.FlagSet) func(std stdio, args []string) int
}

// commands lists lakesql's subcommands in the order help shows them; the
// shell is what runs when the first argument names no command.
var commands []*command

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// exec parses args against the command's flags and runs it. -h and --help
// print the command's help; an unknown flag or a missing value is an error
// (exit status 2), never ignored.
func (c *command) exec(args []string, std stdio) int {
	fs := flag.NewFlagSet("lakesql "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	run := c.setup(fs)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(std.out, fs)
		return 0
	}
	if err != nil {
		return usageError(std, c.name, "%v", err)
	}
	return run(std, pos)
}

// parseArgs parses flags wherever they stand among the positional
// arguments, which it returns in order. "--" ends the flags; "-" alone is a
// positional argument (standard input).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		// One flag, with its value when it takes one and is not
		// written --name=value.
		n := 1
		name := strings.TrimLeft(a, "-")
		if f := fs.Lookup(name); f != nil && !strings.Contains(name, "=") && !isBoolFlag(f) {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag needs an argument: %s", a)
			}
			n = 2
		}
		if err := fs.Parse(args[i : i+n]); err != nil {
			return nil, err
		}
		i += n - 1
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printHelp prints a command's synopsis, description and flags.
func (c *command) printHelp(w io.Writer, fs *flag.FlagSet) {
	if c.name == "" {
		printUsage(w)
		return
	}
	fmt.Fprintf(w, "usage: lakesql %s %s\n\n%s", c.name, c.synopsis, c.help)
	printFlags(w, fs)
}

// printFlags lists fs's flags in two aligned columns, long names with two
// dashes: "--root DIR   folder of data files".
func printFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ left, right string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		left := "-" + f.Name
		if len(f.Name) > 1 {
			left = "--" + f.Name
		}
		if arg != "" && !isBoolFlag(f) {
			left += " " + strings.ToUpper(arg)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += " (default " + f.DefValue + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.left, r.right)
	}
}

// fail prints a lakesql error and returns exit status 1.
func fail(std stdio, err error) int {
	fmt.Fprintf(std.err, "lakesql: %v\n", err)
	return 1
}

// usageError prints a usage mistake and returns exit status 2.
func usageError(std stdio, name string, format string, args ...any) int {
	if name != "" {
		name = " " + name
	}
	fmt.Fprintf(std.err, "lakesql%s: %s\nRun 'lakesql help%s' for usage.\n", name, fmt.Sprintf(format, args...), name)
	return 2
}

// isDir reports whether path names an existing folder.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
