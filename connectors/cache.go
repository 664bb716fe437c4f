package connectors

import (
	"io/fs"
	"sync"
	"time"

	"github.com/lakesql/lakesql/batch"
)

// Options configure how files are inferred and read.
type Options struct {
	// Cache holds inferred schemas across tables; nil disables caching.
	Cache *SchemaCache
	// SampleRows is how many rows CSV and JSON inference read (default
	// 1000). CSV also stops at csvSampleBytes of text.
	SampleRows int
	// BatchSize is the number of rows per batch (default batch.Size).
	BatchSize int
	// SplitSize, when set, is the size of the byte ranges text files are
	// split into (tests use small ones); by default ranges are sized for
	// the number of cores.
	SplitSize int64
	// Format, when set, says how to read the files (table functions'
	// format options) instead of their names.
	Format *FormatOptions
	// Columns, when set, keeps the columns parsed from CSV and JSON files
	// for later scans (see ColumnCache).
	Columns *ColumnCache
}

func (o Options) sampleRows() int {
	if o.SampleRows > 0 {
		return o.SampleRows
	}
	return 1000
}

func (o Options) batchSize() int {
	if o.BatchSize > 0 {
		return o.BatchSize
	}
	return batch.Size
}

// SchemaCache remembers what was learnt about a file (an inferred CSV
// dialect and schema, a JSON schema, a Parquet footer) per file version:
// path, size and modification time. A changed file is inferred again.
// Use one cache per file system: paths are its keys. It is safe for
// concurrent use.
type SchemaCache struct {
	*cacheMap
	// tag separates inferences under different format options.
	tag string
}

type cacheMap struct {
	mu sync.Mutex
	// widenMu orders widenings (see restate).
	widenMu sync.Mutex
	m       map[cacheKey]any
	// latest is the version last stored per file (and sample and
	// variant): storing a newer one drops it, so a file that keeps
	// growing holds one entry, not one per size it had.
	latest map[cacheKey]cacheKey
}

type cacheKey struct {
	path  string
	size  int64
	mtime time.Time
	// sample distinguishes inferences made with different sample sizes.
	sample  int
	variant string
}

// NewSchemaCache returns an empty cache.
func NewSchemaCache() *SchemaCache {
	return &SchemaCache{cacheMap: &cacheMap{m: map[cacheKey]any{}, latest: map[cacheKey]cacheKey{}}}
}

// variant is the cache seen by reads under other format options: the
// same entries' storage, under separate keys.
func (c *SchemaCache) variant(v string) *SchemaCache {
	if c == nil || v == "" {
		return c
	}
	return &SchemaCache{cacheMap: c.cacheMap, tag: c.tag + "|" + v}
}

// Len is the number of cached entries.
func (c *SchemaCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *SchemaCache) get(k cacheKey) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *SchemaCache) put(k cacheKey, v any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	file := cacheKey{path: k.path, sample: k.sample, variant: k.variant}
	if old, ok := c.latest[file]; ok && old != k {
		delete(c.m, old)
	}
	c.latest[file] = k
	c.m[k] = v
}

// cached returns the cached value for file p of fsys, computing and
// storing it with infer on a miss. Two concurrent misses may both infer;
// the result is the same.
func cached[T any](c *SchemaCache, fsys fs.FS, p string, sample int, infer func() (T, error)) (T, error) {
	var zero T
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return zero, fileErr(p, err)
	}
	k := cacheKey{path: p, size: st.Size(), mtime: st.ModTime(), sample: sample}
	if c != nil {
		k.variant = c.tag
	}
	if v, ok := c.get(k); ok {
		if t, ok := v.(T); ok {
			return t, nil
		}
	}
	v, err := infer()
	if err != nil {
		return zero, err
	}
	c.put(k, v)
	return v, nil
}

// Key identifies the options that change what a table reads (its format
// options); tables opened with equal keys read the same rows.
func (o Options) Key() string { return o.Format.Key() }

// Forget drops what the cache holds about the files at paths (every
// version of them), so they are read again.
func (c *SchemaCache) Forget(paths []string) {
	if c == nil {
		return
	}
	set := make(map[string]bool, len(paths))
	for _, p := range paths {
		set[p] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if set[k.path] {
			delete(c.m, k)
		}
	}
	for k := range c.latest {
		if set[k.path] {
			delete(c.latest, k)
		}
	}
}
