package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// windowFinder collects window function calls, not inside subqueries.
type windowFinder struct{ found []*ast.WindowFuncExpr }

func (v *windowFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch n := n.(type) {
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr:
		return n, true
	case *ast.WindowFuncExpr:
		v.found = append(v.found, n)
		return n, true
	}
	return n, false
}
func (v *windowFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// bindWindows adds a Window node computing every window function of the
// select list and ORDER BY, and records their output columns on s.
func (b *binder) bindWindows(sel *ast.SelectStmt, fields []*ast.SelectField, order []*ast.ByItem, s *scope, plan *Node) error {
	v := &windowFinder{}
	for _, f := range fields {
		f.Expr.Accept(v)
	}
	for _, o := range order {
		o.Expr.Accept(v)
	}
	if len(v.found) == 0 {
		return nil
	}
	named := map[string]*ast.WindowSpec{}
	for i := range sel.WindowSpecs {
		ws := &sel.WindowSpecs[i]
		if named[ws.Name.L] != nil {
			return sqlerr.New(sqlerr.WindowingError, "window \"%s\" is already defined", ws.Name.L)
		}
		named[ws.Name.L] = ws
	}
	w := &Window{Input: *plan}
	if s.windows == nil {
		s.windows = map[ast.Node]Column{}
	}
	for _, n := range v.found {
		spec, err := resolveWindowSpec(&n.Spec, named)
		if err != nil {
			return err
		}
		eb := &exprBinder{b: b, s: s, plan: plan, what: "window function"}
		name, argNodes := parser.WindowCall(n)
		args, err := eb.bindAllAfterAgg(argNodes)
		if err != nil {
			return err
		}
		we := executor.WindowExpr{Args: args, Distinct: n.Distinct}
		var ret arrow.DataType
		if isAggregateName(name) {
			ts := make([]arrow.DataType, len(args))
			for i, a := range args {
				ts[i] = a.Type()
				if expr.IsUnknownLiteral(a) {
					ts[i] = types.String
				}
			}
			if name == "count" && parser.IsWindowCountStar(n) {
				ts, args = nil, nil
				we.Args = nil
			}
			fn, err := resolveAggregate(name, args)
			if err != nil {
				return err
			}
			for i := range we.Args {
				if i < len(fn.ArgTypes) && !types.Equal(we.Args[i].Type(), fn.ArgTypes[i]) {
					if we.Args[i], err = expr.NewCast(we.Args[i], fn.ArgTypes[i]); err != nil {
						return err
					}
				}
			}
			we.Agg = fn
			ret = fn.Ret
		} else {
			ts := make([]arrow.DataType, len(args))
			for i, a := range args {
				ts[i] = a.Type()
			}
			// lag/lead defaults take the value's type.
			if (name == "lag" || name == "lead") && len(args) == 3 && !types.Equal(args[2].Type(), args[0].Type()) {
				if we.Args[2], err = expr.NewCast(args[2], args[0].Type()); err != nil {
					return err
				}
				ts[2] = args[0].Type()
			}
			if (name == "lag" || name == "lead" || name == "ntile" || name == "nth_value") && len(args) >= 2 {
				idx := 1
				if name == "ntile" {
					idx = 0
				}
				if !types.Equal(args[idx].Type(), types.Int64) {
					if we.Args[idx], err = expr.NewCast(we.Args[idx], types.Int64); err != nil {
						return err
					}
					ts[idx] = types.Int64
				}
			}
			if ret, err = executor.ResolveWindow(name, ts); err != nil {
				return err
			}
			we.Func = name
		}
		if spec.PartitionBy != nil {
			for _, it := range spec.PartitionBy.Items {
				e, err := eb.bindAfterAgg(it.Expr)
				if err != nil {
					return err
				}
				we.PartitionBy = append(we.PartitionBy, e)
			}
		}
		if spec.OrderBy != nil {
			for _, it := range parser.OrderItems(spec.OrderBy.Items) {
				e, err := eb.bindAfterAgg(it.Item.Expr)
				if err != nil {
					return err
				}
				we.OrderBy = append(we.OrderBy, executor.SortKey{Expr: e, Desc: it.Item.Desc, NullsFirst: it.NullsFirst(it.Item.Desc)})
			}
		}
		if spec.Frame != nil {
			f, err := b.bindFrame(spec, eb)
			if err != nil {
				return err
			}
			we.Frame = f
		}
		out := b.newCol(name, "", ret)
		w.Calls = append(w.Calls, WindowCall{Spec: we, Out: out})
		s.windows[n] = out
	}
	// Subqueries in the calls' arguments and windows joined their plans
	// onto the input meanwhile.
	*plan = chainWindows(*plan, w.Calls)
	return nil
}

// chainWindows computes calls over input with one Window node per window
// specification (PARTITION BY and ORDER BY): the calls of a node share
// one sort of their input, and each node holds one partition at a time.
// The nodes are chained so that a specification whose order the previous
// node's output already has comes next, sorting nothing (PARTITION BY a
// after PARTITION BY a ORDER BY b); otherwise the one with the most keys.
func chainWindows(input Node, calls []WindowCall) Node {
	var specs []string
	groups := map[string][]WindowCall{}
	for _, c := range calls {
		k := windowSpecKey(c.Spec)
		if _, ok := groups[k]; !ok {
			specs = append(specs, k)
		}
		groups[k] = append(groups[k], c)
	}
	plan := input
	var order []executor.SortKey
	for len(specs) > 0 {
		pick := -1
		for i, k := range specs {
			if spec := groups[k][0].Spec; len(executor.WindowSortKeys(spec)) == 0 || windowOrdered(order, spec) {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i, k := range specs {
				if pick < 0 || len(executor.WindowSortKeys(groups[k][0].Spec)) > len(executor.WindowSortKeys(groups[specs[pick]][0].Spec)) {
					pick = i
				}
			}
			order = executor.WindowSortKeys(groups[specs[pick]][0].Spec)
		}
		plan = &Window{Input: plan, Calls: groups[specs[pick]]}
		specs = append(specs[:pick], specs[pick+1:]...)
	}
	return plan
}

// windowSpecKey identifies a call's PARTITION BY and ORDER BY.
func windowSpecKey(w executor.WindowExpr) string {
	var b strings.Builder
	for _, p := range w.PartitionBy {
		b.WriteString(exprKey(p) + "|")
	}
	b.WriteString("#")
	for _, k := range w.OrderBy {
		fmt.Fprintf(&b, "%s %v %v|", exprKey(k.Expr), k.Desc, k.NullsFirst)
	}
	return b.String()
}

// windowOrdered reports whether rows in order (sort keys, planner
// expressions) are in the order spec's window needs: its partition keys
// first, in any order and direction (a partition's rows are together),
// then its order keys exactly.
func windowOrdered(order []executor.SortKey, spec executor.WindowExpr) bool {
	np := len(spec.PartitionBy)
	if len(order) < np+len(spec.OrderBy) {
		return false
	}
	want := map[string]int{}
	for _, p := range spec.PartitionBy {
		want[exprKey(p)]++
	}
	for _, k := range order[:np] {
		if want[exprKey(k.Expr)] == 0 {
			return false
		}
		want[exprKey(k.Expr)]--
	}
	for i, k := range spec.OrderBy {
		o := order[np+i]
		if exprKey(o.Expr) != exprKey(k.Expr) || o.Desc != k.Desc || o.NullsFirst != k.NullsFirst {
			return false
		}
	}
	return true
}

// windowOutputOrder is the order of a Window node's output rows, as sort
// keys over its input's columns (nil: none known): a Window keeps the
// order of its input, sorted by its specification's keys unless it
// already was.
func windowOutputOrder(n Node) []executor.SortKey {
	w, ok := n.(*Window)
	if !ok {
		return nil
	}
	spec := w.Calls[0].Spec
	in := windowOutputOrder(w.Input)
	if len(executor.WindowSortKeys(spec)) == 0 || windowOrdered(in, spec) {
		return in
	}
	return executor.WindowSortKeys(spec)
}

func isAggregateName(name string) bool { return extraAggregates[name] }

func (eb *exprBinder) bindAllAfterAgg(ns []ast.ExprNode) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(ns))
	for i, n := range ns {
		e, err := eb.bindAfterAgg(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// resolveWindowSpec merges a window clause with the named window it refers to.
func resolveWindowSpec(spec *ast.WindowSpec, named map[string]*ast.WindowSpec) (*ast.WindowSpec, error) {
	ref := spec.Ref.L
	if spec.OnlyAlias {
		ref = spec.Name.L
	}
	if ref == "" {
		return spec, nil
	}
	base, ok := named[ref]
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedObject, "window \"%s\" does not exist", ref)
	}
	base, err := resolveWindowSpec(base, named)
	if err != nil {
		return nil, err
	}
	if spec.OnlyAlias {
		return base, nil
	}
	if base.Frame != nil {
		return nil, sqlerr.New(sqlerr.WindowingError, "cannot copy window \"%s\" because it has a frame clause", ref)
	}
	merged := *base
	if spec.PartitionBy != nil {
		return nil, sqlerr.New(sqlerr.WindowingError, "cannot override PARTITION BY clause of window \"%s\"", ref)
	}
	if spec.OrderBy != nil {
		switch {
		case len(parser.OrderItems(spec.OrderBy.Items)) == 0 && base.OrderBy != nil:
			// Only the bridge's EXCLUDE marker: the named window's
			// ORDER BY with it.
			merged.OrderBy = &ast.OrderByClause{Items: append(append([]*ast.ByItem(nil), base.OrderBy.Items...), spec.OrderBy.Items...)}
		case base.OrderBy != nil:
			return nil, sqlerr.New(sqlerr.WindowingError, "cannot override ORDER BY clause of window \"%s\"", ref)
		default:
			merged.OrderBy = spec.OrderBy
		}
	}
	if spec.Frame != nil {
		merged.Frame = spec.Frame
	}
	return &merged, nil
}

func (b *binder) bindFrame(spec *ast.WindowSpec, eb *exprBinder) (*executor.Frame, error) {
	fc := spec.Frame
	f := &executor.Frame{}
	switch fc.Type {
	case ast.Rows:
		f.Mode = executor.Rows
	case ast.Ranges:
		f.Mode = executor.Range
	case ast.Groups:
		f.Mode = executor.Groups
	}
	if mode, ok := parser.FrameMode(spec); ok {
		f.Mode = map[string]executor.FrameMode{"rows": executor.Rows, "range": executor.Range, "groups": executor.Groups}[mode]
	}
	f.Exclude = map[string]executor.FrameExclude{"": executor.NoOthers, "no others": executor.NoOthers, "current row": executor.ExcludeCurrentRow, "group": executor.ExcludeGroup, "ties": executor.ExcludeTies}[parser.FrameExclude(spec)]
	bound := func(fb ast.FrameBound, start bool) (executor.FrameBound, error) {
		var out executor.FrameBound
		switch {
		case fb.Type == ast.CurrentRow:
			out.Kind = executor.CurrentRow
		case fb.UnBounded && fb.Type == ast.Preceding:
			out.Kind = executor.UnboundedPreceding
		case fb.UnBounded:
			out.Kind = executor.UnboundedFollowing
		default:
			out.Kind = executor.Preceding
			if fb.Type == ast.Following {
				out.Kind = executor.Following
			}
			var e expr.Expr
			var err error
			if iv, ok := parser.FrameInterval(fb); ok {
				e, err = expr.NewCast(expr.NewUnknownLiteral(iv), types.Interval)
			} else {
				e, err = eb.bind(fb.Expr)
			}
			if err != nil {
				return out, err
			}
			if f.Mode != executor.Range || expr.IsUnknownLiteral(e) && false {
				if e, err = expr.NewCast(e, types.Int64); err != nil {
					return out, err
				}
			}
			out.Offset = e
		}
		return out, nil
	}
	var err error
	if f.Start, err = bound(fc.Extent.Start, true); err != nil {
		return nil, err
	}
	if f.End, err = bound(fc.Extent.End, false); err != nil {
		return nil, err
	}
	return f, nil
}

// windowRef resolves a window function call to its Window output column.
func (eb *exprBinder) windowRef(n *ast.WindowFuncExpr) (expr.Expr, error) {
	for s := eb.s; s != nil; s = s.parent {
		if c, ok := s.windows[n]; ok {
			return newColRef(c), nil
		}
	}
	return nil, sqlerr.New(sqlerr.WindowingError, "window functions are not allowed in %s", eb.what)
}
