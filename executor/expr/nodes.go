package expr

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Column reads column Index of the input batch.
type Column struct {
	Index int
	Typ   arrow.DataType
	Name  string
}

// NewColumn returns a reference to column i of the input.
func NewColumn(i int, t arrow.DataType, name string) Expr {
	return &Column{Index: i, Typ: t, Name: name}
}

func (c *Column) Type() arrow.DataType { return c.Typ }
func (c *Column) Eval(_ *Context, b arrow.RecordBatch) (arrow.Array, error) {
	if c.Index >= int(b.NumCols()) {
		return nil, sqlerr.New(sqlerr.InternalError, "column %d out of range", c.Index)
	}
	return b.Column(c.Index), nil
}
func (c *Column) String() string             { return c.Name }
func (c *Column) Children() []Expr           { return nil }
func (c *Column) WithChildren(k []Expr) Expr { return c }

// Literal is a constant. Unknown marks a quoted string whose type the
// context has not decided yet (PostgreSQL's "unknown").
type Literal struct {
	Value   scalar.Scalar
	Unknown bool
	// OnType, when set on an unknown literal standing for a query
	// parameter, is told the type the context casts it to (so a prepared
	// statement can report its parameter types).
	OnType func(arrow.DataType)
	// col and one cache the value as a column of constRows rows and of
	// one row (see column).
	col, one atomic.Pointer[arrow.Array]
}

// NewParamLiteral returns an unknown-typed literal for a parameter value
// (nil: NULL), reporting its inferred type to onType.
func NewParamLiteral(v *string, onType func(arrow.DataType)) Expr {
	sc := scalar.MakeNullScalar(types.String)
	if v != nil {
		sc = scalar.NewStringScalar(*v)
	}
	return &Literal{Value: sc, Unknown: true, OnType: onType}
}

// NewLiteral returns a constant of the scalar's type.
func NewLiteral(v scalar.Scalar) Expr { return &Literal{Value: v} }

// NewNullLiteral returns NULL of type t.
func NewNullLiteral(t arrow.DataType) Expr { return &Literal{Value: scalar.MakeNullScalar(t)} }

// NewUnknownLiteral returns a quoted string constant of undecided type.
func NewUnknownLiteral(s string) Expr {
	return &Literal{Value: scalar.NewStringScalar(s), Unknown: true}
}

// IsUnknownLiteral reports whether e is an untyped string constant.
func IsUnknownLiteral(e Expr) bool {
	l, ok := e.(*Literal)
	return ok && l.Unknown
}

func (l *Literal) Type() arrow.DataType { return l.Value.DataType() }
func (l *Literal) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	return l.column(ec, int(b.NumRows()))
}

// constRows is the size of the column a literal keeps of its value.
const constRows = 4096

// column returns n copies of the literal's value. Batches up to constRows
// rows share one column, made on first use and kept with the literal
// (arrays are immutable), so a constant is expanded once per plan rather
// than once per batch.
func (l *Literal) column(ec *Context, n int) (arrow.Array, error) {
	if n > constRows || n > 1 && n <= 16 {
		// Small batches (a subquery run per row) are not worth a column.
		return scalar.MakeArrayFromScalar(l.Value, n, ec.Mem)
	}
	size := constRows
	cache := &l.col
	if n == 1 {
		size, cache = 1, &l.one
	}
	col := cache.Load()
	if col == nil {
		c, err := scalar.MakeArrayFromScalar(l.Value, size, ec.Mem)
		if err != nil {
			return nil, err
		}
		cache.Store(&c)
		col = &c
	}
	if n == size {
		return *col, nil
	}
	return array.NewSlice(*col, 0, int64(n)), nil
}

func (l *Literal) String() string {
	if !l.Value.IsValid() {
		return "NULL"
	}
	if types.IsString(l.Value.DataType()) {
		return "'" + strings.ReplaceAll(l.Value.String(), "'", "''") + "'"
	}
	return l.Value.String()
}
func (l *Literal) Children() []Expr           { return nil }
func (l *Literal) WithChildren(k []Expr) Expr { return l }

// kernel computes a function over evaluated argument arrays of n rows.
type kernel func(ec *Context, args []arrow.Array, n int) (arrow.Array, error)

// Call is a resolved function or operator applied to arguments.
type Call struct {
	Name string
	Args []Expr
	Ret  arrow.DataType
	fn   kernel
	// volatile functions (random) are never folded.
	volatile bool
	// takesConst marks kernels that accept a constant argument as a
	// one-row array standing for every row (see stride), so constants are
	// never expanded for them.
	takesConst bool
}

// FuncName is the call's function name (the planner matches "=", "and", ...).
func (c *Call) FuncName() string { return c.Name }

func (c *Call) Type() arrow.DataType { return c.Ret }
func (c *Call) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	args := make([]arrow.Array, len(c.Args))
	for i, a := range c.Args {
		if l, ok := a.(*Literal); ok && c.takesConst {
			v, err := l.column(ec, 1)
			if err != nil {
				return nil, err
			}
			args[i] = v
			continue
		}
		v, err := a.Eval(ec, b)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return c.fn(ec, args, int(b.NumRows()))
}
func (c *Call) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	if isOperatorName(c.Name) && len(parts) == 2 {
		return "(" + parts[0] + " " + c.Name + " " + parts[1] + ")"
	}
	return c.Name + "(" + strings.Join(parts, ", ") + ")"
}
func (c *Call) Children() []Expr { return c.Args }
func (c *Call) WithChildren(k []Expr) Expr {
	n := *c
	n.Args = k
	return &n
}

