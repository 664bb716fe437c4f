package planner

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// bindQuery binds a query (SELECT, set operation, VALUES) in the context of
// an enclosing scope (nil at top level).
func (b *binder) bindQuery(n ast.ResultSetNode, outer *scope) (Node, error) {
	// statement_timeout and cancels reach planning too: every query level
	// checks, so deeply nested statements stop on time.
	if err := batch.CheckCancel(b.ctx); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *ast.SelectStmt:
		return b.withCTEs(n.With, func() (Node, error) { return b.bindSelect(n, outer) })
	case *ast.SetOprStmt:
		return b.withCTEs(n.With, func() (Node, error) { return b.bindSetOpr(n, outer) })
	case *ast.SubqueryExpr:
		return b.bindQuery(n.Query, outer)
	case *ast.TableSource, *ast.Join:
		node, _, err := b.bindFrom(n, outer)
		return node, err
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported query %T", n)
}

// selectItem is one bound output column of a SELECT.
type selectItem struct {
	e    expr.Expr
	name string
	ast  ast.ExprNode
}

// maxTargetList is PostgreSQL's limit on a select list's length.
const maxTargetList = 1664

func (b *binder) bindSelect(sel *ast.SelectStmt, outer *scope) (Node, error) {
	if sel.Kind == ast.SelectStmtKindValues {
		return b.bindValuesRows(sel.Lists, outer)
	}
	if sel.SelectIntoOpt != nil || sel.LockInfo != nil && sel.LockInfo.LockType != ast.SelectLockNone {
		// SELECT ... FOR UPDATE: accept and ignore the lock.
	}
	// FROM
	var plan Node
	var cols []Column
	var err error
	if sel.From != nil && sel.From.TableRefs != nil {
		if lateralAggregates(sel, sel.From.TableRefs) {
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in FROM clause of their own query level")
		}
		plan, cols, err = b.bindFrom(sel.From.TableRefs, outer)
		if err != nil {
			return nil, err
		}
	} else {
		plan = &Values{Rows: [][]expr.Expr{{}}}
	}
	s := newScope(cols, outer)

	// WHERE
	if sel.Where != nil {
		if err := noAggregatesBut(sel.Where, "WHERE", b.claimedAggs); err != nil {
			return nil, err
		}
		if len(outerAggregatesIn(sel, sel.Where)) > 0 {
			// (SELECT sum(t.x)) in t's WHERE: the sum is the outer query's.
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in WHERE")
		}
		eb := &exprBinder{b: b, s: s, plan: &plan, what: "WHERE"}
		pred, err := eb.bind(sel.Where)
		if err != nil {
			return nil, err
		}
		if pred, err = asBool(pred, "WHERE"); err != nil {
			return nil, err
		}
		plan = &Filter{Input: plan, Pred: pred}
	}

	fields, err := b.expandStar(sel.Fields, s)
	if err != nil {
		return nil, err
	}
	if len(fields) > maxTargetList {
		return nil, sqlerr.New(sqlerr.TooManyColumns, "target lists can have at most %d entries", maxTargetList)
	}
	distinctOn, fields := parser.DistinctOn(fields)

	// Aggregation: GROUP BY, HAVING, or aggregates in the select list/ORDER BY.
	var orderItems []*ast.ByItem
	if sel.OrderBy != nil {
		orderItems = sel.OrderBy.Items
	}
	// Aggregates in subqueries that read only this query's columns are
	// this query's (outer_aggregate.go).
	outerAggs := outerAggregates(sel)
	if len(outerAggs) > 0 && b.claimedAggs == nil {
		b.claimedAggs = map[ast.Node]bool{}
	}
	for _, n := range outerAggs {
		b.claimedAggs[n] = true
	}
	aggAST := append(collectAggregates(fields, sel.Having, orderItems, b.claimedAggs), outerAggs...)
	if sel.GroupBy != nil || sel.Having != nil || len(aggAST) > 0 {
		plan, err = b.bindAggregate(sel, fields, aggAST, s, &plan)
		if err != nil {
			return nil, err
		}
	}

	// HAVING
	if sel.Having != nil {
		eb := &exprBinder{b: b, s: s, plan: &plan, what: "HAVING"}
		pred, err := eb.bindAfterAgg(sel.Having.Expr)
		if err != nil {
			return nil, err
		}
		if pred, err = asBool(pred, "HAVING"); err != nil {
			return nil, err
		}
		plan = &Filter{Input: plan, Pred: pred}
	}

	// Window functions are computed after HAVING, before the select list.
	if err := b.bindWindows(sel, fields, orderItems, s, &plan); err != nil {
		return nil, err
	}

	// Select list.
	items := make([]selectItem, 0, len(fields))
	for _, f := range fields {
		eb := &exprBinder{b: b, s: s, plan: &plan, what: "SELECT"}
		e, err := eb.bindAfterAgg(f.Expr)
		if err != nil {
			return nil, err
		}
		items = append(items, selectItem{e: e, name: outputName(f), ast: f.Expr})
	}

	// ORDER BY may name output columns (by alias or position) or any
	// expression over the input; the latter become hidden columns.
	var keys []SortKey
	var hidden []selectItem
	// Expressions holding subqueries match by their text (each binding of
	// a subquery is a new plan).
	byText := map[string]int{}
	for i, item := range items {
		if item.ast != nil && hasSubqueryAST(item.ast) {
			if _, dup := byText[parser.ExprText(item.ast)]; !dup {
				byText[parser.ExprText(item.ast)] = i
			}
		}
	}
	textIndex := func(n ast.ExprNode) int {
		if hasSubqueryAST(n) {
			if i, ok := byText[parser.ExprText(n)]; ok {
				return i
			}
		}
		return -1
	}
	if sel.OrderBy != nil {
		for _, it := range parser.OrderItems(sel.OrderBy.Items) {
			if idx := textIndex(it.Item.Expr); idx >= 0 {
				keys = append(keys, SortKey{Expr: &posRef{idx}, Desc: it.Item.Desc, NullsFirst: it.NullsFirst(it.Item.Desc)})
				continue
			}
			e, err := b.bindOrderItem(it.Item.Expr, items, s, &plan, sel.Distinct)
			if err != nil {
				return nil, err
			}
			idx := -1
			for i, item := range items {
				if sameExpr(item.e, e) {
					idx = i
					break
				}
			}
			if idx < 0 {
				for i, h := range hidden {
					if sameExpr(h.e, e) {
						idx = len(items) + i
					}
				}
			}
			if idx < 0 {
				if sel.Distinct && distinctOn == nil {
					return nil, sqlerr.New(sqlerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
				}
				hidden = append(hidden, selectItem{e: e, name: "?order?"})
				idx = len(items) + len(hidden) - 1
				if hasSubqueryAST(it.Item.Expr) {
					byText[parser.ExprText(it.Item.Expr)] = idx
				}
			}
			keys = append(keys, SortKey{Expr: &posRef{idx}, Desc: it.Item.Desc, NullsFirst: it.NullsFirst(it.Item.Desc)})
		}
	}

	// DISTINCT ON expressions: select-list columns or hidden ones.
	var onPos []int
	for _, n := range distinctOn {
		if idx := textIndex(n); idx >= 0 {
			onPos = append(onPos, idx)
			continue
		}
		e, err := b.bindOrderItem(n, items, s, &plan, false)
		if err != nil {
			return nil, err
		}
		idx := -1
		for i, item := range items {
			if sameExpr(item.e, e) {
				idx = i
				break
			}
		}
		for i, h := range hidden {
			if idx < 0 && sameExpr(h.e, e) {
				idx = len(items) + i
			}
		}
		if idx < 0 {
			hidden = append(hidden, selectItem{e: e, name: "?distinct?"})
			idx = len(items) + len(hidden) - 1
		}
		onPos = append(onPos, idx)
	}

	// Project the select list (plus hidden sort columns).
	all := append(append([]selectItem(nil), items...), hidden...)
	proj := &Project{Input: plan}
	for _, it := range all {
		proj.Exprs = append(proj.Exprs, it.e)
		proj.Out = append(proj.Out, b.newCol(it.name, "", it.e.Type()))
	}
	plan = proj

	if distinctOn != nil {
		plan, keys, err = b.bindDistinctOn(onPos, proj, keys)
		if err != nil {
			return nil, err
		}
	} else if sel.Distinct {
		plan = &Distinct{Input: plan}
	}
	if len(keys) > 0 {
		sk := make([]SortKey, len(keys))
		for i, k := range keys {
			k.Expr = resolvePos(k.Expr, proj.Out)
			sk[i] = k
		}
		plan = &Sort{Input: plan, Keys: sk}
	}
	if sel.Limit != nil {
		if plan, err = b.bindLimit(sel.Limit, plan); err != nil {
			return nil, err
		}
	}
	if len(hidden) > 0 {
		plan = trimColumns(plan, len(items))
	}
	return plan, nil
}

// posRef refers to an output column of the select list by position until
// the projection's IDs are known.
type posRef struct{ i int }

func (p *posRef) Type() arrow.DataType                                       { return nil }
func (p *posRef) Eval(*expr.Context, arrow.RecordBatch) (arrow.Array, error) { return nil, nil }
func (p *posRef) String() string                                             { return "$" + strconv.Itoa(p.i) }
func (p *posRef) Children() []expr.Expr                                      { return nil }
func (p *posRef) WithChildren([]expr.Expr) expr.Expr                         { return p }

func resolvePos(e expr.Expr, out []Column) expr.Expr {
	if p, ok := e.(*posRef); ok {
		return newColRef(out[p.i])
	}
	return e
}

// trimColumns projects away trailing hidden columns.
func trimColumns(plan Node, n int) Node {
	cols := plan.Cols()
	p := &Project{Input: plan}
	for _, c := range cols[:n] {
		p.Exprs = append(p.Exprs, newColRef(c))
		p.Out = append(p.Out, c)
	}
	return p
}

// bindOrderItem binds one ORDER BY expression: an output position, an
// output alias, or an expression over the input.
func (b *binder) bindOrderItem(n ast.ExprNode, items []selectItem, s *scope, plan *Node, distinct bool) (expr.Expr, error) {
	if v, neg, ok := parser.Constant(n); ok {
		if !(v.Kind() == test_driver.KindInt64 || v.Kind() == test_driver.KindUint64) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "non-integer constant in ORDER BY")
		}
		if neg {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position -%d is not in select list", v.GetInt64())
		}
		n = v
	}
	if v, ok := n.(*test_driver.ValueExpr); ok && (v.Kind() == test_driver.KindInt64 || v.Kind() == test_driver.KindUint64) {
		pos := int(v.GetInt64())
		if pos < 1 || pos > len(items) {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", pos)
		}
		return items[pos-1].e, nil
	}
	if pe, ok := n.(*ast.PositionExpr); ok {
		if pe.N < 1 || pe.N > len(items) {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", pe.N)
		}
		return items[pe.N-1].e, nil
	}
	// A bare name matching an output alias refers to it (PostgreSQL prefers
	// the output column over an input column of the same name).
	if cn, ok := n.(*ast.ColumnNameExpr); ok && cn.Name.Table.O == "" {
		var found = -1
		for i, it := range items {
			if it.name == cn.Name.Name.O {
				if found >= 0 && !sameExpr(items[found].e, it.e) {
					return nil, sqlerr.New(sqlerr.AmbiguousColumn, "ORDER BY \"%s\" is ambiguous", it.name)
				}
				found = i
			}
		}
		if found >= 0 {
			return items[found].e, nil
		}
	}
	eb := &exprBinder{b: b, s: s, plan: plan, what: "ORDER BY"}
	return eb.bindAfterAgg(n)
}

