package planner

import (
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/lakesql/lakesql/types"
	"strings"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindFrom binds a FROM clause into a plan and the columns it exposes.
func (b *binder) bindFrom(n ast.ResultSetNode, outer *scope) (Node, []Column, error) {
	switch n := n.(type) {
	case *ast.Join:
		return b.bindJoin(n, outer)
	case *ast.TableSource:
		return b.bindTableSource(n, outer)
	case *ast.TableName:
		return b.bindTableSource(&ast.TableSource{Source: n}, outer)
	case *ast.SelectStmt, *ast.SetOprStmt:
		return b.bindTableSource(&ast.TableSource{Source: n}, outer)
	}
	return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item %T", n)
}

func (b *binder) bindJoin(j *ast.Join, outer *scope) (Node, []Column, error) {
	left, lcols, err := b.bindFrom(j.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	if j.Right == nil {
		return left, lcols, nil
	}
	if node, cols, ok, err := b.bindLateralFunction(j, left, lcols, outer); ok || err != nil {
		return node, cols, err
	}
	lnode, lcolsOut, right, rcols, ok, err := b.bindLateral(j, left, lcols, outer)
	if ok || err != nil {
		return lnode, lcolsOut, err
	}
	if right == nil {
		if right, rcols, err = b.bindFrom(j.Right, outer); err != nil {
			return nil, nil, err
		}
	}
	typ := InnerJoin
	switch {
	case parser.IsFullJoin(j):
		typ = FullJoin
	case j.Tp == ast.LeftJoin:
		typ = LeftJoin
	case j.Tp == ast.RightJoin:
		typ = RightJoin
	}
	join := &Join{Left: left, Right: right, Type: typ}
	cols := append(append([]Column(nil), lcols...), rcols...)

	using := make([]string, 0, len(j.Using))
	for _, u := range j.Using {
		using = append(using, u.Name.O)
	}
	if j.NaturalJoin {
		for _, lc := range lcols {
			if lc.Hidden || lc.Implicit {
				continue
			}
			for _, rc := range rcols {
				if !rc.Hidden && !rc.Implicit && strings.EqualFold(lc.Name, rc.Name) {
					using = append(using, lc.Name)
				}
			}
		}
	}
	var node Node = join
	if len(using) > 0 {
		var conds []expr.Expr
		var merged []Column
		var mergedExprs []expr.Expr
		ls, rs := newScope(lcols, nil), newScope(rcols, nil)
		for _, name := range using {
			lc, ok, err := ls.find("", name)
			if err != nil {
				return nil, nil, err
			}
			rc, ok2, err := rs.find("", name)
			if err != nil {
				return nil, nil, err
			}
			if !ok || !ok2 {
				return nil, nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in %s table", name, map[bool]string{true: "right", false: "left"}[ok])
			}
			c, err := call("=", newColRef(lc), newColRef(rc))
			if err != nil {
				return nil, nil, err
			}
			conds = append(conds, c)
			// The merged column: left's, right's for RIGHT JOIN, COALESCE for FULL.
			switch typ {
			case RightJoin:
				merged = append(merged, rc)
				mergedExprs = append(mergedExprs, newColRef(rc))
			case FullJoin:
				co, err := expr.NewCoalesce([]expr.Expr{newColRef(lc), newColRef(rc)})
				if err != nil {
					return nil, nil, err
				}
				mc := b.newCol(lc.Name, "", co.Type())
				merged = append(merged, mc)
				mergedExprs = append(mergedExprs, co)
			default:
				merged = append(merged, lc)
				mergedExprs = append(mergedExprs, newColRef(lc))
			}
		}
		join.Cond = conjunction(conds)
		// Output: merged columns first, then the rest; the originals stay
		// reachable by qualified name but hidden from * and bare names.
		usingSet := map[string]bool{}
		for _, u := range using {
			usingSet[strings.ToLower(u)] = true
		}
		var out []Column
		var exprs []expr.Expr
		for i, m := range merged {
			m.Table = ""
			out = append(out, m)
			exprs = append(exprs, mergedExprs[i])
		}
		for _, c := range cols {
			if usingSet[strings.ToLower(c.Name)] {
				c.Hidden = true
			}
			out = append(out, c)
			exprs = append(exprs, newColRef(c))
		}
		if typ != FullJoin {
			// Every merged column is an original column, so only
			// visibility changes: the scope keeps the qualified originals
			// (hidden from * and bare names) beside the merged ones.
			return node, out, nil
		}
		// Deduplicate IDs (a merged column equal to an original).
		seen := map[int]bool{}
		var dOut []Column
		var dExprs []expr.Expr
		for i, c := range out {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			dOut = append(dOut, c)
			dExprs = append(dExprs, exprs[i])
		}
		return &Project{Input: join, Exprs: dExprs, Out: dOut}, dOut, nil
	}
	// ON sees only the join's own items (and outer queries), not the FROM
	// items before it that a LATERAL item on its right may read.
	outer = outer.pastLateralOnly()
	if j.On != nil && (typ == LeftJoin || typ == RightJoin) && hasSubqueryAST(j.On.Expr) {
		return b.outerJoinSubquery(j.On.Expr, typ, left, lcols, right, rcols, outer)
	}
	if j.On != nil && typ == FullJoin && hasSubqueryAST(j.On.Expr) {
		return b.fullJoinSubquery(j, left, lcols, right, rcols, outer)
	}
	if j.On != nil {
		s := newScope(cols, outer)
		eb := &exprBinder{b: b, s: s, what: "JOIN/ON"}
		var plan Node = join
		if typ == InnerJoin && hasSubqueryAST(j.On.Expr) {
			// For an inner join, ON is a filter over the joined rows, so
			// its subqueries can join onto them as WHERE's do.
			eb.plan = &plan
		}
		c, err := eb.bind(j.On.Expr)
		if err != nil {
			return nil, nil, err
		}
		if c, err = asBool(c, "JOIN/ON"); err != nil {
			return nil, nil, err
		}
		if eb.plan != nil {
			return &Filter{Input: plan, Pred: c}, cols, nil
		}
		join.Cond = c
	}
	return node, cols, nil
}

// outerJoinSubquery binds L LEFT JOIN R ON c where c holds subqueries: as
// L LEFT JOIN LATERAL (SELECT R.* FROM R WHERE c) ON true, so that c's
// subqueries join onto R's rows with L's columns as outer references, and
// every L row without a match keeps NULLs. RIGHT JOIN is the same with the
// sides swapped (the columns stay in L, R order).
func (b *binder) outerJoinSubquery(on ast.ExprNode, typ JoinType, left Node, lcols []Column, right Node, rcols []Column, outer *scope) (Node, []Column, error) {
	keep, keepCols, inner, innerCols := left, lcols, right, rcols
	if typ == RightJoin {
		keep, keepCols, inner, innerCols = right, rcols, left, lcols
	}
	sub := inner
	eb := &exprBinder{b: b, s: newScope(innerCols, newScope(keepCols, outer)), plan: &sub, what: "JOIN/ON"}
	c, err := eb.bind(on)
	if err != nil {
		return nil, nil, err
	}
	if c, err = asBool(c, "JOIN/ON"); err != nil {
		return nil, nil, err
	}
	filtered := &Project{Input: &Filter{Input: sub, Pred: c}, Out: innerCols}
	for _, col := range innerCols {
		filtered.Exprs = append(filtered.Exprs, newColRef(col))
	}
	keepIDs := idSet(keepCols)
	var outerCols []Column
	for id, col := range freeRefs(filtered) {
		if keepIDs[id] {
			outerCols = append(outerCols, col)
		}
	}
	var node Node = &LateralJoin{Input: keep, Sub: filtered, Outer: outerCols, Left: true}
	cols := append(append([]Column(nil), lcols...), rcols...)
	if typ == RightJoin {
		p := &Project{Input: node, Out: cols}
		for _, col := range cols {
			p.Exprs = append(p.Exprs, newColRef(col))
		}
		node = p
	}
	return node, cols, nil
}

// fullJoinSubquery binds L FULL JOIN R ON c where c holds subqueries: the
// rows of L LEFT JOIN R ON c (see outerJoinSubquery), and UNION ALL the
// rows of R no row of L matches, with NULLs for L's columns (from a second
// binding of both sides, as each plan is used once).
func (b *binder) fullJoinSubquery(j *ast.Join, left Node, lcols []Column, right Node, rcols []Column, outer *scope) (Node, []Column, error) {
	matched, cols, err := b.outerJoinSubquery(j.On.Expr, LeftJoin, left, lcols, right, rcols, outer)
	if err != nil {
		return nil, nil, err
	}
	left2, lcols2, err := b.bindFrom(j.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	right2, rcols2, err := b.bindFrom(j.Right, outer)
	if err != nil {
		return nil, nil, err
	}
	// R's rows paired with a TRUE marker per matching L row, or one NULL.
	sub := left2
	eb := &exprBinder{b: b, s: newScope(lcols2, newScope(rcols2, outer)), plan: &sub, what: "JOIN/ON"}
	c, err := eb.bind(j.On.Expr)
	if err != nil {
		return nil, nil, err
	}
	if c, err = asBool(c, "JOIN/ON"); err != nil {
		return nil, nil, err
	}
	mark := b.newCol("matched", "", types.Bool)
	marked := &Project{Input: &Filter{Input: sub, Pred: c}, Exprs: []expr.Expr{expr.NewLiteral(scalar.NewBooleanScalar(true))}, Out: []Column{mark}}
	rIDs := idSet(rcols2)
	var outerCols []Column
	for id, col := range freeRefs(marked) {
		if rIDs[id] {
			outerCols = append(outerCols, col)
		}
	}
	isNull, err := call("is_null", newColRef(mark))
	if err != nil {
		return nil, nil, err
	}
	unmatched := &Filter{Input: &LateralJoin{Input: right2, Sub: marked, Outer: outerCols, Left: true}, Pred: isNull}
	padded := &Project{Input: unmatched}
	for _, col := range lcols2 {
		padded.Exprs = append(padded.Exprs, expr.NewNullLiteral(col.Type))
		padded.Out = append(padded.Out, b.newCol(col.Name, "", col.Type))
	}
	for _, col := range rcols2 {
		padded.Exprs = append(padded.Exprs, newColRef(col))
		padded.Out = append(padded.Out, b.newCol(col.Name, "", col.Type))
	}
	u, err := b.setOp(Union, true, matched, padded)
	if err != nil {
		return nil, nil, err
	}
	so := u.(*SetOp)
	// The union's columns are named and qualified as the join's.
	for i := range so.Out {
		so.Out[i].Name, so.Out[i].Table, so.Out[i].Hidden = cols[i].Name, cols[i].Table, cols[i].Hidden
	}
	return so, so.Out, nil
}

// hasSubqueryAST reports whether an expression contains a subquery.
func hasSubqueryAST(n ast.Node) bool {
	v := &subqueryFinder{}
	n.Accept(v)
	return v.found
}

type subqueryFinder struct{ found bool }

func (v *subqueryFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch n.(type) {
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr:
		v.found = true
		return n, true
	}
	return n, v.found
}
func (v *subqueryFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func (b *binder) bindTableSource(ts *ast.TableSource, outer *scope) (Node, []Column, error) {
	alias, colNames := parser.DerivedColumns(ts.AsName.O)
	var node Node
	var cols []Column
	var err error
	switch src := ts.Source.(type) {
	case *ast.TableName:
		node, cols, err = b.bindTableName(src, outer)
		if alias == "" {
			alias = src.Name.O
		}
	case *ast.SelectStmt, *ast.SetOprStmt:
		if tf, ok := parser.TableFunctionOf(src); ok {
			node, cols, err = b.bindTableFunction(tf, outer)
			if alias == "" {
				alias = tf.Name
			} else if len(colNames) == 0 && len(cols) == 1 {
				// FROM f(...) AS x names the function's one column x.
				colNames = []string{alias}
			}
			break
		}
		// A derived table sees outer queries only for correlation, never
		// its siblings (unless LATERAL).
		if !ts.Lateral {
			outer = outer.pastLateralOnly()
		}
		node, err = b.bindQuery(src, outer)
		if err == nil {
			cols = node.Cols()
		}
	default:
		return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item %T", src)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(colNames) > len(cols) {
		return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(colNames))
	}
	_, isScan := node.(*Scan)
	out := make([]Column, len(cols))
	for i, c := range cols {
		c.Table = alias
		c.Hidden = false
		c.Implicit = c.Implicit && isScan
		if i < len(colNames) {
			c.Name = colNames[i]
		}
		out[i] = c
	}
	return node, out, nil
}

func (b *binder) bindTableName(tn *ast.TableName, outer *scope) (Node, []Column, error) {
	schema, name := tn.Schema.O, tn.Name.O
	if schema == "" {
		if d := b.lookupCTE(name); d != nil {
			return b.bindCTERef(d, outer)
		}
	}
	var rel *catalog.Relation
	var err error
	if catalog.WorkspaceOf(schema) != catalog.NoWorkspace {
		rel, err = b.env.Catalog.LookupWorkspace(b.ctx, schema, name)
	} else {
		rel, err = b.env.Catalog.Lookup(b.ctx, schema, name, b.env.SearchPath)
	}
	if err != nil {
		if se := sqlerr.As(err); se.Code == sqlerr.UndefinedTable && se.Position == 0 && b.env.NamePosition != nil {
			at := name
			if schema != "" && !strings.HasPrefix(strings.ToLower(schema), "dfs") {
				at = schema // a qualified name is pointed at from its start
			}
			se.Position = b.env.NamePosition(at)
			return nil, nil, se
		}
		return nil, nil, err
	}
	if rel.Kind == catalog.View {
		return b.bindView(rel, outer)
	}
	return b.scanRelation(rel)
}

// scanRelation is a scan of every column of a table (the optimizer keeps
// those used).
func (b *binder) scanRelation(rel *catalog.Relation) (Node, []Column, error) {
	sch, err := rel.Columns(b.ctx)
	if err != nil {
		return nil, nil, err
	}
	scan := &Scan{Rel: rel, Schema: sch}
	for i, f := range sch.Fields() {
		c := b.newCol(f.Name, rel.Name, f.Type)
		c.Implicit = connectors.IsImplicit(f)
		scan.Out = append(scan.Out, c)
		scan.Project = append(scan.Project, i)
	}
	return scan, scan.Out, nil
}

func (b *binder) bindView(rel *catalog.Relation, outer *scope) (Node, []Column, error) {
	q, ok := rel.View.Query.(ast.ResultSetNode)
	if !ok {
		stmts, err := parser.Parse(rel.View.SQL)
		if err != nil {
			return nil, nil, sqlerr.Wrap(err, sqlerr.InternalError, "view %s", rel.Name)
		}
		if len(stmts) != 1 {
			return nil, nil, sqlerr.New(sqlerr.InternalError, "view %s is not one query", rel.Name)
		}
		if q, ok = stmts[0].AST.(ast.ResultSetNode); !ok {
			return nil, nil, sqlerr.New(sqlerr.InternalError, "view %s is not a query", rel.Name)
		}
	}
	for _, v := range b.views {
		if v == rel {
			return nil, nil, sqlerr.New("42P17", "infinite recursion detected in rules for relation \"%s\"", rel.Name)
		}
	}
	if len(b.views) >= parser.MaxNesting {
		return nil, nil, sqlerr.New(sqlerr.StatementTooComplex, "stack depth limit exceeded: views nest more than %d deep", parser.MaxNesting)
	}
	b.views = append(b.views, rel)
	saved := b.ctes
	b.ctes = nil // a view does not see the query's CTEs
	node, err := b.bindQuery(q, nil)
	b.ctes = saved
	b.views = b.views[:len(b.views)-1]
	if err != nil {
		return nil, nil, err
	}
	cols := node.Cols()
	out := make([]Column, len(cols))
	for i, c := range cols {
		c.Table = rel.Name
		if i < len(rel.View.Columns) {
			c.Name = rel.View.Columns[i]
		}
		out[i] = c
	}
	return node, out, nil
}

// conjunction ANDs conds (nil for none).
func conjunction(conds []expr.Expr) expr.Expr {
	var out expr.Expr
	for _, c := range conds {
		if c == nil {
			continue
		}
		if out == nil {
			out = c
			continue
		}
		a, err := call("and", out, c)
		if err != nil {
			panic(err) // both sides are boolean
		}
		out = a
	}
	return out
}

// conjuncts splits an AND tree.
func conjuncts(e expr.Expr) []expr.Expr {
	if e == nil {
		return nil
	}
	return appendConjuncts(nil, e)
}

// appendConjuncts appends e's conjuncts to one slice (appending each
// branch's own slice was quadratic on deep chains).
func appendConjuncts(out []expr.Expr, e expr.Expr) []expr.Expr {
	if !isCall(e, "and") {
		return append(out, e)
	}
	for _, c := range e.Children() {
		out = appendConjuncts(out, c)
	}
	return out
}

// asBool checks that a condition is boolean (an unknown literal becomes one).
func asBool(e expr.Expr, clause string) (expr.Expr, error) {
	if expr.IsUnknownLiteral(e) {
		return expr.NewCast(e, boolType)
	}
	if e.Type().ID() == boolType.ID() || e.Type().ID() == nullTypeID {
		if e.Type().ID() == nullTypeID {
			return expr.NewCast(e, boolType)
		}
		return e, nil
	}
	return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, typeName(e.Type()))
}
