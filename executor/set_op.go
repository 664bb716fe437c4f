package executor

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind int

const (
	Union SetOpKind = iota
	Intersect
	Except
)

// SetOp combines two inputs of identical column types. UNION ALL streams;
// the others hash whole rows (NULLs equal), with multiset counts for ALL.
type SetOp struct {
	kind        SetOpKind
	all         bool
	left, right Operator
	onRight     bool
	out         slicer
	done        bool
	seen        *rowSet
}

// NewSetOp returns left kind right.
func NewSetOp(kind SetOpKind, all bool, left, right Operator) Operator {
	return &SetOp{kind: kind, all: all, left: left, right: right}
}

func (s *SetOp) Schema() *arrow.Schema { return s.left.Schema() }
func (s *SetOp) Open(ctx context.Context) error {
	s.onRight, s.done, s.out, s.seen = false, false, slicer{}, newRowSet(s.left.Schema())
	if err := s.left.Open(ctx); err != nil {
		return err
	}
	return s.right.Open(ctx)
}
func (s *SetOp) Close() error {
	e1 := s.left.Close()
	e2 := s.right.Close()
	if e1 != nil {
		return e1
	}
	return e2
}

func (s *SetOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.kind == Union {
		for {
			src := s.left
			if s.onRight {
				src = s.right
			}
			b, err := src.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				if s.onRight {
					return nil, nil
				}
				s.onRight = true
				continue
			}
			b = array.NewRecordBatch(s.Schema(), b.Columns(), b.NumRows())
			if s.all {
				return b, nil
			}
			if out, err := s.dedup(ctx, b); err != nil || (out != nil && out.NumRows() > 0) {
				return out, err
			}
		}
	}
	if !s.done {
		s.done = true
		lb, err := Materialize(ctx, s.left)
		if err != nil {
			return nil, err
		}
		rb, err := Materialize(ctx, s.right)
		if err != nil {
			return nil, err
		}
		// One table numbers the distinct rows of both sides: the right
		// rows are counted per number, then each left row is matched
		// against those counts.
		rows, err := s.intersectExcept(ctx, lb, rb)
		if err != nil {
			return nil, err
		}
		out, err := gatherRows(ctx, s.Schema(), lb, rows)
		if err != nil {
			return nil, err
		}
		s.out = slicer{b: out}
	}
	return s.out.next(), nil
}

// intersectExcept returns the rows of lb that INTERSECT or EXCEPT [ALL]
// keeps against rb.
func (s *SetOp) intersectExcept(ctx context.Context, lb, rb arrow.RecordBatch) ([]int32, error) {
	set := newRowSet(s.left.Schema())
	rn, ln := int(rb.NumRows()), int(lb.NumRows())
	rgroups := make([]uint32, rn)
	set.table.Insert(rb.Columns(), rn, rgroups, nil)
	lgroups := make([]uint32, ln)
	set.table.Insert(lb.Columns(), ln, lgroups, nil)
	counts := make([]int, set.table.Len())
	for _, g := range rgroups {
		counts[g]++
	}
	emitted := make([]bool, set.table.Len())
	var rows []int32
	for i, g := range lgroups {
		if i%batch.Size == 0 {
			if err := batch.CheckCancel(ctx); err != nil {
				return nil, err
			}
		}
		switch {
		case s.kind == Intersect && s.all:
			if counts[g] > 0 {
				counts[g]--
				rows = append(rows, int32(i))
			}
		case s.kind == Intersect:
			if counts[g] > 0 && !emitted[g] {
				emitted[g] = true
				rows = append(rows, int32(i))
			}
		case s.kind == Except && s.all:
			if counts[g] > 0 {
				counts[g]--
			} else {
				rows = append(rows, int32(i))
			}
		default:
			if counts[g] == 0 && !emitted[g] {
				emitted[g] = true
				rows = append(rows, int32(i))
			}
		}
	}
	return rows, nil
}

func (s *SetOp) dedup(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	rows := s.seen.add(b.Columns(), int(b.NumRows()))
	if len(rows) == int(b.NumRows()) {
		return b, nil
	}
	return gatherRows(ctx, b.Schema(), b, rows)
}

// Distinct removes duplicate rows (first occurrence wins).
type Distinct struct {
	input Operator
	seen  *rowSet
}

// NewDistinct returns input without duplicate rows.
func NewDistinct(input Operator) Operator { return &Distinct{input: input} }

func (d *Distinct) Schema() *arrow.Schema { return d.input.Schema() }
func (d *Distinct) Open(ctx context.Context) error {
	d.seen = newRowSet(d.input.Schema())
	return d.input.Open(ctx)
}
func (d *Distinct) Close() error { return d.input.Close() }
func (d *Distinct) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		b, err := d.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		rows := d.seen.add(b.Columns(), int(b.NumRows()))
		if len(rows) == 0 {
			continue
		}
		if len(rows) == int(b.NumRows()) {
			return b, nil
		}
		return gatherRows(ctx, b.Schema(), b, rows)
	}
}

