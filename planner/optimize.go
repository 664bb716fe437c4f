package planner

import (
	"github.com/lakesql/lakesql/executor/expr"
)

// optimize applies the rewrite rules in order. Each rule keeps the plan's
// output columns (IDs and order) unchanged.
func (b *binder) optimize(n Node) Node {
	n = inlineSingleCTEs(n)
	n = b.optimizeSubqueries(n)
	n = b.foldConstants(n)
	n = marksToSemiJoins(n)
	n = pushFilters(n, nil)
	// Again: pushing filters can bring a mark's conjunct down to its
	// join, past the joins between them (TPC-H q20's IN below a
	// decorrelated scalar subquery).
	n = marksToSemiJoins(n)
	n = b.pushSemiJoins(n)
	n = reorderJoins(b, n)
	n = b.reduceGroupedJoins(n)
	n = prune(n, idSet(n.Cols()))
	n = dictionaryKeys(n)
	return n
}

// pushSemiJoins moves semi and anti joins (EXISTS, IN, NOT IN, NOT
// EXISTS) below the inner joins and filters under them, into the input
// whose columns their condition reads: they keep or drop each row of that
// input on its own values, so they commute with joins that only combine
// rows, and applied early they shrink what the joins above must build and
// probe (TPC-H q18: the orders of the IN list are found before lineitem
// is joined). It stops above an inner join estimated to keep less than
// half of the input's rows: that join is the better filter to run first
// (TPC-H q21: the line items of one nation's suppliers, 4% of them, are
// found before the EXISTS and NOT EXISTS over all line items).
func (b *binder) pushSemiJoins(n Node) Node {
	n = mapInputs(n, b.pushSemiJoins)
	j, ok := n.(*Join)
	if !ok || (j.Type != SemiJoin && j.Type != AntiJoin) {
		return n
	}
	leftRefs := map[int]bool{}
	lids := idSet(j.Left.Cols())
	for id := range refs(j.Cond) {
		if lids[id] {
			leftRefs[id] = true
		}
	}
	switch in := j.Left.(type) {
	case *Filter:
		c := *j
		c.Left = in.Input
		f := *in
		f.Input = b.pushSemiJoins(&c)
		return &f
	case *Join:
		if in.Type != InnerJoin {
			return n
		}
		ij := *in
		c := *j
		var into Node
		switch {
		case subset(leftRefs, idSet(in.Left.Cols())):
			into = in.Left
		case subset(leftRefs, idSet(in.Right.Cols())):
			into = in.Right
		default:
			return n
		}
		if b.estimate(in).rows < 0.5*b.estimate(into).rows {
			return n
		}
		c.Left = into
		if into == in.Left {
			ij.Left = b.pushSemiJoins(&c)
		} else {
			ij.Right = b.pushSemiJoins(&c)
		}
		return &ij
	}
	return n
}

// mapInputs rebuilds n with f applied to each input.
func mapInputs(n Node, f func(Node) Node) Node {
	switch n := n.(type) {
	case *Filter:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Project:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Aggregate:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Sort:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Limit:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Distinct:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *Window:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *ProjectSet:
		c := *n
		c.Input = f(n.Input)
		return &c
	case *LateralJoin:
		c := *n
		c.Input, c.Sub = f(n.Input), f(n.Sub)
		return &c
	case *Apply:
		c := *n
		c.Input = f(n.Input)
		c.Sub = f(n.Sub)
		return &c
	case *Join:
		c := *n
		c.Left, c.Right = f(n.Left), f(n.Right)
		return &c
	case *SetOp:
		c := *n
		c.Left, c.Right = f(n.Left), f(n.Right)
		return &c
	case *RecursiveCTE:
		c := *n
		c.Anchor, c.Recursive = f(n.Anchor), f(n.Recursive)
		return &c
	case *CTE:
		c := *n
		c.Input = f(n.Input)
		return &c
	}
	return n
}

