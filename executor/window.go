package executor

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// FrameMode is ROWS, RANGE or GROUPS.
type FrameMode int

const (
	Rows FrameMode = iota
	Range
	Groups
)

// FrameExclude is a frame's EXCLUDE option.
type FrameExclude int

const (
	NoOthers FrameExclude = iota
	ExcludeCurrentRow
	ExcludeGroup
	ExcludeTies
)

// BoundKind says where a frame bound is.
type BoundKind int

const (
	UnboundedPreceding BoundKind = iota
	Preceding
	CurrentRow
	Following
	UnboundedFollowing
)

// FrameBound is one end of a frame; Offset is a constant expression.
type FrameBound struct {
	Kind   BoundKind
	Offset expr.Expr
}

// Frame is a window frame clause.
type Frame struct {
	Mode       FrameMode
	Start, End FrameBound
	Exclude    FrameExclude
}

// WindowExpr is one window function call.
type WindowExpr struct {
	Func        string // ranking/value function, "" for an aggregate
	Agg         *aggregate.Func
	Args        []expr.Expr
	Distinct    bool
	Filter      expr.Expr
	PartitionBy []expr.Expr
	OrderBy     []SortKey
	Frame       *Frame
}

// ResolveWindow returns the result type of a non-aggregate window function.
func ResolveWindow(name string, argTypes []arrow.DataType) (arrow.DataType, error) {
	bad := func() (arrow.DataType, error) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(argTypes))
	}
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(argTypes) != 0 {
			return bad()
		}
		return types.Int64, nil
	case "percent_rank", "cume_dist":
		if len(argTypes) != 0 {
			return bad()
		}
		return types.Float64, nil
	case "ntile":
		if len(argTypes) != 1 {
			return bad()
		}
		return types.Int32, nil
	case "lag", "lead":
		if len(argTypes) < 1 || len(argTypes) > 3 {
			return bad()
		}
		return argTypes[0], nil
	case "first_value", "last_value":
		if len(argTypes) != 1 {
			return bad()
		}
		return argTypes[0], nil
	case "nth_value":
		if len(argTypes) != 2 {
			return bad()
		}
		return argTypes[0], nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
}

// WindowSortKeys is the order a Window's input arrives in for a window
// specification: its partition keys (ascending), then its order keys.
func WindowSortKeys(f WindowExpr) []SortKey {
	keys := make([]SortKey, 0, len(f.PartitionBy)+len(f.OrderBy))
	for _, p := range f.PartitionBy {
		keys = append(keys, SortKey{Expr: p})
	}
	return append(keys, f.OrderBy...)
}

// windowType is the result type of a window function.
func windowType(f WindowExpr) arrow.DataType {
	if f.Agg != nil {
		return f.Agg.Ret
	}
	ts := make([]arrow.DataType, len(f.Args))
	for k, a := range f.Args {
		ts[k] = a.Type()
	}
	t, _ := ResolveWindow(f.Func, ts)
	return t
}
