package executor

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/budget"
)

// SharedResult computes the rows of a subplan once for several readers: a
// WITH query referenced more than once, which PostgreSQL materializes too
// (TPC-H q15 joins its revenue view and takes its maximum). The first
// reader to ask runs the subplan to the end and keeps its batches; the
// others wait for it and read the same batches.
//
// The batches are held, counted against the query's memory, until the
// query ends (a per-row subquery may read them again at any time). When
// they do not fit, each reader runs its own copy of the subplan instead,
// streaming, as if the WITH query had been written out at each use.
type SharedResult struct {
	make   func() (Operator, error) // a fresh instance of the subplan
	makeMu sync.Mutex               // readers lower their own instances one at a time

	mu      sync.Mutex // held while computing: the other readers wait
	done    bool
	batches []arrow.RecordBatch
	err     error
	tooBig  bool
}

// NewSharedResult shares the rows of the subplan make lowers.
func NewSharedResult(make func() (Operator, error)) *SharedResult {
	return &SharedResult{make: make}
}

func (s *SharedResult) instance() (Operator, error) {
	s.makeMu.Lock()
	defer s.makeMu.Unlock()
	return s.make()
}

// compute runs the subplan once, keeping its batches while memory allows.
// A run stopped by its reader's context (a worker of a parallel pipeline
// that a LIMIT above closed early) is not remembered: the next reader,
// whose context is alive, runs the subplan again.
func (s *SharedResult) compute(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return s.err
	}
	batches, tooBig, err := s.run(ctx)
	if err != nil && ctx.Err() != nil {
		return err
	}
	s.done, s.batches, s.tooBig, s.err = true, batches, tooBig, err
	return err
}

func (s *SharedResult) run(ctx context.Context) (batches []arrow.RecordBatch, tooBig bool, err error) {
	op, err := s.instance()
	if err != nil {
		return nil, false, err
	}
	defer op.Close()
	if err := op.Open(ctx); err != nil {
		return nil, false, err
	}
	res := budget.From(ctx).Reserve("shared WITH query")
	var held int64
	for {
		b, err := op.Next(ctx)
		if err != nil {
			res.Release()
			return nil, false, err
		}
		if b == nil {
			return batches, false, nil
		}
		held += batchBytes(b)
		if !res.TryResize(held, true) { // past work_mem or the memory limit
			res.Release()
			return nil, true, nil
		}
		batches = append(batches, b)
	}
}

// Reader returns an operator reading the shared rows under schema (the
// reader's own column names; the types are the subplan's).
func (s *SharedResult) Reader(schema *arrow.Schema) Operator {
	return &sharedReader{s: s, schema: schema}
}

type sharedReader struct {
	s      *SharedResult
	schema *arrow.Schema
	next   int
	own    Operator // the reader's own subplan, when the rows did not fit
}

func (r *sharedReader) Schema() *arrow.Schema { return r.schema }

func (r *sharedReader) Open(ctx context.Context) error {
	r.next = 0
	return nil
}

func (r *sharedReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	if r.own == nil {
		if err := r.s.compute(ctx); err != nil {
			return nil, err
		}
		if r.s.tooBig {
			op, err := r.s.instance()
			if err != nil {
				return nil, err
			}
			if err := op.Open(ctx); err != nil {
				op.Close()
				return nil, err
			}
			r.own = op
		}
	}
	var b arrow.RecordBatch
	if r.own != nil {
		var err error
		if b, err = r.own.Next(ctx); b == nil || err != nil {
			return nil, err
		}
	} else {
		if r.next >= len(r.s.batches) {
			return nil, nil
		}
		b = r.s.batches[r.next]
		r.next++
	}
	return array.NewRecordBatch(r.schema, b.Columns(), b.NumRows()), nil
}

func (r *sharedReader) Close() error {
	if r.own != nil {
		err := r.own.Close()
		r.own = nil
		return err
	}
	return nil
}