// mapExprs rebuilds n with f applied to each expression it evaluates.
func mapExprs(n Node, f func(expr.Expr) expr.Expr) Node {
	switch n := n.(type) {
	case *Filter:
		c := *n
		c.Pred = f(n.Pred)
		return &c
	case *Project:
		c := *n
		c.Exprs = make([]expr.Expr, len(n.Exprs))
		for i, e := range n.Exprs {
			c.Exprs[i] = f(e)
		}
		return &c
	case *Join:
		c := *n
		if n.Cond != nil {
			c.Cond = f(n.Cond)
		}
		return &c
	case *TableFunc:
		c := *n
		c.Args = make([]expr.Expr, len(n.Args))
		for i, a := range n.Args {
			c.Args[i] = f(a)
		}
		return &c
	case *ProjectSet:
		c := *n
		c.Funcs = make([]SetCall, len(n.Funcs))
		for i, fn := range n.Funcs {
			fn.Args = append([]expr.Expr(nil), fn.Args...)
			for j, a := range fn.Args {
				fn.Args[j] = f(a)
			}
			c.Funcs[i] = fn
		}
		return &c
	case *Values:
		c := *n
		c.Rows = make([][]expr.Expr, len(n.Rows))
		for i, r := range n.Rows {
			c.Rows[i] = make([]expr.Expr, len(r))
			for j, e := range r {
				c.Rows[i][j] = f(e)
			}
		}
		return &c
	}
	return n
}

// walkPlan calls f on every node, parents first.
func walkPlan(n Node, f func(Node)) {
	f(n)
	for _, in := range n.Inputs() {
		walkPlan(in, f)
	}
}

// foldConstants evaluates constant subexpressions once at planning time.
func (b *binder) foldConstants(n Node) Node {
	n = mapInputs(n, b.foldConstants)
	return mapExprs(n, b.fold)
}

func (b *binder) fold(e expr.Expr) expr.Expr {
	out, constant := b.foldParts(e)
	if constant {
		return b.foldWhole(e)
	}
	return out
}

// foldParts folds the largest constant subexpressions of e and reports
// whether e itself is constant (reads no column, subquery or outer
// position), in which case it is returned as is for the caller to fold
// whole. One pass: checking each node's subtree again at every level was
// quadratic, and a 150,000-item IN list (an OR chain as deep) took minutes
// to plan.
func (b *binder) foldParts(e expr.Expr) (expr.Expr, bool) {
	if e == nil {
		return nil, false
	}
	switch e.(type) {
	case *colRef, *subqueryExpr, *posRef:
		return e, false
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e, true
	}
	parts := make([]expr.Expr, len(kids))
	consts := make([]bool, len(kids))
	all := true
	for i, k := range kids {
		parts[i], consts[i] = b.foldParts(k)
		all = all && consts[i]
	}
	if all {
		return e, true
	}
	changed := false
	for i, k := range kids {
		if consts[i] {
			parts[i] = b.foldWhole(k)
		}
		changed = changed || parts[i] != k
	}
	if changed {
		return e.WithChildren(parts), false
	}
	return e, false
}

// foldWhole evaluates a constant expression into a literal, leaving it as
// it is when evaluating fails (the error surfaces at run time, where
// PostgreSQL raises it).
func (b *binder) foldWhole(e expr.Expr) expr.Expr {
	if len(e.Children()) == 0 {
		return e
	}
	f, err := expr.Fold(e, b.ec)
	if err != nil {
		return e
	}
	return f
}

// marksToSemiJoins turns a mark join whose mark is only used as a WHERE
// conjunct (mark, or NOT mark) into a semi (anti) join.
func marksToSemiJoins(n Node) Node {
	n = mapInputs(n, marksToSemiJoins)
	f, ok := n.(*Filter)
	if !ok {
		return n
	}
	conj := conjuncts(f.Pred)
	changed := false
	var rewriteChain func(m Node) Node
	rewriteChain = func(m Node) Node {
		switch j := m.(type) {
		case *Join:
			if j.Type != MarkJoin {
				return m
			}
			c := *j
			c.Left = rewriteChain(j.Left)
			for i, p := range conj {
				if p == nil {
					continue
				}
				if r, ok := p.(*colRef); ok && r.id == j.Mark.ID {
					c.Type = SemiJoin
					c.NullAware = false
					conj[i] = nil
					changed = true
					return &c
				}
				if isCall(p, "not") {
					if r, ok := p.Children()[0].(*colRef); ok && r.id == j.Mark.ID {
						c.Type = AntiJoin
						conj[i] = nil
						changed = true
						return &c
					}
				}
			}
			return &c
		case *Filter:
			c := *j
			c.Input = rewriteChain(j.Input)
			return &c
		}
		return m
	}
	in := rewriteChain(f.Input)
	if !changed {
		return n
	}
	var rest []expr.Expr
	for _, p := range conj {
		if p != nil {
			rest = append(rest, p)
		}
	}
	if len(rest) == 0 {
		return in
	}
	return &Filter{Input: in, Pred: conjunction(rest)}
}

