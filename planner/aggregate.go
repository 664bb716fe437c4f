package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// aggState resolves expressions after GROUP BY: aggregates by their AST
// node, grouped expressions by structure.
type aggState struct {
	groupKeys map[string]Column
	byAST     map[ast.Node]Column
	outIDs    map[int]bool
	groupCols []Column
	// groupingID is the GROUPING() bitmask column with grouping sets.
	groupingID *Column
	// grouped maps a group column ID to its index among the group-by items.
	grouped map[int]int
	// groupAST maps the text of grouped expressions that hold subqueries
	// to their group column: binding such an expression again after the
	// aggregate would run its subquery over columns no longer there.
	groupAST map[string]Column
}

// Names of functions that are aggregates although TiDB parses them as plain calls.
var extraAggregates = map[string]bool{
	"string_agg": true, "array_agg": true, "bool_and": true, "bool_or": true, "every": true,
	"stddev": true, "stddev_samp": true, "stddev_pop": true, "variance": true, "var_samp": true,
	"var_pop": true, "bit_and": true, "bit_or": true, "bit_xor": true, "count": true, "sum": true,
	"avg": true, "min": true, "max": true, "std": true, "corr": true, "covar_pop": true,
	"covar_samp": true, "regr_slope": true, "regr_intercept": true, "regr_count": true,
	"regr_r2": true, "regr_avgx": true, "regr_avgy": true, "regr_sxx": true, "regr_syy": true,
	"regr_sxy": true, "json_agg": true, "jsonb_agg": true, "mode": true, "median": true,
	"percentile_cont": true, "percentile_disc": true, "any_value": true, "product": true,
}

// aggFinder collects aggregate calls, not descending into subqueries.
// Aggregates an enclosing query claimed (claimed) are not this query's.
type aggFinder struct {
	found   []ast.ExprNode
	window  bool
	depth   int
	claimed map[ast.Node]bool
}

func (v *aggFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch n := n.(type) {
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr:
		return n, true
	case *ast.WindowFuncExpr:
		v.window = true
		// Aggregates inside a window function's arguments are ordinary aggregates.
		for _, a := range n.Args {
			a.Accept(v)
		}
		if n.Spec.PartitionBy != nil {
			for _, it := range n.Spec.PartitionBy.Items {
				it.Expr.Accept(v)
			}
		}
		if n.Spec.OrderBy != nil {
			for _, it := range n.Spec.OrderBy.Items {
				it.Expr.Accept(v)
			}
		}
		return n, true
	case *ast.AggregateFuncExpr:
		if !v.claimed[n] {
			v.found = append(v.found, n)
		}
		return n, true
	case *ast.FuncCallExpr:
		if extraAggregates[parser.BuiltinName(n)] && n.Schema.L == "" {
			if !v.claimed[n] {
				v.found = append(v.found, n)
			}
			return n, true
		}
	}
	return n, false
}

