// Package batch is the contract between the places data comes from (file
// readers, in-memory tables) and the operators that consume it: a stream of
// Arrow record batches of engine types, and how long loops notice that
// their query was canceled.
//
// It sits below both connectors and executor, so neither imports the other.
package batch

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/sqlerr"
)

// Size is the number of rows readers and operators aim for in one batch.
const Size = 4096

// Reader is a stream of batches from a data source (a file, a split of a
// file, an in-memory table). It knows nothing of SQL.
type Reader interface {
	// Next returns the next batch, or (nil, nil) at the end.
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// CheckCancel returns a 57014 error once ctx is done (or the error its
// cause names: a statement timeout, a server shutdown).
func CheckCancel(ctx context.Context) error {
	if ctx.Err() != nil {
		return sqlerr.Canceled(context.Cause(ctx))
	}
	return nil
}

// Morsels hands out the parts of a data source (Parquet row groups, files,
// later byte ranges of text files) to the workers that read it, one part
// at a time, so that fast workers take more parts. It is safe for
// concurrent use.
type Morsels interface {
	// Next returns a reader of the next part, or nil when none is left.
	Next(ctx context.Context) (Reader, error)
}

// NewMorsels returns Morsels over n parts, part i read by open(ctx, i).
func NewMorsels(n int, open func(ctx context.Context, i int) (Reader, error)) Morsels {
	return &morsels{n: int64(n), open: open}
}

type morsels struct {
	next atomic.Int64
	n    int64
	open func(ctx context.Context, i int) (Reader, error)
}

func (m *morsels) Next(ctx context.Context) (Reader, error) {
	i := m.next.Add(1) - 1
	if i >= m.n {
		return nil, nil
	}
	return m.open(ctx, int(i))
}

// ReadMorsels returns a Reader of the parts m hands out, one after the
// other, until none is left. Several readers over the same m split its
// parts between them.
func ReadMorsels(m Morsels) Reader { return &morselReader{m: m} }

type morselReader struct {
	m   Morsels
	cur Reader
}

func (r *morselReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if r.cur == nil {
			if err := CheckCancel(ctx); err != nil {
				return nil, err
			}
			rd, err := r.m.Next(ctx)
			if err != nil || rd == nil {
				return nil, err
			}
			r.cur = rd
		}
		b, err := r.cur.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
		err = r.cur.Close()
		r.cur = nil
		if err != nil {
			return nil, err
		}
	}
}

func (r *morselReader) Close() error {
	if r.cur == nil {
		return nil
	}
	err := r.cur.Close()
	r.cur = nil
	return err
}
