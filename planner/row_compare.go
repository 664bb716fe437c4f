package planner

import (
	"fmt"

	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Row comparisons, (a, b) op (c, d), are rewritten into the scalar
// comparisons PostgreSQL defines them by, which also give its NULL
// behaviour: = is the AND of the pairs, <> their OR, and < <= > >= are
// lexicographic (the first unequal pair decides; a NULL before that makes
// the result NULL). A row compared with ANY/ALL (subquery) becomes
// TRUE = ANY|ALL (SELECT <row comparison> FROM (subquery) AS r(c1, ...)),
// whose three-valued result is exactly the row version's.

// rowCompare builds the scalar form of left op right.
func rowCompare(op opcode.Op, left, right []ast.ExprNode) (ast.ExprNode, error) {
	if len(left) != len(right) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "unequal number of entries in row expressions")
	}
	if len(left) == 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot compare rows of zero length")
	}
	bin := func(o opcode.Op, l, r ast.ExprNode) ast.ExprNode { return &ast.BinaryOperationExpr{Op: o, L: l, R: r} }
	switch op {
	case opcode.EQ, opcode.NE:
		join := opcode.LogicAnd
		if op == opcode.NE {
			join = opcode.LogicOr
		}
		var out ast.ExprNode
		for i := range left {
			c := bin(op, left[i], right[i])
			if out == nil {
				out = c
			} else {
				out = bin(join, out, c)
			}
		}
		return out, nil
	case opcode.LT, opcode.LE, opcode.GT, opcode.GE:
		strict := map[opcode.Op]opcode.Op{opcode.LT: opcode.LT, opcode.LE: opcode.LT, opcode.GT: opcode.GT, opcode.GE: opcode.GT}[op]
		n := len(left)
		out := bin(op, left[n-1], right[n-1])
		for i := n - 2; i >= 0; i-- {
			out = bin(opcode.LogicOr, bin(strict, left[i], right[i]),
				&ast.ParenthesesExpr{Expr: bin(opcode.LogicAnd, bin(opcode.EQ, left[i], right[i]), &ast.ParenthesesExpr{Expr: out})})
		}
		return out, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s on rows is not supported", op)
}

// rowQuantified rewrites (a, b) op ANY|ALL (q) as described above.
func rowQuantified(op opcode.Op, row *ast.RowExpr, q ast.ResultSetNode, all bool) (ast.ExprNode, error) {
	names := make([]string, len(row.Values))
	right := make([]ast.ExprNode, len(row.Values))
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i+1)
		right[i] = &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr("lakesql_row"), Name: ast.NewCIStr(names[i])}}
	}
	cmp, err := rowCompare(op, row.Values, right)
	if err != nil {
		return nil, err
	}
	sel := &ast.SelectStmt{
		SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true},
		Kind:           ast.SelectStmtKindSelect,
		Fields:         &ast.FieldList{Fields: []*ast.SelectField{{Expr: cmp}}},
		From: &ast.TableRefsClause{TableRefs: &ast.Join{Left: &ast.TableSource{
			Source: q, AsName: ast.NewCIStr(parser.DerivedAlias("lakesql_row", names))}}},
	}
	one := ast.NewValueExpr(int64(1), "", "")
	return &ast.CompareSubqueryExpr{L: &ast.BinaryOperationExpr{Op: opcode.EQ, L: one, R: one}, Op: opcode.EQ, R: &ast.SubqueryExpr{Query: sel}, All: all}, nil
}