// sameExpr compares bound expressions structurally.
func sameExpr(a, b expr.Expr) bool { return exprKey(a) == exprKey(b) }

// exprKey is a canonical text of an expression that includes column IDs.
func exprKey(e expr.Expr) string {
	if e == nil {
		return ""
	}
	return e.String() + ":" + typeName(e.Type())
}

// outputName is PostgreSQL's name for a select-list column.
func outputName(f *ast.SelectField) string {
	if f.AsName.O != "" {
		return f.AsName.O
	}
	return exprName(f.Expr)
}

func exprName(n ast.ExprNode) string {
	switch n := n.(type) {
	case *ast.ParenthesesExpr:
		return exprName(n.Expr)
	case *ast.ColumnNameExpr:
		return n.Name.Name.O
	case *ast.FuncCallExpr:
		if inner, t, ok := parser.CastOf(n); ok {
			if name := exprName(inner); name != "?column?" {
				return name
			}
			return castName(t)
		}
		if parser.IsOperator(n) && parser.BuiltinName(n) == "collate" && len(n.Args) == 2 {
			return exprName(n.Args[0]) // x COLLATE name is named after x
		}
		switch n.FnName.L {
		case ast.Concat:
			if parser.IsConcatOperator(n) {
				return "?column?"
			}
		case "extract":
			return "extract"
		case "trim":
			return "btrim"
		case "current_timestamp":
			return "current_timestamp"
		}
		return parser.FunctionName(n)
	case *ast.FuncCastExpr:
		return exprName(n.Expr)
	case *ast.AggregateFuncExpr:
		return strings.ToLower(n.F)
	case *ast.WindowFuncExpr:
		name, _ := parser.WindowCall(n)
		return name
	case *ast.CaseExpr:
		return "case"
	case *ast.ExistsSubqueryExpr:
		return "exists"
	case *ast.SubqueryExpr:
		if sel, ok := n.Query.(*ast.SelectStmt); ok && sel.Fields != nil && len(sel.Fields.Fields) == 1 && sel.Fields.Fields[0].WildCard == nil {
			return outputName(sel.Fields.Fields[0])
		}
	}
	return "?column?"
}

