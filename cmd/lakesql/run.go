package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/lakesql/lakesql/cmd/lakesql/internal/output"
	"github.com/lakesql/lakesql/cmd/lakesql/internal/shell"
	"golang.org/x/term"
)

// scriptOptions are the flags of the commands that run SQL and print
// results: the shell and query.
type scriptOptions struct {
	engineOptions
	format          string
	output          string
	command         string
	file            string
	continueOnError bool
}

func (o *scriptOptions) define(fs *flag.FlagSet) {
	o.engineOptions.define(fs)
	fs.StringVar(&o.format, "format", "table", "output `format`: "+strings.Join(output.Formats, ", "))
	fs.StringVar(&o.output, "output", "", "write results to `file` (required for parquet)")
	fs.StringVar(&o.command, "c", "", "run this `SQL` (statements and backslash commands), then exit")
	fs.StringVar(&o.file, "f", "", "run the SQL in this `file`, then exit")
	fs.BoolVar(&o.continueOnError, "continue-on-error", false, "go on after a statement fails (the exit status is still 1)")
}

// script is where the SQL comes from.
type script struct {
	sql   string // SQL given on the command line
	file  string // or a file
	stdin bool   // or standard input
}

// runSQL opens the engine and runs the SQL, or the interactive shell when
// the SQL is to come from a terminal. It returns the exit status: 1 when
// a statement failed.
func runSQL(std stdio, o *scriptOptions, src script) int {
	if !output.IsFormat(o.format) {
		return usageError(std, "", "unknown format %q (%s)", o.format, strings.Join(output.Formats, ", "))
	}
	if o.format == "parquet" && o.output == "" && isTerminal(std.out) {
		return usageError(std, "", "parquet output goes to a file: give --output FILE")
	}
	eng, err := o.open("")
	if err != nil {
		return fail(std, err)
	}
	sh := &shell.Shell{
		Engine: eng, Session: eng.NewSession(), Name: promptName(eng.Catalog().RootName()),
		Stdout: std.out, Stderr: std.err,
		Output:          output.Options{Format: o.format, Null: "NULL"},
		ContinueOnError: o.continueOnError,
	}
	defer sh.Close()
	if o.output != "" {
		if err := sh.SetOutput(o.output); err != nil {
			return fail(std, err)
		}
	} else if o.format == "parquet" {
		// Standard output is a file or a pipe: Parquet goes there.
		sh.SetOutputWriter(std.out, "standard output")
	}
	interactive := src.stdin && isTerminal(std.in) && isTerminal(std.out)

	// Ctrl-C cancels the running statement (57014). A script stops there;
	// one waiting for its input stops at once.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer func() { signal.Stop(sigs); close(sigs) }()
	go func() {
		for range sigs {
			if !sh.Interrupt() && !interactive {
				os.Exit(130)
			}
		}
	}()

	if src.stdin && !interactive && isTerminal(std.in) {
		fmt.Fprintln(std.err, "lakesql: reading SQL statements from the terminal; Ctrl-D ends them")
	}
	// Long statements show how far their scans have got, on stderr when
	// it is a terminal (and output to that terminal erases it first).
	if isTerminal(std.err) {
		bar := &progressBar{w: std.err, delay: time.Second}
		sh.OnStatement = bar.hook()
		sh.Stdout = outputWriter{w: sh.Stdout, bar: bar}
		sh.Stderr = outputWriter{w: sh.Stderr, bar: bar}
		bar.w = std.err
	}
	ctx := context.Background()
	switch {
	case interactive:
		err = interact(ctx, std, sh)
	case src.file != "":
		f, ferr := os.Open(src.file)
		if ferr != nil {
			return fail(std, ferr)
		}
		defer f.Close()
		err = sh.Run(ctx, f, src.file)
	case src.stdin:
		err = sh.Run(ctx, std.in, "<stdin>")
	default:
		err = sh.Run(ctx, strings.NewReader(src.sql), "")
	}
	if cerr := sh.Close(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case errors.Is(err, shell.ErrFailed):
		return 1
	case err != nil:
		return fail(std, err)
	case sh.Failed() && !interactive:
		return 1 // --continue-on-error went past a failure
	}
	return 0
}

// interact runs the shell on the terminal.
func interact(ctx context.Context, std stdio, sh *shell.Shell) error {
	sh.Timing = true
	out := std.out.(*os.File)
	sh.TermWidth = func() int {
		if w, _, err := term.GetSize(int(out.Fd())); err == nil && w > 0 {
			return w
		}
		return 0
	}
	t := shell.OpenTerminal(shell.HistoryFile(), sh.Complete)
	defer t.Close()
	fmt.Fprintf(std.out, "lakesql %s on %s. Type \\? for help, \\dt for the tables, \\q to quit.\n", versionString(), describeRoot(sh.Engine.Catalog().RootName()))
	return sh.Interact(ctx, t)
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// promptName is the data folder's name as the prompt shows it.
func promptName(root string) string {
	name := filepath.Base(filepath.Clean(root))
	if name == "." || name == string(filepath.Separator) {
		if abs, err := filepath.Abs(root); err == nil {
			name = filepath.Base(abs)
		}
	}
	if r := []rune(name); len(r) > 24 {
		name = string(r[:23]) + "…"
	}
	return name
}

func describeRoot(root string) string {
	if root == "demo" {
		return "the bundled demo data"
	}
	return root
}
