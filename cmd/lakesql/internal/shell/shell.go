// Package shell is lakesql's SQL shell: it reads statements and psql-style
// backslash commands from a terminal (with line editing and history) or
// from a script, runs them on an engine session and prints the results.
package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lakesql/lakesql/cmd/lakesql/internal/output"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// ErrFailed is returned when a script stops at a failed statement or
// command; the error has been printed.
var ErrFailed = errors.New("stopped at an error")

// Hook is called before each statement runs; the context it returns runs
// the statement and done is called when the statement's output is
// written. A progress display plugs in here.
type Hook func(ctx context.Context, sql string) (_ context.Context, done func(err error))

// Shell runs statements and meta commands on one session.
type Shell struct {
	Engine  *engine.Engine
	Session *engine.Session
	// Name is shown in the prompt ("demo=> ").
	Name string
	// Stdout receives results (unless \o sends them to a file) and
	// messages; Stderr receives errors and notices.
	Stdout, Stderr io.Writer
	// Output is the format results are printed in; \x and \pset change it.
	Output output.Options
	// Timing prints each statement's run time (\timing).
	Timing bool
	// TermWidth, when set, is the terminal's width: tables written to
	// the terminal are fitted to it.
	TermWidth func() int
	// Interactive shells go on after errors and keep no line numbers.
	Interactive bool
	// ContinueOnError lets a script go on after a failed statement.
	ContinueOnError bool
	// OnStatement, when set, wraps each statement (see Hook).
	OnStatement Hook

	scan     scanner
	out      io.Writer // Stdout or the \o file
	outName  string    // the file's name; "" for Stdout
	outClose func() error
	outWrote bool // a Parquet result went to out
	failed   bool // a statement or command failed
	source   string
	line     int
	depth    int // of \i files
	quit     bool

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

// Interrupt cancels the running statement, if any; the statement fails
// with SQLSTATE 57014. It is safe to call from another goroutine (a
// signal handler).
// It reports whether a statement was running.
func (s *Shell) Interrupt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		return true
	}
	return false
}

// Failed reports whether a statement or command failed (a script run with
// ContinueOnError goes on after failures).
func (s *Shell) Failed() bool { return s.failed }

// Close closes the file \o or SetOutput opened.
func (s *Shell) Close() error {
	return s.setOutput("")
}

// SetOutput sends results to the file path ("" for Stdout), as \o does.
func (s *Shell) SetOutput(path string) error { return s.setOutput(path) }

// SetOutputWriter sends results to w, named name in messages; Close
// leaves it open.
func (s *Shell) SetOutputWriter(w io.Writer, name string) error {
	err := s.setOutput("")
	s.out, s.outName = w, name
	return err
}

func (s *Shell) setOutput(path string) error {
	var err error
	if s.outClose != nil {
		err = s.outClose()
	}
	s.out, s.outName, s.outClose, s.outWrote = s.Stdout, "", nil, false
	if path == "" {
		return err
	}
	f, ferr := os.Create(path)
	if ferr != nil {
		return ferr
	}
	s.out, s.outName, s.outClose = f, path, f.Close
	return err
}

// Run runs the script read from r; source names it in error messages
// ("<stdin>", a file name) and "" leaves line numbers out. A statement
// not ended by ';' runs at the end of the input.
func (s *Shell) Run(ctx context.Context, r io.Reader, source string) error {
	saved, savedLine := s.source, s.line
	defer func() { s.source, s.line = saved, savedLine }()
	s.source, s.line = source, 0
	br := bufio.NewReader(r)
	for !s.quit {
		text, err := br.ReadString('\n')
		if text != "" || err == nil {
			s.line++
			if ferr := s.feed(ctx, strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if s.quit {
		return nil
	}
	return s.flush(ctx)
}

// flush runs the unfinished statement, as at the end of a script.
func (s *Shell) flush(ctx context.Context) error {
	sql := s.scan.pending()
	s.scan.reset()
	if sql == "" {
		return nil
	}
	return s.check(s.statement(ctx, sql))
}

// feed processes one input line.
func (s *Shell) feed(ctx context.Context, line string) error {
	for _, p := range s.scan.feed(line) {
		var err error
		if p.meta != "" {
			err = s.meta(ctx, p.meta)
		} else {
			err = s.statement(ctx, p.sql)
		}
		if err := s.check(err); err != nil {
			return err
		}
		if s.quit {
			return nil
		}
	}
	return nil
}

// check decides whether an error stops: in a script it does, unless
// ContinueOnError (a canceled statement stops all the same); in an
// interactive shell it never does.
func (s *Shell) check(err error) error {
	if err == nil {
		return nil
	}
	s.failed = true
	if s.Interactive && s.depth == 0 {
		return nil
	}
	if s.ContinueOnError && sqlerr.Code(err) != sqlerr.QueryCanceled {
		return nil
	}
	return ErrFailed
}

// statement runs one SQL statement and prints its results, or its error.
func (s *Shell) statement(ctx context.Context, sql string) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
	}()
	if s.OnStatement != nil {
		var done func(error)
		ctx, done = s.OnStatement(ctx, sql)
		defer func() { done(err) }()
	}
	start := time.Now()
	err = s.Session.Execute(ctx, sql, func(r *engine.Result) error {
		for _, n := range r.Notices {
			fmt.Fprintf(s.Stderr, "%s:  %s\n", n.Severity, n.Message)
		}
		return s.write(ctx, r)
	})
	if err != nil {
		if ctx.Err() != nil && sqlerr.Code(err) == sqlerr.QueryCanceled {
			err = sqlerr.Canceled(ctx.Err())
		}
		s.printError(sql, err)
		return err
	}
	if s.Timing {
		fmt.Fprintln(s.Stdout, timing(time.Since(start)))
	}
	return nil
}

// write prints one result where results go.
func (s *Shell) write(ctx context.Context, r *engine.Result) error {
	o := s.Output
	if tz, ok := s.Session.Setting("TimeZone"); ok {
		if loc, err := time.LoadLocation(tz); err == nil {
			o.Location = loc
		}
	}
	if s.out == nil {
		s.out = s.Stdout
	}
	if s.TermWidth != nil && s.out == s.Stdout {
		o.Width = s.TermWidth()
	}
	if o.Format == "parquet" && r.Rows != nil {
		switch {
		case s.outName == "":
			r.Rows.Close()
			return sqlerr.New(sqlerr.InvalidParameterValue, `parquet output goes to a file: give --output FILE, or \o FILE in the shell`)
		case s.outWrote:
			r.Rows.Close()
			return sqlerr.New(sqlerr.InvalidParameterValue, `a Parquet file holds one result: %s already has one (\o another file)`, s.outName)
		}
		s.outWrote = true
		n, err := output.Write(ctx, s.out, r, o)
		if err == nil && s.Interactive {
			fmt.Fprintf(s.Stdout, "(%d rows written to %s)\n", n, s.outName)
		}
		return err
	}
	_, err := output.Write(ctx, s.out, r, o)
	return err
}

// timing is psql's \timing line.
func timing(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	if d < time.Second {
		return fmt.Sprintf("Time: %.3f ms", ms)
	}
	return fmt.Sprintf("Time: %.3f ms (%02d:%06.3f)", ms, int(d.Minutes()), (d % time.Minute).Seconds())
}
