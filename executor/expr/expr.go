// Package expr evaluates scalar expressions over record batches, a whole
// batch at a time, with kernels specialised per type.
//
// The planner builds expression trees from the nodes in this package after
// resolving every function call with Resolve, which also decides the
// implicit casts (PostgreSQL's rules) the arguments need. Evaluation never
// guesses types: every node knows its result type before it runs.
package expr

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Expr is a typed scalar expression.
type Expr interface {
	// Type is the type of the array Eval returns.
	Type() arrow.DataType
	// Eval computes the expression for every row of batch and returns an
	// array of batch.NumRows() values.
	Eval(ec *Context, batch arrow.RecordBatch) (arrow.Array, error)
	// String renders the expression for EXPLAIN and error messages.
	String() string
	// Children are the direct sub-expressions, so that the planner can walk
	// and rewrite any tree (remap columns, fold constants) generically.
	Children() []Expr
	// WithChildren returns a copy of the node over new children (same count
	// and types as Children returned).
	WithChildren(children []Expr) Expr
}

// Context is what evaluation may depend on besides the batch: the query's
// cancellation, its start time (now(), current_date are stable within a
// statement), the session time zone, and the allocator for results.
type Context struct {
	Ctx      context.Context
	Now      time.Time
	Location *time.Location
	Mem      memory.Allocator
}

// NewContext returns a Context for a statement that starts now in loc.
func NewContext(ctx context.Context, loc *time.Location) *Context {
	if loc == nil {
		loc = time.UTC
	}
	return &Context{Ctx: ctx, Now: time.Now(), Location: loc, Mem: memory.DefaultAllocator}
}
