package planner

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
)

// reorderJoins rewrites each tree of inner joins into the left-deep order
// of least estimated cost (dynamic programming over subsets of inputs, or
// greedily for more than maxDPInputs), then gives each hash join the
// smaller of its two sides as the side it builds on. Cardinalities come
// from the tables' statistics through the catalog (see estimate).
func reorderJoins(b *binder, n Node) Node {
	j, ok := n.(*Join)
	if !ok || j.Type != InnerJoin {
		return mapInputs(n, func(in Node) Node { return reorderJoins(b, in) })
	}
	var leaves []Node
	var conds []expr.Expr
	var collect func(m Node)
	collect = func(m Node) {
		if jj, ok := m.(*Join); ok && jj.Type == InnerJoin {
			collect(jj.Left)
			collect(jj.Right)
			conds = append(conds, conjuncts(jj.Cond)...)
			return
		}
		leaves = append(leaves, reorderJoins(b, m))
	}
	collect(j)
	ests := make([]estimate, len(leaves))
	ids := make([]map[int]bool, len(leaves))
	for i, l := range leaves {
		ests[i] = b.estimate(l)
		ids[i] = idSet(l.Cols())
	}
	order := joinOrder(ests, ids, conds)
	cur := leaves[order[0]]
	curIDs := ids[order[0]]
	curEst := ests[order[0]]
	remaining := append([]expr.Expr(nil), conds...)
	for _, i := range order[1:] {
		all := union(curIDs, ids[i])
		var here, rest []expr.Expr
		for _, c := range remaining {
			if subset(refs(c), all) {
				here = append(here, c)
			} else {
				rest = append(rest, c)
			}
		}
		remaining = rest
		// The hash join builds on its right side: the smaller one.
		left, right := cur, leaves[i]
		if ests[i].rows > curEst.rows {
			left, right = right, left
		}
		cur = &Join{Left: left, Right: right, Type: InnerJoin, Cond: conjunction(here)}
		curEst = joined(curEst, ests[i], here)
		curIDs = all
	}
	if len(remaining) > 0 {
		cur = &Filter{Input: cur, Pred: conjunction(remaining)}
	}
	// Restore the original column order.
	orig := j.Cols()
	p := &Project{Input: cur, Out: orig}
	for _, c := range orig {
		p.Exprs = append(p.Exprs, newColRef(c))
	}
	return p
}

// maxDPInputs bounds the inputs ordered by dynamic programming (2^n
// subsets); larger join trees are ordered greedily.
const maxDPInputs = 10

// joinOrder returns the order in which to join the inputs left-deep.
func joinOrder(ests []estimate, ids []map[int]bool, conds []expr.Expr) []int {
	n := len(ests)
	if n <= 2 {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if n == 2 && ests[1].rows > ests[0].rows {
			order[0], order[1] = 1, 0
		}
		return order
	}
	if n > maxDPInputs {
		return greedyOrder(ests, ids, conds)
	}
	// best[S]: the cheapest left-deep plan joining the inputs in S.
	type plan struct {
		cost  float64
		est   estimate
		order []int
		ids   map[int]bool
		ok    bool
	}
	best := make([]plan, 1<<n)
	for i := 0; i < n; i++ {
		best[1<<i] = plan{est: ests[i], order: []int{i}, ids: ids[i], ok: true}
	}
	for s := 1; s < 1<<n; s++ {
		if bits.OnesCount(uint(s)) < 2 {
			continue
		}
		for i := 0; i < n; i++ {
			if s&(1<<i) == 0 {
				continue
			}
			prev := best[s&^(1<<i)]
			if !prev.ok {
				continue
			}
			here := joinConds(conds, prev.ids, ids[i])
			// Cross products only when nothing connects the inputs.
			penalty := 1.0
			if len(here) == 0 && anyConnects(conds, prev.ids, ids, s, n) {
				penalty = 1e6
			}
			e := joined(prev.est, ests[i], here)
			build := math.Min(prev.est.rows, ests[i].rows)
			cost := (prev.cost + e.rows + 2*build) * penalty
			if !best[s].ok || cost < best[s].cost {
				best[s] = plan{cost: cost, est: e, order: append(append([]int(nil), prev.order...), i), ids: union(prev.ids, ids[i]), ok: true}
			}
		}
	}
	return best[1<<n-1].order
}

// anyConnects reports whether some input of s other than those in prev
// has a join condition with prev (so a cross product can be avoided).
func anyConnects(conds []expr.Expr, prev map[int]bool, ids []map[int]bool, s, n int) bool {
	for k := 0; k < n; k++ {
		if s&(1<<k) != 0 && !subset(ids[k], prev) && len(joinConds(conds, prev, ids[k])) > 0 {
			return true
		}
	}
	return false
}

