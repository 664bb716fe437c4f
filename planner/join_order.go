package planner

import (
	"io/fs"
	"math"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor/expr"
)

// reorderJoins rewrites each tree of inner joins into a left-deep order
// chosen greedily: the largest input streams (probe side) and every next
// input is the smallest one connected to what is joined so far, so hash
// tables are built on small inputs and cross products are avoided whenever
// a join condition exists.
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
	if len(leaves) < 3 {
		c := *j
		c.Left, c.Right = leaves[0], leaves[1]
		return &c
	}
	est := make([]float64, len(leaves))
	for i, l := range leaves {
		est[i] = b.estimate(l)
	}
	used := make([]bool, len(leaves))
	start := 0
	for i := range leaves {
		if est[i] > est[start] {
			start = i
		}
	}
	used[start] = true
	cur := leaves[start]
	curIDs := idSet(cur.Cols())
	curEst := est[start]
	remaining := append([]expr.Expr(nil), conds...)
	for k := 1; k < len(leaves); k++ {
		// Prefer inputs joined by an equality (a hash join), then any
		// condition, then a cross product.
		best := -1
		for _, equiOnly := range []bool{true, false} {
			for i, l := range leaves {
				if used[i] {
					continue
				}
				if connected(remaining, curIDs, idSet(l.Cols()), equiOnly) {
					if best < 0 || est[i] < est[best] {
						best = i
					}
				}
			}
			if best >= 0 {
				break
			}
		}
		if best < 0 {
			for i := range leaves {
				if !used[i] && (best < 0 || est[i] < est[best]) {
					best = i
				}
			}
		}
		used[best] = true
		rids := idSet(leaves[best].Cols())
		all := union(curIDs, rids)
		var here, rest []expr.Expr
		for _, c := range remaining {
			if subset(refs(c), all) {
				here = append(here, c)
			} else {
				rest = append(rest, c)
			}
		}
		remaining = rest
		cur = &Join{Left: cur, Right: leaves[best], Type: InnerJoin, Cond: conjunction(here)}
		curIDs = all
		if len(here) == 0 {
			curEst *= est[best]
		} else {
			curEst = math.Max(curEst, est[best])
		}
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

func connected(conds []expr.Expr, a, b map[int]bool, equiOnly bool) bool {
	for _, c := range conds {
		if equiOnly && !isCall(c, "=") {
			continue
		}
		r := refs(c)
		if intersects(r, a) && intersects(r, b) && subset(r, union(a, b)) {
			return true
		}
	}
	return false
}

// estimate guesses a node's output size (in file bytes for scans, which is
// enough to rank inputs of one query against each other).
func (b *binder) estimate(n Node) float64 {
	switch n := n.(type) {
	case *Scan:
		size := 1e4
		if n.Rel.Kind == catalog.FileTable && n.Rel.Path != "" {
			if st, err := fs.Stat(b.env.Catalog.Root(), n.Rel.Path); err == nil && !st.IsDir() {
				size = float64(st.Size())
			} else if err == nil {
				size = 1e8
			}
		} else if n.Rel.Kind == catalog.MemoryTable {
			size = float64(n.Rel.Mem.NumRows()) * 50
		}
		for range n.Filters {
			size *= 0.3
		}
		return size
	case *Filter:
		return b.estimate(n.Input) * 0.3
	case *Aggregate:
		if len(n.GroupBy) == 0 {
			return 1
		}
		return b.estimate(n.Input) * 0.1
	case *Values:
		return float64(len(n.Rows))
	case *Join:
		if n.Type == InnerJoin && n.Cond == nil {
			return b.estimate(n.Left) * b.estimate(n.Right)
		}
		return math.Max(b.estimate(n.Left), b.estimate(n.Right))
	case *Limit:
		if n.Count >= 0 {
			return float64(n.Count)
		}
	}
	ins := n.Inputs()
	if len(ins) == 0 {
		return 1000
	}
	return b.estimate(ins[0])
}
