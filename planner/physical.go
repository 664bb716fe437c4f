package planner

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// lowering turns a logical plan into executor operators.
type lowering struct {
	b *binder
	// work holds the work-table operators of recursive CTEs being lowered.
	work map[int]func() executor.Operator
	// shared holds the results of WITH queries referenced more than once.
	shared *sharedCTEs
	// outer binds outer column IDs to constant values (inside Apply).
	outer map[int]expr.Expr
	// inst is set while lowering one instance of a parallel pipeline.
	inst *instance
	// serial lowers without parallelism (subqueries run once per row).
	serial bool
	// prof, when set, collects per-operator counters (EXPLAIN ANALYZE);
	// worker numbers the instance being lowered.
	prof   *Profile
	worker int
}

// sub returns a lowering for a part of the plan lowered on its own (a
// build side, a subquery), with the same settings.
func (lw *lowering) sub() *lowering {
	return &lowering{b: lw.b, work: lw.work, shared: lw.shared, outer: lw.outer, serial: lw.serial, prof: lw.prof, worker: lw.worker}
}

// lower returns the operator for n; its output columns are n.Cols() in order.
func (lw *lowering) lower(n Node) (executor.Operator, error) {
	op, err := lw.lowerNode(n)
	if err != nil || lw.prof == nil {
		return op, err
	}
	if _, ok := op.(*executor.Gather); ok {
		return op, nil // its instances count for n
	}
	return executor.Instrument(op, lw.prof.stats(n), lw.worker), nil
}

