package connectors

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/lakesql/lakesql/sqlerr"
)

// Format is a data file format.
type Format int

// The formats the connectors read.
const (
	Parquet Format = iota + 1
	CSV
	JSON
)

func (f Format) String() string {
	switch f {
	case Parquet:
		return "parquet"
	case CSV:
		return "csv"
	case JSON:
		return "json"
	}
	return "unknown"
}

// Compression is a whole-file compression, undone while reading.
type Compression int

// The compressions the connectors undo.
const (
	NoCompression Compression = iota
	Gzip
	Zstd
	Bzip2
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Bzip2:
		return "bzip2"
	}
	return "none"
}

// DetectFormat reads a file's format and compression from its name:
// .parquet/.parq, .csv/.tsv/.psv/.txt (read as CSV), .json/.ndjson/.jsonl,
// the last two kinds optionally followed by .gz, .zst or .bz2. A compressed
// Parquet file is not recognised: Parquet compresses its pages itself and
// needs random access.
func DetectFormat(name string) (Format, Compression, bool) {
	n := strings.ToLower(path.Base(name))
	comp := NoCompression
	switch {
	case strings.HasSuffix(n, ".gz"):
		comp, n = Gzip, strings.TrimSuffix(n, ".gz")
	case strings.HasSuffix(n, ".zst"):
		comp, n = Zstd, strings.TrimSuffix(n, ".zst")
	case strings.HasSuffix(n, ".bz2"):
		comp, n = Bzip2, strings.TrimSuffix(n, ".bz2")
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

// OpenFile opens one data file of fsys as a table; its format comes from
// its name (see DetectFormat). For CSV and JSON this infers the schema
// from a sample (or takes it from opts.Cache); for Parquet it reads the
// footer.
func OpenFile(ctx context.Context, fsys fs.FS, p string, opts Options) (Table, error) {
	f, comp, ok := DetectFormat(p)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "file \"%s\" has no supported format (parquet, csv, json)", p)
	}
	if err := ctx.Err(); err != nil {
		return nil, sqlerr.Canceled(err)
	}
	switch f {
	case Parquet:
		return openParquet(ctx, fsys, p, opts)
	case CSV:
		return openCSV(ctx, fsys, p, comp, opts)
	}
	return openJSON(ctx, fsys, p, comp, opts)
}

// fileErr classifies an error opening or reading p: a missing file is
// 58P01, anything else an I/O error, unless err already has a SQLSTATE.
func fileErr(p string, err error) error {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, fs.ErrNotExist) {
		return sqlerr.Wrap(err, sqlerr.UndefinedFile, "could not open file \"%s\"", p)
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "could not read file \"%s\"", p)
}

// openStream opens a file for sequential reading, decompressing it.
func openStream(fsys fs.FS, p string, comp Compression) (io.ReadCloser, error) {
	return openStreamAhead(fsys, p, comp, false)
}

// openStreamAhead opens a file for sequential reading; with ahead, a
// compressed file is decompressed on a goroutine of its own, ahead of
// the reader (see readAhead), and zstd decodes blocks concurrently.
func openStreamAhead(fsys fs.FS, p string, comp Compression, ahead bool) (io.ReadCloser, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	var r io.Reader
	var closeAll func() error
	switch comp {
	case Gzip:
		br := bufio.NewReaderSize(f, 64<<10)
		if head, _ := br.Peek(64); ahead && isBGZF(head) {
			// Blocked gzip: its members decompress in parallel.
			return newBGZFStream(br, p, f.Close), nil
		}
		z, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" is not valid gzip", p)
		}
		r, closeAll = z, func() error { z.Close(); return f.Close() }
	case Zstd:
		conc := 1
		if ahead {
			conc = min(4, runtime.GOMAXPROCS(0))
		}
		z, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(conc))
		if err != nil {
			f.Close()
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" is not valid zstd", p)
		}
		r, closeAll = z, func() error { z.Close(); return f.Close() }
	case Bzip2:
		r, closeAll = bzip2.NewReader(bufio.NewReaderSize(f, 64<<10)), f.Close
	default:
		return f, nil
	}
	r = &streamErrReader{r: r, path: p, comp: comp}
	if ahead {
		return newReadAhead(r, closeAll), nil
	}
	return &decompressor{Reader: r, close: closeAll}, nil
}

// decompressor closes both the decompressor and the file under it.
type decompressor struct {
	io.Reader
	close func() error
}

func (d *decompressor) Close() error { return d.close() }

// streamErrReader turns a decompression failure in the middle of a file
// into a data-corrupted error naming the file.
type streamErrReader struct {
	r    io.Reader
	path string
	comp Compression
}

func (s *streamErrReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err != nil && err != io.EOF {
		return n, sqlerr.Wrap(err, sqlerr.DataCorrupted, "file \"%s\" is not valid %s", s.path, s.comp)
	}
	return n, err
}

// randomAccess is what the Parquet reader needs of a file.
type randomAccess interface {
	io.ReaderAt
	io.Seeker
	io.Reader
}

// openRandomAccess returns random access to a file. Files of
// os.Root.FS() and embed.FS provide it; for any other fs.FS the file is
// read into memory.
func openRandomAccess(fsys fs.FS, p string) (randomAccess, func() error, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, nil, fileErr(p, err)
	}
	if r, ok := f.(randomAccess); ok {
		return r, f.Close, nil
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, nil, fileErr(p, err)
	}
	return bytes.NewReader(data), func() error { return nil }, nil
}

// fileSplit is a whole file.
type fileSplit struct {
	path string
	size int64
}

func (s fileSplit) String() string { return s.path }

// Bytes is the file's size: a text file is read whole.
func (s fileSplit) Bytes([]int) int64 { return s.size }

// wholeFile is the one split of a file read whole.
func wholeFile(fsys fs.FS, p string) ([]Split, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	return []Split{fileSplit{path: p, size: st.Size()}}, nil
}

// allColumns returns 0..n-1, what a nil projection means.
func allColumns(n int) []int {
	cols := make([]int, n)
	for i := range cols {
		cols[i] = i
	}
	return cols
}
