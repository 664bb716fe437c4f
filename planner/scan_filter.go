package planner

import (
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// scanFilter translates the conjuncts pushed into a scan that compare a
// column with constants (x < 5, x = 'a', x IN (1, 2), x IS NULL) into the
// connectors' Filter, so the table can skip row groups, files and
// partitions. Other conjuncts are left to the Filter operator alone.
func scanFilter(n *Scan) connectors.Filter {
	pos := map[int]int{}
	for i, c := range n.Out {
		pos[c.ID] = n.Project[i]
	}
	var f connectors.Filter
	for _, c := range n.Filters {
		if p, ok := columnPredicate(c, pos); ok {
			f = append(f, p)
		}
	}
	return f
}

var flippedCompare = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

var scanCompareOps = map[string]connectors.CompareOp{
	"=": connectors.OpEq, "<": connectors.OpLt, "<=": connectors.OpLe, ">": connectors.OpGt, ">=": connectors.OpGe,
}

func columnPredicate(e expr.Expr, pos map[int]int) (connectors.ColumnPredicate, bool) {
	c, ok := e.(interface{ FuncName() string })
	if !ok {
		return connectors.ColumnPredicate{}, false
	}
	args := e.Children()
	switch name := c.FuncName(); name {
	case "is_null", "is_not_null":
		col, ok := scanColumn(args[0], pos)
		op := connectors.OpIsNull
		if name == "is_not_null" {
			op = connectors.OpIsNotNull
		}
		return connectors.ColumnPredicate{Column: col, Op: op}, ok
	case "=", "<", "<=", ">", ">=":
		col, ok := scanColumn(args[0], pos)
		v, isConst := constant(args[1])
		if !ok || !isConst {
			col, ok = scanColumn(args[1], pos)
			v, isConst = constant(args[0])
			name = flippedCompare[name]
		}
		if !ok || !isConst || !types.Equal(v.DataType(), args[0].Type()) {
			return connectors.ColumnPredicate{}, false
		}
		return connectors.ColumnPredicate{Column: col, Op: scanCompareOps[name], Values: []scalar.Scalar{v}}, true
	case "or":
		// x = a OR x = b ...: IN; other alternatives on one column (x < a
		// OR x > b, from a range in each branch of an OR): ANY.
		var in, alt connectors.ColumnPredicate
		onlyEq := true
		// The OR's whole chain at once (a long IN list is as deep as it
		// is long: merging each level's result into its parent's was
		// quadratic).
		args = disjuncts(e)
		for i, d := range args {
			p, ok := columnPredicate(d, pos)
			if !ok || (i > 0 && p.Column != alt.Column) {
				return connectors.ColumnPredicate{}, false
			}
			alt.Column, alt.Op = p.Column, connectors.OpAny
			alt.Any = append(alt.Any, p)
			if p.Op == connectors.OpEq || p.Op == connectors.OpIn {
				in.Column, in.Op = p.Column, connectors.OpIn
				in.Values = append(in.Values, p.Values...)
			} else {
				onlyEq = false
			}
		}
		if onlyEq {
			return in, len(args) > 0
		}
		return alt, len(args) > 0
	case "and":
		// A conjunction on one column inside an OR (x >= a AND x < b):
		// each part must be possible, so the one that is least is kept;
		// with a part on another column, nothing.
		var first connectors.ColumnPredicate
		for i, d := range args {
			p, ok := columnPredicate(d, pos)
			if !ok || (i > 0 && p.Column != first.Column) {
				return connectors.ColumnPredicate{}, false
			}
			if i == 0 {
				first = p
			}
		}
		return first, len(args) > 0
	}
	return connectors.ColumnPredicate{}, false
}

// scanColumn is the table column a column reference reads.
func scanColumn(e expr.Expr, pos map[int]int) (int, bool) {
	r, ok := e.(*colRef)
	if !ok {
		return 0, false
	}
	p, ok := pos[r.id]
	return p, ok
}

// constant is a non-NULL literal's value.
func constant(e expr.Expr) (scalar.Scalar, bool) {
	l, ok := e.(*expr.Literal)
	if !ok || l.Unknown || l.Value == nil || !l.Value.IsValid() {
		return nil, false
	}
	return l.Value, true
}