func (lw *lowering) lowerNode(n Node) (executor.Operator, error) {
	switch n.(type) {
	case *Scan, *Filter, *Project, *Join:
		ops, err := lw.parallelInstances(n)
		if err != nil {
			return nil, err
		}
		if ops != nil {
			return executor.NewGather(ops), nil
		}
	}
	switch n := n.(type) {
	case *Scan:
		return lw.scan(n)
	case *Values:
		rows := make([][]expr.Expr, len(n.Rows))
		for i, r := range n.Rows {
			row := make([]expr.Expr, len(r))
			for j, e := range r {
				x, err := lw.expr(e, nil)
				if err != nil {
					return nil, err
				}
				row[j] = x
			}
			rows[i] = row
		}
		return executor.NewValues(schemaOf(n.Out), rows), nil
	case *Filter:
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		p, err := lw.expr(n.Pred, n.Input.Cols())
		if err != nil {
			return nil, err
		}
		return executor.NewFilter(in, p), nil
	case *Project:
		if s, ok := n.Input.(*Scan); ok && len(s.Filters) > 0 {
			if op, ok, err := lw.scanKeeping(s, n); ok || err != nil {
				return op, err
			}
		}
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		es, err := lw.exprs(n.Exprs, n.Input.Cols())
		if err != nil {
			return nil, err
		}
		names := make([]string, len(n.Out))
		for i, c := range n.Out {
			names[i] = c.Name
		}
		return executor.NewProject(in, es, names), nil
	case *Join:
		return lw.join(n)
	case *Aggregate:
		return lw.aggregate(n)
	case *Sort:
		return lw.sort(n, -1, 0)
	case *Limit:
		if s, ok := n.Input.(*Sort); ok && n.Count >= 0 {
			return lw.sort(s, n.Count, n.Offset)
		}
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		return executor.NewLimit(in, n.Offset, n.Count), nil
	case *Distinct:
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		return executor.NewDistinct(in), nil
	case *SetOp:
		l, err := lw.lower(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := lw.lower(n.Right)
		if err != nil {
			return nil, err
		}
		kind := map[SetOpKind]executor.SetOpKind{Union: executor.Union, Intersect: executor.Intersect, Except: executor.Except}[n.Kind]
		op := executor.NewSetOp(kind, n.All, l, r)
		return rename(op, n.Out), nil
	case *ProjectSet:
		return lw.projectSet(n)
	case *LateralJoin:
		return lw.lateral(n)
	case *Window:
		return lw.window(n)
	case *RecursiveCTE:
		anchor, err := lw.lower(n.Anchor)
		if err != nil {
			return nil, err
		}
		rec := n.Recursive
		op := executor.NewRecursiveUnion(anchor, func(work executor.Operator) (executor.Operator, error) {
			// Shared WITH queries read no work table (see sharable), so
			// every iteration reads the same results.
			sub := &lowering{b: lw.b, work: map[int]func() executor.Operator{}, shared: lw.shared, outer: lw.outer}
			for k, v := range lw.work {
				sub.work[k] = v
			}
			sub.work[n.WorkID] = func() executor.Operator { return work }
			return sub.lower(rec)
		}, n.All, 1_000_000)
		return rename(op, n.Out), nil
	case *WorkTable:
		f, ok := lw.work[n.WorkID]
		if !ok {
			return nil, sqlerr.New(sqlerr.InternalError, "work table outside its recursive query")
		}
		return f(), nil
	case *Apply:
		return lw.apply(n)
	case *CTE:
		return lw.cte(n)
	case *TableFunc:
		return lw.tableFunc(n)
	}
	return nil, sqlerr.New(sqlerr.InternalError, "cannot lower %T", n)
}

func schemaOf(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// rename projects op's columns under the names of cols.
func rename(op executor.Operator, cols []Column) executor.Operator {
	es := make([]expr.Expr, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		es[i] = expr.NewColumn(i, c.Type, c.Name)
		names[i] = c.Name
	}
	return executor.NewProject(op, es, names)
}

// scalarSubquery lowers an uncorrelated subquery used as a value; the
// instances of a parallel pipeline share one.
func (lw *lowering) scalarSubquery(x *subqueryExpr) (expr.Expr, error) {
	make := func() (expr.Expr, error) {
		// It runs once: its joins may hand their keys to its scans as
		// the query's do (TPC-H q11's HAVING repeats the query's join).
		lw.markDynamicFilters(x.plan)
		op, err := lw.sub().lower(x.plan)
		if err != nil {
			return nil, err
		}
		return executor.NewScalarSubquery(op), nil
	}
	if lw.inst != nil {
		return lw.inst.subquery(x, make)
	}
	return make()
}

// expr lowers an expression over input columns cols.
func (lw *lowering) expr(e expr.Expr, cols []Column) (expr.Expr, error) {
	pos := make(map[int]int, len(cols))
	for i, c := range cols {
		if _, dup := pos[c.ID]; !dup {
			pos[c.ID] = i
		}
	}
	var err error
	out := rewrite(e, func(x expr.Expr) expr.Expr {
		switch x := x.(type) {
		case *colRef:
			if i, ok := pos[x.id]; ok {
				return expr.NewColumn(i, x.typ, x.name)
			}
			if v, ok := lw.outer[x.id]; ok {
				return v
			}
			if err == nil {
				err = sqlerr.New(sqlerr.InternalError, "column %s is not available here", x)
			}
		case *subqueryExpr:
			sq, e2 := lw.scalarSubquery(x)
			if e2 != nil {
				if err == nil {
					err = e2
				}
				return x
			}
			return sq
		}
		return x
	})
	return out, err
}

func (lw *lowering) exprs(es []expr.Expr, cols []Column) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := lw.expr(e, cols)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (lw *lowering) sortKeys(keys []SortKey, cols []Column) ([]executor.SortKey, error) {
	out := make([]executor.SortKey, len(keys))
	for i, k := range keys {
		e, err := lw.expr(k.Expr, cols)
		if err != nil {
			return nil, err
		}
		out[i] = executor.SortKey{Expr: e, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out, nil
}

func (lw *lowering) scan(n *Scan) (executor.Operator, error) { return lw.filteredScan(n, nil, nil) }

// filteredScan lowers a scan and the filter that applies its conditions
// above the reader; keep, when set, are the columns the filter returns
// (named names: see executor.NewFilterKeep).
func (lw *lowering) filteredScan(n *Scan, keep []int, names []string) (executor.Operator, error) {
	op, err := lw.scanReader(n)
	if err != nil || len(n.Filters) == 0 {
		return op, err
	}
	p, err := lw.expr(conjunction(n.Filters), n.Out)
	if err != nil {
		return nil, err
	}
	if keep != nil {
		return executor.NewFilterKeep(op, p, keep, names), nil
	}
	return executor.NewFilter(op, p), nil
}

// scanReader lowers the reading part of a scan: its filters (pushed into
// the reader, which only drops rows early) are left for the caller to
// apply.
func (lw *lowering) scanReader(n *Scan) (executor.Operator, error) {
	fields := make([]arrow.Field, len(n.Out))
	for i, c := range n.Out {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var op executor.Operator
	switch n.Rel.Kind {
	case catalog.FileTable:
		var shared *executor.SplitMorsels
		if lw.inst != nil && lw.inst.driver == n {
			shared = lw.inst.morsels
		}
		stats := lw.scanStats(n)
		op = executor.NewScan(schema, func(ctx context.Context) (batch.Reader, error) {
			if shared != nil {
				return batch.ReadMorsels(shared), nil
			}
			return batch.ReadMorsels(newTableMorsels(n, stats)), nil
		})
	case catalog.MemoryTable:
		batches := n.Rel.Mem.Snapshot()
		projected := make([]arrow.RecordBatch, len(batches))
		for i, b := range batches {
			cols := make([]arrow.Array, len(n.Project))
			for j, p := range n.Project {
				cols[j] = b.Column(p)
			}
			projected[i] = newBatch(schema, cols, b.NumRows())
		}
		op = executor.NewBatches(schema, projected)
	case catalog.SystemTable:
		sys, proj := n.Rel.System, n.Project
		op = executor.NewScan(schema, func(ctx context.Context) (batch.Reader, error) {
			rows, err := sys.Rows(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]arrow.RecordBatch, len(rows))
			for i, b := range rows {
				cols := make([]arrow.Array, len(proj))
				for j, p := range proj {
					cols[j] = b.Column(p)
				}
				out[i] = newBatch(schema, cols, b.NumRows())
			}
			return &sliceReader{batches: out}, nil
		})
	default:
		return nil, sqlerr.New(sqlerr.InternalError, "cannot scan %s", n.Rel.Name)
	}
	return op, nil
}

// scanKeeping lowers p, a projection of bare columns over the filtered
// scan s, as the scan whose filter returns only those columns (see
// executor.NewFilterKeep); ok is false when p computes anything.
func (lw *lowering) scanKeeping(s *Scan, p *Project) (op executor.Operator, ok bool, err error) {
	pos := map[int]int{}
	for i, c := range s.Out {
		pos[c.ID] = i
	}
	keep := make([]int, len(p.Exprs))
	names := make([]string, len(p.Exprs))
	for i, e := range p.Exprs {
		r, isRef := e.(*colRef)
		if !isRef {
			return nil, false, nil
		}
		if keep[i], isRef = pos[r.id]; !isRef {
			return nil, false, nil
		}
		names[i] = p.Out[i].Name
	}
	if op, err = lw.filteredScan(s, keep, names); err != nil {
		return nil, false, err
	}
	if lw.prof != nil {
		// The scan's counters are the scan node's, as when its filter
		// is lowered with it (the projection counts for itself).
		op = executor.Instrument(op, lw.prof.stats(s), lw.worker)
	}
	return op, true, nil
}

// sliceReader serves materialised batches.
type sliceReader struct{ batches []arrow.RecordBatch }

func (r *sliceReader) Next(context.Context) (arrow.RecordBatch, error) {
	if len(r.batches) == 0 {
		return nil, nil
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	return b, nil
}
func (r *sliceReader) Close() error { return nil }

// sort lowers ORDER BY, with a limit (>= 0) a Top-N; a parallel input is
// sorted by each worker, the runs merged.
func (lw *lowering) sort(n *Sort, limit, offset int64) (executor.Operator, error) {
	keys, err := lw.sortKeys(n.Keys, n.Input.Cols())
	if err != nil {
		return nil, err
	}
	ins, err := lw.parallelInstances(n.Input)
	if err != nil {
		return nil, err
	}
	if ins == nil {
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		ins = []executor.Operator{in}
	}
	return executor.NewParallelSort(ins, keys, limit, offset), nil
}

// window lowers a Window node (calls sharing one window specification):
// its input sorted by the specification's keys by a spilling sort, unless
// the input is a Window whose output already is in that order.
func (lw *lowering) window(n *Window) (executor.Operator, error) {
	cols := n.Input.Cols()
	funcs := make([]executor.WindowExpr, len(n.Calls))
	var err error
	for i, c := range n.Calls {
		w := c.Spec
		if w.Args, err = lw.exprs(w.Args, cols); err != nil {
			return nil, err
		}
		if w.PartitionBy, err = lw.exprs(w.PartitionBy, cols); err != nil {
			return nil, err
		}
		ok := make([]executor.SortKey, len(w.OrderBy))
		for j, k := range w.OrderBy {
			if k.Expr, err = lw.expr(k.Expr, cols); err != nil {
				return nil, err
			}
			ok[j] = k
		}
		w.OrderBy = ok
		if w.Filter != nil {
			if w.Filter, err = lw.expr(w.Filter, cols); err != nil {
				return nil, err
			}
		}
		if w.Frame != nil {
			f := *w.Frame
			if f.Start.Offset != nil {
				if f.Start.Offset, err = lw.expr(f.Start.Offset, cols); err != nil {
					return nil, err
				}
			}
			if f.End.Offset != nil {
				if f.End.Offset, err = lw.expr(f.End.Offset, cols); err != nil {
					return nil, err
				}
			}
			w.Frame = &f
		}
		funcs[i] = w
	}
	// A parallel input is sorted by each worker, the runs merged.
	sorted := windowOrdered(windowOutputOrder(n.Input), n.Calls[0].Spec)
	var ins []executor.Operator
	if !sorted {
		if ins, err = lw.parallelInstances(n.Input); err != nil {
			return nil, err
		}
	}
	if ins == nil {
		in, err := lw.lower(n.Input)
		if err != nil {
			return nil, err
		}
		ins = []executor.Operator{in}
	}
	return executor.NewWindow(ins, funcs, sorted), nil
}

// equiKey is one conjunct of a join condition that a hash join can use:
// left = right (or <=>, NullEq), each side over one input only.
type equiKey struct {
	left, right expr.Expr
	nullEq      bool
}

// hashKeys splits a join's condition into hash keys and the residual
// conjuncts; ok is false when there is no hash key.
func (lw *lowering) hashKeys(n *Join) (keys []equiKey, ok bool) {
	keys, _ = splitJoinCond(n)
	return keys, len(keys) > 0
}

func splitJoinCond(n *Join) (keys []equiKey, residual []expr.Expr) {
	lids, rids := idSet(n.Left.Cols()), idSet(n.Right.Cols())
	for _, c := range conjuncts(n.Cond) {
		if isCall(c, "=") || isCall(c, "<=>") {
			k := c.Children()
			a, b := k[0], k[1]
			ra, rb := refs(a), refs(b)
			if len(ra) > 0 && len(rb) > 0 && !hasSubquery(c) {
				if subset(rb, lids) && subset(ra, rids) {
					a, b, ra, rb = b, a, rb, ra
				}
				if subset(ra, lids) && subset(rb, rids) && types.Equal(a.Type(), b.Type()) {
					keys = append(keys, equiKey{left: a, right: b, nullEq: isCall(c, "<=>")})
					continue
				}
			}
		}
		residual = append(residual, c)
	}
	return keys, residual
}

// buildsLeft reports whether a semi or anti join runs as a right semi or
// anti join, building on its left input and streaming its right one:
// when the right input is estimated larger (TPC-H q04: orders of one
// quarter against the line items received late).
func (lw *lowering) buildsLeft(n *Join) bool {
	if (n.Type != SemiJoin && n.Type != AntiJoin && n.Type != LeftJoin) || n.NullAware {
		return false
	}
	if _, ok := lw.hashKeys(n); !ok {
		return false
	}
	return lw.b.estimate(n.Right).rows > 1.5*lw.b.estimate(n.Left).rows
}

func (lw *lowering) join(n *Join) (executor.Operator, error) {
	if lw.buildsLeft(n) {
		if n.Type == LeftJoin {
			return lw.rightOuterJoin(n)
		}
		return lw.rightSemiJoin(n)
	}
	l, err := lw.lower(n.Left)
	if err != nil {
		return nil, err
	}
	lcols, rcols := n.Left.Cols(), n.Right.Cols()
	all := append(append([]Column(nil), lcols...), rcols...)
	typ := map[JoinType]executor.JoinType{InnerJoin: executor.Inner, LeftJoin: executor.Left, RightJoin: executor.Right, FullJoin: executor.Full, SemiJoin: executor.Semi, AntiJoin: executor.Anti, MarkJoin: executor.Mark}[n.Type]
	keys, residual := splitJoinCond(n)
	lkeys, rkeys, nullEq, err := lw.joinKeys(keys, lcols, rcols)
	if err != nil {
		return nil, err
	}
	var res expr.Expr
	if len(residual) > 0 {
		if res, err = lw.expr(conjunction(residual), all); err != nil {
			return nil, err
		}
	}
	if len(lkeys) == 0 {
		r, err := lw.sub().lower(n.Right)
		if err != nil {
			return nil, err
		}
		if n.NullAware && (typ == executor.Mark || typ == executor.Anti) && len(residual) > 0 {
			// The quantified comparison is the condition's first conjunct;
			// only its NULLs make the answer unknown.
			cmp, err := lw.expr(residual[0], all)
			if err != nil {
				return nil, err
			}
			var filter expr.Expr
			if len(residual) > 1 {
				if filter, err = lw.expr(conjunction(residual[1:]), all); err != nil {
					return nil, err
				}
			}
			return executor.NewNullAwareNestedLoopJoin(l, r, typ, cmp, filter), nil
		}
		return executor.NewNestedLoopJoin(l, r, typ, res), nil
	}
	spec := executor.HashJoinSpec{Type: typ, LeftKeys: lkeys, RightKeys: rkeys, NullEqual: nullEq, Residual: res, NullAware: n.NullAware, Publish: n.Publish}
	return lw.hashJoin(n, l, n.Right, spec)
}

// joinKeys lowers the equality keys of a join: each key's left side over
// lcols, its right side over rcols, and whether it matches NULLs.
func (lw *lowering) joinKeys(keys []equiKey, lcols, rcols []Column) (left, right []expr.Expr, nullEq []bool, err error) {
	for _, k := range keys {
		l, err := lw.expr(k.left, lcols)
		if err != nil {
			return nil, nil, nil, err
		}
		r, err := lw.expr(k.right, rcols)
		if err != nil {
			return nil, nil, nil, err
		}
		left, right, nullEq = append(left, l), append(right, r), append(nullEq, k.nullEq)
	}
	return left, right, nullEq, nil
}

// hashJoin joins probe with a hash build over buildSide, keyed by
// spec.RightKeys. The build side is lowered once, even for the instances
// of a parallel probe, which share it (keyed by n).
func (lw *lowering) hashJoin(n *Join, probe executor.Operator, buildSide Node, spec executor.HashJoinSpec) (executor.Operator, error) {
	lowerBuild := func() (executor.Operator, error) { return lw.sub().lower(buildSide) }
	if lw.inst != nil {
		build, err := lw.inst.build(n, func() (*executor.JoinBuild, error) {
			b, err := lowerBuild()
			if err != nil {
				return nil, err
			}
			return executor.NewJoinBuild(b, spec.RightKeys, spec.NullEqual).Publishing(spec.Publish), nil
		})
		if err != nil {
			return nil, err
		}
		return executor.NewSharedHashJoin(probe, build, spec), nil
	}
	b, err := lowerBuild()
	if err != nil {
		return nil, err
	}
	return executor.NewHashJoin(probe, b, spec), nil
}

// rightOuterJoin lowers a left join whose right input is the larger as a
// right join the other way round: the left input is built (and its
// unmatched rows emitted at the end), the right one streams (TPC-H q13:
// 150 thousand customers built, 1.5 million orders probe). The columns
// are put back in the left join's order.
func (lw *lowering) rightOuterJoin(n *Join) (executor.Operator, error) {
	swapped := &Join{Left: n.Right, Right: n.Left, Type: RightJoin, Cond: n.Cond, Publish: n.Publish}
	if lw.inst != nil {
		// The instances of a parallel probe share the build: one node
		// keys it for all of them.
		lw.inst.mu.Lock()
		if s, ok := lw.inst.swapped[n]; ok {
			swapped = s
		} else {
			lw.inst.swapped[n] = swapped
		}
		lw.inst.mu.Unlock()
	}
	op, err := lw.join(swapped)
	if err != nil {
		return nil, err
	}
	lcols, rcols := n.Left.Cols(), n.Right.Cols()
	exprs := make([]expr.Expr, 0, len(lcols)+len(rcols))
	names := make([]string, 0, len(lcols)+len(rcols))
	for i, c := range lcols {
		exprs = append(exprs, expr.NewColumn(len(rcols)+i, c.Type, c.Name))
		names = append(names, c.Name)
	}
	for i, c := range rcols {
		exprs = append(exprs, expr.NewColumn(i, c.Type, c.Name))
		names = append(names, c.Name)
	}
	return executor.NewProject(op, exprs, names), nil
}

// rightSemiJoin lowers a semi or anti join with its inputs' roles
// swapped: the right input probes (and drives a parallel pipeline), the
// left one is built, and the join outputs the build rows matched (semi)
// or not (anti).
func (lw *lowering) rightSemiJoin(n *Join) (executor.Operator, error) {
	probe, err := lw.lower(n.Right)
	if err != nil {
		return nil, err
	}
	lcols, rcols := n.Left.Cols(), n.Right.Cols()
	typ := executor.RightSemi
	if n.Type == AntiJoin {
		typ = executor.RightAnti
	}
	keys, residual := splitJoinCond(n)
	bkeys, pkeys, nullEq, err := lw.joinKeys(keys, lcols, rcols)
	if err != nil {
		return nil, err
	}
	spec := executor.HashJoinSpec{Type: typ, LeftKeys: pkeys, RightKeys: bkeys, NullEqual: nullEq, Publish: n.Publish}
	if len(residual) > 0 {
		// The residual sees the probe's columns, then the build's.
		all := append(append([]Column(nil), rcols...), lcols...)
		if spec.Residual, err = lw.expr(conjunction(residual), all); err != nil {
			return nil, err
		}
	}
	return lw.hashJoin(n, probe, n.Left, spec)
}

func (lw *lowering) aggregate(n *Aggregate) (executor.Operator, error) {
	// Aggregates whose states merge run one partial aggregate per
	// instance of a parallel input.
	var instances []executor.Operator
	mergeable := true
	for _, a := range n.Aggs {
		if a.Distinct || len(a.OrderBy) > 0 {
			mergeable = false
		}
	}
	if mergeable {
		var err error
		if instances, err = lw.parallelInstances(n.Input); err != nil {
			return nil, err
		}
	}
	var in executor.Operator
	if instances == nil {
		var err error
		if in, err = lw.lower(n.Input); err != nil {
			return nil, err
		}
	}
	cols := n.Input.Cols()
	groups, err := lw.exprs(n.GroupBy, cols)
	if err != nil {
		return nil, err
	}
	aggs := make([]executor.AggregateExpr, len(n.Aggs))
	for i, a := range n.Aggs {
		args, err := lw.exprs(a.Args, cols)
		if err != nil {
			return nil, err
		}
		ae := executor.AggregateExpr{Func: a.Func, Args: args, Distinct: a.Distinct}
		if a.Filter != nil {
			if ae.Filter, err = lw.expr(a.Filter, cols); err != nil {
				return nil, err
			}
		}
		if ae.OrderBy, err = lw.sortKeys(a.OrderBy, cols); err != nil {
			return nil, err
		}
		aggs[i] = ae
	}
	if instances != nil {
		return executor.NewParallelHashAggregate(instances, groups, aggs, n.GroupingSets), nil
	}
	return executor.NewHashAggregate(in, groups, aggs, n.GroupingSets), nil
}
