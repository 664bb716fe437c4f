package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// exprBinder binds AST expressions in a scope. Subqueries may add joins to
// *plan (the input the expression is evaluated over); plan is nil where no
// input exists (then only uncorrelated subqueries are allowed).
type exprBinder struct {
	b    *binder
	s    *scope
	plan *Node
	// allowAgg is set while binding arguments of an aggregate (nested
	// aggregates are an error) — see aggregate.go.
	inAgg bool
	// what names the clause for error messages ("WHERE", "JOIN ON", ...).
	what string
}

func (eb *exprBinder) bind(n ast.ExprNode) (expr.Expr, error) {
	if st := eb.s.agg; st != nil && st.groupAST != nil && hasSubqueryAST(n) {
		if c, ok := st.groupAST[parser.ExprText(n)]; ok {
			return newColRef(c), nil // a grouped expression holding a subquery
		}
	}
	switch n := n.(type) {
	case *ast.ParenthesesExpr:
		return eb.bind(n.Expr)
	case *test_driver.ParamMarkerExpr:
		return eb.param(n)
	case *test_driver.ValueExpr:
		return literalOf(n)
	case *ast.ColumnNameExpr:
		e, err := eb.column(n.Name)
		if err != nil {
			// A path into a nested value: t.addr.city.
			p, ok, perr := eb.columnPath(n.Name)
			if ok {
				return p, nil
			}
			if perr != nil {
				err = perr
			}
		}
		if err != nil && eb.b.env.Position != nil {
			// Point at the column, as PostgreSQL does (psql's LINE 1: ... ^).
			if se := sqlerr.As(err); se.Position == 0 && (se.Code == sqlerr.UndefinedColumn || se.Code == sqlerr.AmbiguousColumn || se.Code == sqlerr.UndefinedTable) {
				se.Position = eb.b.env.Position(n.OriginTextPosition())
				return nil, se
			}
		}
		return e, err
	case *ast.BinaryOperationExpr:
		return eb.binary(n)
	case *ast.UnaryOperationExpr:
		return eb.unary(n)
	case *ast.IsNullExpr:
		e, err := eb.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		if n.Not {
			return call("is_not_null", e)
		}
		return call("is_null", e)
	case *ast.IsTruthExpr:
		e, err := eb.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		name := map[[2]bool]string{{true, false}: "is_true", {true, true}: "is_not_true", {false, false}: "is_false", {false, true}: "is_not_false"}[[2]bool{n.True != 0, n.Not}]
		return call(name, e)
	case *ast.BetweenExpr:
		return eb.between(n)
	case *ast.PatternInExpr:
		return eb.in(n)
	case *ast.PatternLikeOrIlikeExpr:
		return eb.like(n)
	case *ast.PatternRegexpExpr:
		l, err := eb.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		r, err := eb.bind(n.Pattern)
		if err != nil {
			return nil, err
		}
		op := "~"
		if n.Not {
			op = "!~"
		}
		return call(op, l, r)
	case *ast.CaseExpr:
		return eb.caseExpr(n)
	case *ast.FuncCallExpr:
		return eb.funcCall(n)
	case *ast.FuncCastExpr:
		return eb.funcCast(n)
	case *ast.AggregateFuncExpr:
		return eb.aggregateRef(n)
	case *ast.WindowFuncExpr:
		return eb.windowRef(n)
	case *ast.SubqueryExpr:
		return eb.scalarSubquery(n)
	case *ast.ExistsSubqueryExpr:
		return eb.exists(n)
	case *ast.CompareSubqueryExpr:
		return eb.compareSubquery(n)
	case *ast.RowExpr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "row constructors are not supported here")
	case *ast.PositionExpr:
		// A number in a window's ORDER BY or PARTITION BY is a constant,
		// as in PostgreSQL (positions are the select's own ORDER BY's).
		return expr.NewLiteral(scalar.NewInt32Scalar(int32(n.N))), nil
	case *ast.DefaultExpr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "DEFAULT is not allowed in this context")
	case *ast.VariableExpr:
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"@\"")
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported expression %T", n)
}

