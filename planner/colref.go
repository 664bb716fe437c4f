package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// colRef is a reference to a logical column by plan-wide ID. It exists only
// inside the logical plan; lowering replaces it by an expr column reference
// at the column's position in the operator's input.
type colRef struct {
	id   int
	typ  arrow.DataType
	name string
}

func newColRef(c Column) *colRef { return &colRef{id: c.ID, typ: c.Type, name: c.Name} }

func (c *colRef) Type() arrow.DataType { return c.typ }
func (c *colRef) Eval(*expr.Context, arrow.RecordBatch) (arrow.Array, error) {
	return nil, sqlerr.New(sqlerr.InternalError, "unlowered column reference %s", c)
}
func (c *colRef) String() string                     { return fmt.Sprintf("%s#%d", c.name, c.id) }
func (c *colRef) Children() []expr.Expr              { return nil }
func (c *colRef) WithChildren([]expr.Expr) expr.Expr { return c }

// subqueryExpr is an uncorrelated scalar subquery: lowered to an expression
// that runs Plan once.
type subqueryExpr struct {
	plan Node
	typ  arrow.DataType
}

func (s *subqueryExpr) Type() arrow.DataType { return s.typ }
func (s *subqueryExpr) Eval(*expr.Context, arrow.RecordBatch) (arrow.Array, error) {
	return nil, sqlerr.New(sqlerr.InternalError, "unlowered subquery")
}

// String names the subquery by identity: two subqueries are never the
// same expression (exprKey matches grouped expressions by this text).
func (s *subqueryExpr) String() string                     { return fmt.Sprintf("(subquery %p)", s.plan) }
func (s *subqueryExpr) Children() []expr.Expr              { return nil }
func (s *subqueryExpr) WithChildren([]expr.Expr) expr.Expr { return s }

// walk calls f on e and every sub-expression, parents first; f returning
// false stops descent into that node's children.
func walk(e expr.Expr, f func(expr.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	for _, c := range e.Children() {
		walk(c, f)
	}
}

// rewrite rebuilds e bottom-up, replacing each node by f(node) (f sees the
// node with its children already rewritten).
func rewrite(e expr.Expr, f func(expr.Expr) expr.Expr) expr.Expr {
	if e == nil {
		return nil
	}
	kids := e.Children()
	if len(kids) > 0 {
		nk := make([]expr.Expr, len(kids))
		changed := false
		for i, k := range kids {
			nk[i] = rewrite(k, f)
			if nk[i] != k {
				changed = true
			}
		}
		if changed {
			e = e.WithChildren(nk)
		}
	}
	return f(e)
}

// refs returns the set of column IDs e refers to.
func refs(e expr.Expr) map[int]bool {
	out := map[int]bool{}
	walk(e, func(x expr.Expr) bool {
		if c, ok := x.(*colRef); ok {
			out[c.id] = true
		}
		return true
	})
	return out
}

// hasSubquery reports whether e holds an unlowered subquery.
func hasSubquery(e expr.Expr) bool {
	found := false
	walk(e, func(x expr.Expr) bool {
		if _, ok := x.(*subqueryExpr); ok {
			found = true
		}
		return !found
	})
	return found
}

// substitute replaces references to column IDs by expressions.
func substitute(e expr.Expr, m map[int]expr.Expr) expr.Expr {
	return rewrite(e, func(x expr.Expr) expr.Expr {
		if c, ok := x.(*colRef); ok {
			if r, ok := m[c.id]; ok {
				return r
			}
		}
		return x
	})
}

// idSet is the set of IDs of cols.
func idSet(cols []Column) map[int]bool {
	m := make(map[int]bool, len(cols))
	for _, c := range cols {
		m[c.ID] = true
	}
	return m
}

// subset reports whether every key of a is in b.
func subset(a, b map[int]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
