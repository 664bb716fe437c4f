package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindSetOpr binds UNION / INTERSECT / EXCEPT chains. INTERSECT binds
// tighter than UNION and EXCEPT, as in PostgreSQL.
func (b *binder) bindSetOpr(n *ast.SetOprStmt, outer *scope) (Node, error) {
	plan, err := b.bindSetList(n.SelectList, outer)
	if err != nil {
		return nil, err
	}
	return b.finishSetOp(plan, n.OrderBy, n.Limit)
}

func (b *binder) finishSetOp(plan Node, order *ast.OrderByClause, limit *ast.Limit) (Node, error) {
	var err error
	if order != nil {
		cols := plan.Cols()
		s := newScope(cols, nil)
		var keys []SortKey
		for _, it := range parser.OrderItems(order.Items) {
			var e expr.Expr
			items := make([]selectItem, len(cols))
			for i, c := range cols {
				items[i] = selectItem{e: newColRef(c), name: c.Name}
			}
			e, err = b.bindOrderItem(it.Item.Expr, items, s, nil, false)
			if err != nil {
				return nil, err
			}
			if _, ok := e.(*colRef); !ok {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause: only result column names can be used")
			}
			keys = append(keys, SortKey{Expr: e, Desc: it.Item.Desc, NullsFirst: it.NullsFirst(it.Item.Desc)})
		}
		plan = &Sort{Input: plan, Keys: keys}
	}
	if limit != nil {
		return b.bindLimit(limit, plan)
	}
	return plan, nil
}

type setTerm struct {
	node Node
	op   *ast.SetOprType
}

func (b *binder) bindSetList(l *ast.SetOprSelectList, outer *scope) (Node, error) {
	return b.withCTEs(l.With, func() (Node, error) {
		var terms []setTerm
		for _, s := range l.Selects {
			var node Node
			var err error
			var op *ast.SetOprType
			switch s := s.(type) {
			case *ast.SelectStmt:
				op = s.AfterSetOperator
				node, err = b.bindQuery(s, outer)
			case *ast.SetOprSelectList:
				op = s.AfterSetOperator
				node, err = b.bindSetList(s, outer)
			case *ast.SetOprStmt:
				node, err = b.bindQuery(s, outer)
			default:
				err = sqlerr.New(sqlerr.FeatureNotSupported, "unsupported set operand %T", s)
			}
			if err != nil {
				return nil, err
			}
			terms = append(terms, setTerm{node: node, op: op})
		}
		// INTERSECT first.
		var reduced []setTerm
		for _, t := range terms {
			if len(reduced) > 0 && t.op != nil && (*t.op == ast.Intersect || *t.op == ast.IntersectAll) {
				last := &reduced[len(reduced)-1]
				n, err := b.setOp(Intersect, *t.op == ast.IntersectAll, last.node, t.node)
				if err != nil {
					return nil, err
				}
				last.node = n
				continue
			}
			reduced = append(reduced, t)
		}
		plan := reduced[0].node
		for _, t := range reduced[1:] {
			kind, all := Union, false
			switch *t.op {
			case ast.Union:
			case ast.UnionAll:
				all = true
			case ast.Except:
				kind = Except
			case ast.ExceptAll:
				kind, all = Except, true
			}
			var err error
			if plan, err = b.setOp(kind, all, plan, t.node); err != nil {
				return nil, err
			}
		}
		if l.OrderBy != nil || l.Limit != nil {
			return b.finishSetOp(plan, l.OrderBy, l.Limit)
		}
		return plan, nil
	})
}

