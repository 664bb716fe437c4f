package connectors

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// Writing tables (CREATE TABLE ... AS in dfs.tmp): a query's rows become a
// folder of files in one format, as Drill writes them (0_0_0.parquet,
// 0_0_1.parquet, ...), each holding up to RowsPerFile rows. What the
// readers read back is what was written: Parquet keeps every type, CSV
// has a header and PostgreSQL's text forms (nested values as JSON), JSON
// has one object per line.

// RowsPerFile is how many rows a written file holds before the next one
// starts.
const RowsPerFile = 1 << 20

// FileCreator creates a file to write, by name within the table's folder.
type FileCreator func(name string) (io.WriteCloser, error)

// WriteTable writes the batches of r into files made by create, in
// format; it returns the number of rows written.
func WriteTable(ctx context.Context, r batch.Reader, schema *arrow.Schema, format Format, create FileCreator) (int64, error) {
	var w tableFileWriter
	var rows, inFile int64
	fileNo := 0
	defer func() {
		if w != nil {
			w.close()
		}
	}()
	for {
		b, err := r.Next(ctx)
		if err != nil {
			return rows, err
		}
		if b == nil {
			break
		}
		for off := int64(0); off < b.NumRows(); {
			if w == nil || inFile >= RowsPerFile {
				if w != nil {
					if err := w.close(); err != nil {
						return rows, err
					}
					w = nil
				}
				name := fmt.Sprintf("0_0_%d.%s", fileNo, format)
				fileNo++
				f, err := create(name)
				if err != nil {
					return rows, err
				}
				if w, err = newTableFileWriter(f, schema, format); err != nil {
					f.Close()
					return rows, err
				}
				inFile = 0
			}
			n := min(b.NumRows()-off, RowsPerFile-inFile)
			part := b
			if off > 0 || n < b.NumRows() {
				part = b.NewSlice(off, off+n)
			}
			if err := w.write(ctx, part); err != nil {
				return rows, err
			}
			off += n
			inFile += n
			rows += n
		}
	}
	if w == nil {
		// An empty result is an empty table: one file with the columns.
		f, err := create(fmt.Sprintf("0_0_0.%s", format))
		if err != nil {
			return 0, err
		}
		if w, err = newTableFileWriter(f, schema, format); err != nil {
			f.Close()
			return 0, err
		}
	}
	err := w.close()
	w = nil
	return rows, err
}

type tableFileWriter interface {
	write(ctx context.Context, b arrow.RecordBatch) error
	close() error
}

func newTableFileWriter(f io.WriteCloser, schema *arrow.Schema, format Format) (tableFileWriter, error) {
	switch format {
	case Parquet:
		return newParquetWriter(f, schema)
	case CSV:
		return &csvWriter{f: f, w: bufio.NewWriterSize(f, 1<<16), schema: schema}, nil
	case JSON:
		return &jsonWriter{f: f, w: bufio.NewWriterSize(f, 1<<16), schema: schema}, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot write format %s", format)
}

// parquetWriter writes one Parquet file; types Parquet lacks (intervals,
// the type of a bare NULL) are written as text.
type parquetWriter struct {
	f      io.WriteCloser
	fw     *pqarrow.FileWriter
	schema *arrow.Schema // as written
}

func storedType(t arrow.DataType) arrow.DataType {
	switch t.ID() {
	case arrow.NULL, arrow.INTERVAL_MONTH_DAY_NANO:
		return types.String
	case arrow.STRUCT:
		st := t.(*arrow.StructType)
		fields := make([]arrow.Field, st.NumFields())
		for i, f := range st.Fields() {
			fields[i] = arrow.Field{Name: f.Name, Type: storedType(f.Type), Nullable: true}
		}
		return arrow.StructOf(fields...)
	case arrow.LIST:
		return arrow.ListOf(storedType(t.(*arrow.ListType).Elem()))
	}
	return t
}

func newParquetWriter(f io.WriteCloser, schema *arrow.Schema) (*parquetWriter, error) {
	fields := make([]arrow.Field, schema.NumFields())
	for i, fl := range schema.Fields() {
		fields[i] = arrow.Field{Name: fl.Name, Type: storedType(fl.Type), Nullable: true}
	}
	stored := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithStats(true))
	fw, err := pqarrow.NewFileWriter(stored, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "cannot write these columns to Parquet")
	}
	return &parquetWriter{f: f, fw: fw, schema: stored}, nil
}

