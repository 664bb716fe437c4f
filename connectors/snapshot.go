package connectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"
)

// snapFS shows a file table's readers its files as they were listed: a
// file reads only up to its listed size (a writer appending to it during
// the query is not seen), Stat reports the listed size and modification
// time (so cached inferences are found without a system call), and a
// text file's last line is held back when it is not known to be whole
// (see tornTail).
type snapFS struct {
	fsys  fs.FS
	files map[string]fileEntry
}

func newSnapFS(fsys fs.FS, files []fileEntry) *snapFS {
	m := make(map[string]fileEntry, len(files))
	for _, f := range files {
		m[f.path] = f
	}
	return &snapFS{fsys: fsys, files: m}
}

func (s *snapFS) Open(name string) (fs.File, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	e, ok := s.files[name]
	if !ok {
		return f, nil
	}
	format, comp, _ := DetectFormat(name)
	sf := &snapFile{File: f, entry: e, fsys: s.fsys}
	if comp == NoCompression && (format == CSV || format == JSON) {
		sf.text = format
	}
	if ra, ok := f.(randomAccess); ok {
		if sf.text != 0 {
			return &snapTextFile{snapFile: sf, ra: ra}, nil
		}
		return &snapRandomFile{snapFile: sf, ra: ra}, nil
	}
	return sf, nil
}

func (s *snapFS) Stat(name string) (fs.FileInfo, error) {
	if e, ok := s.files[name]; ok {
		return snapInfo{e}, nil
	}
	return fs.Stat(s.fsys, name)
}

func (s *snapFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(s.fsys, name) }

// snapInfo is a listed file's FileInfo.
type snapInfo struct{ e fileEntry }

func (i snapInfo) Name() string       { return pathBase(i.e.path) }
func (i snapInfo) Size() int64        { return i.e.size }
func (i snapInfo) Mode() fs.FileMode  { return 0o444 }
func (i snapInfo) ModTime() time.Time { return i.e.mtime }
func (i snapInfo) IsDir() bool        { return false }
func (i snapInfo) Sys() any           { return nil }

func pathBase(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// snapFile reads a file up to its listed size. For uncompressed text it
// passes on whole lines only and decides about an unterminated last line
// at the end (tornTail).
type snapFile struct {
	fs.File
	entry fileEntry
	fsys  fs.FS
	text  Format // CSV or JSON for line-oriented text, else 0

	read    int64  // bytes read from the file
	buf     []byte // what was read last
	ready   []byte // bytes that may be passed on
	pending []byte // bytes after the last newline, held back
	done    bool
	stalls  int
}

func (f *snapFile) Stat() (fs.FileInfo, error) { return snapInfo{f.entry}, nil }

func (f *snapFile) Read(p []byte) (int, error) {
	if f.text == 0 {
		return f.readRaw(p)
	}
	for len(f.ready) == 0 {
		if f.done {
			return 0, io.EOF
		}
		if f.buf == nil {
			f.buf = make([]byte, 64<<10)
		}
		// ready may alias buf: it is read again only once ready is drained.
		n, err := f.readRaw(f.buf)
		chunk := f.buf[:n]
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			if len(f.pending) == 0 {
				f.ready = chunk[:i+1]
			} else {
				f.ready = append(f.pending, chunk[:i+1]...)
				f.pending = nil
			}
			f.pending = append(f.pending, chunk[i+1:]...)
		} else {
			f.pending = append(f.pending, chunk...)
		}
		if err == io.EOF {
			f.done = true
			if len(f.pending) > 0 && !tornTail(f.fsys, f.entry, f.text, f.pending) {
				f.ready = append(f.ready, f.pending...)
			}
			f.pending = nil
			continue
		}
		if err != nil {
			return 0, err
		}
	}
	n := copy(p, f.ready)
	f.ready = f.ready[n:]
	return n, nil
}

// readRaw reads the file, stopping at its listed size.
func (f *snapFile) readRaw(p []byte) (int, error) {
	left := f.entry.size - f.read
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := f.File.Read(p)
	f.read += int64(n)
	if n == 0 && err == nil {
		// A reader that makes no progress: stop rather than spin.
		if f.stalls++; f.stalls > 100 {
			return 0, io.ErrNoProgress
		}
	} else {
		f.stalls = 0
	}
	// io.EOF before the listed size: the file shrank since it was listed
	// (rewritten in place); what was read is all there is.
	return n, err
}