// greedyOrder starts from the largest input and adds, each time, the
// connected input that gives the smallest result.
func greedyOrder(ests []estimate, ids []map[int]bool, conds []expr.Expr) []int {
	n := len(ests)
	used := make([]bool, n)
	start := 0
	for i := range ests {
		if ests[i].rows > ests[start].rows {
			start = i
		}
	}
	order := []int{start}
	used[start] = true
	cur, curIDs := ests[start], ids[start]
	for len(order) < n {
		best, bestRows, bestConnected := -1, 0.0, false
		for i := range ests {
			if used[i] {
				continue
			}
			here := joinConds(conds, curIDs, ids[i])
			rows := joined(cur, ests[i], here).rows
			connected := len(here) > 0
			if best < 0 || connected && !bestConnected || connected == bestConnected && rows < bestRows {
				best, bestRows, bestConnected = i, rows, connected
			}
		}
		used[best] = true
		order = append(order, best)
		cur = joined(cur, ests[best], joinConds(conds, curIDs, ids[best]))
		curIDs = union(curIDs, ids[best])
	}
	return order
}

// joinConds returns the conditions that join a and b (refer to both and
// to nothing else).
func joinConds(conds []expr.Expr, a, b map[int]bool) []expr.Expr {
	var out []expr.Expr
	for _, c := range conds {
		r := refs(c)
		if intersects(r, a) && intersects(r, b) && subset(r, union(a, b)) {
			out = append(out, c)
		}
	}
	return out
}

// estimate is what the planner guesses of a plan node's output: its rows,
// and per column the size of its value domain, taken as the row count of
// the table the column comes from (before any filter). For a key that is
// its number of values; a join of a key with a foreign key then keeps
// |L| * |R| / domain rows, which accounts for filters on either side.
type estimate struct {
	rows float64
	ndv  map[int]float64
}

// joined estimates the inner join of a and b under conds: rows multiply
// and an equality divides by the smaller of its columns' domains (the
// key's, when a key meets a foreign key); other conditions keep a third
// of the rows.
func joined(a, b estimate, conds []expr.Expr) estimate {
	rows := a.rows * b.rows
	div := 1.0
	other := 1.0
	for _, c := range conds {
		if isCall(c, "=") || isCall(c, "<=>") {
			k := c.Children()
			na, nb := columnNDV(k[0], a, b), columnNDV(k[1], a, b)
			if na > 0 && nb > 0 {
				div = math.Max(div, math.Min(na, nb))
				continue
			}
		}
		other *= 0.33
	}
	rows = math.Max(1, rows/div*other)
	ndv := make(map[int]float64, len(a.ndv)+len(b.ndv))
	for id, v := range a.ndv {
		ndv[id] = v
	}
	for id, v := range b.ndv {
		ndv[id] = v
	}
	return estimate{rows: rows, ndv: ndv}
}

// columnNDV is the distinct values of a column reference, found in a or b.
func columnNDV(e expr.Expr, a, b estimate) float64 {
	r, ok := e.(*colRef)
	if !ok {
		return 0
	}
	if v, ok := a.ndv[r.id]; ok {
		return v
	}
	return b.ndv[r.id]
}

