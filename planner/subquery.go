package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Subqueries in expressions. Each is bound as its own plan; then:
//   - an uncorrelated scalar subquery becomes a subqueryExpr, run once;
//   - EXISTS / IN / op ANY|ALL become a mark join onto the current input,
//     with the subquery's correlated predicates pulled up into the join
//     condition; the optimizer turns marks used as WHERE conjuncts into
//     semi and anti joins;
//   - a correlated scalar subquery over an aggregate becomes a left join
//     with the aggregate grouped by the correlation keys;
//   - anything else runs per outer row through an Apply node.

func (eb *exprBinder) bindSubplan(q ast.ResultSetNode) (Node, map[int]Column, error) {
	sub, err := eb.b.bindQuery(q, eb.s)
	if err != nil {
		return nil, nil, err
	}
	return sub, freeRefs(sub), nil
}

func subqueryNode(n ast.ExprNode) ast.ResultSetNode {
	switch n := n.(type) {
	case *ast.SubqueryExpr:
		return n.Query
	case *ast.ParenthesesExpr:
		return subqueryNode(n.Expr)
	}
	return nil
}

func (eb *exprBinder) needPlan(what string) error {
	if eb.plan == nil {
		return sqlerr.New(sqlerr.FeatureNotSupported, "%s subqueries are not supported in %s", what, eb.what)
	}
	return nil
}

func (eb *exprBinder) scalarSubquery(n *ast.SubqueryExpr) (expr.Expr, error) {
	if e := inlinableSubquery(n.Query); e != nil {
		// (SELECT x) over no table is x: no need to run it per row.
		return eb.bind(e)
	}
	sub, free, err := eb.bindSubplan(n.Query)
	if err != nil {
		return nil, err
	}
	cols := sub.Cols()
	if len(cols) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column")
	}
	if len(free) == 0 {
		return &subqueryExpr{plan: sub, typ: cols[0].Type}, nil
	}
	if err := eb.needPlan("correlated"); err != nil {
		return nil, err
	}
	if e, ok, err := eb.decorrelateScalarAgg(sub, free); err != nil || ok {
		return e, err
	}
	out := eb.b.newCol("?column?", "", cols[0].Type)
	*eb.plan = &Apply{Input: *eb.plan, Sub: sub, Kind: ApplyScalar, Outer: mapCols(free), Out: out}
	return newColRef(out), nil
}

// existsQuery drops an EXISTS subquery's select list when it cannot
// change the answer (no aggregates, grouping, windows or LIMIT), as
// PostgreSQL does: its expressions are never evaluated, so they raise no
// errors.
func existsQuery(q ast.ResultSetNode) ast.ResultSetNode {
	sel, ok := q.(*ast.SelectStmt)
	if !ok || sel.Kind != ast.SelectStmtKindSelect || sel.GroupBy != nil || sel.Having != nil || sel.Limit != nil ||
		sel.Fields == nil || sel.WindowSpecs != nil {
		return q
	}
	for _, f := range sel.Fields.Fields {
		if f.WildCard != nil {
			continue
		}
		v := &aggFinder{}
		f.Expr.Accept(v)
		if len(v.found) > 0 || v.window || callsSetReturning(f.Expr) || len(outerAggregatesIn(sel, f.Expr)) > 0 {
			return q
		}
		if on, _ := parser.DistinctOn([]*ast.SelectField{f}); on != nil {
			return q
		}
	}
	c := *sel
	c.Fields = &ast.FieldList{Fields: []*ast.SelectField{{Expr: ast.NewValueExpr(int64(1), "", "")}}}
	c.OrderBy = nil
	c.Distinct = false
	return &c
}

// inlinableSubquery returns x for a subquery SELECT x with no FROM and no
// other clause, when x holds no aggregate, window or subquery (which
// would belong to the subquery's own level).
func inlinableSubquery(q ast.ResultSetNode) ast.ExprNode {
	sel, ok := q.(*ast.SelectStmt)
	if !ok || sel.Kind != ast.SelectStmtKindSelect || sel.From != nil || sel.Where != nil || sel.GroupBy != nil || sel.Having != nil ||
		sel.OrderBy != nil || sel.Limit != nil || sel.Distinct || sel.WindowSpecs != nil || sel.With != nil || sel.Fields == nil ||
		len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].WildCard != nil {
		return nil
	}
	e := sel.Fields.Fields[0].Expr
	v := &aggFinder{}
	e.Accept(v)
	if len(v.found) > 0 || v.window || hasSubqueryAST(e) || callsSetReturning(e) {
		return nil
	}
	return e
}

