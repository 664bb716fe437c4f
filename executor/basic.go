package executor

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
)

// evalContext returns the expression context for a query running under ctx.
// The statement's start time and time zone travel in ctx (see WithEval).
func evalContext(ctx context.Context) *expr.Context {
	if ec, ok := ctx.Value(evalKey{}).(*expr.Context); ok {
		c := *ec
		c.Ctx = ctx
		return &c
	}
	return expr.NewContext(ctx, time.UTC)
}

type evalKey struct{}

// WithEval attaches a statement's evaluation settings (now(), time zone)
// to ctx, for every operator of its plan.
func WithEval(ctx context.Context, ec *expr.Context) context.Context {
	return context.WithValue(ctx, evalKey{}, ec)
}

// scanJoin is how many small batches a Scan joins into one at most.
const scanJoin = 16

// Scan reads batches from a batch.Reader opened at Open time.
type Scan struct {
	schema *arrow.Schema
	open   func(ctx context.Context) (batch.Reader, error)
	r      batch.Reader
	carry  arrow.RecordBatch // read, to be returned next
}

// NewScan returns an operator over the reader open returns.
func NewScan(schema *arrow.Schema, open func(ctx context.Context) (batch.Reader, error)) Operator {
	return &Scan{schema: schema, open: open}
}

func (s *Scan) Schema() *arrow.Schema { return s.schema }
func (s *Scan) Open(ctx context.Context) error {
	r, err := s.open(ctx)
	if err != nil {
		return err
	}
	s.r, s.carry = r, nil
	return nil
}
func (s *Scan) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	var small []arrow.RecordBatch
	held := int64(0)
	for {
		b, err := s.carry, error(nil)
		if s.carry != nil {
			s.carry = nil
		} else if b, err = s.r.Next(ctx); err != nil {
			return nil, err
		}
		if b == nil {
			if len(small) > 0 {
				return concatBatches(s.schema, small)
			}
			return nil, nil
		}
		if b.NumRows() == 0 {
			continue
		}
		if !b.Schema().Equal(s.schema) {
			b = batch.NewRecord(s.schema, b.Columns(), b.NumRows())
		}
		// A reader that filtered rows out may return a few at a time:
		// up to scanJoin of them are joined into a batch of a useful
		// size, as each batch costs every operator above a fixed amount
		// of work (q14, q15). The bound keeps a rare match from waiting
		// for many more reads (a LIMIT 1 that has its row).
		if b.NumRows() >= batch.Size/2 {
			if len(small) == 0 {
				return b, nil
			}
			s.carry = b // after the small ones
			return concatBatches(s.schema, small)
		}
		small = append(small, b)
		held += b.NumRows()
		if held >= batch.Size/2 || len(small) == scanJoin {
			return concatBatches(s.schema, small)
		}
	}
}
func (s *Scan) Close() error {
	if s.r != nil {
		err := s.r.Close()
		s.r = nil
		return err
	}
	return nil
}

// Batches serves materialised batches (in-memory tables).
type Batches struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
	i       int
}

// NewBatches returns an operator over fixed batches.
func NewBatches(schema *arrow.Schema, batches []arrow.RecordBatch) Operator {
	return &Batches{schema: schema, batches: batches}
}

func (b *Batches) Schema() *arrow.Schema          { return b.schema }
func (b *Batches) Open(ctx context.Context) error { b.i = 0; return nil }
func (b *Batches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for b.i < len(b.batches) {
		r := b.batches[b.i]
		b.i++
		if r.NumRows() > 0 {
			return r, nil
		}
	}
	return nil, nil
}
func (b *Batches) Close() error { return nil }

// Values evaluates constant rows once.
type Values struct {
	schema *arrow.Schema
	rows   [][]expr.Expr
	done   bool
}

// NewValues returns an operator producing rows of constant expressions.
func NewValues(schema *arrow.Schema, rows [][]expr.Expr) Operator {
	return &Values{schema: schema, rows: rows}
}