// estimate guesses a node's output from table statistics and fixed
// selectivities for predicates (there are no column statistics yet).
func (b *binder) estimate(n Node) estimate {
	switch n := n.(type) {
	case *Scan:
		rows := 1000.0
		var cols []connectors.ColumnStats
		switch n.Rel.Kind {
		case catalog.FileTable:
			if st, err := n.Rel.File.Stats(b.ctx); err == nil {
				rows, cols = float64(st.Rows), st.Columns
			}
		case catalog.MemoryTable:
			rows = float64(n.Rel.Mem.NumRows())
		}
		rows = math.Max(rows, 1)
		ndv := make(map[int]float64, len(n.Out))
		for i, c := range n.Out {
			ndv[c.ID] = rows
			// An integer column holds at most max-min+1 values (25
			// nation keys in a table of 150,000 customers).
			if p := n.Project[i]; p < len(cols) {
				if span, ok := integerSpan(cols[p]); ok {
					ndv[c.ID] = math.Max(1, math.Min(rows, span))
				}
			}
		}
		for _, f := range n.Filters {
			rows *= selectivity(f)
		}
		return estimate{rows: math.Max(rows, 1), ndv: ndv}
	case *Filter:
		in := b.estimate(n.Input)
		in.rows = math.Max(1, in.rows*selectivity(n.Pred))
		return in
	case *Project:
		in := b.estimate(n.Input)
		ndv := make(map[int]float64, len(n.Out))
		for i, e := range n.Exprs {
			if r, ok := e.(*colRef); ok {
				if v, ok := in.ndv[r.id]; ok {
					ndv[n.Out[i].ID] = v
					continue
				}
			}
			ndv[n.Out[i].ID] = in.rows
		}
		return estimate{rows: in.rows, ndv: ndv}
	case *Aggregate:
		in := b.estimate(n.Input)
		rows := 1.0
		if len(n.GroupBy) > 0 || len(n.GroupingSets) > 0 {
			rows = math.Max(1, in.rows/10)
		}
		return outEstimate(n, rows)
	case *Join:
		l, r := b.estimate(n.Left), b.estimate(n.Right)
		switch n.Type {
		case InnerJoin:
			return joined(l, r, conjuncts(n.Cond))
		case LeftJoin:
			e := joined(l, r, conjuncts(n.Cond))
			e.rows = math.Max(e.rows, l.rows)
			return e
		case SemiJoin, AntiJoin:
			// The share of the left rows whose key is among the right's.
			share := 0.5
			if keys, _ := splitJoinCond(n); len(keys) > 0 {
				if d := columnNDV(keys[0].left, l, r); d > 0 {
					share = math.Min(1, r.rows/d)
				}
			}
			if n.Type == AntiJoin {
				share = math.Max(0.1, 1-share)
			}
			l.rows = math.Max(1, l.rows*share)
			return l
		case MarkJoin:
			return l
		}
		e := joined(l, r, conjuncts(n.Cond))
		e.rows = math.Max(e.rows, math.Max(l.rows, r.rows))
		return e
	case *Values:
		return outEstimate(n, float64(len(n.Rows)))
	case *Limit:
		in := b.estimate(n.Input)
		if n.Count >= 0 {
			in.rows = math.Min(in.rows, float64(n.Count))
		}
		return in
	}
	ins := n.Inputs()
	if len(ins) == 0 {
		return outEstimate(n, 1000)
	}
	in := b.estimate(ins[0])
	e := outEstimate(n, in.rows)
	for id, v := range in.ndv {
		if _, ok := e.ndv[id]; ok {
			e.ndv[id] = v
		}
	}
	return e
}

// outEstimate is rows rows whose every column may be distinct.
func outEstimate(n Node, rows float64) estimate {
	ndv := map[int]float64{}
	for _, c := range n.Cols() {
		ndv[c.ID] = rows
	}
	return estimate{rows: rows, ndv: ndv}
}

// selectivity guesses the share of rows a predicate keeps.
func selectivity(e expr.Expr) float64 {
	c, ok := e.(interface{ FuncName() string })
	if !ok {
		return 0.3
	}
	args := e.Children()
	switch c.FuncName() {
	case "and":
		s := 1.0
		for _, a := range args {
			s *= selectivity(a)
		}
		return s
	case "or":
		s := 0.0
		for _, a := range args {
			s += selectivity(a)
		}
		return math.Min(1, s)
	case "not":
		return 1 - selectivity(args[0])
	case "=", "<=>":
		return 0.1
	case "<>":
		return 0.9
	case "<", "<=", ">", ">=":
		return 0.3
	case "like", "ilike", "~":
		return 0.1
	case "not like", "not ilike":
		return 0.9
	case "is_null":
		return 0.05
	case "is_not_null":
		return 0.95
	}
	return 0.3
}

// integerSpan is max-min+1 of an integer or date column's bounds.
func integerSpan(s connectors.ColumnStats) (float64, bool) {
	if s.Min == nil || s.Max == nil {
		return 0, false
	}
	switch lo := s.Min.(type) {
	case *scalar.Int64:
		if hi, ok := s.Max.(*scalar.Int64); ok {
			return float64(hi.Value) - float64(lo.Value) + 1, true
		}
	case *scalar.Int32:
		if hi, ok := s.Max.(*scalar.Int32); ok {
			return float64(hi.Value) - float64(lo.Value) + 1, true
		}
	case *scalar.Int16:
		if hi, ok := s.Max.(*scalar.Int16); ok {
			return float64(hi.Value) - float64(lo.Value) + 1, true
		}
	case *scalar.Date32:
		if hi, ok := s.Max.(*scalar.Date32); ok {
			return float64(hi.Value) - float64(lo.Value) + 1, true
		}
	}
	return 0, false
}