// call binds a function or operator through the expression package.
// call binds a built-in operator (see expr.BindOperator).
func call(name string, args ...expr.Expr) (expr.Expr, error) { return expr.BindOperator(name, args) }

func literalOf(v *test_driver.ValueExpr) (expr.Expr, error) {
	switch v.Kind() {
	case test_driver.KindNull:
		return expr.NewNullLiteral(types.Null), nil
	case test_driver.KindInt64:
		i := v.GetInt64()
		if i >= -1<<31 && i < 1<<31 {
			return expr.NewLiteral(scalar.NewInt32Scalar(int32(i))), nil
		}
		return expr.NewLiteral(scalar.NewInt64Scalar(i)), nil
	case test_driver.KindUint64:
		u := v.GetUint64()
		if u < 1<<63 {
			return expr.NewLiteral(scalar.NewInt64Scalar(int64(u))), nil
		}
		return decimalLiteral(fmt.Sprint(u))
	case test_driver.KindFloat64:
		return expr.NewLiteral(scalar.NewFloat64Scalar(v.GetFloat64())), nil
	case test_driver.KindFloat32:
		return expr.NewLiteral(scalar.NewFloat64Scalar(float64(v.GetFloat32()))), nil
	case test_driver.KindMysqlDecimal:
		return decimalLiteral(v.GetMysqlDecimal().String())
	case test_driver.KindString, test_driver.KindBytes:
		return expr.NewUnknownLiteral(v.GetString()), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported literal %v", v.GetValue())
}

// decimalLiteral types a numeric constant like 1.50 as NUMERIC(p,s) with
// exactly its digits, as PostgreSQL does.
func decimalLiteral(s string) (expr.Expr, error) {
	digits := strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
	scale := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = len(s) - i - 1
		digits = strings.Replace(digits, ".", "", 1)
	}
	prec := len(strings.TrimLeft(digits, "0"))
	if prec < scale {
		prec = scale
	}
	if prec == 0 {
		prec = 1
	}
	if prec > types.MaxDecimalPrecision {
		return call("to_float8_literal", expr.NewUnknownLiteral(s)) // beyond decimal128: a double
	}
	return expr.NewCast(expr.NewUnknownLiteral(s), types.Decimal(int32(prec), int32(scale)))
}

// columnIDRef prefixes a column name that stands for the column with the
// following ID (SELECT * over columns a name cannot tell apart).
const columnIDRef = "lakesql$column$"

func (eb *exprBinder) column(n *ast.ColumnName) (expr.Expr, error) {
	table, name := n.Table.O, n.Name.O
	if id, ok := strings.CutPrefix(name, columnIDRef); ok {
		for _, c := range eb.s.cols {
			if strconv.Itoa(c.ID) == id {
				return newColRef(c), nil
			}
		}
	}
	if n.Schema.O != "" {
		table = n.Table.O // schema.table.col: qualify by table
	}
	c, ok, err := eb.s.resolve(table, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		if table != "" {
			if !eb.s.hasTable(table) && !eb.hasOuterTable(table) {
				return nil, sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", table)
			}
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %s.%s does not exist", table, name)
		}
		if a := eb.s.aliases[name]; a != nil {
			return newColRef(*a), nil
		}
		if sqlValueFunctions[strings.ToLower(name)] {
			// PostgreSQL's SQL-standard functions written without
			// parentheses (TiDB reads them as column names).
			return eb.bind(&ast.FuncCallExpr{FnName: ast.NewCIStr(strings.ToLower(name))})
		}
		return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", name)
	}
	return newColRef(c), nil
}

// sqlValueFunctions are PostgreSQL's functions called without parentheses
// that TiDB does not know as such.
var sqlValueFunctions = map[string]bool{"session_user": true, "user": true, "current_role": true,
	"current_catalog": true, "current_schema": true, "system_user": true}

func (eb *exprBinder) hasOuterTable(t string) bool {
	for p := eb.s.parent; p != nil; p = p.parent {
		if p.hasTable(t) {
			return true
		}
	}
	return false
}

