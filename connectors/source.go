// Package connectors finds data files, infers their schemas and reads them
// as Arrow record batches: Parquet (through pqarrow), CSV and
// newline-delimited JSON, each optionally gzip- or zstd-compressed.
//
// It knows nothing of SQL: a Table is a schema and a set of splits, and
// reading a split yields batches of engine types (see package types).
package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
)

// Table is one readable data set: a single file, or a folder of files of
// one shape read as one table.
type Table interface {
	// Schema is the table's columns, in engine types. For CSV and JSON it
	// is inferred from a sample and cached per (path, size, mtime).
	Schema(ctx context.Context) (*arrow.Schema, error)
	// Splits divides the table into independently readable parts (a file,
	// a Parquet row group, later a byte range of a CSV file), so a scan can
	// run one reader per core. Parts that filter shows cannot hold a
	// matching row may be left out (filter may be nil).
	Splits(ctx context.Context, filter Filter) ([]Split, error)
	// Stats is the table's size, from metadata only (no data is read).
	Stats(ctx context.Context) (Stats, error)
	// Open reads one split, returning only the given columns (indexes into
	// Schema, in that order; nil means all columns).
	Open(ctx context.Context, split Split, columns []int) (batch.Reader, error)
}

// DictionaryOpener is a Table that can return text columns
// dictionary-encoded (see batch.DictionaryOf). OpenDictionary is Open,
// except that a requested column i with dict[i] set may come, in some
// batches or all, as a dictionary array of its type.
type DictionaryOpener interface {
	OpenDictionary(ctx context.Context, split Split, columns []int, dict []bool) (batch.Reader, error)
}

// Split is one independently readable part of a Table.
type Split interface {
	// String names the split for errors and EXPLAIN, e.g. "orders.parquet row group 3".
	String() string
}

// Sized is implemented by splits that know how many bytes of storage
// reading them takes, for the given columns (nil: all); scans count them
// for EXPLAIN ANALYZE and progress reports.
type Sized interface {
	Bytes(columns []int) int64
}

// SplitBytes is the size of split for columns, or 0 when it does not know.
func SplitBytes(s Split, columns []int) int64 {
	if z, ok := s.(Sized); ok {
		return z.Bytes(columns)
	}
	return 0
}
