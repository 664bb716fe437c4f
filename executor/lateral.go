package executor

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
)

// LateralSpec describes a LATERAL subquery run per input row.
type LateralSpec struct {
	// Schema is the input's columns, then the subquery's.
	Schema *arrow.Schema
	// Outer are the input columns the subquery reads (-1: a column of an
	// enclosing query, bound already); their values key the cache.
	Outer []int
	// Left keeps an input row without subquery rows, beside NULLs (LEFT
	// JOIN LATERAL).
	Left bool
	// Sub returns the subquery's plan for one row's outer values (nil
	// where Outer is -1), unopened.
	Sub func(ctx context.Context, outer []scalar.Scalar) (Operator, error)
}

// Lateral pairs each input row with the rows of a subquery that reads it,
// run once per distinct combination of the outer values it uses.
type Lateral struct {
	input   Operator
	spec    LateralSpec
	cache   map[string]arrow.RecordBatch
	pending []arrow.RecordBatch
}

// NewLateral returns input joined with spec's per-row subquery.
func NewLateral(input Operator, spec LateralSpec) Operator {
	return &Lateral{input: input, spec: spec}
}

func (l *Lateral) Schema() *arrow.Schema { return l.spec.Schema }
func (l *Lateral) Open(ctx context.Context) error {
	l.cache, l.pending = map[string]arrow.RecordBatch{}, nil
	return l.input.Open(ctx)
}
func (l *Lateral) Close() error { return l.input.Close() }

func (l *Lateral) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if len(l.pending) > 0 {
			b := l.pending[0]
			l.pending = l.pending[1:]
			return b, nil
		}
		rec, err := l.input.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		if err := l.expand(ctx, rec); err != nil {
			return nil, err
		}
	}
}

// expand pairs each row of rec with its subquery rows.
func (l *Lateral) expand(ctx context.Context, rec arrow.RecordBatch) error {
	inCols := int(rec.NumCols())
	for i := 0; i < int(rec.NumRows()); i++ {
		if err := batch.CheckCancel(ctx); err != nil {
			return err
		}
		var key strings.Builder
		outer, err := outerValues(rec, i, l.spec.Outer, &key)
		if err != nil {
			return err
		}
		rows, ok := l.cache[key.String()]
		if !ok {
			if rows, err = l.run(ctx, outer); err != nil {
				return err
			}
			l.cache[key.String()] = rows
		}
		n := int(rows.NumRows())
		if n == 0 && !l.spec.Left {
			continue
		}
		idx := make([]int32, max(n, 1))
		for k := range idx {
			idx[k] = int32(i)
		}
		cols := make([]arrow.Array, 0, l.spec.Schema.NumFields())
		for _, c := range rec.Columns() {
			t, err := batch.Gather(ctx, c, idx)
			if err != nil {
				return err
			}
			cols = append(cols, t)
		}
		for k := inCols; k < l.spec.Schema.NumFields(); k++ {
			if n == 0 {
				cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, l.spec.Schema.Field(k).Type, 1))
			} else {
				cols = append(cols, rows.Column(k-inCols))
			}
		}
		l.pending = append(l.pending, array.NewRecordBatch(l.spec.Schema, cols, int64(max(n, 1))))
	}
	return nil
}

// run evaluates the subquery for one combination of outer values and
// returns its rows as one batch.
func (l *Lateral) run(ctx context.Context, outer []scalar.Scalar) (arrow.RecordBatch, error) {
	op, err := l.spec.Sub(ctx, outer)
	if err != nil {
		return nil, err
	}
	if err := op.Open(ctx); err != nil {
		op.Close()
		return nil, err
	}
	defer op.Close()
	return Materialize(ctx, op)
}
