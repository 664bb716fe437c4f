// Package budget accounts for the memory queries hold in their operators'
// tables and buffers (hash tables, join builds, sort buffers), against the
// server's limit (--memory-limit). Operators that can spill to disk ask
// before they grow and spill when refused; the others fail their query
// with 53200 (out of memory) rather than let the server be killed.
//
// What flows through a pipeline (batches of a few thousand rows) is not
// counted: it is bounded by the batch size and the number of workers.
package budget

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/lakesql/lakesql/sqlerr"
)

// Pool is the memory all the queries of one engine may hold.
type Pool struct {
	limit int64
	used  atomic.Int64
}

// NewPool returns a pool of limit bytes (<= 0: unlimited).
func NewPool(limit int64) *Pool { return &Pool{limit: limit} }

// Limit is the pool's size in bytes (0: unlimited).
func (p *Pool) Limit() int64 { return max(p.limit, 0) }

// Used is the memory the pool's accounts hold now.
func (p *Pool) Used() int64 { return p.used.Load() }

func (p *Pool) take(n int64) bool {
	if p.limit <= 0 {
		p.used.Add(n)
		return true
	}
	for {
		u := p.used.Load()
		if u+n > p.limit {
			return false
		}
		if p.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

func (p *Pool) give(n int64) { p.used.Add(-n) }

// Account is one query's share of a pool. Its operators reserve memory
// through it; Close gives everything back and removes its spill files.
type Account struct {
	pool *Pool
	// workMem caps what one spilling operator holds before it spills
	// (PostgreSQL's work_mem; 0: only the pool limits it).
	workMem int64
	used    atomic.Int64
	peak    atomic.Int64

	mu       sync.Mutex
	spillDir string
	tmpRoot  string
	spilled  atomic.Int64
}

// NewAccount returns an account of p for one query; tmpRoot is where its
// spill files go ("" for the system's temporary folder).
func (p *Pool) NewAccount(workMem int64, tmpRoot string) *Account {
	return &Account{pool: p, workMem: workMem, tmpRoot: tmpRoot}
}

// Peak is the most the account held at once.
func (a *Account) Peak() int64 { return a.peak.Load() }

// Spilled is the bytes the account's operators wrote to spill files.
func (a *Account) Spilled() int64 { return a.spilled.Load() }

// AddSpilled counts bytes written to spill files.
func (a *Account) AddSpilled(n int64) { a.spilled.Add(n) }

func (a *Account) take(n int64) bool {
	if !a.pool.take(n) {
		return false
	}
	u := a.used.Add(n)
	for {
		p := a.peak.Load()
		if u <= p || a.peak.CompareAndSwap(p, u) {
			return true
		}
	}
}

func (a *Account) give(n int64) {
	a.used.Add(-n)
	a.pool.give(n)
}

// SpillDir returns the query's folder for spill files, made on first use.
func (a *Account) SpillDir() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.spillDir == "" {
		d, err := os.MkdirTemp(a.tmpRoot, "lakesql-spill-")
		if err != nil {
			return "", sqlerr.Wrap(err, sqlerr.IOError, "could not create a folder for spill files")
		}
		a.spillDir = d
	}
	return a.spillDir, nil
}

// Close returns the account's memory to the pool and removes its spill
// files.
func (a *Account) Close() {
	if n := a.used.Swap(0); n != 0 {
		a.pool.give(n)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.spillDir != "" {
		os.RemoveAll(a.spillDir)
		a.spillDir = ""
	}
}

// Reservation is what one operator holds; it grows and shrinks with the
// operator's tables and buffers.
type Reservation struct {
	acc  *Account
	name string
	held int64
	peak int64
}

// Peak is the most the reservation held at once.
func (r *Reservation) Peak() int64 {
	if r == nil {
		return 0
	}
	return r.peak
}

// Reserve starts a reservation for an operator (name is for errors).
// A nil account gives a reservation that never refuses.
func (a *Account) Reserve(name string) *Reservation { return &Reservation{acc: a, name: name} }

// Held is the bytes the reservation holds.
func (r *Reservation) Held() int64 { return r.held }

// Resize sets what the operator holds to n bytes; a refused growth is
// 53200 (out of memory). Operators that cannot spill use it.
func (r *Reservation) Resize(n int64) error {
	if r.TryResize(n, false) {
		return nil
	}
	return r.outOfMemory(n)
}

func (r *Reservation) outOfMemory(n int64) error {
	e := sqlerr.New(sqlerr.OutOfMemory, "out of memory")
	e.Detail = fmt.Sprintf("%s needs %s more, and the memory limit of %s is reached.", r.name, size(n-r.held), size(r.acc.pool.Limit()))
	e.Hint = "Raise --memory-limit, or make the query hold less (fewer groups, a smaller join side)."
	return e
}

// TryResize sets what the operator holds to n bytes if it may: false means
// the pool is exhausted, or (spillable) the operator would pass work_mem;
// the operator should then spill and resize to what it keeps.
func (r *Reservation) TryResize(n int64, spillable bool) bool {
	if r == nil || r.acc == nil {
		return true
	}
	d := n - r.held
	if d <= 0 {
		r.acc.give(-d)
		r.held = n
		return true
	}
	if spillable && r.acc.workMem > 0 && n > r.acc.workMem {
		return false
	}
	if !r.acc.take(d) {
		return false
	}
	r.held = n
	r.peak = max(r.peak, n)
	return true
}

// Release gives everything back.
func (r *Reservation) Release() {
	if r == nil || r.acc == nil {
		return
	}
	r.acc.give(r.held)
	r.held = 0
}

// size renders bytes in kB, MB or GB.
func size(n int64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d kB", n>>10)
}

type accountKey struct{}

// WithAccount attaches a query's account to its context.
func WithAccount(ctx context.Context, a *Account) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

// From returns the account of the query running under ctx, or nil
// (unlimited) when there is none.
func From(ctx context.Context) *Account {
	a, _ := ctx.Value(accountKey{}).(*Account)
	return a
}
