package engine

import (
	"context"
	"time"

	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
)

// parseAsync is the statement size past which parsing runs on its own
// goroutine, so that a cancel or statement_timeout answers the client
// while a huge statement (a million-item IN list: tens of seconds) is
// still being parsed. The parse itself goes on to its end, unobserved:
// the parser takes no context.
const parseAsync = 256 << 10

// parse parses sql for s, giving up when ctx is canceled or the
// session's statement_timeout, counted from began, runs out.
func (s *Session) parse(ctx context.Context, sql string, began time.Time) ([]parser.Statement, error) {
	if len(sql) < parseAsync {
		return parser.Parse(sql)
	}
	sctx, cancel := s.StatementContext(ctx, began)
	defer cancel()
	type result struct {
		stmts []parser.Statement
		err   error
	}
	done := make(chan result, 1)
	go func() {
		stmts, err := parser.Parse(sql)
		done <- result{stmts, err}
	}()
	select {
	case r := <-done:
		return r.stmts, r.err
	case <-sctx.Done():
		return nil, sqlerr.Canceled(context.Cause(sctx))
	}
}
