package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/lakesql/lakesql/cmd/lakesql/internal/shell"
	"github.com/lakesql/lakesql/executor"
)

// progressBar draws, on a terminal, how far a long statement's scans
// have got: the bytes read of those to read, as DuckDB's shell does. It
// appears once a statement has run for a second and is erased before
// anything else is written to the terminal.
type progressBar struct {
	w     io.Writer
	delay time.Duration
	mu    sync.Mutex
	shown bool // the bar is on the screen
	quiet bool // output has started: no more drawing for this statement
}

// hook wraps each statement with a progress report.
func (b *progressBar) hook() shell.Hook {
	return func(ctx context.Context, sql string) (context.Context, func(error)) {
		p := &executor.Progress{}
		ctx = executor.WithProgress(ctx, p)
		b.mu.Lock()
		b.quiet = false
		b.mu.Unlock()
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			select {
			case <-stop:
				return
			case <-time.After(b.delay):
			}
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				b.draw(p)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		return ctx, func(error) {
			close(stop)
			<-done
			b.clear()
		}
	}
}

func (b *progressBar) draw(p *executor.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	total, done := p.Total.Load(), p.Done.Load()
	if b.quiet || total <= 0 {
		return
	}
	frac := min(float64(done)/float64(total), 1)
	const width = 40
	n := int(frac * width)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	if n < width {
		bar = bar[:n] + ">" + bar[n+1:]
	}
	fmt.Fprintf(b.w, "\r[%s] %3.0f%%  %s / %s", bar, frac*100, sizeText(done), sizeText(total))
	b.shown = true
}

// clear erases the bar.
func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.shown = false
	}
}

// before is called before the statement writes output to the same
// terminal: the bar goes away and stays away.
func (b *progressBar) before() {
	b.mu.Lock()
	b.quiet = true
	b.mu.Unlock()
	b.clear()
}

// outputWriter erases the bar before writing.
type outputWriter struct {
	w   io.Writer
	bar *progressBar
}

func (o outputWriter) Write(p []byte) (int, error) {
	o.bar.before()
	return o.w.Write(p)
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d kB", n>>10)
}
