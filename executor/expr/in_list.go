package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
)

// inList is x [NOT] IN (a, b, ...) whose x is computed (not a column or a
// constant): x is evaluated once per batch and compared with each item,
// where the equivalent OR of equalities evaluated x once per item (TPC-H
// q22's substring(c_phone, 1, 2) against seven codes).
type inList struct {
	left    Expr
	items   []Expr
	eqs     []Expr // = over a pair batch (x, item)
	or, not Expr   // over a pair batch of booleans, a batch of one
	negated bool
	// texts, when set, are the items: constant non-NULL strings, which
	// a string x is looked up in directly, row by row.
	texts map[string]struct{}
}

func newInList(left Expr, items []Expr, negated bool) (Expr, error) {
	n := &inList{left: left, items: items, negated: negated}
	for _, it := range items {
		eq, err := BindOperator("=", []Expr{NewColumn(0, left.Type(), "x"), NewColumn(1, it.Type(), "item")})
		if err != nil {
			return nil, err
		}
		n.eqs = append(n.eqs, eq)
	}
	var err error
	if n.or, err = BindOperator("or", []Expr{NewColumn(0, types.Bool, "a"), NewColumn(1, types.Bool, "b")}); err != nil {
		return nil, err
	}
	if n.not, err = BindOperator("not", []Expr{NewColumn(0, types.Bool, "a")}); err != nil {
		return nil, err
	}
	if types.Equal(left.Type(), types.String) {
		n.texts = map[string]struct{}{}
		for _, it := range items {
			l, ok := it.(*Literal)
			var v *scalar.String
			if ok {
				v, ok = l.Value.(*scalar.String)
			}
			if !ok || !v.IsValid() {
				n.texts = nil
				break
			}
			n.texts[v.String()] = struct{}{}
		}
	}
	return n, nil
}

// inTexts is x [NOT] IN over constant strings: NULL where x is NULL,
// else whether x is one of them.
func (n *inList) inTexts(x *array.String) arrow.Array {
	rows := x.Len()
	bits := make([]byte, bitutil.BytesForBits(int64(rows)))
	for i := range rows {
		if x.IsValid(i) {
			if _, in := n.texts[x.Value(i)]; in != n.negated {
				bitutil.SetBit(bits, i)
			}
		}
	}
	return batch.FromBuffers(types.Bool, rows, nullBitmap(rows, x), memory.NewBufferBytes(bits))
}

func (n *inList) Type() arrow.DataType { return types.Bool }

func (n *inList) Eval(ec *Context, b arrow.RecordBatch) (arrow.Array, error) {
	x, err := n.left.Eval(ec, b)
	if err != nil {
		return nil, err
	}
	if xs, ok := x.(*array.String); ok && n.texts != nil && xs.Len() == int(b.NumRows()) {
		return n.inTexts(xs), nil
	}
	rows := b.NumRows()
	pair := func(a, c arrow.Array) arrow.RecordBatch {
		s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: a.DataType(), Nullable: true}, {Name: "b", Type: c.DataType(), Nullable: true}}, nil)
		return array.NewRecordBatch(s, []arrow.Array{a, c}, rows)
	}
	var acc arrow.Array
	for i, it := range n.items {
		y, err := it.Eval(ec, b)
		if err != nil {
			return nil, err
		}
		r, err := n.eqs[i].Eval(ec, pair(x, y))
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = r
		} else if acc, err = n.or.Eval(ec, pair(acc, r)); err != nil {
			return nil, err
		}
	}
	if n.negated {
		s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: types.Bool, Nullable: true}}, nil)
		return n.not.Eval(ec, array.NewRecordBatch(s, []arrow.Array{acc}, rows))
	}
	return acc, nil
}

func (n *inList) String() string {
	items := make([]string, len(n.items))
	for i, it := range n.items {
		items[i] = it.String()
	}
	op := " IN ("
	if n.negated {
		op = " NOT IN ("
	}
	return n.left.String() + op + strings.Join(items, ", ") + ")"
}

func (n *inList) Children() []Expr { return append([]Expr{n.left}, n.items...) }

func (n *inList) WithChildren(c []Expr) Expr {
	m := *n
	m.left, m.items = c[0], append([]Expr(nil), c[1:]...)
	return &m
}
