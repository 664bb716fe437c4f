// Package gcfloor gives the Go heap a floor of headroom between
// collections.
//
// With the default GOGC of 100 the collector runs whenever the heap has
// doubled since the last collection. A query engine whose live heap is
// small (a scan and an aggregate hold a few megabytes) but which allocates
// hundreds of megabytes a second of short-lived batches then collects
// thousands of times per query: a quarter of the CPU of TPC-H q06 went to
// the collector. After each collection, Start's tuner sets the next goal to
// the larger of twice the live heap and the live heap plus the floor, so
// small heaps collect rarely while large ones (whose doubling already
// exceeds the floor) behave as before and peak memory does not grow. TiDB
// tunes its collector the same way.
package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// maxPercent bounds GOGC when the live heap is tiny.
const maxPercent = 1000

// Start tunes the collector after every collection, for the life of the
// process; floor is the headroom in bytes. A GOGC the user set (other
// than the default 100, or off) is left alone.
func Start(floor uint64) {
	if prev := debug.SetGCPercent(100); prev != 100 {
		debug.SetGCPercent(prev)
		return
	}
	t := &tuner{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.arm()
}

type tuner struct {
	floor  uint64
	sample []metrics.Sample
}

// sentinel is garbage from birth: its finalizer runs after the next
// collection and re-arms the tuner.
type sentinel struct {
	t *tuner
	_ [16]byte
}

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{t: t}, func(s *sentinel) {
		s.t.tune()
		s.t.arm()
	})
}

func (t *tuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := t.sample[0].Value.Uint64()
	pct := maxPercent
	if live > 0 {
		pct = int(min(uint64(maxPercent), max(100, t.floor*100/live)))
	}
	debug.SetGCPercent(pct)
}
