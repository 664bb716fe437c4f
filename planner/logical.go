// Package planner turns a parsed statement into an executable operator
// tree: it binds names against the catalog (scopes, types, implicit casts),
// builds a logical plan, rewrites it (constant folding, predicate and
// projection pushdown, subquery decorrelation) and lowers it to executor
// operators.
//
// Inside the logical plan every column has a plan-wide unique ID and
// expressions refer to columns by ID (colRef). Lowering maps IDs to the
// positions of each operator's input, so rewrites can move expressions
// between nodes without renumbering anything.
package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/aggregate"
	"github.com/lakesql/lakesql/executor/expr"
)

// Column is one output column of a logical node.
type Column struct {
	ID    int
	Name  string
	Table string // qualifier used for name resolution ("" when none)
	Type  arrow.DataType
	// Hidden columns are not expanded by * (the right side of USING).
	Hidden bool
	// Implicit columns of file tables (filename, filepath, ...) are not
	// expanded by * either, and a bare name finds them only when no
	// other column has it.
	Implicit bool
}

// Node is a logical plan node.
type Node interface {
	Cols() []Column
	Inputs() []Node
}

// Scan reads a table; Project lists which of its columns are read.
type Scan struct {
	Rel     *catalog.Relation
	Schema  *arrow.Schema
	Out     []Column // one per projected column
	Project []int    // indexes into Schema
	// Filters are conjuncts over Out pushed into the scan; they are applied
	// by a Filter right above the reader (and later used for pruning).
	Filters []expr.Expr
	// Dynamic are the keys of hash joins above, published once their
	// builds are done (see dynamic_filter.go).
	Dynamic []connectors.ColumnPredicate
	// Dictionary marks the columns of Out the reader may return
	// dictionary-encoded (see dictionary_keys.go); nil: none.
	Dictionary []bool
}

// Values produces literal rows (also the one empty row of SELECT without FROM).
type Values struct {
	Out  []Column
	Rows [][]expr.Expr
}

// Filter keeps rows where Pred is true.
type Filter struct {
	Input Node
	Pred  expr.Expr
}

// Project computes Exprs over Input.
type Project struct {
	Input Node
	Exprs []expr.Expr
	Out   []Column
}

// JoinType mirrors executor's join types.
type JoinType int

const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
	MarkJoin
)

// Join combines Left and Right. Cond is over Left's then Right's columns.
// Semi/Anti output Left's columns; Mark adds one boolean column (Mark).
type Join struct {
	Left, Right Node
	Type        JoinType
	Cond        expr.Expr // nil means true (a cross join for InnerJoin)
	// NullAware makes Anti and Mark follow NOT IN / IN semantics with NULLs.
	NullAware bool
	Mark      Column
	// Publish lists the join keys (in splitJoinCond's order) whose build
	// values go to a scan of the probe side (see dynamic_filter.go).
	Publish []batch.KeyFilter
}

// AggCall is one aggregate computed by an Aggregate.
type AggCall struct {
	Func     *aggregate.Func
	Args     []expr.Expr
	Distinct bool
	Filter   expr.Expr
	OrderBy  []SortKey
}

// Aggregate groups Input by GroupBy and computes Aggs. Out lists the group
// columns, then the aggregates, then (with grouping sets) the grouping id.
type Aggregate struct {
	Input        Node
	GroupBy      []expr.Expr
	Aggs         []AggCall
	GroupingSets [][]int
	Out          []Column
}

// SortKey orders by one expression.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders Input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows and returns at most Count (Count < 0: all).
type Limit struct {
	Input         Node
	Offset, Count int64
}

// Distinct removes duplicate rows.
type Distinct struct {
	Input Node
}

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind int

const (
	Union SetOpKind = iota
	Intersect
	Except
)

// SetOp combines two inputs of identical column types.
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right Node
	Out         []Column
}

// WindowCall is one window function computed by a Window node.
type WindowCall struct {
	Spec executor.WindowExpr // Args, PartitionBy, OrderBy hold planner expressions
	Out  Column
}

// Window appends one column per call to Input's columns.
type Window struct {
	Input Node
	Calls []WindowCall
}

// RecursiveCTE is WITH RECURSIVE: Anchor, then Recursive over the rows of
// the previous iteration (read through a WorkTable node with ID WorkID).
type RecursiveCTE struct {
	Anchor    Node
	Recursive Node
	All       bool
	WorkID    int
	Out       []Column
}

// WorkTable reads the rows of the current iteration of a RecursiveCTE.
type WorkTable struct {
	WorkID int
	Out    []Column
}

// Apply runs Sub once per row of Input with Input's columns bound (a
// correlated subquery that could not be decorrelated) and appends one
// column computed from Sub's rows.
type Apply struct {
	Input Node
	Sub   Node
	Kind  ApplyKind
	// Outer lists the Input columns Sub refers to.
	Outer []Column
	// Op and Left define IN/ANY/ALL: Left op ANY/ALL (Sub's first column).
	Op   string
	Left expr.Expr
	All  bool
	Out  Column
}

// ApplyKind says what an Apply computes.
type ApplyKind int

const (
	ApplyScalar ApplyKind = iota
	ApplyExists
	ApplyQuantified // IN / op ANY / op ALL
)

func (n *Scan) Cols() []Column         { return n.Out }
func (n *Values) Cols() []Column       { return n.Out }
func (n *Filter) Cols() []Column       { return n.Input.Cols() }
func (n *Project) Cols() []Column      { return n.Out }
func (n *Aggregate) Cols() []Column    { return n.Out }
func (n *Sort) Cols() []Column         { return n.Input.Cols() }
func (n *Limit) Cols() []Column        { return n.Input.Cols() }
func (n *Distinct) Cols() []Column     { return n.Input.Cols() }
func (n *SetOp) Cols() []Column        { return n.Out }
func (n *RecursiveCTE) Cols() []Column { return n.Out }
func (n *WorkTable) Cols() []Column    { return n.Out }
func (n *Window) Cols() []Column {
	out := append([]Column(nil), n.Input.Cols()...)
	for _, c := range n.Calls {
		out = append(out, c.Out)
	}
	return out
}
func (n *Apply) Cols() []Column { return append(append([]Column(nil), n.Input.Cols()...), n.Out) }
func (n *Join) Cols() []Column {
	switch n.Type {
	case SemiJoin, AntiJoin:
		return n.Left.Cols()
	case MarkJoin:
		return append(append([]Column(nil), n.Left.Cols()...), n.Mark)
	}
	return append(append([]Column(nil), n.Left.Cols()...), n.Right.Cols()...)
}

func (n *Scan) Inputs() []Node         { return nil }
func (n *Values) Inputs() []Node       { return nil }
func (n *WorkTable) Inputs() []Node    { return nil }
func (n *Filter) Inputs() []Node       { return []Node{n.Input} }
func (n *Project) Inputs() []Node      { return []Node{n.Input} }
func (n *Aggregate) Inputs() []Node    { return []Node{n.Input} }
func (n *Sort) Inputs() []Node         { return []Node{n.Input} }
func (n *Limit) Inputs() []Node        { return []Node{n.Input} }
func (n *Distinct) Inputs() []Node     { return []Node{n.Input} }
func (n *Window) Inputs() []Node       { return []Node{n.Input} }
func (n *Apply) Inputs() []Node        { return []Node{n.Input, n.Sub} }
func (n *Join) Inputs() []Node         { return []Node{n.Left, n.Right} }
func (n *SetOp) Inputs() []Node        { return []Node{n.Left, n.Right} }
func (n *RecursiveCTE) Inputs() []Node { return []Node{n.Anchor, n.Recursive} }