// callsSetReturning reports whether an expression calls a set-returning
// function (several rows: a subquery's error, not a select list's rows).
func callsSetReturning(e ast.ExprNode) bool {
	found := false
	e.Accept(&nodeVisitor{enter: func(n ast.Node) bool {
		if fn, ok := n.(*ast.FuncCallExpr); ok && setReturning[parser.BuiltinName(fn)] {
			found = true
		}
		return !found
	}})
	return found
}

// nodeVisitor calls enter on each node (descending while it returns true).
type nodeVisitor struct{ enter func(ast.Node) bool }

func (v *nodeVisitor) Enter(n ast.Node) (ast.Node, bool) { return n, !v.enter(n) }
func (v *nodeVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func (eb *exprBinder) exists(n *ast.ExistsSubqueryExpr) (expr.Expr, error) {
	q := subqueryNode(n.Sel)
	if q == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in EXISTS")
	}
	if err := eb.needPlan("EXISTS"); err != nil {
		return nil, err
	}
	if stripped := existsQuery(q); stripped != q {
		// The select list is still checked (unknown columns are errors),
		// though never evaluated.
		if _, _, err := eb.bindSubplan(q); err != nil && !strings.HasPrefix(sqlerr.Code(err), "22") {
			return nil, err
		}
		q = stripped
	}
	sub, free, err := eb.bindSubplan(q)
	if err != nil {
		return nil, err
	}
	mark, err := eb.markJoin(sub, free, nil, false, ApplyExists, "", nil, false)
	if err != nil {
		return nil, err
	}
	if n.Not {
		return call("not", mark)
	}
	return mark, nil
}

func (eb *exprBinder) inSubquery(n *ast.PatternInExpr) (expr.Expr, error) {
	q := subqueryNode(n.Sel)
	if q == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in IN")
	}
	e, err := eb.quantified(n.Expr, q, "=", false)
	if err != nil {
		return nil, err
	}
	if n.Not {
		return call("not", e)
	}
	return e, nil
}

var compareOps = map[opcode.Op]string{opcode.EQ: "=", opcode.NE: "<>", opcode.LT: "<", opcode.LE: "<=", opcode.GT: ">", opcode.GE: ">=", opcode.NullEQ: "<=>"}

func (eb *exprBinder) compareSubquery(n *ast.CompareSubqueryExpr) (expr.Expr, error) {
	op, ok := compareOps[n.Op]
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s with a subquery", n.Op)
	}
	q := subqueryNode(n.R)
	if q == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near ANY/ALL")
	}
	if row, ok := n.L.(*ast.RowExpr); ok {
		e, err := rowQuantified(n.Op, row, q, n.All)
		if err != nil {
			return nil, err
		}
		return eb.bind(e)
	}
	// x <> ALL (S) is NOT IN; x = ANY (S) is IN.
	if op == "<>" && n.All {
		e, err := eb.quantified(n.L, q, "=", false)
		if err != nil {
			return nil, err
		}
		return call("not", e)
	}
	return eb.quantified(n.L, q, op, n.All)
}

