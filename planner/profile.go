package planner

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lakesql/lakesql/executor"
)

// Profile holds the counters of a plan's operators while it runs, keyed
// by the logical node each operator implements (all instances of a
// parallel pipeline count into one).
type Profile struct {
	mu    sync.Mutex
	nodes map[Node]*executor.OpStats
}

func newProfile() *Profile { return &Profile{nodes: map[Node]*executor.OpStats{}} }

// stats returns the counters of n's operator.
func (p *Profile) stats(n Node) *executor.OpStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.nodes[n]
	if !ok {
		s = &executor.OpStats{}
		if _, isScan := n.(*Scan); isScan {
			s.Scan = &executor.ScanStats{}
		}
		p.nodes[n] = s
	}
	return s
}

// scanStats returns the scan counters of n when profiling, else nil.
func (lw *lowering) scanStats(n *Scan) *executor.ScanStats {
	if lw.prof == nil {
		return nil
	}
	return lw.prof.stats(n).Scan
}

// ExplainAnalyze renders the plan of q after it ran, as EXPLAIN does,
// each line followed by what its operator did: rows and batches
// returned, time spent in the operator itself (its own inputs' time
// taken out; summed over workers), and for parallel operators the spread
// of their workers' times; scans add the parts (row groups, files) read
// and pruned and the bytes read.
func ExplainAnalyze(q *Query) []string {
	return renderPlan(q.Logical, func(n Node) (string, []string) {
		if s, ok := q.Profile.nodes[n]; ok {
			return describe(n) + " " + q.Profile.counters(n, s), nil
		}
		return describe(n) + " (never executed)", nil
	})
}

func (p *Profile) counters(n Node, s *executor.OpStats) string {
	workers, total := s.Times()
	self := total
	for _, in := range n.Inputs() {
		if cs, ok := p.nodes[in]; ok {
			_, ct := cs.Times()
			self -= ct
		}
	}
	self = max(self, 0)
	parts := []string{fmt.Sprintf("rows=%d", s.Rows.Load()), fmt.Sprintf("batches=%d", s.Batches.Load()), "time=" + ms(self)}
	if len(workers) > 1 {
		sort.Slice(workers, func(i, j int) bool { return workers[i] < workers[j] })
		parts = append(parts, fmt.Sprintf("workers=%d [%s..%s]", len(workers), ms(workers[0]), ms(workers[len(workers)-1])))
	}
	if m := s.Mem.Load(); m > 0 {
		parts = append(parts, "memory="+sizeText(m))
	}
	if sc := s.Scan; sc != nil {
		parts = append(parts, fmt.Sprintf("parts=%d pruned=%d read=%s", sc.Parts.Load(), sc.Pruned.Load(), sizeText(sc.Bytes.Load())))
		if n := sc.Cached.Load(); n > 0 {
			parts = append(parts, fmt.Sprintf("from-cache=%d", n))
		}
	}
	return "(" + strings.Join(parts, " ") + ")"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d.Microseconds())/1000) }

// sizeText renders a byte count as PostgreSQL's pg_size_pretty does.
func sizeText(b int64) string {
	switch {
	case b < 10*1024:
		return fmt.Sprintf("%d bytes", b)
	case b < 10*1024*1024:
		return fmt.Sprintf("%d kB", (b+512)/1024)
	case b < 10*1024*1024*1024:
		return fmt.Sprintf("%d MB", (b+512*1024)/(1024*1024))
	}
	return fmt.Sprintf("%d GB", (b+512*1024*1024)/(1024*1024*1024))
}
