package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// After a collection with a small live heap, the collector's percentage
// is raised so the next goal is about live + floor; with a live heap
// above the floor it stays at 100.
func TestTunes(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Start(256 << 20)
	pct := func() int {
		for i := 0; i < 50; i++ {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
			if p := debug.SetGCPercent(-1); p != -1 {
				debug.SetGCPercent(p)
				if p != 100 {
					return p
				}
			}
		}
		return 100
	}
	if p := pct(); p <= 100 {
		t.Errorf("small heap: GOGC %d, want more than 100", p)
	}
	big := make([][]byte, 0, 512)
	for range 512 {
		big = append(big, make([]byte, 1<<20)) // 512 MB live
	}
	for i := 0; i < 50; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		if p == 100 {
			runtime.KeepAlive(big)
			return
		}
	}
	t.Errorf("large heap: GOGC stays above 100")
	runtime.KeepAlive(big)
}