// pushFilters moves conjuncts as close to the scans as they can go:
// through projections (substituted), into join conditions and join inputs,
// into scans.
func pushFilters(n Node, preds []expr.Expr) Node {
	switch n := n.(type) {
	case *Filter:
		var scans []map[int]bool
		for _, c := range conjuncts(n.Pred) {
			for _, f := range factorOr(c) {
				preds = append(preds, f)
				if isCall(f, "or") {
					if scans == nil {
						scans = scanColumnSets(n.Input)
					}
					preds = append(preds, impliedByOr(f, scans)...)
				}
			}
		}
		return pushFilters(n.Input, preds)
	case *Project:
		// Substitute the projection's expressions; keep conjuncts that
		// would duplicate work on volatile or subquery expressions above.
		m := map[int]expr.Expr{}
		for i, c := range n.Out {
			m[c.ID] = n.Exprs[i]
		}
		var down, keep []expr.Expr
		for _, p := range preds {
			s := substitute(p, m)
			if hasSubquery(s) || expr.IsVolatile(s) {
				keep = append(keep, p)
			} else {
				down = append(down, s)
			}
		}
		c := *n
		c.Input = pushFilters(n.Input, down)
		return wrapFilter(&c, keep)
	case *Sort:
		c := *n
		c.Input = pushFilters(n.Input, preds)
		return &c
	case *Join:
		return pushIntoJoin(n, preds)
	case *Scan:
		var keep []expr.Expr
		c := *n
		for _, p := range preds {
			if hasSubquery(p) {
				keep = append(keep, p)
				continue
			}
			c.Filters = append(c.Filters, p)
		}
		return wrapFilter(&c, keep)
	case *Aggregate:
		// Conjuncts over plain group columns (without grouping sets) can
		// run before grouping.
		var down, keep []expr.Expr
		groupIDs := map[int]expr.Expr{}
		if n.GroupingSets == nil {
			for i, g := range n.GroupBy {
				groupIDs[n.Out[i].ID] = g
			}
		}
		for _, p := range preds {
			r := refs(p)
			ok := len(r) > 0 && !hasSubquery(p)
			for id := range r {
				if _, g := groupIDs[id]; !g {
					ok = false
				}
			}
			if ok {
				down = append(down, substitute(p, groupIDs))
			} else {
				keep = append(keep, p)
			}
		}
		c := *n
		c.Input = pushFilters(n.Input, down)
		return wrapFilter(&c, keep)
	}
	return wrapFilter(mapInputs(n, func(in Node) Node { return pushFilters(in, nil) }), preds)
}

func wrapFilter(n Node, preds []expr.Expr) Node {
	if len(preds) == 0 {
		return n
	}
	return &Filter{Input: n, Pred: conjunction(preds)}
}

func pushIntoJoin(j *Join, preds []expr.Expr) Node {
	lids, rids := idSet(j.Left.Cols()), idSet(j.Right.Cols())
	var toLeft, toRight, toCond, keep []expr.Expr
	for _, p := range preds {
		r := refs(p)
		switch {
		case hasSubquery(p):
			keep = append(keep, p)
		case subset(r, lids) && j.Type != RightJoin && j.Type != FullJoin:
			toLeft = append(toLeft, p)
		case subset(r, rids) && (j.Type == InnerJoin):
			toRight = append(toRight, p)
		case j.Type == InnerJoin && subset(r, union(lids, rids)):
			toCond = append(toCond, p)
		default:
			keep = append(keep, p)
		}
	}
	c := *j
	// The join's own condition: conjuncts over one side move into that
	// side when the join type allows.
	var cond []expr.Expr
	for k, p := range conjuncts(j.Cond) {
		r := refs(p)
		switch {
		case hasSubquery(p), k == 0 && j.NullAware:
			// A null-aware join's first conjunct is its IN comparison,
			// whose NULLs decide the answer even when it reads one side.
			cond = append(cond, p)
		case len(r) > 0 && subset(r, lids) && (j.Type == InnerJoin || j.Type == RightJoin || j.Type == SemiJoin):
			toLeft = append(toLeft, p)
		case len(r) > 0 && subset(r, rids) && (j.Type == InnerJoin || j.Type == LeftJoin || j.Type == SemiJoin || j.Type == AntiJoin || j.Type == MarkJoin && !j.NullAware):
			toRight = append(toRight, p)
		default:
			cond = append(cond, p)
		}
	}
	cond = append(cond, toCond...)
	c.Cond = conjunction(cond)
	c.Left = pushFilters(j.Left, toLeft)
	c.Right = pushFilters(j.Right, toRight)
	return wrapFilter(&c, keep)
}

