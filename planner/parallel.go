package planner

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor"
	"github.com/lakesql/lakesql/executor/expr"
)

// Parallel execution, in the manner of PostgreSQL's parallel query and
// DuckDB's morsels: a pipeline — a file scan under filters, projections
// and hash-join probes — is lowered once per worker. The instances share
// the scan's morsels (its Parquet row groups or files, handed out one at a
// time), the builds of their hash joins and their scalar subqueries. Above
// the pipeline, a hash aggregate aggregates each instance on its own
// goroutine and merges the groups; anything else reads the instances
// through a Gather.

// instance is what the instances of one parallel pipeline share.
type instance struct {
	driver     *Scan
	morsels    *tableMorsels
	builds     map[*Join]*executor.JoinBuild
	subqueries map[*subqueryExpr]expr.Expr
	mu         sync.Mutex
}

// workers is how many instances a parallel pipeline gets.
func (lw *lowering) workers() int {
	if lw.serial || lw.inst != nil || lw.b.env.Threads <= 1 {
		return 1
	}
	return lw.b.env.Threads
}

// parallelDriver returns the scan that would drive n as a parallel
// pipeline, or nil when n is not one: n must be a chain of filters,
// projections and probes of hash joins (inner, left, semi, anti, mark)
// over a file scan with more than one morsel.
func (lw *lowering) parallelDriver(n Node) *Scan {
	switch n := n.(type) {
	case *Scan:
		if n.Rel.Kind != catalog.FileTable {
			return nil
		}
		splits, err := n.Rel.File.Splits(lw.b.ctx, scanFilter(n))
		if err != nil || len(splits) < 2 {
			return nil
		}
		return n
	case *Filter:
		return lw.parallelDriver(n.Input)
	case *Project:
		return lw.parallelDriver(n.Input)
	case *Join:
		switch n.Type {
		case InnerJoin, LeftJoin, SemiJoin, AntiJoin, MarkJoin:
		default:
			return nil
		}
		if _, ok := lw.hashKeys(n); !ok {
			return nil
		}
		if lw.buildsLeft(n) {
			return lw.parallelDriver(n.Right)
		}
		return lw.parallelDriver(n.Left)
	}
	return nil
}

// parallelInstances lowers n once per worker over driver's shared
// morsels; nil when n is not worth running in parallel.
func (lw *lowering) parallelInstances(n Node) ([]executor.Operator, error) {
	w := lw.workers()
	if w <= 1 {
		return nil, nil
	}
	d := lw.parallelDriver(n)
	if d == nil {
		return nil, nil
	}
	inst := &instance{driver: d, morsels: newTableMorsels(d, lw.scanStats(d)), builds: map[*Join]*executor.JoinBuild{}, subqueries: map[*subqueryExpr]expr.Expr{}}
	ops := make([]executor.Operator, w)
	for i := range ops {
		sub := lw.sub()
		sub.inst, sub.worker = inst, i
		op, err := sub.lower(n)
		if err != nil {
			return nil, err
		}
		ops[i] = op
	}
	return ops, nil
}

// shared returns the join build the instances share, made by make on
// first use.
func (in *instance) build(j *Join, make func() (*executor.JoinBuild, error)) (*executor.JoinBuild, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if b, ok := in.builds[j]; ok {
		return b, nil
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	in.builds[j] = b
	return b, nil
}

// subquery returns the scalar subquery the instances share.
func (in *instance) subquery(x *subqueryExpr, make func() (expr.Expr, error)) (expr.Expr, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if e, ok := in.subqueries[x]; ok {
		return e, nil
	}
	e, err := make()
	if err != nil {
		return nil, err
	}
	in.subqueries[x] = e
	return e, nil
}

// tableMorsels hands out a file table's splits (found on first use) to
// the scans reading it, counting them for EXPLAIN ANALYZE (stats, when
// set) and for the query's progress report.
type tableMorsels struct {
	t        connectors.Table
	proj     []int
	filter   connectors.Filter
	stats    *executor.ScanStats
	once     sync.Once
	splits   []connectors.Split
	err      error
	next     atomic.Int64
	progress *executor.Progress
}

func newTableMorsels(n *Scan, stats *executor.ScanStats) *tableMorsels {
	return &tableMorsels{t: n.Rel.File, proj: n.Project, filter: scanFilter(n), stats: stats}
}

func (m *tableMorsels) Next(ctx context.Context) (batch.Reader, error) {
	m.once.Do(func() {
		m.splits, m.err = m.t.Splits(ctx, m.filter)
		if m.err != nil {
			return
		}
		if m.stats != nil && len(m.filter) > 0 {
			if all, err := m.t.Splits(ctx, nil); err == nil {
				m.stats.Pruned.Add(int64(len(all) - len(m.splits)))
			}
		}
		if m.progress = executor.ProgressOf(ctx); m.progress != nil {
			for _, s := range m.splits {
				m.progress.Total.Add(connectors.SplitBytes(s, m.proj))
			}
		}
	})
	if m.err != nil {
		return nil, m.err
	}
	i := m.next.Add(1) - 1
	if i >= int64(len(m.splits)) {
		return nil, nil
	}
	s := m.splits[i]
	bytes := connectors.SplitBytes(s, m.proj)
	if m.stats != nil {
		m.stats.Parts.Add(1)
		m.stats.Bytes.Add(bytes)
	}
	if m.progress != nil {
		m.progress.Done.Add(bytes)
	}
	r, err := m.t.Open(ctx, s, m.proj)
	if err == nil && m.stats != nil && connectors.FromCache(r) {
		m.stats.Cached.Add(1)
	}
	return r, err
}
