package planner

import (
	"context"
	"sync"

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
	morsels    *executor.SplitMorsels
	builds     map[*Join]*executor.JoinBuild
	swapped    map[*Join]*Join // left joins lowered as right joins
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
// projections and probes of hash joins (any kind)
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
		case InnerJoin, LeftJoin, RightJoin, FullJoin, SemiJoin, AntiJoin, MarkJoin:
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
	inst := &instance{driver: d, morsels: newTableMorsels(d, lw.scanStats(d)), builds: map[*Join]*executor.JoinBuild{}, swapped: map[*Join]*Join{}, subqueries: map[*subqueryExpr]expr.Expr{}}
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

// splitSource adapts a file table's scan (its columns and pushed-down
// filter) to the executor's SplitSource.
type splitSource struct {
	t      connectors.Table
	proj   []int
	filter connectors.Filter
	dict   []bool // columns of proj that may come dictionary-encoded
}

func (s splitSource) Splits(ctx context.Context, filtered bool) ([]any, error) {
	f := s.filter
	if !filtered {
		f = nil
	}
	splits, err := s.t.Splits(ctx, f)
	out := make([]any, len(splits))
	for i, sp := range splits {
		out[i] = sp
	}
	return out, err
}

func (s splitSource) Filtered() bool { return len(s.filter) > 0 }

func (s splitSource) Bytes(split any) int64 {
	return connectors.SplitBytes(split.(connectors.Split), s.proj)
}

func (s splitSource) Open(ctx context.Context, split any) (batch.Reader, bool, error) {
	var r batch.Reader
	var err error
	if d, ok := s.t.(connectors.DictionaryOpener); ok && s.dict != nil {
		r, err = d.OpenDictionary(ctx, split.(connectors.Split), s.proj, s.dict)
	} else {
		r, err = s.t.Open(ctx, split.(connectors.Split), s.proj)
	}
	return r, err == nil && connectors.FromCache(r), err
}

func newTableMorsels(n *Scan, stats *executor.ScanStats) *executor.SplitMorsels {
	filter := append(scanFilter(n), n.Dynamic...)
	return executor.NewSplitMorsels(splitSource{t: n.Rel.File, proj: n.Project, filter: filter, dict: n.Dictionary}, stats)
}
