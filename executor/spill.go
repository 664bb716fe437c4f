package executor

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/sqlerr"
)

// spillFile is a sequence of batches written to a temporary file (Arrow
// IPC stream format) and read back in order, for the operators that spill
// when their memory is refused. The files live in the query's spill
// folder, removed when the query ends.
type spillFile struct {
	acc    *budget.Account
	schema *arrow.Schema
	path   string
	f      *os.File
	bw     *bufio.Writer
	w      *ipc.Writer
	rows   int64
}

func newSpillFile(ctx context.Context, schema *arrow.Schema) (*spillFile, error) {
	acc := budget.From(ctx)
	dir := ""
	if acc != nil {
		var err error
		if dir, err = acc.SpillDir(); err != nil {
			return nil, err
		}
	}
	f, err := os.CreateTemp(dir, "spill-*.arrow")
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not create a spill file")
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return &spillFile{acc: acc, schema: schema, path: f.Name(), f: f, bw: bw, w: ipc.NewWriter(bw, ipc.WithSchema(schema))}, nil
}

func (s *spillFile) write(b arrow.RecordBatch) error {
	if err := s.w.Write(b); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write a spill file")
	}
	s.rows += b.NumRows()
	return nil
}

// finish closes the file for writing.
func (s *spillFile) finish() error {
	err := s.w.Close()
	if err == nil {
		err = s.bw.Flush()
	}
	if st, e := s.f.Stat(); e == nil && s.acc != nil {
		s.acc.AddSpilled(st.Size())
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "could not write a spill file")
	}
	return nil
}

// open returns a reader of the file's batches.
func (s *spillFile) open() (*spillReader, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read a spill file")
	}
	r, err := ipc.NewReader(bufio.NewReaderSize(f, 1<<20), ipc.WithSchema(s.schema))
	if err != nil {
		f.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read a spill file")
	}
	return &spillReader{f: f, r: r, path: s.path}, nil
}

// remove deletes the file (it was read).
func (s *spillFile) remove() { os.Remove(s.path) }

type spillReader struct {
	f    *os.File
	r    *ipc.Reader
	path string
}

// next returns the next batch, or nil at the end.
func (r *spillReader) next() (arrow.RecordBatch, error) {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read a spill file")
		}
		return nil, nil
	}
	b := r.r.RecordBatch()
	b.Retain() // the reader releases it at the next call
	return b, nil
}

func (r *spillReader) close() {
	r.r.Release()
	r.f.Close()
}

// batchBytes is the memory a batch's buffers take. A batch that is a
// slice of larger arrays (an aggregate's output, cut into batches) counts
// only its rows' part of their buffers: counting the whole buffers for
// each slice made a join over an aggregate reserve 50 times what it held
// (TPC-H q20: 1.1 GB for 20 MB of groups) and spill for nothing.
func batchBytes(b arrow.RecordBatch) int64 {
	var n int64
	for _, c := range b.Columns() {
		n += arrayBytes(c.Data())
	}
	return n
}

func arrayBytes(d arrow.ArrayData) int64 {
	bufs := d.Buffers()
	off, n := int64(d.Offset()), int64(d.Len())
	size := func(i int, lo, hi int64) int64 {
		if i >= len(bufs) || bufs[i] == nil {
			return 0
		}
		return min(int64(bufs[i].Len()), max(hi-lo, 0))
	}
	bitmap := size(0, 0, (n+7)/8+1)
	switch dt := d.DataType().(type) {
	case *arrow.StringType, *arrow.BinaryType:
		total := bitmap + size(1, 0, 4*(n+1))
		if len(bufs) > 2 && bufs[1] != nil && bufs[2] != nil && bufs[1].Len() >= int(4*(off+n+1)) {
			offs := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())
			total += size(2, int64(offs[off]), int64(offs[off+n]))
		} else {
			total += size(2, 0, int64(^uint64(0)>>1))
		}
		return total
	case arrow.FixedWidthDataType:
		if w := int64(dt.BitWidth()); w%8 == 0 && len(d.Children()) == 0 && dt.ID() != arrow.DICTIONARY {
			return bitmap + size(1, 0, n*w/8)
		}
	}
	// Nested and other types: their buffers' share for the rows (a slice
	// from off holds at most n of off+n rows).
	total := bufferBytes(d)
	if off > 0 {
		total = total * n / (off + n)
	}
	return total
}

// bufferBytes is the memory an array's buffers take whole, however few of
// their rows it reads: what keeping it keeps alive.
func bufferBytes(d arrow.ArrayData) int64 {
	var total int64
	for _, buf := range d.Buffers() {
		if buf != nil {
			total += int64(buf.Len())
		}
	}
	for _, c := range d.Children() {
		total += bufferBytes(c)
	}
	return total
}

// spillPart is the spill partition (of parts, a power of two) of a row
// whose key hash is h. It takes the hash's low bits: a hash table places
// keys by the high bits, and a partition whose keys all shared some of
// those would crowd them into a fraction of the table's slots when it is
// read back and built.
func spillPart(h uint64, parts int) int { return int(h & uint64(parts-1)) }
