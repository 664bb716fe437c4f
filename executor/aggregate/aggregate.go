// Package aggregate holds the aggregate functions (count, sum, avg, ...),
// each as a vectorized accumulator that folds whole batches into per-group
// states, in the manner of DataFusion's GroupsAccumulator: one typed slice
// of states per function, indexed by group number, no per-row interface
// calls.
package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Func is an aggregate function resolved for concrete argument types.
type Func struct {
	Name string
	// ArgTypes are the types the arguments must have; the planner casts
	// arguments to them before calling the accumulator.
	ArgTypes []arrow.DataType
	// Ret is the result type.
	Ret arrow.DataType
	// New returns an empty accumulator.
	New func() Accumulator
}

// Accumulator holds the states of one aggregate for many groups.
type Accumulator interface {
	// Update folds rows into groups: row i of args belongs to group
	// groups[i]. numGroups is the number of groups seen so far (every
	// groups[i] < numGroups); the accumulator grows its states to match.
	Update(groups []uint32, numGroups int, args []arrow.Array) error
	// Merge folds the states of other (an accumulator of the same Func)
	// into this one: other's group g goes to groups[g]. It lets one
	// accumulator per core be combined at the end.
	Merge(other Accumulator, groups []uint32, numGroups int) error
	// Result returns one value per group, for groups 0..numGroups-1.
	Result(numGroups int) (arrow.Array, error)
}
