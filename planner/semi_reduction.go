package planner

import (
	"github.com/lakesql/lakesql/executor/expr"
)

// reduceGroupedJoins filters the input of an aggregate that is joined on
// its group keys (a decorrelated subquery: TPC-H q17's average quantity
// per part, q20's sum per part and supplier) to the keys the other side
// can hold: a semi join with the smallest subtree of the other side that
// produces those keys. The aggregate then groups the line items of 204
// parts instead of all 200,000. This is the magic-set rewrite of
// decorrelation (DuckDB's delim join); any superset of the joined keys is
// correct, since the join drops the groups nothing matches.
func (b *binder) reduceGroupedJoins(n Node) Node {
	n = mapInputs(n, b.reduceGroupedJoins)
	j, ok := n.(*Join)
	if !ok || (j.Type != LeftJoin && j.Type != InnerJoin) || j.Cond == nil {
		return n
	}
	// The right side: projections of an aggregate's group columns.
	proj := map[int]int{} // right column ID -> the aggregate output ID it is
	var agg *Aggregate
	var wrap []*Project
	for x := j.Right; agg == nil; {
		switch t := x.(type) {
		case *Project:
			wrap = append(wrap, t)
			x = t.Input
		case *Aggregate:
			agg = t
		default:
			return n
		}
	}
	if agg.GroupingSets != nil || len(agg.GroupBy) == 0 {
		return n
	}
	groupOf := map[int]expr.Expr{}
	for i, g := range agg.GroupBy {
		groupOf[agg.Out[i].ID] = g
	}
	// Map right column IDs down through the projections to group columns.
	resolve := func(id int) (int, bool) {
		for _, p := range wrap {
			found := false
			for i, c := range p.Out {
				if c.ID == id {
					r, ok := p.Exprs[i].(*colRef)
					if !ok {
						return 0, false
					}
					id, found = r.id, true
					break
				}
			}
			if !found {
				return 0, false
			}
		}
		_, ok := groupOf[id]
		return id, ok
	}
	keys, _ := splitJoinCond(j)
	var outer []*colRef
	var inner []expr.Expr
	for _, k := range keys {
		l, ok1 := k.left.(*colRef)
		r, ok2 := k.right.(*colRef)
		if !ok1 || !ok2 || k.nullEq {
			continue
		}
		if g, ok := resolve(r.id); ok {
			if _, used := proj[g]; used {
				continue
			}
			proj[g] = r.id
			outer = append(outer, l)
			inner = append(inner, groupOf[g])
		}
	}
	if len(outer) == 0 {
		return n
	}
	src := b.smallestSource(j.Left, outer)
	// Worth it when the keys' source is much smaller than what the
	// aggregate reads (the aggregate's own estimate knows too little of
	// the keys' domains to decide).
	if src == nil || b.estimate(src).rows > 0.5*b.estimate(agg.Input).rows {
		return n
	}
	var conds []expr.Expr
	for i, o := range outer {
		c, err := call("=", inner[i], o)
		if err != nil {
			return n
		}
		conds = append(conds, c)
	}
	a := *agg
	a.Input = &Join{Left: agg.Input, Right: src, Type: SemiJoin, Cond: conjunction(conds)}
	var right Node = &a
	for i := len(wrap) - 1; i >= 0; i-- {
		p := *wrap[i]
		p.Input = right
		right = &p
	}
	c := *j
	c.Right = right
	return &c
}

// smallestSource finds, on the path from n down to the scan of the first
// column, the subtree with the fewest estimated rows that still outputs
// every column of cols: a superset of the values n holds for them.
func (b *binder) smallestSource(n Node, cols []*colRef) Node {
	var best Node
	bestRows := 0.0
	for n != nil {
		ids := idSet(n.Cols())
		for _, c := range cols {
			if !ids[c.id] {
				return best
			}
		}
		if _, ok := n.(*Values); ok {
			return best
		}
		if r := b.estimate(n).rows; best == nil || r <= bestRows {
			best, bestRows = n, r
		}
		var next Node
		for _, in := range sourceInputs(n) {
			if idSet(in.Cols())[cols[0].id] {
				next = in
				break
			}
		}
		n = next
	}
	return best
}

// sourceInputs are the inputs of n whose rows n's rows come from without
// being multiplied into new values (filters, projections, inner and semi
// joins): a column's values in them cover its values in n.
func sourceInputs(n Node) []Node {
	switch t := n.(type) {
	case *Filter, *Project:
		return n.Inputs()
	case *Join:
		switch t.Type {
		case InnerJoin, SemiJoin, AntiJoin:
			return n.Inputs()
		case MarkJoin, LeftJoin:
			return []Node{t.Left}
		}
	}
	return nil
}