// castName is the column name PostgreSQL gives a cast of a non-column: the type name.
func castName(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "int", "integer", "int4":
		return "int4"
	case "bigint", "int8":
		return "int8"
	case "smallint", "int2":
		return "int2"
	case "double precision", "float8", "double":
		return "float8"
	case "real", "float4":
		return "float4"
	case "boolean", "bool":
		return "bool"
	case "decimal", "numeric":
		return "numeric"
	case "character varying":
		return "varchar"
	case "timestamp without time zone":
		return "timestamp"
	case "timestamp with time zone":
		return "timestamptz"
	}
	return t
}

// expandStar replaces * and t.* by the columns they stand for.
func (b *binder) expandStar(fl *ast.FieldList, s *scope) ([]*ast.SelectField, error) {
	var out []*ast.SelectField
	for _, f := range fl.Fields {
		if f.WildCard == nil {
			out = append(out, f)
			continue
		}
		table := f.WildCard.Table.O
		n := 0
		dup := map[string]int{}
		for _, c := range s.cols {
			dup[strings.ToLower(c.Table+"."+c.Name)]++
		}
		for _, c := range s.cols {
			if table == "" && c.Hidden || c.Implicit {
				continue
			}
			if table != "" && !strings.EqualFold(c.Table, table) {
				continue
			}
			ref := &ast.ColumnName{Table: ast.NewCIStr(c.Table), Name: ast.NewCIStr(c.Name)}
			if dup[strings.ToLower(c.Table+"."+c.Name)] > 1 {
				// Same table and name twice (unnest(a, b)): refer by ID.
				ref = &ast.ColumnName{Name: ast.NewCIStr(columnIDRef + strconv.Itoa(c.ID))}
			}
			out = append(out, &ast.SelectField{Expr: &ast.ColumnNameExpr{Name: ref}, AsName: ast.NewCIStr(c.Name)})
			n++
		}
		if table != "" && n == 0 && !s.hasTable(table) {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", table)
		}
		if table == "" && n == 0 && len(s.cols) == 0 {
			// SELECT * without FROM: no columns (PostgreSQL errors only
			// when there is no FROM at all).
			return nil, sqlerr.New(sqlerr.SyntaxError, "SELECT * with no tables specified is not valid")
		}
	}
	return out, nil
}