// quantified binds left op ANY|ALL (q).
func (eb *exprBinder) quantified(leftAST ast.ExprNode, q ast.ResultSetNode, op string, all bool) (expr.Expr, error) {
	if err := eb.needPlan("IN"); err != nil {
		return nil, err
	}
	left, err := eb.bind(leftAST)
	if err != nil {
		return nil, err
	}
	sub, free, err := eb.bindSubplan(q)
	if err != nil {
		return nil, err
	}
	cols := sub.Cols()
	if len(cols) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "subquery has too many columns")
	}
	cmp, err := call(op, left, newColRef(cols[0]))
	if err != nil {
		return nil, err
	}
	if op == "=" && !all {
		if len(free) > 0 {
			if e, ok, err := eb.correlatedIn(q, sub, left, cmp); ok || err != nil {
				return e, err
			}
		}
		return eb.markJoin(sub, free, cmp, true, ApplyQuantified, op, left, all)
	}
	// Other quantified comparisons run per row (three-valued ANY/ALL).
	out := eb.b.newCol("?column?", "", types.Bool)
	*eb.plan = &Apply{Input: *eb.plan, Sub: sub, Kind: ApplyQuantified, Outer: mapCols(free), Op: op, Left: left, All: all, Out: out}
	return newColRef(out), nil
}

// correlatedIn binds x IN (correlated subquery) as two mark joins, because
// a null-aware mark join decides NULL against the whole subquery, while
// IN is NULL only when the subquery's rows for this row are not empty:
// m1 = some row of S(row) equals x; m2 = S(row) has a row and x or that
// row is NULL; x IN S is CASE WHEN m1 THEN true WHEN m2 THEN NULL ELSE
// false. ok is false when the correlation cannot be pulled up (the caller
// then runs the subquery per row).
func (eb *exprBinder) correlatedIn(q ast.ResultSetNode, sub Node, left, cmp expr.Expr) (expr.Expr, bool, error) {
	input := *eb.plan
	inputIDs := idSet(input.Cols())
	pulled1, preds1, ok := pullUpCorrelated(eb.b, sub, inputIDs, true)
	if !ok || len(freeRefs(pulled1)) > 0 || !predsOver(preds1, input, pulled1) {
		return nil, false, nil
	}
	// A second copy of the subquery for the second join.
	sub2, _, err := eb.bindSubplan(q)
	if err != nil {
		return nil, true, err
	}
	col2 := sub2.Cols()[0]
	pulled2, preds2, ok := pullUpCorrelated(eb.b, sub2, inputIDs, true)
	if !ok || len(freeRefs(pulled2)) > 0 || !predsOver(preds2, input, pulled2) {
		return nil, false, nil
	}
	m1 := eb.b.newCol("mark", "", types.Bool)
	j1 := &Join{Left: input, Right: pulled1, Type: MarkJoin, Cond: conjunction(append([]expr.Expr{cmp}, preds1...)), Mark: m1}
	leftNull, err := call("is_null", left)
	if err != nil {
		return nil, true, err
	}
	rightNull, err := call("is_null", newColRef(col2))
	if err != nil {
		return nil, true, err
	}
	anyNull, err := call("or", leftNull, rightNull)
	if err != nil {
		return nil, true, err
	}
	m2 := eb.b.newCol("mark", "", types.Bool)
	j2 := &Join{Left: j1, Right: pulled2, Type: MarkJoin, Cond: conjunction(append([]expr.Expr{anyNull}, preds2...)), Mark: m2}
	*eb.plan = j2
	e, err := expr.NewCase([]expr.When{
		{Cond: newColRef(m1), Then: expr.NewLiteral(scalar.NewBooleanScalar(true))},
		{Cond: newColRef(m2), Then: expr.NewNullLiteral(types.Bool)},
	}, expr.NewLiteral(scalar.NewBooleanScalar(false)))
	return e, true, err
}

// markJoin joins sub onto the current input as a mark join (falling back
// to Apply when the correlation cannot be pulled up) and returns the mark.
func (eb *exprBinder) markJoin(sub Node, free map[int]Column, cond expr.Expr, nullAware bool, kind ApplyKind, op string, left expr.Expr, all bool) (expr.Expr, error) {
	input := *eb.plan
	var preds []expr.Expr
	if len(free) > 0 {
		pulled, p, ok := pullUpCorrelated(eb.b, sub, idSet(input.Cols()), true)
		if !ok || len(freeRefs(pulled)) > 0 || !predsOver(p, input, pulled) {
			// The correlation stays: run the original subquery per row.
			out := eb.b.newCol("?column?", "", types.Bool)
			*eb.plan = &Apply{Input: input, Sub: sub, Kind: kind, Outer: mapCols(free), Op: op, Left: left, All: all, Out: out}
			return newColRef(out), nil
		}
		sub, preds = pulled, p
	}
	mark := eb.b.newCol("mark", "", types.Bool)
	j := &Join{Left: input, Right: sub, Type: MarkJoin, Cond: conjunction(append([]expr.Expr{cond}, preds...)), NullAware: nullAware, Mark: mark}
	*eb.plan = j
	return newColRef(mark), nil
}

