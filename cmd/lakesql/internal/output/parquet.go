package output

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// writeParquet writes the rows as a Parquet file (zstd-compressed), the
// Arrow schema stored so lakesql reads the columns back with their types.
func writeParquet(ctx context.Context, w io.Writer, r *engine.Result) (int64, error) {
	defer r.Rows.Close()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	// The writer closes what it writes to if it can: hide Close, the
	// caller owns w.
	fw, err := pqarrow.NewFileWriter(r.Schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return 0, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "cannot write these columns to Parquet")
	}
	var n int64
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			fw.Close()
			return n, err
		}
		if b == nil {
			break
		}
		if err := fw.WriteBuffered(b); err != nil {
			fw.Close()
			return n, sqlerr.Wrap(err, sqlerr.IOError, "writing Parquet")
		}
		n += b.NumRows()
	}
	if err := fw.Close(); err != nil {
		return n, sqlerr.Wrap(err, sqlerr.IOError, "writing Parquet")
	}
	return n, nil
}