// setOp combines two inputs, casting both to common column types.
func (b *binder) setOp(kind SetOpKind, all bool, l, r Node) (Node, error) {
	lc, rc := l.Cols(), r.Cols()
	if len(lc) != len(rc) {
		what := map[SetOpKind]string{Union: "UNION", Intersect: "INTERSECT", Except: "EXCEPT"}[kind]
		return nil, sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", what)
	}
	ts := make([]arrow.DataType, len(lc))
	for i := range lc {
		t, err := commonType([]expr.Expr{newColRef(lc[i]), newColRef(rc[i])}, unknownCols(l, i), unknownCols(r, i))
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	l, err := b.castCols(l, ts)
	if err != nil {
		return nil, err
	}
	r, err = b.castCols(r, ts)
	if err != nil {
		return nil, err
	}
	out := make([]Column, len(lc))
	for i, c := range lc {
		out[i] = b.newCol(c.Name, "", ts[i])
	}
	return &SetOp{Kind: kind, All: all, Left: l, Right: r, Out: out}, nil
}

// unknownCols reports whether column i of n is an untyped string literal
// (so that SELECT 'a' UNION SELECT 1 types 'a' by the other side).
func unknownCols(n Node, i int) bool {
	switch p := n.(type) {
	case *Project:
		return expr.IsUnknownLiteral(p.Exprs[i])
	case *Values:
		for _, r := range p.Rows {
			if !expr.IsUnknownLiteral(r[i]) {
				return false
			}
		}
		return len(p.Rows) > 0
	}
	return false
}

// commonType resolves the type of values from several branches.
func commonType(es []expr.Expr, unknown ...bool) (arrow.DataType, error) {
	ts := make([]arrow.DataType, len(es))
	unk := make([]bool, len(es))
	for i, e := range es {
		ts[i] = e.Type()
		unk[i] = expr.IsUnknownLiteral(e) || (i < len(unknown) && unknown[i])
	}
	return expr.CommonType(ts, unk)
}

// castCols projects n's columns to types ts where they differ.
func (b *binder) castCols(n Node, ts []arrow.DataType) (Node, error) {
	cols := n.Cols()
	need := false
	for i, c := range cols {
		if !types.Equal(c.Type, ts[i]) {
			need = true
		}
	}
	if !need {
		return n, nil
	}
	// Cast inside an existing projection so unknown literals are typed directly.
	if p, ok := n.(*Project); ok {
		np := &Project{Input: p.Input}
		for i, e := range p.Exprs {
			if !types.Equal(e.Type(), ts[i]) {
				ce, err := expr.NewCast(e, ts[i])
				if err != nil {
					return nil, err
				}
				e = ce
				np.Out = append(np.Out, b.newCol(p.Out[i].Name, "", ts[i]))
			} else {
				np.Out = append(np.Out, p.Out[i])
			}
			np.Exprs = append(np.Exprs, e)
		}
		return np, nil
	}
	if v, ok := n.(*Values); ok {
		nv := &Values{}
		for i, c := range v.Out {
			if !types.Equal(c.Type, ts[i]) {
				c = b.newCol(c.Name, "", ts[i])
			}
			nv.Out = append(nv.Out, c)
		}
		for _, r := range v.Rows {
			nr := make([]expr.Expr, len(r))
			for i, e := range r {
				if !types.Equal(e.Type(), ts[i]) {
					ce, err := expr.NewCast(e, ts[i])
					if err != nil {
						return nil, err
					}
					e = ce
				}
				nr[i] = e
			}
			nv.Rows = append(nv.Rows, nr)
		}
		return nv, nil
	}
	p := &Project{Input: n}
	for i, c := range cols {
		var e expr.Expr = newColRef(c)
		out := c
		if !types.Equal(c.Type, ts[i]) {
			ce, err := expr.NewCast(e, ts[i])
			if err != nil {
				return nil, err
			}
			e = ce
			out = b.newCol(c.Name, "", ts[i])
		}
		p.Exprs = append(p.Exprs, e)
		p.Out = append(p.Out, out)
	}
	return p, nil
}

// bindValuesRows binds VALUES (...), (...) lists into a Values node with
// columns column1, column2, ...
func (b *binder) bindValuesRows(lists []*ast.RowExpr, outer *scope) (Node, error) {
	if len(lists) == 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES needs at least one row")
	}
	width := len(lists[0].Values)
	if width > maxTargetList {
		return nil, sqlerr.New(sqlerr.TooManyColumns, "target lists can have at most %d entries", maxTargetList)
	}
	var plan Node = &Values{Rows: [][]expr.Expr{{}}}
	s := newScope(nil, outer)
	rows := make([][]expr.Expr, len(lists))
	for i, l := range lists {
		if len(l.Values) != width {
			return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length")
		}
		eb := &exprBinder{b: b, s: s, plan: &plan, what: "VALUES"}
		row, err := eb.bindAll(l.Values)
		if err != nil {
			return nil, err
		}
		rows[i] = row
	}
	v := &Values{Rows: rows}
	for c := 0; c < width; c++ {
		col := make([]expr.Expr, len(rows))
		for r := range rows {
			col[r] = rows[r][c]
		}
		t, err := commonType(col)
		if err != nil {
			return nil, err
		}
		allUnknown := true
		for _, e := range col {
			allUnknown = allUnknown && expr.IsUnknownLiteral(e)
		}
		for r := range rows {
			if !types.Equal(rows[r][c].Type(), t) || (allUnknown && expr.IsUnknownLiteral(rows[r][c])) {
				ce, err := expr.NewCast(rows[r][c], t)
				if err != nil {
					return nil, err
				}
				rows[r][c] = ce
			}
		}
		v.Out = append(v.Out, b.newCol(fmt.Sprintf("column%d", c+1), "", t))
	}
	if _, isValues := plan.(*Values); !isValues {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "subqueries in VALUES are not supported")
	}
	return v, nil
}

