package planner

import (
	"strings"

	"github.com/lakesql/lakesql/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// An aggregate inside a subquery whose arguments read only columns of an
// enclosing query belongs to that query, as in SQL and PostgreSQL:
// SELECT (SELECT sum(t.x)) FROM t sums t.x over t, once. The enclosing
// SELECT claims such aggregates before binding (outerAggregates); the
// subquery then neither groups by them nor computes them, and reads the
// enclosing query's result as a correlated column (aggregateRef).

// outerAggregates returns the aggregate calls in sel's subqueries that
// belong to sel.
func outerAggregates(sel *ast.SelectStmt) []ast.ExprNode {
	c := &outerAggCollector{levels: [][]string{fromAliases(sel)}}
	nodes := fieldsOf(sel)
	if sel.Having != nil {
		nodes = append(nodes, sel.Having.Expr)
	}
	if sel.OrderBy != nil {
		for _, it := range sel.OrderBy.Items {
			nodes = append(nodes, it.Expr)
		}
	}
	for _, n := range nodes {
		n.Accept(c)
	}
	return c.found
}

// outerAggregatesIn returns the aggregates in n's subqueries that belong
// to sel (n being one of sel's clauses).
func outerAggregatesIn(sel *ast.SelectStmt, n ast.Node) []ast.ExprNode {
	c := &outerAggCollector{levels: [][]string{fromAliases(sel)}}
	n.Accept(c)
	return c.found
}

// lateralAggregates reports whether a LATERAL subquery in sel's FROM holds
// an aggregate of sel's own columns (which PostgreSQL rejects).
func lateralAggregates(sel *ast.SelectStmt, n ast.ResultSetNode) bool {
	switch n := n.(type) {
	case *ast.Join:
		return n.Left != nil && lateralAggregates(sel, n.Left) || n.Right != nil && lateralAggregates(sel, n.Right)
	case *ast.TableSource:
		switch src := n.Source.(type) {
		case *ast.Join:
			return lateralAggregates(sel, src)
		case *ast.SelectStmt:
			return n.Lateral && len(outerAggregatesIn(sel, src)) > 0
		}
	}
	return false
}

// outerAggCollector walks expressions of the claiming query (level 0)
// down into subqueries, keeping the FROM aliases of each level.
type outerAggCollector struct {
	levels [][]string // aliases per level; levels[0] is the claiming query
	found  []ast.ExprNode
}

func (c *outerAggCollector) Enter(n ast.Node) (ast.Node, bool) {
	switch n := n.(type) {
	case *ast.SelectStmt:
		if len(c.levels) == 0 {
			return n, false
		}
		// A nested query: its FROM aliases form the next level.
		c.levels = append(c.levels, fromAliases(n))
		for _, f := range fieldsOf(n) {
			f.Accept(c)
		}
		if n.Where != nil {
			n.Where.Accept(c)
		}
		if n.Having != nil {
			n.Having.Expr.Accept(c)
		}
		c.levels = c.levels[:len(c.levels)-1]
		return n, true
	case *ast.AggregateFuncExpr, *ast.FuncCallExpr:
		if len(c.levels) < 2 {
			return n, false // an aggregate of the claiming query itself
		}
		if f, ok := n.(*ast.FuncCallExpr); ok && !(extraAggregates[parser.BuiltinName(f)] && f.Schema.L == "") {
			return n, false
		}
		if c.belongsToLevel0(n) {
			c.found = append(c.found, n.(ast.ExprNode))
		}
		return n, true
	}
	return n, false
}

func (c *outerAggCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// belongsToLevel0 reports whether every column the aggregate reads
// resolves to the claiming query (and it reads at least one).
func (c *outerAggCollector) belongsToLevel0(agg ast.Node) bool {
	refs := &columnRefs{}
	agg.Accept(refs)
	if len(refs.cols) == 0 {
		return false
	}
	inner := len(c.levels) - 1
	for _, col := range refs.cols {
		if c.levelOf(col, inner) != 0 {
			return false
		}
	}
	return true
}

// levelOf finds the level a column reference resolves to: a qualifier
// names the innermost level with that alias; an unqualified name goes to
// the innermost level that has a FROM clause.
func (c *outerAggCollector) levelOf(col *ast.ColumnName, inner int) int {
	if q := col.Table.L; q != "" {
		for l := inner; l >= 0; l-- {
			for _, a := range c.levels[l] {
				if a == q {
					return l
				}
			}
		}
		return inner
	}
	for l := inner; l >= 1; l-- {
		if len(c.levels[l]) > 0 {
			return l
		}
	}
	return 0
}

type columnRefs struct{ cols []*ast.ColumnName }

func (v *columnRefs) Enter(n ast.Node) (ast.Node, bool) {
	if c, ok := n.(*ast.ColumnNameExpr); ok {
		v.cols = append(v.cols, c.Name)
	}
	return n, false
}
func (v *columnRefs) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func fieldsOf(sel *ast.SelectStmt) []ast.Node {
	var out []ast.Node
	if sel.Fields != nil {
		for _, f := range sel.Fields.Fields {
			if f.Expr != nil {
				out = append(out, f.Expr)
			}
		}
	}
	return out
}

// fromAliases lists the names a query's FROM items are known by.
func fromAliases(sel *ast.SelectStmt) []string {
	var out []string
	var walkRefs func(n ast.ResultSetNode)
	walkRefs = func(n ast.ResultSetNode) {
		switch n := n.(type) {
		case *ast.Join:
			if n.Left != nil {
				walkRefs(n.Left)
			}
			if n.Right != nil {
				walkRefs(n.Right)
			}
		case *ast.TableSource:
			alias, _ := parser.DerivedColumns(n.AsName.O)
			if alias == "" {
				if tn, ok := n.Source.(*ast.TableName); ok {
					alias = tn.Name.O
				} else if sel, ok := n.Source.(*ast.SelectStmt); ok {
					if tf, ok := parser.TableFunctionOf(sel); ok {
						alias = tf.Name
					}
				}
			}
			if alias != "" {
				out = append(out, strings.ToLower(alias))
			} else {
				out = append(out, "?") // an unnamed FROM item still makes a FROM
			}
		case *ast.TableName:
			out = append(out, n.Name.L)
		}
	}
	if sel.From != nil && sel.From.TableRefs != nil {
		walkRefs(sel.From.TableRefs)
	}
	return out
}
