package planner

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor/expr"
)

// dictionaryKeys lets a file scan return text columns dictionary-encoded
// (see batch.DictionaryOf) where the one use of the column is as a plain
// group key of the aggregate above, with only projections and filters
// that pass it along between them. The aggregate's hash table then packs
// each dictionary value once rather than each row's text, and the reader
// copies no text: TPC-H q01 groups six million line items by two
// one-letter columns. Every other operator would have to decode the
// arrays, so the rule is strict about the path: a column the filters or
// any other expression on the way read stays plain, as does a column of
// an aggregate with DISTINCT or ORDER BY arguments (they keep key
// arrays). It runs last, on the pruned plan.
func dictionaryKeys(n Node) Node {
	n = mapInputs(n, dictionaryKeys)
	a, ok := n.(*Aggregate)
	if !ok {
		return n
	}
	for _, c := range a.Aggs {
		if c.Distinct || len(c.OrderBy) > 0 {
			return n
		}
	}
	uses := map[int]int{}
	for _, e := range nodeExprs(a) {
		walk(e, func(x expr.Expr) bool {
			if r, ok := x.(*colRef); ok {
				uses[r.id]++
			}
			return true
		})
	}
	ids := map[int]bool{}
	for _, g := range a.GroupBy {
		if r, ok := g.(*colRef); ok && uses[r.id] == 1 && isPlainText(r.typ) {
			ids[r.id] = true
		}
	}
	if len(ids) == 0 {
		return n
	}
	in, ok := markDictionary(a.Input, ids)
	if !ok {
		return n
	}
	c := *a
	c.Input = in
	return &c
}

func isPlainText(t arrow.DataType) bool { return t.ID() == arrow.STRING }

// markDictionary rebuilds n with its file scan returning the columns ids
// (of n's output) dictionary-encoded, where the way down is projections
// and filters that only pass them along; ok is false when no column is
// left to mark.
func markDictionary(n Node, ids map[int]bool) (Node, bool) {
	switch n := n.(type) {
	case *Project:
		// A column passes a projection as a bare reference, and the
		// projection's other expressions must not read it.
		uses := map[int]int{}
		for _, e := range n.Exprs {
			for id := range refs(e) {
				uses[id]++
			}
		}
		down := map[int]bool{}
		for i, col := range n.Out {
			if r, ok := n.Exprs[i].(*colRef); ok && ids[col.ID] && uses[r.id] == 1 {
				down[r.id] = true
			}
		}
		return markInput(n, n.Input, down)
	case *Filter:
		return markInput(n, n.Input, without(ids, refs(n.Pred)))
	case *Scan:
		if n.Rel.Kind != catalog.FileTable {
			return n, false
		}
		read := map[int]bool{}
		for _, f := range n.Filters {
			for id := range refs(f) {
				read[id] = true
			}
		}
		down := without(ids, read)
		c := *n
		c.Dictionary = make([]bool, len(n.Out))
		marked := false
		for i, col := range n.Out {
			if down[col.ID] {
				c.Dictionary[i] = true
				marked = true
			}
		}
		if !marked {
			return n, false
		}
		return &c, true
	}
	return n, false
}

// markInput is markDictionary of n's one input in for the columns down
// (of in's output), n rebuilt over the result.
func markInput(n, in Node, down map[int]bool) (Node, bool) {
	if len(down) == 0 {
		return n, false
	}
	marked, ok := markDictionary(in, down)
	if !ok {
		return n, false
	}
	return mapInputs(n, func(Node) Node { return marked }), true
}

// without is ids less the ones in drop.
func without(ids, drop map[int]bool) map[int]bool {
	out := map[int]bool{}
	for id := range ids {
		if !drop[id] {
			out[id] = true
		}
	}
	return out
}
