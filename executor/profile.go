package executor

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// OpStats counts what one operator of a plan did while it ran, over all
// its instances (EXPLAIN ANALYZE): rows and batches it returned, and per
// worker the time spent inside it, its inputs included.
type OpStats struct {
	Rows, Batches atomic.Int64
	// Mem is the most memory one instance of the operator reserved.
	Mem         atomic.Int64
	mu          sync.Mutex
	workerNanos map[int]int64
	// Scan counters, for scans.
	Scan *ScanStats
}

// ScanStats counts the parts of a table a scan read or skipped.
type ScanStats struct {
	Parts, Pruned  atomic.Int64 // parts (row groups, files) read and skipped
	Cached         atomic.Int64 // parts read from the column cache (text files)
	Bytes          atomic.Int64 // bytes of the parts read
	RowsFromSource atomic.Int64
}

func (s *OpStats) addTime(worker int, d time.Duration) {
	s.mu.Lock()
	if s.workerNanos == nil {
		s.workerNanos = map[int]int64{}
	}
	s.workerNanos[worker] += int64(d)
	s.mu.Unlock()
}

// Times returns the time spent per worker, and their total.
func (s *OpStats) Times() (perWorker []time.Duration, total time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.workerNanos {
		perWorker = append(perWorker, time.Duration(n))
		total += time.Duration(n)
	}
	return perWorker, total
}

// Instrument wraps op so that its work is counted in st, as done by the
// given worker (instances of a parallel pipeline have distinct workers).
func Instrument(op Operator, st *OpStats, worker int) Operator {
	return &instrumented{op: op, st: st, worker: worker}
}

type instrumented struct {
	op     Operator
	st     *OpStats
	worker int
	// parallelDone: the op's per-worker times (see parallelTimer) are
	// counted.
	parallelDone bool
}

// parallelTimer is an operator that runs its inputs on goroutines of its
// own (the parallel aggregate): its time is what each of them spent, not
// the time its caller waited for them.
type parallelTimer interface {
	ParallelTimes() (perWorker []time.Duration, waited time.Duration)
}

func (o *instrumented) Schema() *arrow.Schema { return o.op.Schema() }
func (o *instrumented) Open(ctx context.Context) error {
	o.parallelDone = false
	start := time.Now()
	err := o.op.Open(ctx)
	o.st.addTime(o.worker, time.Since(start))
	return err
}
func (o *instrumented) Next(ctx context.Context) (arrow.RecordBatch, error) {
	start := time.Now()
	b, err := o.op.Next(ctx)
	d := time.Since(start)
	if p, ok := o.op.(parallelTimer); ok && !o.parallelDone {
		if per, waited := p.ParallelTimes(); per != nil {
			o.parallelDone = true
			d -= waited
			for w, t := range per {
				o.st.addTime(w, t)
			}
		}
	}
	o.st.addTime(o.worker, d)
	if b != nil {
		o.st.Rows.Add(b.NumRows())
		o.st.Batches.Add(1)
	}
	return b, err
}
func (o *instrumented) Close() error {
	if m, ok := o.op.(interface{ PeakMemory() int64 }); ok {
		p := m.PeakMemory()
		for {
			cur := o.st.Mem.Load()
			if p <= cur || o.st.Mem.CompareAndSwap(cur, p) {
				break
			}
		}
	}
	return o.op.Close()
}

// Progress counts the bytes a query's scans have to read and have read,
// for progress reports. It travels in the query's context.
type Progress struct {
	Total, Done atomic.Int64
}

type progressKey struct{}

// WithProgress attaches p to ctx; scans report to it.
func WithProgress(ctx context.Context, p *Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// ProgressOf returns the Progress attached to ctx, or nil.
func ProgressOf(ctx context.Context) *Progress {
	p, _ := ctx.Value(progressKey{}).(*Progress)
	return p
}
