package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakesql/lakesql/executor"
)

type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// The bar shows the scans' bytes read of those to read once the delay has
// passed, and is erased before output reaches the terminal.
func TestProgressBar(t *testing.T) {
	w := &syncWriter{}
	bar := &progressBar{w: w, delay: 10 * time.Millisecond}
	ctx, done := bar.hook()(context.Background(), "SELECT 1")
	p := executor.ProgressOf(ctx)
	if p == nil {
		t.Fatal("no progress in the statement's context")
	}
	p.Total.Store(200 << 20)
	p.Done.Store(50 << 20)
	for i := 0; i < 100 && !strings.Contains(w.String(), "25%"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(w.String(), " 25%  50.0 MB / 200.0 MB") {
		t.Fatalf("bar: %q", w.String())
	}
	out := outputWriter{w: &bytes.Buffer{}, bar: bar}
	out.Write([]byte("rows\n"))
	if !strings.HasSuffix(w.String(), "\r\x1b[K") {
		t.Fatalf("not erased before output: %q", w.String())
	}
	n := len(w.String())
	time.Sleep(150 * time.Millisecond)
	if len(w.String()) != n {
		t.Fatalf("drawn again after output: %q", w.String()[n:])
	}
	done(nil)
}
