package planner

import (
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// bindDistinctOn keeps the first row (by ORDER BY) of each group of equal
// DISTINCT ON values (the projection's columns at onPos):
// row_number() over (partition by on order by keys) = 1.
func (b *binder) bindDistinctOn(onPos []int, proj *Project, keys []SortKey) (Node, []SortKey, error) {
	var part []expr.Expr
	for _, i := range onPos {
		part = append(part, newColRef(proj.Out[i]))
	}
	// SELECT DISTINCT ON expressions must match initial ORDER BY expressions.
	for i := 0; i < len(keys) && i < len(part); i++ {
		if p, ok := keys[i].Expr.(*posRef); ok {
			if exprKey(newColRef(proj.Out[p.i])) != exprKey(part[i]) {
				found := false
				for _, q := range part {
					if exprKey(q) == exprKey(newColRef(proj.Out[p.i])) {
						found = true
					}
				}
				if !found {
					return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
				}
			}
		}
	}
	var order []executor.SortKey
	for _, k := range keys {
		order = append(order, executor.SortKey{Expr: resolvePos(k.Expr, proj.Out), Desc: k.Desc, NullsFirst: k.NullsFirst})
	}
	rn := b.newCol("rn", "", types.Int64)
	w := &Window{Input: proj, Calls: []WindowCall{{Spec: executor.WindowExpr{Func: "row_number", PartitionBy: part, OrderBy: order}, Out: rn}}}
	one := expr.NewLiteral(scalar.NewInt64Scalar(1))
	eq, err := call("=", newColRef(rn), one)
	if err != nil {
		return nil, nil, err
	}
	f := &Filter{Input: w, Pred: eq}
	return trimColumns(f, len(proj.Out)), keys, nil
}
