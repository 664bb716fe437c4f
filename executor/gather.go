package executor

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
)

// Gather runs several instances of one pipeline (each reading its share
// of the same morsels) on goroutines of their own, and returns their
// batches as one stream, in no particular order. An error in one instance
// stops all of them; so does Close.
type Gather struct {
	schema    *arrow.Schema
	instances []Operator

	ctx    context.Context
	cancel context.CancelFunc
	out    chan gathered
	wg     sync.WaitGroup
	live   int
	err    error
}

type gathered struct {
	b   arrow.RecordBatch
	err error
	end bool
}

// NewGather returns the union of the instances' outputs; each instance
// must have the schema of the first.
func NewGather(instances []Operator) Operator {
	return &Gather{schema: instances[0].Schema(), instances: instances}
}

func (g *Gather) Schema() *arrow.Schema { return g.schema }

func (g *Gather) Open(ctx context.Context) error {
	g.ctx, g.cancel = context.WithCancel(ctx)
	g.out = make(chan gathered, 2*len(g.instances))
	g.err, g.live = nil, 0
	for _, in := range g.instances {
		if err := in.Open(g.ctx); err != nil {
			g.cancel()
			return err
		}
	}
	for _, in := range g.instances {
		g.live++
		g.wg.Add(1)
		go g.run(in)
	}
	return nil
}

// run drains one instance into the channel.
func (g *Gather) run(in Operator) {
	defer g.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			g.send(gathered{err: sqlerr.New(sqlerr.InternalError, "%v", r)})
			g.send(gathered{end: true})
		}
	}()
	for {
		b, err := in.Next(g.ctx)
		if err != nil {
			g.send(gathered{err: err})
			g.send(gathered{end: true})
			return
		}
		if b == nil {
			g.send(gathered{end: true})
			return
		}
		if !g.send(gathered{b: b}) {
			return
		}
	}
}

// send delivers m unless the Gather is being stopped.
func (g *Gather) send(m gathered) bool {
	select {
	case g.out <- m:
		return true
	case <-g.ctx.Done():
		return false
	}
}

func (g *Gather) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for g.live > 0 {
		var m gathered
		select {
		case m = <-g.out:
		case <-ctx.Done():
			return nil, batch.CheckCancel(ctx)
		}
		switch {
		case m.err != nil:
			g.cancel()
			if g.err == nil {
				g.err = m.err
			}
			return nil, g.err
		case m.end:
			g.live--
		default:
			return m.b, nil
		}
	}
	return nil, g.err
}

func (g *Gather) Close() error {
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
	var first error
	for _, in := range g.instances {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// isCanceled reports whether err is a cancellation (57014), which in a
// parallel operator is usually the echo of another worker's failure.
func isCanceled(err error) bool {
	return sqlerr.As(err).Code == sqlerr.QueryCanceled
}
