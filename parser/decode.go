package parser

import (
	"strings"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Decoders read the bridge's encodings back out of the AST. The planner
// uses only these, never the encodings themselves.

func stringArg(n ast.ExprNode) (string, bool) {
	v, ok := n.(*test_driver.ValueExpr)
	if !ok || v.Kind() != test_driver.KindString {
		return "", false
	}
	return v.GetString(), true
}

// CastOf decodes x::type and CAST(x AS type): the operand and the
// PostgreSQL type name (lower case, single spaces).
func CastOf(fn *ast.FuncCallExpr) (ast.ExprNode, string, bool) {
	if fn.FnName.L != castFunc || len(fn.Args) != 2 && len(fn.Args) != 3 {
		return nil, "", false
	}
	t, ok := stringArg(fn.Args[1])
	if !ok {
		return nil, "", false
	}
	return fn.Args[0], t, true
}

// Constant reports whether an expression is a constant PostgreSQL's
// grammar reads as one (a number, a string, NULL, TRUE/FALSE, a negative
// number, in parentheses or not): GROUP BY and ORDER BY take an integer
// one as a position and refuse the others.
func Constant(e ast.ExprNode) (v *test_driver.ValueExpr, negative, ok bool) {
	for {
		p, isParen := e.(*ast.ParenthesesExpr)
		if !isParen {
			break
		}
		e = p.Expr
	}
	switch x := e.(type) {
	case *test_driver.ValueExpr:
		return x, false, true
	case *ast.UnaryOperationExpr:
		if x.Op != opcode.Minus {
			break
		}
		if v, neg, ok := Constant(x.V); ok && v.Kind() != test_driver.KindString && v.Kind() != test_driver.KindNull {
			return v, !neg, true
		}
	case *ast.FuncCallExpr:
		if x.FnName.L == castFunc && len(x.Args) == 3 {
			v, _ := x.Args[0].(*test_driver.ValueExpr)
			return v, false, v != nil
		}
	}
	return nil, false, false
}

// IsConcatOperator reports whether a concat call came from the || operator
// (explicit concat() calls are renamed by the bridge).
func IsConcatOperator(fn *ast.FuncCallExpr) bool { return fn.FnName.L == ast.Concat }

// FunctionName is the name the user wrote for a function call.
func FunctionName(fn *ast.FuncCallExpr) string {
	switch fn.FnName.L {
	case concatFunc:
		return "concat"
	case arrayFunc:
		return "array"
	case fieldFunc:
		// (expr).f is named f, as in PostgreSQL.
		if len(fn.Args) == 2 {
			if f, ok := stringArg(fn.Args[1]); ok {
				return f
			}
		}
		return "?column?"
	case subscriptFunc, sliceFunc:
		// (expr)[i] is named after expr, as in PostgreSQL.
		if len(fn.Args) > 0 {
			a := fn.Args[0]
			if p, ok := a.(*ast.ParenthesesExpr); ok {
				a = p.Expr
			}
			switch a := a.(type) {
			case *ast.FuncCallExpr:
				if x, t, ok := CastOf(a); ok {
					if c, ok := x.(*ast.ColumnNameExpr); ok {
						return c.Name.Name.O
					}
					t, _, _ = strings.Cut(strings.TrimSuffix(t, "[]"), "(")
					return t
				}
				return FunctionName(a)
			case *ast.ColumnNameExpr:
				return a.Name.Name.O
			}
		}
		return "?column?"
	}
	if strings.HasPrefix(fn.FnName.L, fnPrefix) {
		return strings.TrimPrefix(fn.FnName.L, fnPrefix)
	}
	if strings.HasPrefix(fn.FnName.L, marker) {
		return "?column?" // an operator or another of the bridge's forms
	}
	return fn.FnName.L
}

// BuiltinName maps a function call to the function the planner binds:
// bridge encodings become operator names ("<=>", "~", ...).
func BuiltinName(fn *ast.FuncCallExpr) string {
	switch fn.FnName.L {
	case concatFunc:
		return "concat"
	case arrayFunc:
		return "array"
	case subscriptFunc:
		return "array_subscript"
	case sliceFunc:
		return "array_slice"
	case fieldFunc:
		return "field_select"
	}
	if op, ok := strings.CutPrefix(fn.FnName.L, opPrefix); ok {
		return op
	}
	if strings.HasPrefix(fn.FnName.L, fnPrefix) {
		return strings.TrimPrefix(fn.FnName.L, fnPrefix)
	}
	return fn.FnName.L
}

// IsOperator reports whether a call is one of the bridge's operator calls
// (a ^ b, a ~ b, ...), whose BuiltinName is the operator's function.
func IsOperator(fn *ast.FuncCallExpr) bool { return strings.HasPrefix(fn.FnName.L, opPrefix) }

// IsFullJoin reports whether a join is FULL [OUTER] JOIN.
func IsFullJoin(j *ast.Join) bool { return j.StraightJoin }

// DerivedColumns splits an alias carrying a column list: "t(a, b)".
func DerivedColumns(alias string) (string, []string) {
	parts := strings.Split(alias, aliasSep)
	if len(parts) == 1 {
		return alias, nil
	}
	return parts[0], parts[1:]
}

// DerivedAlias encodes a FROM item's alias with column names, as the
// bridge does for "AS t(a, b)" (read back by DerivedColumns).
func DerivedAlias(name string, cols []string) string {
	s := name
	for _, c := range cols {
		s += aliasSep + c
	}
	return s
}

// TableFunction is a set-returning function used in FROM.
type TableFunction struct {
	Name string
	Args []ast.ExprNode
	// Ordinality is WITH ORDINALITY: a last column numbering the rows.
	Ordinality bool
}

// TableFunctionOf decodes FROM f(args).
func TableFunctionOf(n ast.ResultSetNode) (TableFunction, bool) {
	sel, ok := n.(*ast.SelectStmt)
	if !ok || sel.From != nil || sel.Fields == nil || len(sel.Fields.Fields) != 1 {
		return TableFunction{}, false
	}
	fn, ok := sel.Fields.Fields[0].Expr.(*ast.FuncCallExpr)
	if !ok || fn.FnName.L != tableFuncFunc || len(fn.Args) == 0 {
		return TableFunction{}, false
	}
	name, ok := stringArg(fn.Args[0])
	if !ok {
		return TableFunction{}, false
	}
	base, ord := strings.CutSuffix(name, ordinalitySuffix)
	return TableFunction{Name: base, Args: fn.Args[1:], Ordinality: ord}, true
}

// DistinctOn decodes SELECT DISTINCT ON (exprs): it returns the ON
// expressions (nil without DISTINCT ON) and the real select list.
func DistinctOn(fields []*ast.SelectField) ([]ast.ExprNode, []*ast.SelectField) {
	if len(fields) == 0 {
		return nil, fields
	}
	fn, ok := fields[0].Expr.(*ast.FuncCallExpr)
	if !ok || fn.FnName.L != distinctOnFunc {
		return nil, fields
	}
	return fn.Args, fields[1:]
}

// OrderItem is one ORDER BY item with its NULLS FIRST/LAST option.
type OrderItem struct {
	Item  *ast.ByItem
	nulls int // 0 default, 1 first, 2 last
}

// NullsFirst says where NULLs go: explicit, else PostgreSQL's default
// (first when descending).
func (o OrderItem) NullsFirst(desc bool) bool {
	switch o.nulls {
	case 1:
		return true
	case 2:
		return false
	}
	return desc
}

// OrderItems decodes ORDER BY items, folding NULLS FIRST/LAST markers into
// the item before them.
func OrderItems(items []*ast.ByItem) []OrderItem {
	var out []OrderItem
	for _, it := range items {
		if fn, ok := it.Expr.(*ast.FuncCallExpr); ok && fn.FnName.L == excludeFunc {
			continue
		}
		if fn, ok := it.Expr.(*ast.FuncCallExpr); ok && (fn.FnName.L == nullsFirstFunc || fn.FnName.L == nullsLastFunc) {
			if len(out) > 0 {
				out[len(out)-1].nulls = 1
				if fn.FnName.L == nullsLastFunc {
					out[len(out)-1].nulls = 2
				}
			}
			continue
		}
		out = append(out, OrderItem{Item: it})
	}
	return out
}

// GroupingSets decodes GROUP BY: the distinct grouping expressions, and
// the sets (indexes into them), or nil sets for a plain GROUP BY.
func GroupingSets(gb *ast.GroupByClause) ([]ast.ExprNode, [][]int, error) {
	var exprs []ast.ExprNode
	keys := map[string]int{}
	index := func(e ast.ExprNode) int {
		k := exprText(e)
		if i, ok := keys[k]; ok {
			return i
		}
		keys[k] = len(exprs)
		exprs = append(exprs, e)
		return len(exprs) - 1
	}
	// Each GROUP BY element yields a list of sets; the result is their
	// cross product.
	result := [][]int{{}}
	special := false
	for _, it := range gb.Items {
		sets, isSpecial, err := elementSets(it.Expr, index)
		if err != nil {
			return nil, nil, err
		}
		special = special || isSpecial
		var next [][]int
		for _, a := range result {
			for _, b := range sets {
				next = append(next, append(append([]int(nil), a...), b...))
			}
		}
		result = next
	}
	if gb.Rollup {
		special = true
		// MySQL's WITH ROLLUP over all items.
		n := len(exprs)
		result = nil
		for k := n; k >= 0; k-- {
			s := make([]int, k)
			for i := range s {
				s[i] = i
			}
			result = append(result, s)
		}
	}
	if !special {
		return exprs, nil, nil
	}
	return exprs, result, nil
}

func elementSets(e ast.ExprNode, index func(ast.ExprNode) int) ([][]int, bool, error) {
	fn, ok := e.(*ast.FuncCallExpr)
	if !ok {
		return [][]int{{index(e)}}, false, nil
	}
	setOf := func(a ast.ExprNode) []int {
		if f, ok := a.(*ast.FuncCallExpr); ok && f.FnName.L == groupingSet {
			var s []int
			for _, x := range f.Args {
				s = append(s, index(x))
			}
			return s
		}
		return []int{index(a)}
	}
	switch fn.FnName.L {
	case groupingSet:
		return [][]int{setOf(fn)}, false, nil
	case rollupFunc:
		var parts [][]int
		for _, a := range fn.Args {
			parts = append(parts, setOf(a))
		}
		var out [][]int
		for k := len(parts); k >= 0; k-- {
			var s []int
			for _, p := range parts[:k] {
				s = append(s, p...)
			}
			out = append(out, s)
		}
		return out, true, nil
	case cubeFunc:
		var parts [][]int
		for _, a := range fn.Args {
			parts = append(parts, setOf(a))
		}
		n := len(parts)
		if n > 12 {
			return nil, false, sqlerr.New(sqlerr.ProgramLimitExceeded, "CUBE is limited to 12 elements")
		}
		var out [][]int
		for mask := (1 << n) - 1; mask >= 0; mask-- {
			var s []int
			for i := 0; i < n; i++ {
				if mask&(1<<(n-1-i)) != 0 {
					s = append(s, parts[i]...)
				}
			}
			out = append(out, s)
		}
		return out, true, nil
	case groupingSets:
		var out [][]int
		for _, a := range fn.Args {
			sub, _, err := elementSets(a, index)
			if err != nil {
				return nil, false, err
			}
			out = append(out, sub...)
		}
		return out, true, nil
	}
	return [][]int{{index(e)}}, false, nil
}

// ExprText is a canonical text of an AST expression: two expressions the
// user wrote alike have the same text.
func ExprText(e ast.ExprNode) string { return exprText(e) }

// exprText is a canonical text of an AST expression (for deduplication).
func exprText(e ast.ExprNode) string {
	var sb strings.Builder
	restoreTo(&sb, e)
	return sb.String()
}

// IsCountStar reports whether count's argument is * (TiDB parses count(*)
// as count(1); a non-NULL constant counts rows either way).
func IsCountStar(n *ast.AggregateFuncExpr) bool { return constNonNull(n.Args) }

// IsWindowCountStar is IsCountStar for count(*) OVER (...).
func IsWindowCountStar(n *ast.WindowFuncExpr) bool { return constNonNull(n.Args) }

func constNonNull(args []ast.ExprNode) bool {
	if len(args) != 1 {
		return len(args) == 0
	}
	v, ok := args[0].(*test_driver.ValueExpr)
	return ok && v.Kind() != test_driver.KindNull && v.Kind() != test_driver.KindString
}

// AggregateExtras are the DISTINCT and ORDER BY of an aggregate the bridge
// encoded into its arguments (string_agg(DISTINCT x, ',' ORDER BY y)).
type AggregateExtras struct {
	Distinct bool
	OrderBy  *ast.OrderByClause
	// Filter is FILTER (WHERE ...) of an aggregate that keeps NULLs
	// (array_agg): nil for others, whose filter is a CASE.
	Filter ast.ExprNode
}

// AggregateArgs decodes an aggregate call's real arguments and extras.
func AggregateArgs(fn *ast.FuncCallExpr) ([]ast.ExprNode, AggregateExtras) {
	var ex AggregateExtras
	args := fn.Args
	if len(args) > 0 {
		if f, ok := args[0].(*ast.FuncCallExpr); ok && f.FnName.L == aggFilterFunc && len(f.Args) == 1 {
			ex.Filter = f.Args[0]
			args = args[1:]
		}
	}
	if len(args) > 0 {
		if f, ok := args[0].(*ast.FuncCallExpr); ok && f.FnName.L == aggDistinctFunc {
			ex.Distinct = true
			args = args[1:]
		}
	}
	if len(args) > 0 {
		if f, ok := args[len(args)-1].(*ast.FuncCallExpr); ok && f.FnName.L == aggOrderFunc {
			args = args[:len(args)-1]
			ob := &ast.OrderByClause{}
			for i := 0; i+2 < len(f.Args); i += 3 {
				dir, _ := stringArg(f.Args[i+1])
				nulls, _ := stringArg(f.Args[i+2])
				ob.Items = append(ob.Items, &ast.ByItem{Expr: f.Args[i], Desc: dir == "desc"})
				switch nulls {
				case "nulls first":
					ob.Items = append(ob.Items, &ast.ByItem{Expr: &ast.FuncCallExpr{FnName: ast.NewCIStr(nullsFirstFunc)}})
				case "nulls last":
					ob.Items = append(ob.Items, &ast.ByItem{Expr: &ast.FuncCallExpr{FnName: ast.NewCIStr(nullsLastFunc)}})
				}
			}
			ex.OrderBy = ob
		}
	}
	return args, ex
}

// FrameMode reports a window frame mode the bridge encoded ("groups").
func FrameMode(spec *ast.WindowSpec) (string, bool) { return "", false }

// FrameInterval reports a frame bound's interval offset the bridge wrote
// as INTERVAL 'text' MICROSECOND: PostgreSQL's interval text.
func FrameInterval(fb ast.FrameBound) (string, bool) {
	if fb.Unit != ast.TimeUnitMicrosecond {
		return "", false
	}
	return stringArg(fb.Expr)
}

// FrameExclude reports a frame's EXCLUDE option ("" when none).
func FrameExclude(spec *ast.WindowSpec) string {
	if spec.OrderBy == nil {
		return ""
	}
	for _, it := range spec.OrderBy.Items {
		if fn, ok := it.Expr.(*ast.FuncCallExpr); ok && fn.FnName.L == excludeFunc && len(fn.Args) == 1 {
			s, _ := stringArg(fn.Args[0])
			return s
		}
	}
	return ""
}

// ColumnType returns the PostgreSQL type a CREATE TABLE column was
// declared with.
func ColumnType(c *ast.ColumnDef) string {
	for _, o := range c.Options {
		if o.Tp == ast.ColumnOptionComment {
			if s, ok := stringArg(o.Expr); ok && strings.HasPrefix(s, typeComment) {
				return strings.TrimPrefix(s, typeComment)
			}
		}
	}
	if c.Tp != nil {
		return c.Tp.String()
	}
	return "text"
}

// ViewQueryText is the text of a CREATE VIEW statement, kept for display.
func ViewQueryText(st Statement, n *ast.CreateViewStmt) string { return st.Text }

// WindowCall decodes a window function call: its real name and arguments
// (see ruleWindowCalls).
func WindowCall(w *ast.WindowFuncExpr) (string, []ast.ExprNode) {
	if strings.EqualFold(w.Name, "max") && len(w.Args) == 1 {
		if fn, ok := w.Args[0].(*ast.FuncCallExpr); ok && fn.FnName.L == windowFnFunc && len(fn.Args) > 0 {
			if name, ok := stringArg(fn.Args[0]); ok {
				return name, fn.Args[1:]
			}
		}
	}
	return strings.ToLower(w.Name), w.Args
}