func (v *aggFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func collectAggregates(fields []*ast.SelectField, having *ast.HavingClause, order []*ast.ByItem, claimed map[ast.Node]bool) []ast.ExprNode {
	v := &aggFinder{claimed: claimed}
	for _, f := range fields {
		f.Expr.Accept(v)
	}
	if having != nil {
		having.Expr.Accept(v)
	}
	for _, o := range order {
		o.Expr.Accept(v)
	}
	return v.found
}

// bindAggregate builds the Aggregate node for a SELECT and puts an aggState
// on s, so later clauses bind against the aggregate's output.
func (b *binder) bindAggregate(sel *ast.SelectStmt, fields []*ast.SelectField, aggAST []ast.ExprNode, s *scope, plan *Node) (Node, error) {
	agg := &Aggregate{Input: *plan}
	st := &aggState{groupKeys: map[string]Column{}, byAST: map[ast.Node]Column{}, outIDs: map[int]bool{}, grouped: map[int]int{}}
	eb := &exprBinder{b: b, s: s, plan: plan, what: "GROUP BY"}

	// GROUP BY items.
	if sel.GroupBy != nil {
		items, sets, err := parser.GroupingSets(sel.GroupBy)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			e, src, err := b.bindGroupItem(sel, it, fields, eb)
			if err != nil {
				return nil, err
			}
			if _, dup := st.groupKeys[exprKey(e)]; dup && sets == nil {
				continue
			}
			if outerOnly(e, *plan) {
				// GROUP BY of an enclosing query's column (in a correlated
				// subquery): constant in each run, so a constant key, and
				// the column stays an outer reference.
				agg.GroupBy = append(agg.GroupBy, expr.NewLiteral(scalar.NewInt32Scalar(1)))
				c := b.newCol("?column?", "", types.Int32)
				st.grouped[c.ID] = len(agg.GroupBy) - 1
				st.groupCols = append(st.groupCols, c)
				agg.Out = append(agg.Out, c)
				continue
			}
			var c Column
			if r, ok := e.(*colRef); ok {
				c = Column{ID: r.id, Name: r.name, Type: r.typ}
				for _, sc := range s.cols {
					if sc.ID == r.id {
						c = sc
					}
				}
			} else {
				c = b.newCol("?column?", "", e.Type())
			}
			if sets != nil {
				// Grouping sets null out columns: a new ID keeps the
				// pre-aggregation column distinct from the nullable one.
				c = b.newCol(c.Name, c.Table, e.Type())
			}
			if hasSubqueryAST(src) {
				if st.groupAST == nil {
					st.groupAST = map[string]Column{}
				}
				st.groupAST[parser.ExprText(src)] = c
			}
			st.grouped[c.ID] = len(agg.GroupBy)
			agg.GroupBy = append(agg.GroupBy, e)
			st.groupKeys[exprKey(e)] = c
			st.groupCols = append(st.groupCols, c)
			agg.Out = append(agg.Out, c)
		}
		agg.GroupingSets = sets
	}

	// Aggregate calls; one written twice (in the select list and in
	// HAVING, as TPC-H q11's sum) is computed once.
	same := map[string]Column{}
	for _, n := range aggAST {
		call, err := b.bindAggCall(n, s, plan)
		if err != nil {
			return nil, err
		}
		key := aggCallKey(call)
		if c, ok := same[key]; ok && key != "" {
			st.byAST[n] = c
			continue
		}
		c := b.newCol(aggName(n), "", call.Func.Ret)
		st.byAST[n] = c
		same[key] = c
		agg.Aggs = append(agg.Aggs, *call)
		agg.Out = append(agg.Out, c)
	}
	if agg.GroupingSets != nil {
		c := b.newCol("grouping_id", "", types.Int64)
		st.groupingID = &c
		agg.Out = append(agg.Out, c)
	}
	for _, c := range agg.Out {
		st.outIDs[c.ID] = true
	}
	s.agg = st
	// Subqueries in grouping keys or aggregate arguments (FILTER (WHERE
	// x < (SELECT ...))) joined their plans onto the input meanwhile.
	agg.Input = *plan
	return agg, nil
}

// aggCallKey identifies an aggregate call by what it computes; "" for a
// call that must stay apart (volatile arguments).
func aggCallKey(c *AggCall) string {
	var k strings.Builder
	k.WriteString(c.Func.Name)
	fmt.Fprintf(&k, "/%v/%s(", c.Distinct, c.Func.Ret)
	for _, a := range append(append([]expr.Expr(nil), c.Args...), c.Filter) {
		if a == nil {
			k.WriteString("nil,")
			continue
		}
		if expr.IsVolatile(a) || hasSubquery(a) {
			return ""
		}
		k.WriteString(exprKey(a) + ",")
	}
	for _, o := range c.OrderBy {
		if expr.IsVolatile(o.Expr) || hasSubquery(o.Expr) {
			return ""
		}
		fmt.Fprintf(&k, "%s %v %v,", exprKey(o.Expr), o.Desc, o.NullsFirst)
	}
	return k.String()
}

// outerOnly reports whether e reads columns but none of plan's: only an
// enclosing query's.
func outerOnly(e expr.Expr, plan Node) bool {
	local := idSet(plan.Cols())
	refs, ok := 0, true
	walk(e, func(x expr.Expr) bool {
		if c, isRef := x.(*colRef); isRef {
			refs++
			ok = ok && !local[c.id]
		}
		return true
	})
	return refs > 0 && ok
}

