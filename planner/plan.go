package planner

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Query is a planned query, ready to run.
type Query struct {
	Root   executor.Operator
	Schema *arrow.Schema
	// Logical is the optimized logical plan (for EXPLAIN).
	Logical Node
	// Profile collects what each operator did, when the query was
	// planned for EXPLAIN ANALYZE.
	Profile *Profile
}

// PlanQuery binds, optimizes and lowers a query statement.
func PlanQuery(ctx context.Context, env *Env, ec *expr.Context, q ast.ResultSetNode) (*Query, error) {
	b := &binder{ctx: ctx, env: env, ec: ec}
	node, err := b.bindQuery(q, nil)
	if err != nil {
		return nil, err
	}
	return b.finish(textForUnknown(b, node))
}

// textForUnknown types output columns that are still untyped (SELECT NULL)
// as text, as PostgreSQL does for a query's result.
func textForUnknown(b *binder, node Node) Node {
	cols := node.Cols()
	need := false
	for _, c := range cols {
		if c.Type.ID() == arrow.NULL {
			need = true
		}
	}
	if !need {
		return node
	}
	p := &Project{Input: node}
	for _, c := range cols {
		var e expr.Expr = newColRef(c)
		out := c
		if c.Type.ID() == arrow.NULL {
			e = expr.NewNullLiteral(types.String)
			out = b.newCol(c.Name, "", types.String)
		}
		p.Exprs = append(p.Exprs, e)
		p.Out = append(p.Out, out)
	}
	return p
}

func (b *binder) finish(node Node) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("LAKESQL_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "planner panic: %v\n%s", r, debug.Stack())
			}
			err = sqlerr.New(sqlerr.InternalError, "planner: %v", r)
		}
	}()
	if err := batch.CheckCancel(b.ctx); err != nil {
		return nil, err
	}
	node = b.optimize(node)
	if err := batch.CheckCancel(b.ctx); err != nil {
		return nil, err
	}
	lw := &lowering{b: b, work: map[int]func() executor.Operator{}, shared: &sharedCTEs{m: map[*cteShare]*executor.SharedResult{}}}
	if b.env.Analyze {
		lw.prof = newProfile()
	}
	lw.markDynamicFilters(node)
	op, err := lw.lower(node)
	if err != nil {
		return nil, err
	}
	return &Query{Root: op, Schema: schemaOf(node.Cols()), Logical: node, Profile: lw.prof}, nil
}

// BindExpr binds a standalone expression with no input columns (DEFAULT
// values, SET values): it may use constants and functions only.
func BindExpr(ctx context.Context, env *Env, ec *expr.Context, n ast.ExprNode) (expr.Expr, error) {
	b := &binder{ctx: ctx, env: env, ec: ec}
	eb := &exprBinder{b: b, s: newScope(nil, nil), what: "this context"}
	e, err := eb.bind(n)
	if err != nil {
		return nil, err
	}
	return b.fold(e), nil
}
