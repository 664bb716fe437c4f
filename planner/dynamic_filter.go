package planner

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
)

// Dynamic filters. A hash join whose probe rows can only matter when
// their key is among the build's (an inner or semi join probing with its
// left input; a semi, anti or left join that builds its left input and
// probes with its right) hands its build's keys to the file scan that produces the
// probe key: once the build is done the scan drops rows whose key is
// missing before it decodes their other columns, and skips row groups
// whose key range misses them (see batch.KeySet). TPC-H q17 probes all of
// lineitem with the keys of 204 parts; q18 with 57 orders.
//
// The key must reach the join unchanged from the scan, through filters,
// projections and the left inputs of other joins (whatever those joins
// do with a row, a row whose key the upper join lacks yields nothing the
// upper join keeps: a NULL-extended row has a NULL key, which matches
// nothing). The marks are made on the plan before it is lowered, so that
// the scan's morsels, made before the join's instances are lowered, carry
// the filter.

// markDynamicFilters marks the joins of n that publish their keys and the
// scans that read them. Subqueries run per row (Apply, LATERAL), recursive
// terms and shared WITH queries are left alone: they are lowered more than
// once.
func (lw *lowering) markDynamicFilters(n Node) {
	switch n := n.(type) {
	case *Apply:
		lw.markDynamicFilters(n.Input)
		return
	case *LateralJoin:
		lw.markDynamicFilters(n.Input)
		return
	case *RecursiveCTE, *CTE:
		return
	case *Join:
		lw.markDynamicFilter(n)
	}
	for _, in := range n.Inputs() {
		lw.markDynamicFilters(in)
	}
}

func (lw *lowering) markDynamicFilter(n *Join) {
	if n.NullAware || n.Publish != nil { // marked already
		return
	}
	buildsLeft := lw.buildsLeft(n)
	if !buildsLeft && n.Type != InnerJoin && n.Type != SemiJoin {
		return
	}
	keys, _ := splitJoinCond(n)
	// Each key that is an integer column on both sides and comes from a
	// scan of the probe side: a row whose value of it the build lacks
	// matches nothing, whatever the other keys hold. All of them, as
	// which one filters is known only once the build is done (TPC-H q09
	// joins partsupp on supplier and part: every supplier is in the
	// build, a twentieth of the parts).
	for i, k := range keys {
		l, ok1 := k.left.(*colRef)
		r, ok2 := k.right.(*colRef)
		if k.nullEq || !ok1 || !ok2 || !arrow.TypeEqual(l.typ, r.typ) {
			continue
		}
		switch l.typ.ID() {
		case arrow.INT32, arrow.INT64, arrow.DATE32:
		default:
			continue
		}
		probe, key := n.Left, l
		if buildsLeft {
			// A right semi, anti or outer join: the right input probes,
			// and its rows without a match yield nothing.
			probe, key = n.Right, r
		}
		if scan, col := probeScan(probe, key.id); scan != nil {
			f := batch.KeyFilter{Set: &batch.KeySet{}, Key: i}
			n.Publish = append(n.Publish, f)
			scan.Dynamic = append(scan.Dynamic, connectors.ColumnPredicate{Column: col, Op: connectors.OpInKeys, Keys: f.Set})
		}
	}
}

// probeScan finds the file scan that produces column id for n unchanged,
// and the table column it reads.
func probeScan(n Node, id int) (*Scan, int) {
	switch n := n.(type) {
	case *Scan:
		if n.Rel.Kind != catalog.FileTable {
			return nil, -1
		}
		for i, c := range n.Out {
			if c.ID == id {
				return n, n.Project[i]
			}
		}
	case *Filter:
		return probeScan(n.Input, id)
	case *Project:
		for i, c := range n.Out {
			if c.ID == id {
				if r, ok := n.Exprs[i].(*colRef); ok {
					return probeScan(n.Input, r.id)
				}
				return nil, -1
			}
		}
	case *Join:
		for _, c := range n.Left.Cols() {
			if c.ID == id {
				return probeScan(n.Left, id)
			}
		}
	}
	return nil, -1
}