// withCTEs binds a query with its WITH clause in scope.
func (b *binder) withCTEs(w *ast.WithClause, f func() (Node, error)) (Node, error) {
	if w == nil {
		return f()
	}
	saved := b.ctes
	cs := &cteScope{defs: map[string]*cteDef{}, parent: b.ctes}
	b.ctes = cs
	defer func() { b.ctes = saved }()
	for _, c := range w.CTEs {
		var cols []string
		for _, n := range c.ColNameList {
			cols = append(cols, n.O)
		}
		if _, dup := cs.defs[c.Name.O]; dup {
			return nil, sqlerr.New(sqlerr.DuplicateAlias, "WITH query name \"%s\" specified more than once", c.Name.O)
		}
		cs.defs[c.Name.O] = &cteDef{name: c.Name.O, query: c.Query.Query, cols: cols, scope: cs, share: &cteShare{name: c.Name.O}}
		_ = w.IsRecursive
	}
	return f()
}

// bindCTERef binds a reference to a CTE: each reference binds the query
// anew (CTEs are inlined); a self-reference inside a recursive CTE reads
// the work table.
func (b *binder) bindCTERef(d *cteDef, outer *scope) (Node, []Column, error) {
	if d.binding {
		if d.workID == 0 {
			return nil, nil, sqlerr.New(sqlerr.InvalidRecursion, "recursive reference to query \"%s\" must not appear within its non-recursive term", d.name)
		}
		out := make([]Column, len(d.workOut))
		for i, c := range d.workOut {
			out[i] = b.newCol(c.Name, d.name, c.Type)
		}
		return &Project{Input: &WorkTable{WorkID: d.workID, Out: d.workOut}, Exprs: colRefs(d.workOut), Out: out}, out, nil
	}
	saved := b.ctes
	b.ctes = d.scope
	defer func() { b.ctes = saved }()
	var node Node
	var err error
	if rec, ok := recursiveParts(d); ok {
		node, err = b.bindRecursive(d, rec, outer)
	} else {
		d.binding = true
		node, err = b.bindQuery(d.query, outer)
		d.binding = false
		if err == nil {
			d.share.refs++
			if sharable(node) {
				node = &CTE{Share: d.share, Input: node}
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	cols := node.Cols()
	if len(d.cols) > len(cols) {
		return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified", d.name, len(cols), len(d.cols))
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		c.Table = d.name
		if i < len(d.cols) {
			c.Name = d.cols[i]
		}
		out[i] = c
	}
	return node, out, nil
}

func colRefs(cols []Column) []expr.Expr {
	out := make([]expr.Expr, len(cols))
	for i, c := range cols {
		out[i] = newColRef(c)
	}
	return out
}

// recursiveParts splits a CTE of the form anchor UNION [ALL] recursive
// when the second part refers to the CTE itself.
func recursiveParts(d *cteDef) (*ast.SetOprSelectList, bool) {
	var list *ast.SetOprSelectList
	switch q := d.query.(type) {
	case *ast.SetOprStmt:
		list = q.SelectList
	default:
		return nil, false
	}
	if len(list.Selects) < 2 || !refersTo(list.Selects[len(list.Selects)-1], d.name) {
		return nil, false
	}
	return list, true
}

type nameFinder struct {
	name  string
	found bool
}

func (v *nameFinder) Enter(n ast.Node) (ast.Node, bool) {
	if t, ok := n.(*ast.TableName); ok && t.Schema.O == "" && t.Name.L == lower(v.name) {
		v.found = true
	}
	return n, v.found
}
func (v *nameFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func refersTo(n ast.Node, name string) bool {
	v := &nameFinder{name: name}
	n.Accept(v)
	return v.found
}

// outer is the scope of the query that refers to the CTE: its body may
// refer to that query's columns (a correlated CTE).
func (b *binder) bindRecursive(d *cteDef, list *ast.SetOprSelectList, outer *scope) (Node, error) {
	last := list.Selects[len(list.Selects)-1]
	anchorList := &ast.SetOprSelectList{Selects: list.Selects[:len(list.Selects)-1]}
	var anchor Node
	var err error
	d.binding = true
	defer func() { d.binding = false }()
	if len(anchorList.Selects) == 1 {
		anchor, err = b.bindSetOperand(anchorList.Selects[0], outer)
	} else {
		anchor, err = b.bindSetList(anchorList, outer)
	}
	if err != nil {
		return nil, err
	}
	var op *ast.SetOprType
	switch s := last.(type) {
	case *ast.SelectStmt:
		op = s.AfterSetOperator
	case *ast.SetOprSelectList:
		op = s.AfterSetOperator
	}
	all := op != nil && *op == ast.UnionAll
	if op == nil || (*op != ast.Union && *op != ast.UnionAll) {
		return nil, sqlerr.New(sqlerr.InvalidRecursion, "recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term", d.name)
	}
	acols := anchor.Cols()
	d.workID = b.newID()
	d.workOut = make([]Column, len(acols))
	for i, c := range acols {
		name := c.Name
		if i < len(d.cols) {
			name = d.cols[i]
		}
		d.workOut[i] = b.newCol(name, d.name, c.Type)
	}
	workID := d.workID
	rec, err := b.bindSetOperand(last, outer)
	d.workID = 0
	if err != nil {
		return nil, err
	}
	rcols := rec.Cols()
	if len(rcols) != len(acols) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	ts := make([]arrow.DataType, len(acols))
	for i := range acols {
		ts[i] = acols[i].Type
	}
	if rec, err = b.castCols(rec, ts); err != nil {
		return nil, err
	}
	out := make([]Column, len(acols))
	for i, c := range d.workOut {
		out[i] = b.newCol(c.Name, "", c.Type)
	}
	return &RecursiveCTE{Anchor: anchor, Recursive: rec, All: all, WorkID: workID, Out: out}, nil
}

func (b *binder) bindSetOperand(n ast.Node, outer *scope) (Node, error) {
	switch s := n.(type) {
	case *ast.SelectStmt:
		saved := s.AfterSetOperator
		s.AfterSetOperator = nil
		defer func() { s.AfterSetOperator = saved }()
		return b.bindQuery(s, outer)
	case *ast.SetOprSelectList:
		return b.bindSetList(s, outer)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported set operand %T", n)
}