func aggName(n ast.ExprNode) string {
	switch n := n.(type) {
	case *ast.AggregateFuncExpr:
		return strings.ToLower(n.F)
	case *ast.FuncCallExpr:
		return parser.FunctionName(n)
	}
	return "?column?"
}

// bindGroupItem binds a GROUP BY item: a select-list position, an output
// alias (when no input column has that name), or an input expression. It
// returns the expression the item stands for, too.
func (b *binder) bindGroupItem(sel *ast.SelectStmt, n ast.ExprNode, fields []*ast.SelectField, eb *exprBinder) (expr.Expr, ast.ExprNode, error) {
	src := n
	if v, neg, ok := parser.Constant(n); ok {
		if !(v.Kind() == test_driver.KindInt64 || v.Kind() == test_driver.KindUint64) {
			return nil, nil, sqlerr.New(sqlerr.SyntaxError, "non-integer constant in GROUP BY")
		}
		if neg {
			return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position -%d is not in select list", v.GetInt64())
		}
		n = v
	}
	if v, ok := n.(*test_driver.ValueExpr); ok && (v.Kind() == test_driver.KindInt64 || v.Kind() == test_driver.KindUint64) {
		pos := int(v.GetInt64())
		if pos < 1 || pos > len(fields) {
			return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", pos)
		}
		src = fields[pos-1].Expr
	} else if pe, ok := n.(*ast.PositionExpr); ok {
		if pe.N < 1 || pe.N > len(fields) {
			return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", pe.N)
		}
		src = fields[pe.N-1].Expr
	} else if cn, ok := n.(*ast.ColumnNameExpr); ok && cn.Name.Table.O == "" {
		if _, found, _ := eb.s.find("", cn.Name.Name.O); !found {
			for _, f := range fields {
				if f.AsName.O != "" && f.AsName.O == cn.Name.Name.O {
					src = f.Expr
					break
				}
			}
		}
	}
	if err := noAggregates(src, "GROUP BY"); err != nil {
		return nil, nil, err
	}
	if sel != nil && len(outerAggregatesIn(sel, src)) > 0 {
		return nil, nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
	}
	e, err := eb.bind(src)
	return e, src, err
}

// bindAggCall binds one aggregate call's arguments (in the FROM scope).
func (b *binder) bindAggCall(n ast.ExprNode, s *scope, plan *Node) (*AggCall, error) {
	eb := &exprBinder{b: b, s: s, plan: plan, what: "aggregate", inAgg: true}
	var name string
	var argNodes []ast.ExprNode
	var distinct bool
	var order *ast.OrderByClause
	var filter ast.ExprNode
	star := false
	switch n := n.(type) {
	case *ast.AggregateFuncExpr:
		name, argNodes, distinct, order = strings.ToLower(n.F), n.Args, n.Distinct, n.Order
		if name == "count" && parser.IsCountStar(n) {
			star = true
		}
		if name == "group_concat" {
			name = "string_agg"
		}
	case *ast.FuncCallExpr:
		name, argNodes = parser.BuiltinName(n), n.Args
		var extra parser.AggregateExtras
		argNodes, extra = parser.AggregateArgs(n)
		distinct, order, filter = extra.Distinct, extra.OrderBy, extra.Filter
	}
	for _, a := range argNodes {
		if err := noNestedAggregates(a); err != nil {
			return nil, err
		}
	}
	var args []expr.Expr
	if !star {
		var err error
		if args, err = eb.bindAll(argNodes); err != nil {
			return nil, err
		}
	}
	argTypes := make([]arrowType, len(args))
	for i, a := range args {
		argTypes[i] = a.Type()
	}
	if name == "std" {
		name = "stddev_pop"
	}
	fn, err := resolveAggregate(name, args)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if i < len(fn.ArgTypes) && !types.Equal(args[i].Type(), fn.ArgTypes[i]) {
			if args[i], err = expr.NewCast(args[i], fn.ArgTypes[i]); err != nil {
				return nil, err
			}
		}
	}
	if filter != nil {
		cond, err := eb.bind(filter)
		if err != nil {
			return nil, err
		}
		if cond, err = asBool(cond, "FILTER"); err != nil {
			return nil, err
		}
		fn, args = aggregate.Filtered(fn), append(args, cond)
	}
	call := &AggCall{Func: fn, Args: args, Distinct: distinct}
	if order != nil {
		for _, it := range parser.OrderItems(order.Items) {
			e, err := eb.bind(it.Item.Expr)
			if err != nil {
				return nil, err
			}
			call.OrderBy = append(call.OrderBy, SortKey{Expr: e, Desc: it.Item.Desc, NullsFirst: it.NullsFirst(it.Item.Desc)})
		}
	}
	return call, nil
}

