package executor

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
)

// NestedLoopJoin compares every left row with every right row; it serves
// non-equi conditions and cross joins.
type NestedLoopJoin struct {
	left, right Operator
	typ         JoinType
	cond        expr.Expr
	schema      *arrow.Schema
	ec          *expr.Context
	rb          arrow.RecordBatch
	matched     []bool
	built       bool
	tailDone    bool
	pending     []arrow.RecordBatch
	// nullAware makes Mark and Anti three-valued (x op ANY (S), NOT IN):
	// a row with no true pair but a pair whose comparison cmp is NULL
	// (and whose other conditions, filter, hold) is unknown, not false.
	nullAware   bool
	cmp, filter expr.Expr
}

// NewNestedLoopJoin returns the join of left and right on cond (nil: true).
func NewNestedLoopJoin(left, right Operator, typ JoinType, cond expr.Expr) Operator {
	return &NestedLoopJoin{left: left, right: right, typ: typ, cond: cond, schema: joinSchema(left.Schema(), right.Schema(), typ)}
}

// NewNullAwareNestedLoopJoin is a Mark or Anti nested-loop join with
// three-valued matching on cmp (see NestedLoopJoin.nullAware); filter
// (nil: true) holds the other conditions, such as correlations.
func NewNullAwareNestedLoopJoin(left, right Operator, typ JoinType, cmp, filter expr.Expr) Operator {
	cond := cmp
	if filter != nil {
		cond = nil // evaluated as two masks below
	}
	j := NewNestedLoopJoin(left, right, typ, cond).(*NestedLoopJoin)
	j.nullAware, j.cmp, j.filter = true, cmp, filter
	return j
}

func (j *NestedLoopJoin) Schema() *arrow.Schema { return j.schema }
func (j *NestedLoopJoin) Open(ctx context.Context) error {
	j.ec = evalContext(ctx)
	j.built, j.tailDone, j.pending = false, false, nil
	if err := j.left.Open(ctx); err != nil {
		return err
	}
	return j.right.Open(ctx)
}
func (j *NestedLoopJoin) Close() error {
	e1 := j.left.Close()
	e2 := j.right.Close()
	if e1 != nil {
		return e1
	}
	return e2
}

func (j *NestedLoopJoin) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !j.built {
		rb, err := Materialize(ctx, j.right)
		if err != nil {
			return nil, err
		}
		j.rb = rb
		j.matched = make([]bool, rb.NumRows())
		j.built = true
	}
	for {
		if len(j.pending) > 0 {
			b := j.pending[0]
			j.pending = j.pending[1:]
			if b.NumRows() > 0 {
				return b, nil
			}
			continue
		}
		lb, err := j.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if lb == nil {
			if (j.typ == Right || j.typ == Full) && !j.tailDone {
				j.tailDone = true
				var li, ri []int64
				for r, m := range j.matched {
					if !m {
						li, ri = append(li, -1), append(ri, int64(r))
					}
				}
				if len(ri) == 0 {
					return nil, nil
				}
				empty := array.NewRecordBatch(j.left.Schema(), emptyCols(j.left.Schema()), 0)
				return pairRows(ctx, j.left.Schema(), j.right.Schema(), empty, j.rb, li, ri)
			}
			return nil, nil
		}
		if err := j.probe(ctx, lb); err != nil {
			return nil, err
		}
	}
}

// probe joins one left batch: pairs of (left row, right row) are built a
// block of left rows at a time and the condition is evaluated on each
// block as one batch.
func (j *NestedLoopJoin) probe(ctx context.Context, lb arrow.RecordBatch) error {
	n := int(lb.NumRows())
	nr := int(j.rb.NumRows())
	hit := make([]bool, n)
	unknown := make([]bool, n) // some pair's condition was NULL
	var li, ri []int64
	inner := j.typ == Inner || j.typ == Left || j.typ == Right || j.typ == Full
	flush := func() error {
		if len(li) == 0 {
			return nil
		}
		if inner {
			b, err := pairRows(ctx, j.left.Schema(), j.right.Schema(), lb, j.rb, li, ri)
			if err != nil {
				return err
			}
			j.pending = append(j.pending, b)
		}
		li, ri = nil, nil
		return nil
	}
	if nr > 0 {
		block := max(1, batch.Size/nr)
		for start := 0; start < n; start += block {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
			end := min(start+block, n)
			cl := make([]int64, 0, (end-start)*nr)
			cr := make([]int64, 0, (end-start)*nr)
			for i := start; i < end; i++ {
				for r := 0; r < nr; r++ {
					cl, cr = append(cl, int64(i)), append(cr, int64(r))
				}
			}
			var mask, fmask *array.Boolean
			cond := j.cond
			if j.nullAware {
				cond = j.cmp
			}
			if cond != nil || j.filter != nil {
				pairs, err := pairRows(ctx, j.left.Schema(), j.right.Schema(), lb, j.rb, cl, cr)
				if err != nil {
					return err
				}
				if cond != nil {
					m, err := cond.Eval(j.ec, pairs)
					if err != nil {
						return err
					}
					mask = m.(*array.Boolean)
				}
				if j.filter != nil {
					m, err := j.filter.Eval(j.ec, pairs)
					if err != nil {
						return err
					}
					fmask = m.(*array.Boolean)
				}
			}
			for p := range cl {
				if fmask != nil && !(fmask.IsValid(p) && fmask.Value(p)) {
					continue // not a row of the subquery for this left row
				}
				if mask != nil && !(mask.IsValid(p) && mask.Value(p)) {
					if !mask.IsValid(p) {
						unknown[cl[p]] = true
					}
					continue
				}
				hit[cl[p]] = true
				j.matched[cr[p]] = true
				li, ri = append(li, cl[p]), append(ri, cr[p])
			}
			if len(li) >= batch.Size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	switch j.typ {
	case Left, Full:
		for i := 0; i < n; i++ {
			if !hit[i] {
				li, ri = append(li, int64(i)), append(ri, -1)
			}
		}
		return flushPairs(ctx, j, lb, li, ri)
	case Semi, Anti:
		var rows []int64
		for i := 0; i < n; i++ {
			keep := hit[i] == (j.typ == Semi)
			if j.typ == Anti && j.nullAware && unknown[i] {
				keep = false // NOT IN with an unknown comparison is not true
			}
			if keep {
				rows = append(rows, int64(i))
			}
		}
		b, err := takeRows(ctx, j.schema, lb, rows)
		if err != nil {
			return err
		}
		j.pending = append(j.pending, b)
	case Mark:
		mark := array.NewBooleanBuilder(memory.DefaultAllocator)
		for i := 0; i < n; i++ {
			if !hit[i] && j.nullAware && unknown[i] {
				mark.AppendNull()
			} else {
				mark.Append(hit[i])
			}
		}
		cols := append(append([]arrow.Array(nil), lb.Columns()...), mark.NewArray())
		j.pending = append(j.pending, array.NewRecordBatch(j.schema, cols, int64(n)))
	}
	return nil
}

func flushPairs(ctx context.Context, j *NestedLoopJoin, lb arrow.RecordBatch, li, ri []int64) error {
	if len(li) == 0 {
		return nil
	}
	b, err := pairRows(ctx, j.left.Schema(), j.right.Schema(), lb, j.rb, li, ri)
	if err != nil {
		return err
	}
	j.pending = append(j.pending, b)
	return nil
}