func union(a, b map[int]bool) map[int]bool {
	out := make(map[int]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// prune removes columns no ancestor needs: scans read fewer columns and
// projections compute fewer expressions.
func prune(n Node, need map[int]bool) Node {
	addRefs := func(m map[int]bool, es ...expr.Expr) {
		for _, e := range es {
			for id := range refs(e) {
				m[id] = true
			}
			walk(e, func(x expr.Expr) bool {
				if s, ok := x.(*subqueryExpr); ok {
					for id := range freeRefs(s.plan) {
						m[id] = true
					}
				}
				return true
			})
		}
	}
	copyNeed := func() map[int]bool {
		m := make(map[int]bool, len(need))
		for k := range need {
			m[k] = true
		}
		return m
	}
	switch n := n.(type) {
	case *Scan:
		c := *n
		c.Out, c.Project = nil, nil
		fneed := copyNeed()
		addRefs(fneed, n.Filters...)
		for i, col := range n.Out {
			if fneed[col.ID] {
				c.Out = append(c.Out, col)
				c.Project = append(c.Project, n.Project[i])
			}
		}
		if len(c.Out) == 0 && len(n.Out) > 0 {
			// Keep one column so the row count survives (count(*)).
			c.Out, c.Project = n.Out[:1], n.Project[:1]
		}
		// Columns read only by the scan's filters are dropped after it,
		// so a join building on the scan does not hold them (TPC-H q21:
		// the dates of late line items, 4 columns built instead of 2).
		var keep []Column
		for _, col := range c.Out {
			if need[col.ID] {
				keep = append(keep, col)
			}
		}
		if len(keep) > 0 && len(keep) < len(c.Out) {
			p := &Project{Input: &c, Out: keep}
			for _, col := range keep {
				p.Exprs = append(p.Exprs, newColRef(col))
			}
			return p
		}
		return &c
	case *Project:
		c := *n
		c.Exprs, c.Out = nil, nil
		for i, col := range n.Out {
			if need[col.ID] {
				c.Exprs = append(c.Exprs, n.Exprs[i])
				c.Out = append(c.Out, col)
			}
		}
		m := map[int]bool{}
		addRefs(m, c.Exprs...)
		c.Input = prune(n.Input, m)
		return &c
	case *Filter:
		m := copyNeed()
		addRefs(m, n.Pred)
		c := *n
		c.Input = prune(n.Input, m)
		return &c
	case *Sort:
		m := copyNeed()
		for _, k := range n.Keys {
			addRefs(m, k.Expr)
		}
		c := *n
		c.Input = prune(n.Input, m)
		return &c
	case *Limit:
		c := *n
		c.Input = prune(n.Input, need)
		return &c
	case *Join:
		m := copyNeed()
		if n.Cond != nil {
			addRefs(m, n.Cond)
		}
		c := *n
		c.Left = prune(n.Left, m)
		c.Right = prune(n.Right, m)
		return &c
	case *Aggregate:
		m := map[int]bool{}
		addRefs(m, nodeExprs(n)...)
		c := *n
		c.Input = prune(n.Input, m)
		return &c
	case *ProjectSet:
		m := copyNeed()
		addRefs(m, nodeExprs(n)...)
		c := *n
		c.Input = prune(n.Input, m)
		return &c
	case *LateralJoin:
		m := copyNeed()
		for _, col := range n.Outer {
			m[col.ID] = true
		}
		c := *n
		c.Input = prune(n.Input, m)
		c.Sub = prune(n.Sub, idSet(n.Sub.Cols()))
		return &c
	case *Window:
		m := copyNeed()
		addRefs(m, nodeExprs(n)...)
		c := *n
		c.Input = prune(n.Input, m)
		return &c
	case *Apply:
		m := copyNeed()
		for _, col := range n.Outer {
			m[col.ID] = true
		}
		if n.Left != nil {
			addRefs(m, n.Left)
		}
		c := *n
		c.Input = prune(n.Input, m)
		c.Sub = prune(n.Sub, idSet(n.Sub.Cols()))
		return &c
	}
	// Distinct, SetOp, RecursiveCTE, Values: every column matters.
	return mapInputs(n, func(in Node) Node { return prune(in, idSet(in.Cols())) })
}

// factorOr rewrites (A AND B) OR (A AND C) into A AND (B OR C), so a join
// condition repeated in every branch of an OR (TPC-H Q19) becomes a
// conjunct the join can use. It returns the resulting conjuncts.
func factorOr(e expr.Expr) []expr.Expr {
	if !isCall(e, "or") {
		return []expr.Expr{e}
	}
	branches := disjuncts(e)
	first := conjuncts(branches[0])
	var common []expr.Expr
	for _, c := range first {
		k := exprKey(c)
		inAll := true
		for _, b := range branches[1:] {
			found := false
			for _, d := range conjuncts(b) {
				if exprKey(d) == k {
					found = true
					break
				}
			}
			if !found {
				inAll = false
				break
			}
		}
		if inAll {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return []expr.Expr{e}
	}
	keys := map[string]bool{}
	for _, c := range common {
		keys[exprKey(c)] = true
	}
	var rest expr.Expr
	for _, b := range branches {
		var left []expr.Expr
		for _, d := range conjuncts(b) {
			if !keys[exprKey(d)] {
				left = append(left, d)
			}
		}
		if len(left) == 0 {
			// One branch is just the common part: the OR is implied by it.
			return common
		}
		br := conjunction(left)
		if rest == nil {
			rest = br
		} else {
			r, err := call("or", rest, br)
			if err != nil {
				return []expr.Expr{e}
			}
			rest = r
		}
	}
	return append(common, rest)
}

// impliedByOr derives from an OR one filter per scan that every branch
// restricts: the OR of each branch's conjuncts over that scan's columns
// alone. The OR itself stays (the derived filters are implied by it, not
// equal to it), but the scans can now drop rows early and the join order
// sees their selectivity: TPC-H q07's (n1 = FRANCE and n2 = GERMANY) or
// (n1 = GERMANY and n2 = FRANCE) filters each nation to two rows before
// the joins, and q19's three branches filter part and lineitem. PostgreSQL
// derives the same restrictions (extract_restriction_or_clauses).
func impliedByOr(e expr.Expr, scans []map[int]bool) []expr.Expr {
	branches := disjuncts(e)
	var out []expr.Expr
	all := refs(e)
	for _, cols := range scans {
		if subset(all, cols) {
			continue // the OR reads this scan alone: it is pushed whole
		}
		var implied expr.Expr
		for _, b := range branches {
			var own []expr.Expr
			for _, c := range conjuncts(b) {
				r := refs(c)
				if len(r) > 0 && subset(r, cols) && !hasSubquery(c) && !expr.IsVolatile(c) {
					own = append(own, c)
				}
			}
			if len(own) == 0 {
				implied = nil
				break
			}
			br := conjunction(own)
			if implied == nil {
				implied = br
				continue
			}
			r, err := call("or", implied, br)
			if err != nil {
				implied = nil
				break
			}
			implied = r
		}
		if implied != nil {
			out = append(out, implied)
		}
	}
	return out
}

// scanColumnSets lists the output columns of each scan under n.
func scanColumnSets(n Node) []map[int]bool {
	var out []map[int]bool
	walkPlan(n, func(x Node) {
		if s, ok := x.(*Scan); ok {
			out = append(out, idSet(s.Out))
		}
	})
	return out
}

// disjuncts splits an OR tree (into one slice: appending each branch's
// slice was quadratic on the deep chains long IN lists make).
func disjuncts(e expr.Expr) []expr.Expr {
	return appendDisjuncts(nil, e)
}

func appendDisjuncts(out []expr.Expr, e expr.Expr) []expr.Expr {
	if !isCall(e, "or") {
		return append(out, e)
	}
	for _, c := range e.Children() {
		out = appendDisjuncts(out, c)
	}
	return out
}

// optimizeSubqueries optimizes the plans of scalar subqueries used as
// expressions (each is its own query).
func (b *binder) optimizeSubqueries(n Node) Node {
	n = mapInputs(n, b.optimizeSubqueries)
	return mapExprs(n, func(e expr.Expr) expr.Expr {
		return rewrite(e, func(x expr.Expr) expr.Expr {
			if s, ok := x.(*subqueryExpr); ok {
				return &subqueryExpr{plan: b.optimize(s.plan), typ: s.typ}
			}
			return x
		})
	})
}