func (v *Values) Schema() *arrow.Schema          { return v.schema }
func (v *Values) Open(ctx context.Context) error { v.done = false; return nil }
func (v *Values) Close() error                   { return nil }
func (v *Values) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if v.done {
		return nil, nil
	}
	v.done = true
	ec := evalContext(ctx)
	n := len(v.rows)
	one := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	cols := make([]arrow.Array, v.schema.NumFields())
	for c := range cols {
		parts := make([]arrow.Array, n)
		for r, row := range v.rows {
			a, err := row[c].Eval(ec, one)
			if err != nil {
				return nil, err
			}
			if !arrow.TypeEqual(a.DataType(), v.schema.Field(c).Type) {
				if a.DataType().ID() == arrow.NULL {
					a = array.MakeArrayOfNull(ec.Mem, v.schema.Field(c).Type, 1)
				} else {
					return nil, sqlerr.New(sqlerr.InternalError, "VALUES column %d: %s is not %s", c, a.DataType(), v.schema.Field(c).Type)
				}
			}
			parts[r] = a
		}
		if n == 1 {
			cols[c] = parts[0]
			continue
		}
		all, err := array.Concatenate(parts, ec.Mem)
		if err != nil {
			return nil, err
		}
		cols[c] = all
	}
	return array.NewRecordBatch(v.schema, cols, int64(n)), nil
}

// Filter keeps rows where the predicate is true.
type Filter struct {
	input Operator
	pred  expr.Expr
	ec    *expr.Context
	// keep, when set, lists the input columns the filter returns (in
	// that order, as schema says): see NewFilterKeep.
	keep   []int
	schema *arrow.Schema
}

// NewFilter returns input restricted to rows where pred is true.
func NewFilter(input Operator, pred expr.Expr) Operator {
	return &Filter{input: input, pred: pred, schema: input.Schema()}
}

// NewFilterKeep is NewFilter returning only the input columns keep, named
// names: a column the predicate alone reads is not copied for the rows
// that pass (TPC-H q13's NOT LIKE keeps 99% of 1.5 million orders and
// their o_comment, which a projection then dropped).
func NewFilterKeep(input Operator, pred expr.Expr, keep []int, names []string) Operator {
	fields := make([]arrow.Field, len(keep))
	for i, c := range keep {
		fields[i] = input.Schema().Field(c)
		fields[i].Name = names[i]
	}
	return &Filter{input: input, pred: pred, keep: keep, schema: arrow.NewSchema(fields, nil)}
}

func (f *Filter) Schema() *arrow.Schema { return f.schema }
func (f *Filter) Open(ctx context.Context) error {
	f.ec = evalContext(ctx)
	return f.input.Open(ctx)
}
func (f *Filter) Close() error { return f.input.Close() }
func (f *Filter) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		b, err := f.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		m, err := f.pred.Eval(f.ec, b)
		if err != nil {
			return nil, err
		}
		if f.keep != nil {
			cols := make([]arrow.Array, len(f.keep))
			for i, c := range f.keep {
				cols[i] = b.Column(c)
			}
			b = batch.NewRecord(f.schema, cols, b.NumRows())
		}
		out, err := filterBatch(ctx, b, m.(*array.Boolean))
		if err != nil {
			return nil, err
		}
		if out.NumRows() > 0 {
			return out, nil
		}
	}
}

// filterBatch keeps rows whose mask is true (NULL counts as false).
func filterBatch(ctx context.Context, b arrow.RecordBatch, mask *array.Boolean) (arrow.RecordBatch, error) {
	rows, all := expr.Selection(mask)
	if all {
		return b, nil
	}
	if len(rows) == 0 {
		return array.NewRecordBatch(b.Schema(), emptyCols(b.Schema()), 0), nil
	}
	return gatherRows(ctx, b.Schema(), b, rows)
}

func emptyCols(s *arrow.Schema) []arrow.Array {
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
	}
	return cols
}

// Project computes expressions over each batch.
type Project struct {
	input  Operator
	exprs  []expr.Expr
	schema *arrow.Schema
	ec     *expr.Context
}

// NewProject returns input's rows mapped through exprs, named names.
func NewProject(input Operator, exprs []expr.Expr, names []string) Operator {
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		fields[i] = arrow.Field{Name: names[i], Type: e.Type(), Nullable: true}
	}
	return &Project{input: input, exprs: exprs, schema: arrow.NewSchema(fields, nil)}
}