func (w *parquetWriter) write(ctx context.Context, b arrow.RecordBatch) error {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		c, err := conform(ctx, b.Column(i), w.schema.Field(i).Type)
		if err != nil {
			return err
		}
		cols[i] = c
	}
	rec := array.NewRecordBatch(w.schema, cols, b.NumRows())
	defer rec.Release()
	if err := w.fw.WriteBuffered(rec); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write Parquet")
	}
	return nil
}

func (w *parquetWriter) close() error {
	err := w.fw.Close() // closes f too
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write Parquet")
	}
	return nil
}

// csvWriter writes a header and one line per row.
type csvWriter struct {
	f       io.WriteCloser
	w       *bufio.Writer
	schema  *arrow.Schema
	started bool
	buf     []byte
}

func (w *csvWriter) header() {
	if w.started {
		return
	}
	w.started = true
	for i, f := range w.schema.Fields() {
		if i > 0 {
			w.w.WriteByte(',')
		}
		w.w.WriteString(csvQuote(f.Name, true))
	}
	w.w.WriteByte('\n')
}

func (w *csvWriter) write(ctx context.Context, b arrow.RecordBatch) error {
	w.header()
	for r := 0; r < int(b.NumRows()); r++ {
		if r%4096 == 0 {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
		}
		for c := 0; c < int(b.NumCols()); c++ {
			if c > 0 {
				w.w.WriteByte(',')
			}
			col := b.Column(c)
			if col.IsNull(r) {
				continue // NULL: an empty field
			}
			w.buf = text.Append(w.buf[:0], col, r, nil)
			w.w.WriteString(csvQuote(string(w.buf), true))
		}
		w.w.WriteByte('\n')
	}
	return nil
}

// csvQuote quotes a field when it must be (and an empty string, which
// unquoted would read as NULL).
func csvQuote(s string, emptyQuoted bool) string {
	if s == "" && emptyQuoted {
		return `""`
	}
	if !strings.ContainsAny(s, ",\"\n\r") && strings.TrimSpace(s) == s {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func (w *csvWriter) close() error {
	w.header()
	if err := w.w.Flush(); err != nil {
		w.f.Close()
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write CSV")
	}
	if err := w.f.Close(); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write CSV")
	}
	return nil
}

// jsonWriter writes one object per line.
type jsonWriter struct {
	f      io.WriteCloser
	w      *bufio.Writer
	schema *arrow.Schema
	keys   []string
	buf    []byte
}

func (w *jsonWriter) write(ctx context.Context, b arrow.RecordBatch) error {
	if w.keys == nil {
		for _, f := range w.schema.Fields() {
			w.keys = append(w.keys, string(text.AppendJSONString(nil, f.Name))+": ")
		}
	}
	for r := 0; r < int(b.NumRows()); r++ {
		if r%4096 == 0 {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
		}
		w.buf = append(w.buf[:0], '{')
		for c := 0; c < int(b.NumCols()); c++ {
			if c > 0 {
				w.buf = append(w.buf, ", "...)
			}
			w.buf = append(w.buf, w.keys[c]...)
			w.buf = text.AppendJSON(w.buf, b.Column(c), r, nil)
		}
		w.buf = append(w.buf, "}\n"...)
		w.w.Write(w.buf)
	}
	return nil
}

func (w *jsonWriter) close() error {
	if err := w.w.Flush(); err != nil {
		w.f.Close()
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write JSON")
	}
	if err := w.f.Close(); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write JSON")
	}
	return nil
}
