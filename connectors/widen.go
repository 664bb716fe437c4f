package connectors

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// Types are inferred from a sample, so a value further on may not fit
// its column (a "n/a" among numbers, a third decimal digit). The reader
// that meets it widens the column, for the file version, in the schema
// cache (int to decimal to double, anything to text; JSON of mixed shapes
// to JSON text), and fails with an error whose cause is a *SchemaWidened:
// the statement reads the file again with the wider type. The engine
// does that itself when no row has reached the client yet.

// SchemaWidened says that a column of a file was widened.
type SchemaWidened struct {
	Path, Column string
	From, To     arrow.DataType
}

func (e *SchemaWidened) Error() string {
	return fmt.Sprintf("column \"%s\" of file \"%s\" widened from %s to %s", e.Column, e.Path, types.Name(e.From), types.Name(e.To))
}

// IsSchemaWidened reports whether err says that a file's column was
// widened: running the statement again reads it with the wider type.
func IsSchemaWidened(err error) bool {
	var w *SchemaWidened
	return errors.As(err, &w)
}

// widenedError is the error for a misfit value at line of path.
func widenedError(w *SchemaWidened, line int64, value []byte) error {
	e := sqlerr.New(sqlerr.InvalidTextRepresentation, "file \"%s\" line %d column \"%s\": %q does not fit type %s; the column is read as %s from now on",
		w.Path, line, w.Column, truncateValue(value), types.Name(w.From), types.Name(w.To))
	e.Hint = "Run the statement again."
	e.Err = w
	return e
}

func truncateValue(v []byte) string {
	if len(v) > 64 {
		return string(v[:64]) + "..."
	}
	return string(v)
}

// typeValue is the valueType a column's type holds (the digits of a
// decimal's values are not known: none are assumed).
func typeValue(t arrow.DataType) valueType {
	switch t.ID() {
	case arrow.BOOL:
		return valueType{kind: kBool}
	case arrow.INT64:
		return valueType{kind: kInt}
	case arrow.DECIMAL128:
		return valueType{kind: kDecimal, scale: int(t.(*arrow.Decimal128Type).Scale)}
	case arrow.FLOAT64:
		return valueType{kind: kFloat}
	case arrow.DATE32:
		return valueType{kind: kDate}
	case arrow.TIMESTAMP:
		return valueType{kind: kTimestamp}
	}
	return valueType{kind: kText}
}

// wider is the type of a column of type t that also holds v, never t
// itself: text when nothing narrower does.
func wider(t arrow.DataType, v valueType) arrow.DataType {
	w := kindType(merge(typeValue(t), v))
	if arrow.TypeEqual(w, t) {
		return types.String
	}
	return w
}

// restate replaces the cached inference of file p with update(old),
// under one lock so that two widenings of one file both land.
func restate[T any](c *SchemaCache, fsys fs.FS, p string, sample int, update func(old T) T) {
	if c == nil {
		return
	}
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return
	}
	k := cacheKey{path: p, size: st.Size(), mtime: st.ModTime(), sample: sample, variant: c.tag}
	c.widenMu.Lock()
	defer c.widenMu.Unlock()
	v, ok := c.get(k)
	if !ok {
		return
	}
	if old, ok := v.(T); ok {
		c.put(k, update(old))
	}
}

// withField returns s with field i of type t.
func withField(s *arrow.Schema, i int, f arrow.Field) *arrow.Schema {
	fields := append([]arrow.Field(nil), s.Fields()...)
	fields[i] = f
	return arrow.NewSchema(fields, nil)
}

