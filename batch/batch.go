// Package batch is the contract between the places data comes from (file
// readers, in-memory tables) and the operators that consume it: a stream of
// Arrow record batches of engine types, and how long loops notice that
// their query was canceled.
//
// It sits below both connectors and executor, so neither imports the other.
package batch

import (
	"context"

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
