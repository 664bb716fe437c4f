package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
)

// cursor is an open DECLAREd query fetched in pieces.
type cursor struct {
	schema  *arrow.Schema
	rows    *operatorRows
	pending arrow.RecordBatch
	offset  int64
	done    bool
}

func (s *Session) declare(ctx context.Context, u *parser.Utility) (*Result, error) {
	if _, exists := s.cursors[u.Name]; exists {
		return nil, sqlerr.New("42P03", "cursor \"%s\" already exists", u.Name)
	}
	stmts, err := parser.Parse(u.Query)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].AST == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "DECLARE CURSOR needs one query")
	}
	q, ok := stmts[0].AST.(ast.ResultSetNode)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "DECLARE CURSOR supports queries only")
	}
	ec := s.evalContext(ctx)
	p, err := planner.PlanQuery(ctx, s.env(), ec, q)
	if err != nil {
		return nil, err
	}
	// The cursor outlives this statement: its context is the session's.
	rows, err := openRows(s.queryContext(context.Background(), ec), p.Root)
	if err != nil {
		return nil, err
	}
	rows.ec = ec
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[u.Name] = &cursor{schema: p.Schema, rows: rows}
	return &Result{Tag: "DECLARE CURSOR"}, nil
}

func (s *Session) fetch(ctx context.Context, u *parser.Utility) (*Result, error) {
	c, ok := s.cursors[u.Name]
	if !ok {
		return nil, sqlerr.New(sqlerr.InvalidCursorName, "cursor \"%s\" does not exist", u.Name)
	}
	var out []arrow.RecordBatch
	var n int64
	for !c.done && (u.Count < 0 || n < u.Count) {
		if c.pending == nil || c.offset >= c.pending.NumRows() {
			b, err := c.rows.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				c.done = true
				break
			}
			c.pending, c.offset = b, 0
		}
		take := c.pending.NumRows() - c.offset
		if u.Count >= 0 && take > u.Count-n {
			take = u.Count - n
		}
		out = append(out, c.pending.NewSlice(c.offset, c.offset+take))
		c.offset += take
		n += take
	}
	if u.Move {
		return &Result{Tag: "MOVE", RowsAffected: n}, nil
	}
	return &Result{Tag: "FETCH", Schema: c.schema, Rows: &batchRows{batches: out}}, nil
}

func (s *Session) closeCursor(u *parser.Utility) (*Result, error) {
	if u.Name == "all" {
		for k, c := range s.cursors {
			c.rows.Close()
			delete(s.cursors, k)
		}
		return &Result{Tag: "CLOSE CURSOR ALL"}, nil
	}
	c, ok := s.cursors[u.Name]
	if !ok {
		return nil, sqlerr.New(sqlerr.InvalidCursorName, "cursor \"%s\" does not exist", u.Name)
	}
	c.rows.Close()
	delete(s.cursors, u.Name)
	return &Result{Tag: "CLOSE CURSOR"}, nil
}