// tornTail decides whether the unterminated last line of a text file's
// snapshot is a row still being written: it is when the file has grown
// or changed since it was listed (the rest of the line is on its way),
// or when it is the beginning of a record cut short (JSON that ends
// before its value does, a CSV line with an open quote). A whole last
// line without its newline, in a file nobody is writing, is a row like
// any other, and a malformed one is the reader's error to report.
func tornTail(fsys fs.FS, e fileEntry, format Format, tail []byte) bool {
	if st, err := fs.Stat(fsys, e.path); err == nil && (st.Size() != e.size || !st.ModTime().Equal(e.mtime)) {
		return true
	}
	t := bytes.TrimSpace(tail)
	if len(t) == 0 {
		return false
	}
	switch format {
	case JSON:
		return truncatedJSON(t)
	case CSV:
		return bytes.Count(t, []byte{'"'})%2 == 1
	}
	return false
}

// truncatedJSON reports whether b is JSON cut short: invalid only
// because it ends too soon.
func truncatedJSON(b []byte) bool {
	if json.Valid(b) {
		return false
	}
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	return errors.As(err, &se) && se.Offset >= int64(len(b)) && strings.Contains(se.Error(), "unexpected end")
}

// snapRandomFile adds random access (for Parquet) bounded by the listed
// size: the footer is read where the listed file ended.
type snapRandomFile struct {
	*snapFile
	ra  randomAccess
	pos int64
}

func (f *snapRandomFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (f *snapRandomFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.entry.size {
		return 0, io.EOF
	}
	short := false
	if left := f.entry.size - off; int64(len(p)) > left {
		p, short = p[:left], true
	}
	n, err := f.ra.ReadAt(p, off)
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

func (f *snapRandomFile) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = f.pos + offset
	case io.SeekEnd:
		abs = f.entry.size + offset
	default:
		return 0, errors.New("seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("seek: negative position")
	}
	f.pos = abs
	return abs, nil
}

// snapTextFile adds random access to an uncompressed text file (its byte
// ranges are read in parallel): up to the listed size, less a last line
// that tornTail holds back, as reading it from the start would.
type snapTextFile struct {
	*snapFile
	ra    randomAccess
	limit int64 // once set
	set   bool
}

func (f *snapTextFile) ReadAt(p []byte, off int64) (int, error) {
	lim, err := f.usable()
	if err != nil {
		return 0, err
	}
	if off >= lim {
		return 0, io.EOF
	}
	short := false
	if left := lim - off; int64(len(p)) > left {
		p, short = p[:left], true
	}
	n, err := f.ra.ReadAt(p, off)
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

// usable is the length of the snapshot that is whole lines (and a last
// line without its newline that is whole).
func (f *snapTextFile) usable() (int64, error) {
	if f.set {
		return f.limit, nil
	}
	size := f.entry.size
	f.limit, f.set = size, true
	if size == 0 {
		return 0, nil
	}
	// Find the last newline, reading back from the end.
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		n, err := f.ra.ReadAt(buf[:end-start], start)
		if int64(n) < end-start {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			// The file shrank since it was listed: read what is there.
			f.limit = start + int64(n)
			return f.limit, nil
		}
		if end == size && buf[end-start-1] == '\n' {
			return size, nil
		}
		if i := bytes.LastIndexByte(buf[:end-start], '\n'); i >= 0 {
			nl := start + int64(i)
			tail := make([]byte, size-nl-1)
			if _, err := f.ra.ReadAt(tail, nl+1); err == nil && tornTail(f.fsys, f.entry, f.text, tail) {
				f.limit = nl + 1
			}
			return f.limit, nil
		}
		if size-start > maxTextRecord {
			return size, nil
		}
		end = start
	}
	// One line, no newline.
	tail := make([]byte, size)
	if _, err := f.ra.ReadAt(tail, 0); err == nil && tornTail(f.fsys, f.entry, f.text, tail) {
		f.limit = 0
	}
	return f.limit, nil
}
