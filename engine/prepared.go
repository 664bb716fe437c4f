package engine

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Prepared is a parsed statement with parameters ($1, $2, ...), as the
// extended query protocol uses it: described once, executed with values.
type Prepared struct {
	SQL  string
	stmt *parser.Statement // nil for an empty query
	// ParamTypes are the parameters' types: declared by the client or
	// inferred from context (text when nothing decides).
	ParamTypes []arrow.DataType
	// Schema is the result's columns (nil when the statement returns no rows).
	Schema *arrow.Schema
}

// Empty reports whether the statement text held no statement.
func (p *Prepared) Empty() bool { return p.stmt == nil }

// Prepare parses sql (at most one statement) and works out its parameter
// and result types. declared gives the client's parameter types (nil
// entries: infer).
func (s *Session) Prepare(ctx context.Context, sql string, declared []arrow.DataType) (*Prepared, error) {
	s.init()
	stmts, err := s.parse(ctx, sql, time.Now())
	if err != nil {
		return nil, err
	}
	if len(stmts) > 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &Prepared{SQL: sql}
	if len(stmts) == 0 {
		return p, nil
	}
	p.stmt = &stmts[0]
	if u := p.stmt.Utility; s.tx == 'E' && (u == nil || u.Kind != parser.UtilCommit && u.Kind != parser.UtilRollback) {
		// PostgreSQL refuses to parse in a failed transaction, too.
		return nil, sqlerr.New(sqlerr.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	n := len(declared)
	for _, k := range p.stmt.Params {
		n = max(n, k+1)
	}
	p.ParamTypes = make([]arrow.DataType, n)
	copy(p.ParamTypes, declared)
	inferred := make([]arrow.DataType, n)
	if p.stmt.Utility != nil {
		if p.stmt.Utility.Kind == parser.UtilShow {
			p.Schema = arrow.NewSchema([]arrow.Field{{Name: p.stmt.Utility.Name, Type: types.String, Nullable: true}}, nil)
		}
		if p.stmt.Utility.Kind == parser.UtilLake {
			p.Schema = lakeResultSchema(p.stmt.Utility.Lake)
		}
	} else if _, ok := p.stmt.AST.(*ast.ExplainStmt); ok {
		// EXPLAIN's rows are its plan's lines, described before it runs.
		p.Schema = arrow.NewSchema([]arrow.Field{{Name: "QUERY PLAN", Type: types.String, Nullable: true}}, nil)
	} else if q, ok := p.stmt.AST.(ast.ResultSetNode); ok {
		env := s.env()
		env.ParamOrder = p.stmt.Params
		env.Param = func(i int) (expr.Expr, error) {
			if i < len(p.ParamTypes) && p.ParamTypes[i] != nil {
				return expr.NewNullLiteral(p.ParamTypes[i]), nil
			}
			return expr.NewParamLiteral(nil, func(t arrow.DataType) {
				if i < len(inferred) && inferred[i] == nil {
					inferred[i] = t
				}
			}), nil
		}
		qp, err := planner.PlanQuery(ctx, env, s.evalContext(ctx), q)
		if err != nil {
			return nil, sqlerr.FromContext(ctx, err)
		}
		p.Schema = qp.Schema
	}
	for i := range p.ParamTypes {
		if p.ParamTypes[i] == nil {
			p.ParamTypes[i] = inferred[i]
		}
		if p.ParamTypes[i] == nil {
			p.ParamTypes[i] = types.String
		}
	}
	return p, nil
}

// ExecutePrepared runs a prepared statement with parameter values given as
// text (nil for NULL). The result's Rows, if any, stay open until drained
// or closed, so a client may fetch them in pieces (portals).
func (s *Session) ExecutePrepared(ctx context.Context, p *Prepared, params []*string) (res *Result, err error) {
	s.init()
	if p.stmt == nil {
		return &Result{Tag: ""}, nil
	}
	if len(params) != len(p.ParamTypes) {
		return nil, sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(p.ParamTypes))
	}
	st := *p.stmt
	var out *Result
	err = s.runPrepared(ctx, st, params, p.ParamTypes, func(r *Result) error { out = r; return nil })
	return out, err
}

func (s *Session) runPrepared(ctx context.Context, st parser.Statement, params []*string, ptypes []arrow.DataType, emit func(*Result) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
		err = sqlerr.FromContext(ctx, err)
		if err != nil && s.tx == 'T' {
			s.tx = 'E'
		}
	}()
	if s.tx == 'E' && (st.Utility == nil || (st.Utility.Kind != parser.UtilCommit && st.Utility.Kind != parser.UtilRollback)) {
		return sqlerr.New(sqlerr.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	if st.Utility != nil {
		r, err := s.utility(ctx, st.Utility)
		if err != nil {
			return err
		}
		return emit(r)
	}
	s.params = func(i int) (expr.Expr, error) {
		if i >= len(params) {
			return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", i+1)
		}
		lit := expr.NewParamLiteral(params[i], nil)
		if ptypes[i] != nil && ptypes[i].ID() != arrow.STRING {
			return expr.NewCast(lit, ptypes[i])
		}
		return lit, nil
	}
	s.paramOrder = st.Params
	defer func() { s.params, s.paramOrder = nil, nil }()
	r, err := s.statement(ctx, st)
	if err != nil {
		return err
	}
	return emit(r)
}

var _ = batch.Size