func isOperatorName(s string) bool {
	switch s {
	case "+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "<=>", "||", "and", "or", "^", "~", "like", "ilike":
		return true
	}
	return false
}

// When is one branch of a CASE.
type When struct{ Cond, Then Expr }

// Case evaluates branches lazily: each THEN runs only on the rows that
// reach it, so CASE WHEN x = 0 THEN 0 ELSE 1/x END never divides by zero.
type Case struct {
	Whens []When
	Else  Expr
	Ret   arrow.DataType
}

func (c *Case) Type() arrow.DataType { return c.Ret }
func (c *Case) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, w := range c.Whens {
		fmt.Fprintf(&sb, " WHEN %s THEN %s", w.Cond, w.Then)
	}
	if c.Else != nil {
		fmt.Fprintf(&sb, " ELSE %s", c.Else)
	}
	sb.WriteString(" END")
	return sb.String()
}
func (c *Case) Children() []Expr {
	var out []Expr
	for _, w := range c.Whens {
		out = append(out, w.Cond, w.Then)
	}
	if c.Else != nil {
		out = append(out, c.Else)
	}
	return out
}
func (c *Case) WithChildren(k []Expr) Expr {
	n := &Case{Ret: c.Ret}
	for i := range c.Whens {
		n.Whens = append(n.Whens, When{Cond: k[2*i], Then: k[2*i+1]})
	}
	if c.Else != nil {
		n.Else = k[len(k)-1]
	}
	return n
}

func (c *Case) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	n := int(b.NumRows())
	// remaining: rows not yet decided; result index per row
	remaining := make([]int, n)
	for i := range remaining {
		remaining[i] = i
	}
	type part struct {
		rows []int
		vals arrow.Array
	}
	var parts []part
	cur := b
	used := usedColumns(c, int(b.NumCols()))
	for _, w := range c.Whens {
		if len(remaining) == 0 {
			break
		}
		cond, err := w.Cond.Eval(ec, cur)
		if err != nil {
			return nil, err
		}
		bc := cond.(*array.Boolean)
		var hit, miss []int
		for i := 0; i < len(remaining); i++ {
			if bc.IsValid(i) && bc.Value(i) {
				hit = append(hit, i)
			} else {
				miss = append(miss, i)
			}
		}
		if len(hit) > 0 {
			sub := cur
			if len(hit) != int(cur.NumRows()) {
				sub, err = takeBatch(ec, cur, hit, used)
				if err != nil {
					return nil, err
				}
			}
			v, err := w.Then.Eval(ec, sub)
			if err != nil {
				return nil, err
			}
			rows := make([]int, len(hit))
			for k, h := range hit {
				rows[k] = remaining[h]
			}
			parts = append(parts, part{rows, v})
		}
		if len(miss) == 0 {
			remaining = nil
			break
		}
		if len(miss) != len(remaining) {
			cur, err = takeBatch(ec, cur, miss, used)
			if err != nil {
				return nil, err
			}
			nr := make([]int, len(miss))
			for k, m := range miss {
				nr[k] = remaining[m]
			}
			remaining = nr
		}
	}
	if len(remaining) > 0 && c.Else != nil {
		v, err := c.Else.Eval(ec, cur)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part{remaining, v})
	}
	// Scatter the parts into one array.
	src := make([]int32, n) // part index, -1 = NULL
	pos := make([]int32, n)
	for i := range src {
		src[i] = -1
	}
	for p, pt := range parts {
		for k, r := range pt.rows {
			src[r] = int32(p)
			pos[r] = int32(k)
		}
	}
	arrs := make([]arrow.Array, len(parts))
	for i, p := range parts {
		arrs[i] = p.vals
	}
	return gather(ec, c.Ret, arrs, src, pos)
}

// usedColumns marks the input columns (of n) that e reads.
func usedColumns(e Expr, n int) []bool {
	used := make([]bool, n)
	var walk func(Expr)
	walk = func(e Expr) {
		if c, ok := e.(*Column); ok && c.Index < n {
			used[c.Index] = true
		}
		for _, k := range e.Children() {
			walk(k)
		}
	}
	walk(e)
	return used
}

// Coalesce returns its first non-NULL argument, evaluating later arguments
// only for rows still NULL.
type Coalesce struct {
	Args []Expr
	Ret  arrow.DataType
}

func (c *Coalesce) Type() arrow.DataType { return c.Ret }
func (c *Coalesce) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	return "coalesce(" + strings.Join(parts, ", ") + ")"
}
func (c *Coalesce) Children() []Expr           { return c.Args }
func (c *Coalesce) WithChildren(k []Expr) Expr { return &Coalesce{Args: k, Ret: c.Ret} }
func (c *Coalesce) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	whens := make([]When, 0, len(c.Args))
	for _, a := range c.Args[:len(c.Args)-1] {
		whens = append(whens, When{Cond: &Call{Name: "is_not_null", Args: []Expr{a}, Ret: types.Bool, fn: isNotNullKernel}, Then: a})
	}
	return (&Case{Whens: whens, Else: c.Args[len(c.Args)-1], Ret: c.Ret}).Eval(ec, b)
}

// takeBatch selects rows of b. Only the columns marked in used are
// gathered; the others are stand-ins of the right type and length (a
// slice of the column, no copy) that nothing reads.
func takeBatch(ec *Context, b arrow.RecordBatch, rows []int, used []bool) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		if i >= len(used) || !used[i] {
			cols[i] = array.NewSlice(b.Column(i), 0, int64(len(rows)))
			continue
		}
		c, err := takeArray(ec, b.Column(i), rows)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(b.Schema(), cols, int64(len(rows))), nil
}