// bindLimit applies LIMIT/OFFSET with constant counts.
func (b *binder) bindLimit(l *ast.Limit, plan Node) (Node, error) {
	count, offset := int64(-1), int64(0)
	eval := func(n ast.ExprNode, what, code string) (int64, bool, error) {
		eb := &exprBinder{b: b, s: newScope(nil, nil), what: what}
		e, err := eb.bind(n)
		if err != nil {
			return 0, false, err
		}
		v, isNull, err := b.constInt(e)
		if err != nil {
			return 0, false, err
		}
		if isNull {
			return 0, true, nil
		}
		if v < 0 {
			return 0, false, sqlerr.New(code, "%s must not be negative", what)
		}
		return v, false, nil
	}
	if l.Count != nil {
		v, isNull, err := eval(l.Count, "LIMIT", sqlerr.InvalidRowCountInLimit)
		if err != nil {
			return nil, err
		}
		if !isNull && v != math.MaxInt64 {
			count = v // the bridge writes OFFSET n alone as LIMIT MaxInt64 OFFSET n
		}
	}
	if l.Offset != nil {
		v, _, err := eval(l.Offset, "OFFSET", sqlerr.InvalidRowCountInOffset)
		if err != nil {
			return nil, err
		}
		offset = v
	}
	if count < 0 && offset == 0 {
		return plan, nil
	}
	return &Limit{Input: plan, Offset: offset, Count: count}, nil
}

// noAggregates rejects aggregates in clauses that run before grouping.
func noAggregates(n ast.Node, clause string) error { return noAggregatesBut(n, clause, nil) }

// noAggregatesBut is noAggregates allowing the aggregates an enclosing
// query claimed (they are that query's values here).
func noAggregatesBut(n ast.Node, clause string, claimed map[ast.Node]bool) error {
	v := &aggFinder{claimed: claimed}
	n.Accept(v)
	if len(v.found) > 0 {
		return sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", clause)
	}
	if v.window {
		return sqlerr.New(sqlerr.WindowingError, "window functions are not allowed in %s", clause)
	}
	return nil
}