// predsOver checks that pulled-up predicates only use the two sides' columns.
func predsOver(preds []expr.Expr, left, right Node) bool {
	ids := idSet(left.Cols())
	for k := range idSet(right.Cols()) {
		ids[k] = true
	}
	for _, p := range preds {
		if !subset(refs(p), ids) {
			return false
		}
	}
	return true
}

// decorrelateScalarAgg rewrites (SELECT f(agg) FROM ... WHERE inner = outer
// AND ...) into a left join with the aggregate grouped by the inner keys.
func (eb *exprBinder) decorrelateScalarAgg(sub Node, free map[int]Column) (expr.Expr, bool, error) {
	proj, ok := sub.(*Project)
	if !ok {
		return nil, false, nil
	}
	agg, ok := proj.Input.(*Aggregate)
	if !ok || len(agg.GroupBy) > 0 || agg.GroupingSets != nil {
		return nil, false, nil
	}
	input := *eb.plan
	outerIDs := idSet(input.Cols())
	newInput, preds, ok := pullUpCorrelated(eb.b, agg.Input, outerIDs, false)
	if !ok || len(freeRefs(newInput)) > 0 {
		return nil, false, nil
	}
	// Every pulled predicate must be inner = outer.
	var innerKeys, outerKeys []expr.Expr
	for _, p := range preds {
		l, r, ok := equality(p)
		if !ok {
			return nil, false, nil
		}
		lr, rr := refs(l), refs(r)
		switch {
		case subset(lr, outerIDs) && !intersects(rr, outerIDs):
			innerKeys, outerKeys = append(innerKeys, r), append(outerKeys, l)
		case subset(rr, outerIDs) && !intersects(lr, outerIDs):
			innerKeys, outerKeys = append(innerKeys, l), append(outerKeys, r)
		default:
			return nil, false, nil
		}
	}
	if len(innerKeys) == 0 {
		return nil, false, nil
	}
	// The projection must not refer to outer columns itself.
	for _, e := range proj.Exprs {
		if intersects(refs(e), outerIDs) {
			return nil, false, nil
		}
	}
	b := eb.b
	grouped := &Aggregate{Input: newInput, Aggs: agg.Aggs}
	var keyCols []Column
	for _, k := range innerKeys {
		c := b.newCol("key", "", k.Type())
		grouped.GroupBy = append(grouped.GroupBy, k)
		keyCols = append(keyCols, c)
	}
	grouped.Out = append(append([]Column(nil), keyCols...), agg.Out...)
	// Project keys, a match marker, and the subquery's value.
	marker := b.newCol("matched", "", types.Bool)
	value := b.newCol("?column?", "", proj.Out[0].Type)
	p2 := &Project{Input: grouped}
	for _, c := range keyCols {
		p2.Exprs = append(p2.Exprs, newColRef(c))
		p2.Out = append(p2.Out, c)
	}
	p2.Exprs = append(p2.Exprs, expr.NewLiteral(scalar.NewBooleanScalar(true)), proj.Exprs[0])
	p2.Out = append(p2.Out, marker, value)
	var conds []expr.Expr
	for i, ok := range outerKeys {
		c, err := call("=", ok, newColRef(keyCols[i]))
		if err != nil {
			return nil, false, err
		}
		conds = append(conds, c)
	}
	*eb.plan = &Join{Left: input, Right: p2, Type: LeftJoin, Cond: conjunction(conds)}
	// No matching group: the value the subquery has over no rows
	// (count() is 0, other aggregates NULL).
	empty, err := emptyAggValue(proj.Exprs[0], agg)
	if err != nil {
		return nil, false, err
	}
	if empty == nil {
		return newColRef(value), true, nil
	}
	isNull, err := call("is_null", newColRef(marker))
	if err != nil {
		return nil, false, err
	}
	e, err := expr.NewCase([]expr.When{{Cond: isNull, Then: empty}}, newColRef(value))
	return e, err == nil, err
}

