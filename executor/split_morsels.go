package executor

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/lakesql/lakesql/batch"
)

// SplitSource is what a scan needs of a table: its splits (row groups,
// byte ranges, files) and a reader for each. The planner adapts the
// connectors' tables to it, so the executor knows nothing of files.
type SplitSource interface {
	// Splits lists the parts to read; filtered false lists them without
	// the scan's pushed-down filter (to count what it pruned).
	Splits(ctx context.Context, filtered bool) ([]any, error)
	// Filtered reports whether the scan has a pushed-down filter.
	Filtered() bool
	// Bytes is the size of the split's columns read, for progress.
	Bytes(split any) int64
	// Open reads one split; cached reports it came from a cache.
	Open(ctx context.Context, split any) (r batch.Reader, cached bool, err error)
}

// SplitMorsels hands out a table's splits (listed on first use) to the
// scans reading it, one at a time to whichever worker asks, counting them
// for EXPLAIN ANALYZE (stats, when set) and for the query's progress.
type SplitMorsels struct {
	src      SplitSource
	stats    *ScanStats
	once     sync.Once
	splits   []any
	err      error
	next     atomic.Int64
	progress *Progress
}

// NewSplitMorsels returns the morsels of src; stats may be nil.
func NewSplitMorsels(src SplitSource, stats *ScanStats) *SplitMorsels {
	return &SplitMorsels{src: src, stats: stats}
}

// Next opens the next split, or returns nil when none is left.
func (m *SplitMorsels) Next(ctx context.Context) (batch.Reader, error) {
	m.once.Do(func() {
		m.splits, m.err = m.src.Splits(ctx, true)
		if m.err != nil {
			return
		}
		if m.stats != nil && m.src.Filtered() {
			if all, err := m.src.Splits(ctx, false); err == nil {
				m.stats.Pruned.Add(int64(len(all) - len(m.splits)))
			}
		}
		if m.progress = ProgressOf(ctx); m.progress != nil {
			for _, s := range m.splits {
				m.progress.Total.Add(m.src.Bytes(s))
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
	bytes := m.src.Bytes(s)
	if m.stats != nil {
		m.stats.Parts.Add(1)
		m.stats.Bytes.Add(bytes)
	}
	if m.progress != nil {
		m.progress.Done.Add(bytes)
	}
	r, cached, err := m.src.Open(ctx, s)
	if cached && m.stats != nil {
		m.stats.Cached.Add(1)
	}
	return r, err
}
