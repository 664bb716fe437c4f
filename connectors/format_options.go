package connectors

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// FormatOptions say how to read files whose name does not say it, or
// whose dialect sniffing would get wrong: Drill's table function
// options, table(dfs.`x.txt`(type => 'text', fieldDelimiter => '|',
// extractHeader => true)), and DuckDB's read_csv('x.txt', delim => '|',
// header => true), read_json(...), read_parquet(...).
type FormatOptions struct {
	// Format is the format every file is read in (0: by file name).
	Format Format
	// Compression, when set, overrides the file name's.
	Compression    Compression
	HasCompression bool
	// Delimiter separates CSV fields (0: sniffed).
	Delimiter byte
	// Header says whether a CSV file's first line names its columns
	// (nil: sniffed).
	Header *bool
	// Skip is the number of lines skipped before the header or data.
	Skip int
	// AllText reads every column as text (Drill's allTextMode, DuckDB's
	// all_varchar).
	AllText bool
}

// The options each table function accepts, by their names there.
var formatOptionNames = map[string][]string{
	"table":        {"type", "fielddelimiter", "extractheader", "skipfirstline", "alltextmode", "compression"},
	"read_csv":     {"delim", "sep", "header", "skip", "all_varchar", "compression"},
	"read_json":    {"all_varchar", "compression"},
	"read_parquet": {},
}

// ParseFormatOptions reads a table function's options (names in lower
// case, values as text). fn is "table" for Drill's table(...) form, or
// read_csv, read_json, read_parquet. An unknown option is an error that
// lists the valid ones.
func ParseFormatOptions(fn string, opts [][2]string) (*FormatOptions, error) {
	valid, ok := formatOptionNames[fn]
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", fn)
	}
	fo := &FormatOptions{}
	switch fn {
	case "read_csv":
		fo.Format = CSV
	case "read_json":
		fo.Format = JSON
	case "read_parquet":
		fo.Format = Parquet
	}
	bad := func(name, v, want string) error {
		return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value %q for option %s of %s: %s", v, name, fn, want)
	}
	for _, kv := range opts {
		name, v := strings.ToLower(kv[0]), kv[1]
		known := false
		for _, n := range valid {
			known = known || n == name
		}
		if !known {
			list := append([]string(nil), valid...)
			sort.Strings(list)
			msg := "it takes no options"
			if len(list) > 0 {
				msg = "valid options: " + strings.Join(list, ", ")
			}
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unknown option \"%s\" for %s; %s", kv[0], fn, msg)
		}
		switch name {
		case "type":
			switch strings.ToLower(v) {
			case "text", "csv", "tsv", "psv", "csvh":
				fo.Format = CSV
				switch strings.ToLower(v) {
				case "tsv":
					fo.Delimiter = '\t'
				case "psv":
					fo.Delimiter = '|'
				case "csvh":
					t := true
					fo.Header = &t
				}
			case "json":
				fo.Format = JSON
			case "parquet":
				fo.Format = Parquet
			default:
				return nil, bad(kv[0], v, "one of text, csv, tsv, psv, csvh, json, parquet")
			}
		case "fielddelimiter", "delim", "sep":
			d := unescapeDelimiter(v)
			if len(d) != 1 {
				return nil, bad(kv[0], v, "one character")
			}
			fo.Delimiter = d[0]
		case "extractheader", "header":
			b, err := parseBoolOption(v)
			if err != nil {
				return nil, bad(kv[0], v, "true or false")
			}
			fo.Header = &b
		case "skipfirstline":
			b, err := parseBoolOption(v)
			if err != nil {
				return nil, bad(kv[0], v, "true or false")
			}
			if b {
				fo.Skip = 1
			}
		case "skip":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, bad(kv[0], v, "a number of lines")
			}
			fo.Skip = n
		case "alltextmode", "all_varchar":
			b, err := parseBoolOption(v)
			if err != nil {
				return nil, bad(kv[0], v, "true or false")
			}
			fo.AllText = b
		case "compression":
			switch strings.ToLower(v) {
			case "none", "uncompressed":
				fo.Compression = NoCompression
			case "gzip", "gz":
				fo.Compression = Gzip
			case "zstd", "zst":
				fo.Compression = Zstd
			case "bzip2", "bz2":
				fo.Compression = Bzip2
			case "auto", "infer":
				continue
			default:
				return nil, bad(kv[0], v, "one of none, gzip, zstd, bzip2, auto")
			}
			fo.HasCompression = true
		}
	}
	if fo.Format == Parquet && (fo.Delimiter != 0 || fo.Header != nil || fo.Skip != 0) {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "text options do not apply to Parquet files")
	}
	return fo, nil
}