func (eb *exprBinder) param(n *test_driver.ParamMarkerExpr) (expr.Expr, error) {
	env := eb.b.env
	idx := n.Order
	if idx < len(env.ParamOrder) {
		idx = env.ParamOrder[idx]
	}
	if env.Param == nil {
		return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", idx+1)
	}
	return env.Param(idx)
}

var binaryOps = map[opcode.Op]string{
	opcode.Plus: "+", opcode.Minus: "-", opcode.Mul: "*", opcode.Div: "/", opcode.Mod: "%",
	opcode.IntDiv: "div", opcode.EQ: "=", opcode.NE: "<>", opcode.LT: "<", opcode.LE: "<=",
	opcode.GT: ">", opcode.GE: ">=", opcode.NullEQ: "<=>", opcode.LogicAnd: "and",
	opcode.LogicOr: "or", opcode.Xor: "#", opcode.And: "&", opcode.Or: "|",
	opcode.LeftShift: "<<", opcode.RightShift: ">>", opcode.LogicXor: "xor",
}

func (eb *exprBinder) binary(n *ast.BinaryOperationExpr) (expr.Expr, error) {
	lr, lok := n.L.(*ast.RowExpr)
	rr, rok := n.R.(*ast.RowExpr)
	if lok && rok {
		e, err := rowCompare(n.Op, lr.Values, rr.Values)
		if err != nil {
			return nil, err
		}
		return eb.bind(e)
	}
	op, ok := binaryOps[n.Op]
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported", n.Op)
	}
	l, err := eb.bind(n.L)
	if err != nil {
		return nil, err
	}
	r, err := eb.bind(n.R)
	if err != nil {
		return nil, err
	}
	// div and xor are functions of the registry, not built-in operators.
	return eb.b.env.Funcs.Bind(op, []expr.Expr{l, r})
}

func (eb *exprBinder) unary(n *ast.UnaryOperationExpr) (expr.Expr, error) {
	// Fold -<number literal> into the literal so that -2147483648 is an int.
	if n.Op == opcode.Minus {
		if v, ok := n.V.(*test_driver.ValueExpr); ok {
			switch v.Kind() {
			case test_driver.KindInt64:
				i := -v.GetInt64()
				if i >= -1<<31 && i < 1<<31 {
					return expr.NewLiteral(scalar.NewInt32Scalar(int32(i))), nil
				}
				return expr.NewLiteral(scalar.NewInt64Scalar(i)), nil
			case test_driver.KindUint64:
				if v.GetUint64() == 1<<63 {
					return expr.NewLiteral(scalar.NewInt64Scalar(-1 << 63)), nil
				}
			case test_driver.KindMysqlDecimal:
				return decimalLiteral("-" + v.GetMysqlDecimal().String())
			}
		}
	}
	e, err := eb.bind(n.V)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case opcode.Minus:
		return call("neg", e)
	case opcode.Plus:
		// Prefix + exists for numbers only (an untyped literal reads as
		// double precision, as in PostgreSQL).
		if expr.IsUnknownLiteral(e) {
			return expr.NewCast(e, types.Float64)
		}
		if !types.IsNumeric(e.Type()) && e.Type().ID() != arrow.NULL {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: + %s", types.Name(e.Type()))
		}
		return e, nil
	case opcode.Not, opcode.Not2:
		return call("not", e)
	case opcode.BitNeg:
		return call("~", e)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported", n.Op)
}

func (eb *exprBinder) between(n *ast.BetweenExpr) (expr.Expr, error) {
	e, err := eb.bind(n.Expr)
	if err != nil {
		return nil, err
	}
	lo, err := eb.bind(n.Left)
	if err != nil {
		return nil, err
	}
	hi, err := eb.bind(n.Right)
	if err != nil {
		return nil, err
	}
	if n.Not {
		a, err := call("<", e, lo)
		if err != nil {
			return nil, err
		}
		b, err := call(">", e, hi)
		if err != nil {
			return nil, err
		}
		return call("or", a, b)
	}
	a, err := call(">=", e, lo)
	if err != nil {
		return nil, err
	}
	b, err := call("<=", e, hi)
	if err != nil {
		return nil, err
	}
	return call("and", a, b)
}

