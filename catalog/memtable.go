package catalog

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/executor/expr"
)

// MemTable is a table held in memory by the running process (CREATE TABLE,
// INSERT). Readers see a snapshot: the batches present when they start.
type MemTable struct {
	schema *arrow.Schema
	// NotNull marks columns declared NOT NULL.
	NotNull []bool
	// Defaults are the columns' DEFAULT expressions (nil: NULL). They are
	// engine expressions, opaque to the catalog.
	Defaults []expr.Expr

	mu      sync.RWMutex
	batches []arrow.RecordBatch
	rows    int64
	bytes   int64
}

// NewMemTable returns an empty table of schema.
func NewMemTable(schema *arrow.Schema, notNull []bool) *MemTable {
	if notNull == nil {
		notNull = make([]bool, schema.NumFields())
	}
	return &MemTable{schema: schema, NotNull: notNull}
}

// Schema is the table's columns.
func (t *MemTable) Schema() *arrow.Schema { return t.schema }

// Snapshot returns the current batches; they are immutable.
func (t *MemTable) Snapshot() []arrow.RecordBatch {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]arrow.RecordBatch(nil), t.batches...)
}

// Append adds batches (already of the table's schema).
func (t *MemTable) Append(bs ...arrow.RecordBatch) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range bs {
		if b.NumRows() > 0 {
			t.batches = append(t.batches, b)
			t.rows += b.NumRows()
			t.bytes += BatchBytes(b)
		}
	}
}

// BatchBytes is the memory b's buffers hold (all of a shared buffer, so
// a slice of a larger batch counts the whole of it).
func BatchBytes(b arrow.RecordBatch) int64 {
	seen := map[*memory.Buffer]bool{}
	var n int64
	for _, c := range b.Columns() {
		n += dataBytes(c.Data(), seen)
	}
	return n
}

func dataBytes(d arrow.ArrayData, seen map[*memory.Buffer]bool) int64 {
	var n int64
	for _, buf := range d.Buffers() {
		if buf != nil && !seen[buf] {
			seen[buf] = true
			n += int64(buf.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c, seen)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += dataBytes(dict, seen)
	}
	return n
}

// Bytes is the memory the table's batches hold.
func (t *MemTable) Bytes() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.bytes
}

// Replace swaps the table's contents (UPDATE and DELETE rewrite the table).
func (t *MemTable) Replace(bs []arrow.RecordBatch) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.batches = nil
	t.rows = 0
	t.bytes = 0
	for _, b := range bs {
		if b.NumRows() > 0 {
			t.batches = append(t.batches, b)
			t.rows += b.NumRows()
			t.bytes += BatchBytes(b)
		}
	}
}

// NumRows is the current row count.
func (t *MemTable) NumRows() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rows
}
