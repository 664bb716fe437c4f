package connectors

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/sqlerr"
)

// Text read from files must be what PostgreSQL accepts as text: valid
// UTF-8 without NUL bytes. Anything else is an error (22021, as PostgreSQL
// reports for COPY) that names the file and the line (or row), never
// bytes passed on to clients, whose drivers would fail on them.

// invalidText is the error for bad bytes at where ("line 3", "row 7").
func invalidText(path, where string, bad []byte) *sqlerr.Error {
	var sb strings.Builder
	for i, b := range bad {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "0x%02x", b)
	}
	e := sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s in file \"%s\" at %s", sb.String(), path, where)
	e.Hint = "Text in data files must be UTF-8 without NUL bytes."
	return e
}

// textReader checks a text file's bytes as they are read: a NUL byte or
// invalid UTF-8 fails the read with 22021 and the line it is on.
type textReader struct {
	r    io.Reader
	path string
	line int    // lines completed before buf
	tail []byte // an incomplete character carried to the next read
	err  error  // once the text is bad, every read says so
}

func checkedText(r io.Reader, path string) io.Reader {
	return &textReader{r: r, path: path}
}

func (t *textReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.read(p)
	if _, bad := err.(*sqlerr.Error); bad {
		t.err = err
	}
	return n, err
}

func (t *textReader) read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n == 0 {
		if err == io.EOF && len(t.tail) > 0 {
			return 0, invalidText(t.path, fmt.Sprintf("line %d", t.line+1), t.tail)
		}
		return n, err
	}
	// Check the carried bytes and this chunk as one, but only up to the
	// last complete character: the rest waits for the next read.
	chunk := p[:n]
	buf := chunk
	if len(t.tail) > 0 {
		buf = append(append([]byte(nil), t.tail...), chunk...)
	}
	end := len(buf)
	if err != io.EOF {
		end = completeEnd(buf)
	}
	if e := t.check(buf[:end]); e != nil {
		return 0, e
	}
	t.tail = append(t.tail[:0], buf[end:]...)
	if err == io.EOF && len(t.tail) > 0 {
		return 0, invalidText(t.path, fmt.Sprintf("line %d", t.line+1), t.tail)
	}
	return n, err
}

// check validates b and counts its lines.
func (t *textReader) check(b []byte) error {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		t.line += bytes.Count(b, []byte{'\n'})
		return nil
	}
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		lineBytes := b
		if nl >= 0 {
			lineBytes = b[:nl]
		}
		if bad := firstBad(lineBytes); bad != nil {
			return invalidText(t.path, fmt.Sprintf("line %d", t.line+1), bad)
		}
		if nl < 0 {
			break
		}
		t.line++
		b = b[nl+1:]
	}
	return nil
}

// completeEnd is the length of b's prefix that ends on a character
// boundary (at most 3 bytes of a started character are held back).
func completeEnd(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return len(b)
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return len(b)
			}
			return len(b) - k
		}
	}
	return len(b)
}

// firstBad returns the first NUL byte or invalid sequence of b (nil if none).
func firstBad(b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return b[i : i+1]
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			end := i + 1
			for end < len(b) && end < i+4 && !utf8.RuneStart(b[end]) {
				end++
			}
			return b[i:end]
		}
		i += n
	}
	return nil
}

// checkColumn validates the text in a column read from a binary format
// (Parquet), nested values included; where names the place of a value
// of the column (its index) in messages.
func checkColumn(a arrow.Array, path string, where func(i int) string) error {
	switch x := a.(type) {
	case *array.String:
		if i, bad := badString(x); bad != nil {
			return invalidText(path, where(i), bad)
		}
	case *array.Dictionary:
		// Check the values once; name the first row that has a bad one.
		if d, ok := x.Dictionary().(*array.String); ok {
			if k, bad := badString(d); bad != nil {
				idx := x.Indices().(*array.Int32)
				for i := 0; i < x.Len(); i++ {
					if x.IsValid(i) && int(idx.Value(i)) == k {
						return invalidText(path, where(i), bad)
					}
				}
			}
		}
	case *array.List:
		// Values of the child are not rows: name the list's first row.
		if err := checkColumn(x.ListValues(), path, func(int) string { return where(0) }); err != nil {
			return err
		}
	case *array.Struct:
		for f := 0; f < x.NumField(); f++ {
			if err := checkColumn(x.Field(f), path, where); err != nil {
				return err
			}
		}
	}
	return nil
}

// badString finds the first value of a string array that is not good
// text. The whole value buffer is checked at once: if it is valid UTF-8
// without NUL and no value starts inside a character, every value is.
func badString(a *array.String) (int, []byte) {
	if a.Len() == 0 {
		return 0, nil
	}
	whole := a.ValueBytes()
	if utf8.Valid(whole) && bytes.IndexByte(whole, 0) < 0 {
		ok := true
		for i := 0; i < a.Len(); i++ {
			if s := a.Value(i); s != "" && !utf8.RuneStart(s[0]) {
				ok = false
				break
			}
		}
		if ok {
			return 0, nil
		}
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			continue
		}
		if bad := firstBad([]byte(a.Value(i))); bad != nil {
			return i, bad
		}
	}
	return 0, nil
}