// resolveAggregate finds the aggregate for the argument expressions,
// typing unknown literals as text.
func resolveAggregate(name string, args []expr.Expr) (*aggregate.Func, error) {
	ts := make([]arrowType, len(args))
	for i, a := range args {
		ts[i] = a.Type()
		if expr.IsUnknownLiteral(a) {
			ts[i] = types.String
		}
	}
	return aggregate.Resolve(name, ts)
}

func noNestedAggregates(n ast.ExprNode) error {
	v := &aggFinder{}
	n.Accept(v)
	if len(v.found) > 0 {
		return sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested")
	}
	return nil
}

// aggregateRef resolves an aggregate call to its Aggregate output column.
func (eb *exprBinder) aggregateRef(n ast.ExprNode) (expr.Expr, error) {
	if eb.inAgg {
		return nil, sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested")
	}
	for s := eb.s; s != nil; s = s.parent {
		if s.agg != nil {
			if c, ok := s.agg.byAST[n]; ok {
				// An enclosing query's aggregate (see outer_aggregate.go)
				// is a correlated column of every scope in between.
				for in := eb.s; in != s; in = in.parent {
					in.correlated[c.ID] = c
				}
				return newColRef(c), nil
			}
		}
	}
	return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", eb.what)
}

// bindAfterAgg binds an expression evaluated after grouping: grouped
// expressions become the group columns, and every remaining column must be
// grouped (42803).
func (eb *exprBinder) bindAfterAgg(n ast.ExprNode) (expr.Expr, error) {
	var before map[int]bool
	if eb.plan != nil && *eb.plan != nil {
		before = idSet((*eb.plan).Cols())
	}
	e, err := eb.bind(n)
	if err != nil || eb.s.agg == nil {
		return e, err
	}
	st := eb.s.agg
	e = replaceGroupExprs(e, st)
	// Columns that binding added above the aggregate (a subquery's
	// result, computed per group) are not input columns.
	added := map[int]bool{}
	if before != nil {
		for id := range idSet((*eb.plan).Cols()) {
			if !before[id] {
				added[id] = true
			}
		}
	}
	// A subquery computed per group may only read the group's columns.
	if len(added) > 0 {
		for n := *eb.plan; n != nil; {
			ap, ok := n.(*Apply)
			if !ok {
				break
			}
			avail := idSet(ap.Input.Cols())
			for _, c := range ap.Outer {
				if _, outer := eb.s.correlated[c.ID]; !avail[c.ID] && !outer {
					return nil, sqlerr.New(sqlerr.GroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", c.Name)
				}
			}
			n = ap.Input
		}
	}
	var bad *colRef
	walk(e, func(x expr.Expr) bool {
		if c, ok := x.(*colRef); ok && !st.outIDs[c.id] && !added[c.id] && bad == nil {
			if _, outer := eb.s.correlated[c.id]; !outer && !eb.isWindowOutput(c.id) {
				bad = c
			}
		}
		return true
	})
	if bad != nil {
		return nil, sqlerr.New(sqlerr.GroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", bad.name)
	}
	return e, nil
}

func (eb *exprBinder) isWindowOutput(id int) bool {
	for _, c := range eb.s.windows {
		if c.ID == id {
			return true
		}
	}
	return false
}

// replaceGroupExprs replaces, top-down, subtrees equal to a GROUP BY
// expression by its output column.
func replaceGroupExprs(e expr.Expr, st *aggState) expr.Expr {
	if c, ok := st.groupKeys[exprKey(e)]; ok {
		return newColRef(c)
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e
	}
	nk := make([]expr.Expr, len(kids))
	changed := false
	for i, k := range kids {
		nk[i] = replaceGroupExprs(k, st)
		changed = changed || nk[i] != k
	}
	if !changed {
		return e
	}
	return e.WithChildren(nk)
}
