package catalog

import (
	"context"
	"sync"
)

// A query sees one snapshot of each table: the first lookup of a path
// during a query lists its files (with their sizes) and every other scan
// of that path in the query reads the same list, even while writers add
// files and lines to the folder.

// The workspaces file relations are read from.
const (
	rootWorkspace = "root"
	tmpWorkspace  = "tmp"
)

type snapshotKey struct {
	workspace string
	path      string
	opts      string
}

// snapshot memoises the relations opened during one query.
type snapshot struct {
	mu sync.Mutex
	m  map[snapshotKey]*Relation
}

func (s *snapshot) get(k snapshotKey) *Relation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

func (s *snapshot) put(k snapshotKey, r *Relation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = r
}

type snapshotCtxKey struct{}

// WithSnapshot returns a context under which each file relation is opened
// once: the engine gives each statement one, so all the scans of a query
// read the same files.
func WithSnapshot(ctx context.Context) context.Context {
	if snapshotOf(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, snapshotCtxKey{}, &snapshot{m: map[snapshotKey]*Relation{}})
}

// WithNewSnapshot returns a context under which the files are listed
// afresh, as for a new query (a query run again after a file's column
// was widened).
func WithNewSnapshot(ctx context.Context) context.Context {
	return context.WithValue(ctx, snapshotCtxKey{}, &snapshot{m: map[snapshotKey]*Relation{}})
}

func snapshotOf(ctx context.Context) *snapshot {
	s, _ := ctx.Value(snapshotCtxKey{}).(*snapshot)
	return s
}
