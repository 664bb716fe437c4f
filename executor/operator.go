// Package executor runs physical plans: a tree of vectorized operators, each
// pulling Arrow record batches from its children.
//
// The contract every operator keeps:
//
//   - Open prepares the operator (and opens its children); Next returns the
//     next batch, or (nil, nil) once the stream is exhausted; Close releases
//     what the operator holds and closes its children. Close is safe to call
//     more than once and after a failed Open.
//   - A batch returned by Next is immutable and owned by the caller; it stays
//     valid after later calls to Next. Batches use Go-managed memory, so
//     Release is optional hygiene, never needed for correctness.
//   - Batches hold at most batch.Size rows; empty batches may be skipped.
//   - Every loop that can run long checks ctx (see CheckCancel), so a
//     canceled query stops promptly with a 57014 error.
//   - Column types are engine types (package types); an operator never sees
//     a dictionary or a large_string array.
//   - Operators hold no global state, so a plan may later run as one pipeline
//     per core, each with its own operator instances.
package executor

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/executor/expr"
)

// Operator is one node of a physical plan.
type Operator interface {
	// Schema is the shape of every batch Next returns.
	Schema() *arrow.Schema
	Open(ctx context.Context) error
	// Next returns the next batch, or (nil, nil) at the end.
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// SortKey orders rows by one expression. NullsFirst is explicit: the
// planner applies PostgreSQL's default (NULLs last ascending, first
// descending) before building the key.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}