func parseBoolOption(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "t", "1", "yes", "on":
		return true, nil
	case "false", "f", "0", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// unescapeDelimiter reads "\t" and "\\t" as a tab.
func unescapeDelimiter(v string) string {
	switch v {
	case `\t`, "tab":
		return "\t"
	}
	return v
}

// Key identifies the options for caches of inferred schemas.
func (o *FormatOptions) Key() string {
	if o == nil {
		return ""
	}
	h := "-"
	if o.Header != nil {
		h = strconv.FormatBool(*o.Header)
	}
	return fmt.Sprintf("f%d c%d/%v d%d h%s s%d t%v", o.Format, o.Compression, o.HasCompression, o.Delimiter, h, o.Skip, o.AllText)
}

// csvForce is what format options fix of a CSV dialect.
type csvForce struct {
	delim  byte
	header *bool
	skip   int
}

func (o *FormatOptions) csvForce() *csvForce {
	if o == nil || (o.Delimiter == 0 && o.Header == nil && o.Skip == 0) {
		return nil
	}
	return &csvForce{delim: o.Delimiter, header: o.Header, skip: o.Skip}
}

// accepts reports whether a listed file is read under the options: any
// file when the format is given, else files of a known format.
func (o *FormatOptions) accepts(name string) bool {
	if o != nil && o.Format != 0 {
		return true
	}
	_, _, ok := DetectFormat(name)
	return ok
}

// open opens one file under the options.
func (o *FormatOptions) open(ctx context.Context, fsys fs.FS, p string, opts Options) (Table, error) {
	format, comp, ok := DetectFormat(p)
	if o.Format != 0 {
		if !ok || format != o.Format {
			comp = compressionOf(p)
		}
		format = o.Format
	} else if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "file \"%s\" has no supported format (parquet, csv, json): give its type", p)
	}
	if o.HasCompression {
		comp = o.Compression
	}
	opts.Cache = opts.Cache.variant(o.Key())
	switch format {
	case Parquet:
		if comp != NoCompression {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "compressed Parquet file \"%s\": Parquet compresses its pages itself", p)
		}
		return openParquet(ctx, fsys, p, opts)
	case CSV:
		t, err := openCSV(ctx, fsys, p, comp, opts)
		if err != nil || !o.AllText {
			return t, err
		}
		ct := t.(*CSVTable)
		ct.d = ct.d.withSchema(allTextSchema(ct.d.schema))
		return ct, nil
	}
	t, err := openJSON(ctx, fsys, p, comp, opts)
	if err != nil || !o.AllText {
		return t, err
	}
	jt := t.(*JSONTable)
	jt.d = jt.d.withSchema(allTextSchema(jt.d.schema))
	return jt, nil
}

// compressionOf reads a compression from a file name's last suffix.
func compressionOf(p string) Compression {
	n := strings.ToLower(p)
	switch {
	case strings.HasSuffix(n, ".gz"):
		return Gzip
	case strings.HasSuffix(n, ".zst"):
		return Zstd
	case strings.HasSuffix(n, ".bz2"):
		return Bzip2
	}
	return NoCompression
}

// allTextSchema makes every scalar of a schema text (objects and arrays
// keep their shape).
func allTextSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		f.Type = allText(f.Type)
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil)
}

func allText(t arrow.DataType) arrow.DataType {
	switch x := t.(type) {
	case *arrow.StructType:
		fields := make([]arrow.Field, x.NumFields())
		for i, f := range x.Fields() {
			f.Type = allText(f.Type)
			fields[i] = f
		}
		return arrow.StructOf(fields...)
	case *arrow.ListType:
		return arrow.ListOfField(arrow.Field{Name: x.ElemField().Name, Type: allText(x.Elem()), Nullable: true})
	}
	return types.String
}

// skipLines reads past n lines of r, a byte at a time so that nothing
// after them is consumed.
func skipLines(r io.Reader, n int) error {
	var b [1]byte
	for n > 0 {
		k, err := r.Read(b[:])
		if k == 1 && b[0] == '\n' {
			n--
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}
