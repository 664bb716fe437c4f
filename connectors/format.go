package connectors

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/zstd"
	"github.com/lakesql/lakesql/sqlerr"
)

// Format is a data file format.
type Format int

const (
	Parquet Format = iota + 1
	CSV
	JSON
)

func (f Format) String() string {
	return map[Format]string{Parquet: "parquet", CSV: "csv", JSON: "json"}[f]
}

// Compression is a whole-file compression.
type Compression int

const (
	NoCompression Compression = iota
	Gzip
	Zstd
)

// DetectFormat reads a file's format and compression from its name:
// .parquet/.parq, .csv/.tsv/.psv/.txt, .json/.ndjson/.jsonl, each
// optionally followed by .gz or .zst.
func DetectFormat(name string) (Format, Compression, bool) {
	n := strings.ToLower(name)
	comp := NoCompression
	switch {
	case strings.HasSuffix(n, ".gz"):
		comp, n = Gzip, strings.TrimSuffix(n, ".gz")
	case strings.HasSuffix(n, ".zst"):
		comp, n = Zstd, strings.TrimSuffix(n, ".zst")
	}
	switch path.Ext(n) {
	case ".parquet", ".parq":
		if comp != NoCompression {
			return 0, 0, false
		}
		return Parquet, comp, true
	case ".csv", ".tsv", ".psv", ".txt":
		return CSV, comp, true
	case ".json", ".ndjson", ".jsonl":
		return JSON, comp, true
	}
	return 0, 0, false
}

// Options configure readers.
type Options struct {
	// Cache holds inferred schemas; nil disables caching.
	Cache *SchemaCache
	// SampleRows is how many rows CSV and JSON inference read (default 1000).
	SampleRows int
	// BatchSize is the number of rows per batch (default executor.BatchSize).
	BatchSize int
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
	return 4096
}

// SchemaCache remembers inferred schemas per file version (path, size,
// modification time), so repeated queries skip inference. It is safe for
// concurrent use.
type SchemaCache struct {
	mu sync.Mutex
	m  map[cacheKey]any
}

type cacheKey struct {
	path  string
	size  int64
	mtime time.Time
}

// NewSchemaCache returns an empty cache.
func NewSchemaCache() *SchemaCache { return &SchemaCache{m: map[cacheKey]any{}} }

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
	c.m[k] = v
}

func keyOf(fsys fs.FS, p string) (cacheKey, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return cacheKey{}, fileErr(p, err)
	}
	return cacheKey{path: p, size: st.Size(), mtime: st.ModTime()}, nil
}

func fileErr(p string, err error) error {
	if se, ok := err.(*sqlerr.Error); ok {
		return se
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "could not read file \"%s\"", p)
}

// openStream opens a file for sequential reading, decompressing it.
func openStream(fsys fs.FS, p string, comp Compression) (io.ReadCloser, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	switch comp {
	case Gzip:
		z, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" is not valid gzip", p)
		}
		return &multiCloser{Reader: z, closers: []io.Closer{z, f}}, nil
	case Zstd:
		z, err := zstd.NewReader(f)
		if err != nil {
			f.Close()
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" is not valid zstd", p)
		}
		return &multiCloser{Reader: z, closers: []io.Closer{closerFunc(func() error { z.Close(); return nil }), f}}, nil
	}
	return f, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

type multiCloser struct {
	io.Reader
	closers []io.Closer
}

func (m *multiCloser) Close() error {
	var first error
	for _, c := range m.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// readerAt returns random access to a file (Parquet needs it).
func readerAt(fsys fs.FS, p string) (interface {
	io.ReaderAt
	io.Seeker
	io.Reader
}, func() error, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, nil, fileErr(p, err)
	}
	type ras interface {
		io.ReaderAt
		io.Seeker
		io.Reader
	}
	if r, ok := f.(ras); ok {
		return r, f.Close, nil
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, nil, fileErr(p, err)
	}
	return bytes.NewReader(data), func() error { return nil }, nil
}

// OpenFile opens one data file as a table.
func OpenFile(ctx context.Context, fsys fs.FS, p string, opts Options) (Table, error) {
	f, comp, ok := DetectFormat(p)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "file \"%s\" has no supported format (parquet, csv, json)", p)
	}
	switch f {
	case Parquet:
		return openParquet(ctx, fsys, p, opts)
	case CSV:
		return openCSV(ctx, fsys, p, comp, opts)
	}
	return openJSON(ctx, fsys, p, comp, opts)
}

// fileSplit is a whole file.
type fileSplit struct{ path string }

func (s fileSplit) String() string { return s.path }

var _ = arrow.Null