// RecursiveUnion evaluates WITH RECURSIVE: the anchor, then the recursive
// part over the previous iteration's rows until it yields none.
type RecursiveUnion struct {
	anchor    Operator
	recursive func(work Operator) (Operator, error)
	all       bool
	max       int
	out       []arrow.RecordBatch
	done      bool
	seen      *rowSet
}

// NewRecursiveUnion returns the fixpoint of anchor UNION [ALL] recursive.
func NewRecursiveUnion(anchor Operator, recursive func(work Operator) (Operator, error), all bool, maxIterations int) Operator {
	return &RecursiveUnion{anchor: anchor, recursive: recursive, all: all, max: maxIterations}
}

func (r *RecursiveUnion) Schema() *arrow.Schema { return r.anchor.Schema() }
func (r *RecursiveUnion) Open(ctx context.Context) error {
	r.done, r.out, r.seen = false, nil, newRowSet(r.anchor.Schema())
	return r.anchor.Open(ctx)
}
func (r *RecursiveUnion) Close() error { return r.anchor.Close() }

func (r *RecursiveUnion) keep(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	b = array.NewRecordBatch(r.Schema(), b.Columns(), b.NumRows())
	if r.all {
		return b, nil
	}
	rows := r.seen.add(b.Columns(), int(b.NumRows()))
	return gatherRows(ctx, r.Schema(), b, rows)
}

func (r *RecursiveUnion) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !r.done {
		r.done = true
		var work []arrow.RecordBatch
		for {
			b, err := r.anchor.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if b, err = r.keep(ctx, b); err != nil {
				return nil, err
			}
			if b.NumRows() > 0 {
				work = append(work, b)
			}
		}
		r.out = append(r.out, work...)
		var total int64
		for it := 0; len(work) > 0; it++ {
			if it >= r.max {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "recursive query exceeded %d iterations", r.max)
			}
			op, err := r.recursive(NewBatches(r.Schema(), work))
			if err != nil {
				return nil, err
			}
			if err := op.Open(ctx); err != nil {
				op.Close()
				return nil, err
			}
			var next []arrow.RecordBatch
			for {
				if err := batch.CheckCancel(ctx); err != nil {
					op.Close()
					return nil, err
				}
				b, err := op.Next(ctx)
				if err != nil {
					op.Close()
					return nil, err
				}
				if b == nil {
					break
				}
				if b, err = r.keep(ctx, b); err != nil {
					op.Close()
					return nil, err
				}
				if b.NumRows() > 0 {
					next = append(next, b)
					total += b.NumRows()
				}
			}
			op.Close()
			r.out = append(r.out, next...)
			work = next
		}
	}
	if len(r.out) == 0 {
		return nil, nil
	}
	b := r.out[0]
	r.out = r.out[1:]
	return b, nil
}

// ScalarSubquery is an uncorrelated subquery used as a value: its plan runs
// once per execution, on first use. The instances of a parallel pipeline
// share one, so it is safe for concurrent use.
type ScalarSubquery struct {
	plan  Operator
	typ   arrow.DataType
	mu    sync.Mutex
	value arrow.Array // one element, once computed
}

// NewScalarSubquery returns an expression whose value is plan's single row.
func NewScalarSubquery(plan Operator) expr.Expr {
	return &ScalarSubquery{plan: plan, typ: plan.Schema().Field(0).Type}
}

func (s *ScalarSubquery) Type() arrow.DataType               { return s.typ }
func (s *ScalarSubquery) String() string                     { return "(subquery)" }
func (s *ScalarSubquery) Children() []expr.Expr              { return nil }
func (s *ScalarSubquery) WithChildren([]expr.Expr) expr.Expr { return s }
func (s *ScalarSubquery) Eval(ec *expr.Context, b arrow.RecordBatch) (arrow.Array, error) {
	v, err := s.compute(ec)
	if err != nil {
		return nil, err
	}
	return repeatValue(ec, v, int(b.NumRows()))
}

// compute runs the plan once and keeps its value.
func (s *ScalarSubquery) compute(ec *expr.Context) (arrow.Array, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value == nil {
		ctx := ec.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		if err := s.plan.Open(ctx); err != nil {
			s.plan.Close()
			return nil, err
		}
		var found arrow.Array
		for {
			r, err := s.plan.Next(ctx)
			if err != nil {
				s.plan.Close()
				return nil, err
			}
			if r == nil {
				break
			}
			if r.NumRows() == 0 {
				continue
			}
			if found != nil || r.NumRows() > 1 {
				s.plan.Close()
				return nil, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			found = r.Column(0)
		}
		s.plan.Close()
		if found == nil {
			found = array.MakeArrayOfNull(ec.Mem, s.typ, 1)
		}
		s.value = found
	}
	return s.value, nil
}

func repeatValue(ec *expr.Context, v arrow.Array, n int) (arrow.Array, error) {
	rows := make([]int64, n)
	s := arrow.NewSchema([]arrow.Field{{Name: "v", Type: v.DataType(), Nullable: true}}, nil)
	b, err := takeRows(ec.Ctx, s, array.NewRecordBatch(s, []arrow.Array{v}, int64(v.Len())), rows)
	if err != nil {
		return nil, err
	}
	return b.Column(0), nil
}