func (p *Project) Schema() *arrow.Schema { return p.schema }
func (p *Project) Open(ctx context.Context) error {
	p.ec = evalContext(ctx)
	return p.input.Open(ctx)
}
func (p *Project) Close() error { return p.input.Close() }
func (p *Project) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := p.input.Next(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(p.exprs))
	for i, e := range p.exprs {
		c, err := e.Eval(p.ec, b)
		if err != nil {
			return nil, err
		}
		if c.DataType().ID() == arrow.NULL && p.schema.Field(i).Type.ID() != arrow.NULL {
			c = array.MakeArrayOfNull(p.ec.Mem, p.schema.Field(i).Type, c.Len())
		}
		cols[i] = c
	}
	return batch.NewRecord(p.schema, cols, b.NumRows()), nil
}

// Limit skips offset rows and returns at most limit (limit < 0: all).
type Limit struct {
	input         Operator
	offset, limit int64
	seen, emitted int64
}

// NewLimit returns at most limit rows of input after skipping offset.
func NewLimit(input Operator, offset, limit int64) Operator {
	return &Limit{input: input, offset: offset, limit: limit}
}

func (l *Limit) Schema() *arrow.Schema { return l.input.Schema() }
func (l *Limit) Open(ctx context.Context) error {
	l.seen, l.emitted = 0, 0
	if l.limit == 0 {
		return nil
	}
	return l.input.Open(ctx)
}
func (l *Limit) Close() error { return l.input.Close() }
func (l *Limit) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if l.limit >= 0 && l.emitted >= l.limit {
			return nil, nil
		}
		b, err := l.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		n := b.NumRows()
		start := int64(0)
		if l.seen < l.offset {
			skip := min(l.offset-l.seen, n)
			l.seen += skip
			start = skip
		}
		if start >= n {
			continue
		}
		end := n
		if l.limit >= 0 && l.emitted+(end-start) > l.limit {
			end = start + (l.limit - l.emitted)
		}
		l.emitted += end - start
		return b.NewSlice(start, end), nil
	}
}

// Materialize drains an operator into one batch (possibly empty).
func Materialize(ctx context.Context, op Operator) (arrow.RecordBatch, error) {
	var bs []arrow.RecordBatch
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		bs = append(bs, b)
	}
	return concatBatches(op.Schema(), bs)
}

func concatBatches(schema *arrow.Schema, bs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(bs) == 1 {
		return bs[0], nil
	}
	var n int64
	for _, b := range bs {
		n += b.NumRows()
	}
	cols := make([]arrow.Array, schema.NumFields())
	for c := range cols {
		if len(bs) == 0 {
			cols[c] = array.MakeArrayOfNull(memory.DefaultAllocator, schema.Field(c).Type, 0)
			continue
		}
		parts := make([]arrow.Array, len(bs))
		for i, b := range bs {
			parts[i] = batch.Decode(b.Column(c))
		}
		all, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "concatenate")
		}
		cols[c] = all
	}
	return array.NewRecordBatch(schema, cols, n), nil
}

// takeRows builds a batch of the given rows of b (index -1 = NULL row).
func takeRows(ctx context.Context, schema *arrow.Schema, b arrow.RecordBatch, rows []int64) (arrow.RecordBatch, error) {
	idx := make([]int32, len(rows))
	for i, r := range rows {
		idx[i] = int32(r)
	}
	return gatherRows(ctx, schema, b, idx)
}

// gatherRows builds a batch of the rows idx of b (index -1 = NULL row).
func gatherRows(ctx context.Context, schema *arrow.Schema, b arrow.RecordBatch, idx []int32) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, b.NumCols())
	for c := range cols {
		out, err := batch.Gather(ctx, b.Column(c), idx)
		if err != nil {
			return nil, err
		}
		cols[c] = out
	}
	return array.NewRecordBatch(schema, cols, int64(len(idx))), nil
}

// slicer emits a materialised batch in batch.Size pieces.
type slicer struct {
	b   arrow.RecordBatch
	pos int64
}

func (s *slicer) next() arrow.RecordBatch {
	if s.b == nil || s.pos >= s.b.NumRows() {
		return nil
	}
	end := min(s.pos+batch.Size, s.b.NumRows())
	out := s.b.NewSlice(s.pos, end)
	s.pos = end
	return out
}