// emptyAggValue is e evaluated over the aggregate of no rows, or nil when
// that is NULL anyway.
func emptyAggValue(e expr.Expr, agg *Aggregate) (expr.Expr, error) {
	m := map[int]expr.Expr{}
	for i, a := range agg.Aggs {
		if a.Func.Name == "count" || a.Func.Name == "regr_count" {
			m[agg.Out[i].ID] = expr.NewLiteral(scalar.NewInt64Scalar(0))
		} else {
			m[agg.Out[i].ID] = expr.NewNullLiteral(agg.Out[i].Type)
		}
	}
	v := substitute(e, m)
	if l, ok := v.(*expr.Literal); ok && !l.Value.IsValid() {
		return nil, nil
	}
	// The value over no rows may still be non-NULL: coalesce(sum(x), 0),
	// ARRAY(SELECT ...) (an empty array).
	return v, nil
}

// equality splits a = b.
func equality(e expr.Expr) (expr.Expr, expr.Expr, bool) {
	if !isCall(e, "=") {
		return nil, nil, false
	}
	k := e.Children()
	if len(k) != 2 {
		return nil, nil, false
	}
	return k[0], k[1], true
}

func intersects(a, b map[int]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func mapCols(m map[int]Column) []Column {
	out := make([]Column, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out
}

// pullUpCorrelated removes from plan the conjuncts that refer to outer
// columns, returning them. ok is false when correlation sits somewhere it
// cannot be pulled from. forExists allows dropping row-count-neutral
// operators (DISTINCT, ORDER BY) that only matter for the subquery's rows,
// not for existence.
func pullUpCorrelated(b *binder, plan Node, outer map[int]bool, forExists bool) (Node, []expr.Expr, bool) {
	switch n := plan.(type) {
	case *Filter:
		in, preds, ok := pullUpCorrelated(b, n.Input, outer, forExists)
		if !ok {
			return nil, nil, false
		}
		var local []expr.Expr
		for _, c := range conjuncts(n.Pred) {
			if intersects(refs(c), outer) {
				if hasSubquery(c) {
					return nil, nil, false
				}
				preds = append(preds, c)
			} else {
				local = append(local, c)
			}
		}
		if len(local) == 0 {
			return in, preds, true
		}
		return &Filter{Input: in, Pred: conjunction(local)}, preds, true
	case *Project:
		for _, e := range n.Exprs {
			if intersects(refs(e), outer) {
				return nil, nil, false
			}
		}
		in, preds, ok := pullUpCorrelated(b, n.Input, outer, forExists)
		if !ok {
			return nil, nil, false
		}
		p := &Project{Input: in, Exprs: append([]expr.Expr(nil), n.Exprs...), Out: append([]Column(nil), n.Out...)}
		have := idSet(p.Out)
		inCols := in.Cols()
		for _, pr := range preds {
			for id := range refs(pr) {
				if outer[id] || have[id] {
					continue
				}
				for _, c := range inCols {
					if c.ID == id {
						p.Exprs = append(p.Exprs, newColRef(c))
						p.Out = append(p.Out, c)
						have[id] = true
					}
				}
			}
		}
		return p, preds, true
	case *Join:
		if n.Cond != nil && intersects(refs(n.Cond), outer) {
			if n.Type != InnerJoin {
				return nil, nil, false
			}
		}
		// A filter on the side an outer join pads with NULLs cannot move
		// above the join: the padded rows would not pass it.
		if (n.Type == RightJoin || n.Type == FullJoin) && len(freeRefsOuter(n.Left, outer)) > 0 {
			return nil, nil, false
		}
		l, lp, ok := pullUpCorrelated(b, n.Left, outer, forExists)
		if !ok {
			return nil, nil, false
		}
		r, rp := n.Right, []expr.Expr(nil)
		if n.Type == InnerJoin || n.Type == LeftJoin && false {
			if r, rp, ok = pullUpCorrelated(b, n.Right, outer, forExists); !ok {
				return nil, nil, false
			}
		} else if len(freeRefsOuter(n.Right, outer)) > 0 {
			return nil, nil, false
		}
		j := *n
		j.Left, j.Right = l, r
		preds := append(lp, rp...)
		if n.Cond != nil && n.Type == InnerJoin && intersects(refs(n.Cond), outer) {
			var local []expr.Expr
			for _, c := range conjuncts(n.Cond) {
				if intersects(refs(c), outer) {
					preds = append(preds, c)
				} else {
					local = append(local, c)
				}
			}
			j.Cond = conjunction(local)
		}
		if (j.Type == SemiJoin || j.Type == AntiJoin || j.Type == MarkJoin) && len(rp) > 0 {
			return nil, nil, false
		}
		return &j, preds, true
	case *Distinct:
		if forExists {
			return pullUpCorrelated(b, n.Input, outer, forExists)
		}
	case *Sort:
		if forExists {
			return pullUpCorrelated(b, n.Input, outer, forExists)
		}
	}
	if len(freeRefsOuter(plan, outer)) > 0 {
		return nil, nil, false
	}
	return plan, nil, true
}

// freeRefsOuter is freeRefs restricted to outer.
func freeRefsOuter(plan Node, outer map[int]bool) map[int]Column {
	out := map[int]Column{}
	for id, c := range freeRefs(plan) {
		if outer[id] {
			out[id] = c
		}
	}
	return out
}

// freeRefs returns the columns that plan's expressions refer to but no node
// of plan produces: the outer references of a correlated subquery.
func freeRefs(plan Node) map[int]Column {
	defined := map[int]bool{}
	used := map[int]Column{}
	var visit func(n Node)
	visit = func(n Node) {
		for _, c := range n.Cols() {
			defined[c.ID] = true
		}
		for _, e := range nodeExprs(n) {
			walk(e, func(x expr.Expr) bool {
				switch x := x.(type) {
				case *colRef:
					used[x.id] = Column{ID: x.id, Name: x.name, Type: x.typ}
				case *subqueryExpr:
					for id, c := range freeRefs(x.plan) {
						used[id] = c
					}
				}
				return true
			})
		}
		for _, in := range n.Inputs() {
			visit(in)
		}
		if a, ok := n.(*Apply); ok {
			for _, c := range a.Outer {
				used[c.ID] = c
			}
		}
	}
	visit(plan)
	for id := range defined {
		delete(used, id)
	}
	return used
}

// nodeExprs lists the expressions a node evaluates.
func nodeExprs(n Node) []expr.Expr {
	switch n := n.(type) {
	case *Scan:
		return n.Filters
	case *Values:
		var out []expr.Expr
		for _, r := range n.Rows {
			out = append(out, r...)
		}
		return out
	case *Filter:
		return []expr.Expr{n.Pred}
	case *Project:
		return n.Exprs
	case *Join:
		if n.Cond != nil {
			return []expr.Expr{n.Cond}
		}
	case *Aggregate:
		out := append([]expr.Expr(nil), n.GroupBy...)
		for _, a := range n.Aggs {
			out = append(out, a.Args...)
			if a.Filter != nil {
				out = append(out, a.Filter)
			}
			for _, k := range a.OrderBy {
				out = append(out, k.Expr)
			}
		}
		return out
	case *Sort:
		out := make([]expr.Expr, len(n.Keys))
		for i, k := range n.Keys {
			out[i] = k.Expr
		}
		return out
	case *Window:
		var out []expr.Expr
		for _, c := range n.Calls {
			out = append(out, c.Spec.Args...)
			out = append(out, c.Spec.PartitionBy...)
			for _, k := range c.Spec.OrderBy {
				out = append(out, k.Expr)
			}
			if c.Spec.Filter != nil {
				out = append(out, c.Spec.Filter)
			}
		}
		return out
	case *ProjectSet:
		var out []expr.Expr
		for _, f := range n.Funcs {
			out = append(out, f.Args...)
		}
		return out
	case *TableFunc:
		return n.Args
	case *Apply:
		if n.Left != nil {
			return []expr.Expr{n.Left}
		}
	}
	return nil
}
