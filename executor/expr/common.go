package expr

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
)

// Common finds the computations that exprs repeat, so an operator can
// compute each once per batch: TPC-H q01 sums both
// l_extendedprice * (1 - l_discount) and that times (1 + l_tax).
//
// The exprs read batches of schema input. Common returns the repeated
// computations (nil when there are none) and exprs rewritten to read
// them from the batch their Extend makes.
// A computation is shared only where it is always evaluated: calls and
// casts under other calls and casts, never inside a CASE or COALESCE
// (whose branches run on some rows only, so that CASE WHEN x <> 0 THEN
// 1/x END cannot fail), and never a volatile call.
func Common(exprs []Expr, input *arrow.Schema) (*Shared, []Expr) {
	ncols := input.NumFields()
	var shared []Expr
	count := map[string]int{}
	var countAll func(Expr)
	countAll = func(e Expr) {
		if !shareable(e) {
			return
		}
		if k := exprKey(e); k != "" && hasColumn(e) {
			count[k]++
		}
		for _, c := range e.Children() {
			countAll(c)
		}
	}
	for _, e := range exprs {
		countAll(e)
	}
	slot := map[string]int{}
	var rewrite func(Expr) Expr
	rewrite = func(e Expr) Expr {
		if !shareable(e) {
			return e
		}
		if k := exprKey(e); k != "" && count[k] > 1 {
			i, ok := slot[k]
			if !ok {
				i = len(shared)
				slot[k] = i
				shared = append(shared, e)
			}
			return NewColumn(ncols+i, e.Type(), e.String())
		}
		kids := e.Children()
		changed := false
		next := make([]Expr, len(kids))
		for i, c := range kids {
			next[i] = rewrite(c)
			changed = changed || next[i] != c
		}
		if !changed {
			return e
		}
		return e.WithChildren(next)
	}
	out := make([]Expr, len(exprs))
	for i, e := range exprs {
		out[i] = rewrite(e)
	}
	if len(shared) == 0 {
		return nil, exprs
	}
	fields := append([]arrow.Field(nil), input.Fields()...)
	for i, e := range shared {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("common%d", i), Type: e.Type(), Nullable: true})
	}
	return &Shared{exprs: shared, schema: arrow.NewSchema(fields, nil)}, out
}

// Shared are the computations that an operator's expressions repeat.
// It holds no state of a batch: the instances of a parallel pipeline may
// share it.
type Shared struct {
	exprs  []Expr
	schema *arrow.Schema // the input's columns, then one per computation
}

// Extend returns b with the shared computations' columns added, the batch
// the rewritten expressions read. A nil Shared returns b.
func (s *Shared) Extend(ec *Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	if s == nil {
		return b, nil
	}
	cols := append(make([]arrow.Array, 0, s.schema.NumFields()), b.Columns()...)
	for _, e := range s.exprs {
		v, err := e.Eval(ec, b)
		if err != nil {
			return nil, err
		}
		cols = append(cols, v)
	}
	return batch.NewRecord(s.schema, cols, b.NumRows()), nil
}

// shareable reports whether e is a computation Common may share: a call
// or a cast, whose arguments are always evaluated.
func shareable(e Expr) bool {
	switch e := e.(type) {
	case *Call:
		return !e.volatile
	case *Cast:
		return true
	}
	return false
}

// exprKey identifies what e computes: equal keys, equal values. Columns
// are named by position (names may repeat); "" means e is not known to
// be repeatable.
func exprKey(e Expr) string {
	switch e := e.(type) {
	case *Column:
		return fmt.Sprintf("#%d", e.Index)
	case *Literal:
		return fmt.Sprintf("lit(%s:%s)", e.String(), e.Type())
	case *Cast:
		k := exprKey(e.Arg)
		if k == "" {
			return ""
		}
		return fmt.Sprintf("cast(%s:%s)", k, e.To)
	case *Call:
		if e.volatile {
			return ""
		}
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			if parts[i] = exprKey(a); parts[i] == "" {
				return ""
			}
		}
		return fmt.Sprintf("%s(%s):%s", e.Name, strings.Join(parts, ","), e.Ret)
	}
	return ""
}
