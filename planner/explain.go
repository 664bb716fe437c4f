package planner

import (
	"context"
	"fmt"
	"strings"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
)

// Explain renders a logical plan as indented lines, one per node.
func Explain(n Node) []string {
	return renderPlan(n, func(n Node) (string, []string) {
		if s, ok := n.(*Scan); ok {
			if f := scanFiles(s); f != "" {
				return describe(n), []string{f}
			}
		}
		return describe(n), nil
	})
}

// renderPlan renders the plan under n as indented lines: for each node
// the line render gives it and the lines it puts under it, then its
// inputs, then the plans of the subqueries it uses (run once, as
// PostgreSQL's InitPlans).
func renderPlan(n Node, render func(Node) (string, []string)) []string {
	var out []string
	var visit func(n Node, depth int)
	visit = func(n Node, depth int) {
		line, below := render(n)
		out = append(out, strings.Repeat("  ", depth)+line)
		for _, b := range below {
			out = append(out, strings.Repeat("  ", depth+1)+b)
		}
		for _, in := range n.Inputs() {
			visit(in, depth+1)
		}
		for _, sub := range subqueries(n) {
			out = append(out, strings.Repeat("  ", depth+1)+"Subquery "+sub.String()+", run once")
			visit(sub.plan, depth+2)
		}
	}
	visit(n, 0)
	return out
}

// subqueries lists the uncorrelated scalar subqueries n's expressions
// use, whose plans EXPLAIN shows under n.
func subqueries(n Node) []*subqueryExpr {
	var out []*subqueryExpr
	for _, e := range nodeExprs(n) {
		walk(e, func(x expr.Expr) bool {
			if s, ok := x.(*subqueryExpr); ok {
				out = append(out, s)
			}
			return true
		})
	}
	return out
}

func describe(n Node) string {
	switch n := n.(type) {
	case *Scan:
		var cols []string
		for _, c := range n.Out {
			cols = append(cols, c.Name)
		}
		s := fmt.Sprintf("Scan %s.%s [%s]", n.Rel.Schema, n.Rel.Name, strings.Join(cols, ", "))
		if len(n.Filters) > 0 {
			s += " filter: " + conjunction(n.Filters).String()
		}
		for _, d := range n.Dynamic {
			s += " keys from join: " + n.Schema.Field(d.Column).Name
		}
		var dict []string
		for i, on := range n.Dictionary {
			if on {
				dict = append(dict, n.Out[i].Name)
			}
		}
		if len(dict) > 0 {
			s += " dictionary: " + strings.Join(dict, ", ")
		}
		return s
	case *Filter:
		return "Filter " + n.Pred.String()
	case *Project:
		var es []string
		for _, e := range n.Exprs {
			es = append(es, e.String())
		}
		return "Project " + strings.Join(es, ", ")
	case *Join:
		kind := []string{"Inner", "Left", "Right", "Full", "Semi", "Anti", "Mark"}[n.Type]
		if n.Cond != nil {
			return fmt.Sprintf("%sJoin on %s", kind, n.Cond)
		}
		return kind + "Join"
	case *Aggregate:
		var gs []string
		for _, g := range n.GroupBy {
			gs = append(gs, g.String())
		}
		var as []string
		for _, a := range n.Aggs {
			var args []string
			for _, x := range a.Args {
				args = append(args, x.String())
			}
			as = append(as, a.Func.Name+"("+strings.Join(args, ", ")+")")
		}
		return fmt.Sprintf("Aggregate group by [%s] compute [%s]", strings.Join(gs, ", "), strings.Join(as, ", "))
	case *Sort:
		var ks []string
		for _, k := range n.Keys {
			s := k.Expr.String()
			if k.Desc {
				s += " DESC"
			}
			ks = append(ks, s)
		}
		return "Sort " + strings.Join(ks, ", ")
	case *Limit:
		return fmt.Sprintf("Limit %d offset %d", n.Count, n.Offset)
	case *Distinct:
		return "Distinct"
	case *SetOp:
		s := []string{"Union", "Intersect", "Except"}[n.Kind]
		if n.All {
			s += " All"
		}
		return s
	case *Window:
		return fmt.Sprintf("Window (%d functions)", len(n.Calls))
	case *LateralJoin:
		if n.Left {
			return "LeftLateralJoin (subquery per row)"
		}
		return "LateralJoin (subquery per row)"
	case *ProjectSet:
		return fmt.Sprintf("ProjectSet (%d functions)", len(n.Funcs))
	case *Values:
		return fmt.Sprintf("Values (%d rows)", len(n.Rows))
	case *Apply:
		return "Apply (correlated subquery per row)"
	case *RecursiveCTE:
		return "RecursiveUnion"
	case *WorkTable:
		return "WorkTable"
	case *CTE:
		return "CTE " + n.Share.name + " (computed once for its references)"
	}
	return fmt.Sprintf("%T", n)
}

// scanFiles names the files a scan of a file table reads after pruning by
// its partition and file columns: "Files: 1 of 3: logs/2024/a.json".
func scanFiles(n *Scan) string {
	if n.Rel.Kind != catalog.FileTable {
		return ""
	}
	sel, ok := n.Rel.File.(connectors.FileSelector)
	if !ok {
		return ""
	}
	kept, total := sel.Files(context.Background(), scanFilter(n))
	if total <= 1 && len(kept) == total {
		return ""
	}
	return fmt.Sprintf("Files: %d of %d: %s", len(kept), total, strings.Join(kept, ", "))
}