// widen records that column col of the CSV file holds value, and returns
// the error for it.
func (t *CSVTable) widen(col int, value []byte, line int64) error {
	f := t.d.schema.Field(col)
	to := wider(f.Type, kindOf(string(value)))
	w := &SchemaWidened{Path: t.path, Column: f.Name, From: f.Type, To: to}
	if t.scache == nil {
		return widenedError(w, line, value)
	}
	restate(t.scache, t.fsys, t.path, t.sample, func(old *csvDialect) *csvDialect {
		cur := old.schema.Field(col)
		if !arrow.TypeEqual(cur.Type, f.Type) {
			// Widened already (by another range): widen that further.
			to = wider(cur.Type, kindOf(string(value)))
		}
		cur.Type = to
		nd := old.withSchema(withField(old.schema, col, cur))
		t.cache.keepCSV(t.cache.inferencePath("csv", t.fsys, t.path, t.comp, Options{Cache: t.scache, SampleRows: t.sample}), nd)
		return nd
	})
	return widenedError(w, line, value)
}

// jsonValueType is the valueType of a scalar JSON value's text.
func jsonValueType(v []byte) valueType {
	switch {
	case len(v) == 0 || string(v) == "null":
		return valueType{}
	case v[0] == '"':
		s, err := unescape(nil, v[1:len(v)-1])
		if err != nil {
			return valueType{kind: kText}
		}
		k := kText
		if len(s) == 10 && s[4] == '-' && s[7] == '-' {
			if _, ok := parseDate(s); ok {
				k = kDate
			}
		} else if len(s) >= 19 && s[4] == '-' && (s[10] == ' ' || s[10] == 'T') {
			if _, err := text.ParseTimestamp(string(s), nil); err == nil {
				k = kTimestamp
			}
		}
		return valueType{kind: k}
	case v[0] == 't' || v[0] == 'f':
		return valueType{kind: kBool}
	}
	if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return valueType{kind: kInt, digits: intDigits(string(v))}
	}
	if t, ok := decimalOf(string(v)); ok {
		return t
	}
	return valueType{kind: kFloat}
}

// widen records that column col of the JSON file holds value (its JSON
// text), and returns the error for it. Objects and arrays that do not
// fit make the column JSON text.
func (t *JSONTable) widen(col int, value []byte, line int64) error {
	f := t.d.schema.Field(col)
	nested := func(typ arrow.DataType) bool { return !cacheable(typ) }
	next := func(cur arrow.Field) arrow.Field {
		if nested(cur.Type) || len(value) > 0 && (value[0] == '{' || value[0] == '[') || types.IsRawJSONField(cur) {
			return types.RawJSONField(cur.Name)
		}
		cur.Type = wider(cur.Type, jsonValueType(value))
		return cur
	}
	to := next(f)
	w := &SchemaWidened{Path: t.path, Column: f.Name, From: f.Type, To: to.Type}
	if t.scache == nil {
		return widenedError(w, line, value)
	}
	restate(t.scache, t.fsys, t.path, t.sample, func(old *jsonDialect) *jsonDialect {
		cur := old.schema.Field(col)
		if !arrow.TypeEqual(cur.Type, f.Type) || types.IsRawJSONField(cur) != types.IsRawJSONField(f) {
			return old // widened already: a misfit then shows again
		}
		nd := old.withSchema(withField(old.schema, col, to))
		t.keepInference(nd)
		return nd
	})
	return widenedError(w, line, value)
}

// keepInference replaces the kept inference of the file with d.
func (t *JSONTable) keepInference(d *jsonDialect) {
	t.cache.keepJSON(t.cache.inferencePath("json", t.fsys, t.path, t.comp, Options{Cache: t.scache, SampleRows: t.sample}), d)
}

// notPerLine records that an array file read in ranges of lines does not
// hold one element per line after all (only its start was sampled), and
// returns the error for it: the statement runs again, reading the file
// as one stream (where a malformed file gets its error).
func (t *JSONTable) notPerLine(line int64) error {
	w := &SchemaWidened{Path: t.path, Column: "", From: types.String, To: types.String}
	restate(t.scache, t.fsys, t.path, t.sample, func(old *jsonDialect) *jsonDialect {
		d := old.withSchema(old.schema)
		d.lines = false
		t.keepInference(d)
		return d
	})
	e := sqlerr.New(sqlerr.InvalidTextRepresentation, "file \"%s\" line %d: an element of the array spans lines; the file is read as one stream from now on", t.path, line)
	e.Hint = "Run the statement again."
	e.Err = w
	return e
}