func (eb *exprBinder) in(n *ast.PatternInExpr) (expr.Expr, error) {
	if row, ok := n.Expr.(*ast.RowExpr); ok {
		// (a, b) [NOT] IN (SELECT x, y ...) is = ANY; IN ((1, 2), ...) an OR.
		var e ast.ExprNode
		if n.Sel != nil {
			q := subqueryNode(n.Sel)
			if q == nil {
				return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in IN")
			}
			var err error
			if e, err = rowQuantified(opcode.EQ, row, q, false); err != nil {
				return nil, err
			}
		} else {
			for _, item := range n.List {
				r, ok := item.(*ast.RowExpr)
				if !ok {
					return nil, sqlerr.New(sqlerr.SyntaxError, "IN list items must be rows when the left side is a row")
				}
				c, err := rowCompare(opcode.EQ, row.Values, r.Values)
				if err != nil {
					return nil, err
				}
				if e == nil {
					e = c
				} else {
					e = &ast.BinaryOperationExpr{Op: opcode.LogicOr, L: e, R: c}
				}
			}
		}
		if n.Not {
			e = &ast.UnaryOperationExpr{Op: opcode.Not, V: &ast.ParenthesesExpr{Expr: e}}
		}
		return eb.bind(e)
	}
	if n.Sel != nil {
		return eb.inSubquery(n)
	}
	e, err := eb.bind(n.Expr)
	if err != nil {
		return nil, err
	}
	list := make([]expr.Expr, len(n.List))
	for i, x := range n.List {
		if list[i], err = eb.bind(x); err != nil {
			return nil, err
		}
	}
	return expr.NewInList(e, list, n.Not)
}

func (eb *exprBinder) like(n *ast.PatternLikeOrIlikeExpr) (expr.Expr, error) {
	e, err := eb.bind(n.Expr)
	if err != nil {
		return nil, err
	}
	p, err := eb.bind(n.Pattern)
	if err != nil {
		return nil, err
	}
	name := "like"
	if !n.IsLike {
		name = "ilike"
	}
	if n.Not {
		name = "not " + name
	}
	args := []expr.Expr{e, p}
	if n.EscapeExplicit || n.Escape != '\\' {
		esc := ""
		if n.Escape != 0 {
			esc = string(rune(n.Escape))
		}
		args = append(args, expr.NewUnknownLiteral(esc))
	}
	return eb.b.env.Funcs.Bind(name, args)
}

func (eb *exprBinder) caseExpr(n *ast.CaseExpr) (expr.Expr, error) {
	var operand expr.Expr
	var err error
	if n.Value != nil {
		if operand, err = eb.bind(n.Value); err != nil {
			return nil, err
		}
	}
	whens := make([]expr.When, len(n.WhenClauses))
	for i, w := range n.WhenClauses {
		c, err := eb.bind(w.Expr)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if c, err = call("=", operand, c); err != nil {
				return nil, err
			}
		}
		r, err := eb.bind(w.Result)
		if err != nil {
			return nil, err
		}
		whens[i] = expr.When{Cond: c, Then: r}
	}
	var els expr.Expr
	if n.ElseClause != nil {
		if els, err = eb.bind(n.ElseClause); err != nil {
			return nil, err
		}
	}
	return expr.NewCase(whens, els)
}

func (eb *exprBinder) funcCast(n *ast.FuncCastExpr) (expr.Expr, error) {
	e, err := eb.bind(n.Expr)
	if err != nil {
		return nil, err
	}
	t, err := types.Parse(n.Tp.String())
	if err != nil {
		return nil, err
	}
	return castExpr(e, t)
}

// castExpr is an explicit cast; an unconstrained NUMERIC target takes the
// scale of a constant operand.
func castExpr(e expr.Expr, t arrow.DataType) (expr.Expr, error) {
	return expr.NewCast(e, t)
}
