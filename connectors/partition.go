package connectors

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// A folder table's files carry values in their paths, which become
// columns whose value is constant per file, so filters on them skip whole
// files before any is opened:
//
//   - Drill's dir0, dir1, ...: the names of the folders between the
//     table's folder and the file (NULL for files less deep).
//   - Hive's key=value folders: a column named key.
//   - Drill's implicit file columns: filename ("a.json"), filepath (the
//     folder, "/logs/2024"), fqn ("/logs/2024/a.json") and suffix
//     ("json"), paths from the root. These are never part of SELECT *.
//
// Partition values are typed from all of a column's values: bigint when
// every value is an integer, date when every value is a date, else text.

// HiveNull is the folder value Hive writes for a NULL partition key.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// ImplicitKey is the field metadata key marking a column that is not part
// of SELECT * (the implicit file columns, dirN over key=value folders).
const ImplicitKey = "lakesql.implicit"

// IsImplicit reports whether a table field is an implicit column.
func IsImplicit(f arrow.Field) bool {
	return f.HasMetadata() && f.Metadata.FindKey(ImplicitKey) >= 0
}

var implicitMeta = arrow.NewMetadata([]string{ImplicitKey}, []string{"true"})

// The implicit file columns.
var implicitFileColumns = []string{"filename", "filepath", "fqn", "suffix"}

// constColumn is a column whose value is one per file.
type constColumn struct {
	name     string
	typ      arrow.DataType
	implicit bool
	value    func(f *fileEntry, segs []string) (string, bool) // the file's raw value; false for NULL
}

// partitionColumns derives the dirN and hive key columns of a selection.
func partitionColumns(files []fileEntry) []constColumn {
	depth := 0
	var keys []string
	seen := map[string]bool{}
	hiveLevel := map[int]bool{} // levels where every folder is key=value
	allHive := map[int]bool{}
	for _, f := range files {
		segs := folderSegs(f.rel)
		depth = max(depth, len(segs))
		for i, s := range segs {
			k, _, isHive := strings.Cut(s, "=")
			if _, ok := allHive[i]; !ok {
				allHive[i] = true
			}
			if !isHive || k == "" {
				allHive[i] = false
				continue
			}
			hiveLevel[i] = true
			if !seen[strings.ToLower(k)] {
				seen[strings.ToLower(k)] = true
				keys = append(keys, k)
			}
		}
	}
	var cols []constColumn
	for _, k := range keys {
		k := k
		cols = append(cols, constColumn{name: k, value: func(f *fileEntry, segs []string) (string, bool) {
			v, ok := "", false
			for _, s := range segs {
				if kk, vv, isHive := strings.Cut(s, "="); isHive && strings.EqualFold(kk, k) {
					v, ok = vv, true
				}
			}
			if !ok || v == HiveNull {
				return "", false
			}
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			return v, true
		}})
	}
	for i := 0; i < depth; i++ {
		i := i
		cols = append(cols, constColumn{name: fmt.Sprintf("dir%d", i), implicit: allHive[i] && hiveLevel[i],
			value: func(f *fileEntry, segs []string) (string, bool) {
				if i < len(segs) {
					return segs[i], true
				}
				return "", false
			}})
	}
	for i := range cols {
		cols[i].typ = inferPartitionType(files, cols[i])
	}
	return cols
}

// fileColumns are the implicit file columns.
func fileColumns() []constColumn {
	fqn := func(f *fileEntry) string { return "/" + f.path }
	return []constColumn{
		{name: "filename", typ: types.String, implicit: true, value: func(f *fileEntry, _ []string) (string, bool) { return path.Base(f.path), true }},
		{name: "filepath", typ: types.String, implicit: true, value: func(f *fileEntry, _ []string) (string, bool) { return path.Dir(fqn(f)), true }},
		{name: "fqn", typ: types.String, implicit: true, value: func(f *fileEntry, _ []string) (string, bool) { return fqn(f), true }},
		{name: "suffix", typ: types.String, implicit: true, value: func(f *fileEntry, _ []string) (string, bool) {
			return strings.TrimPrefix(path.Ext(f.path), "."), true
		}},
	}
}

// folderSegs are the folder names of a path relative to the table's folder.
func folderSegs(rel string) []string {
	d := path.Dir(rel)
	if d == "." {
		return nil
	}
	return strings.Split(d, "/")
}

func inferPartitionType(files []fileEntry, c constColumn) arrow.DataType {
	isInt, isDate, any := true, true, false
	for i := range files {
		v, ok := c.value(&files[i], folderSegs(files[i].rel))
		if !ok {
			continue
		}
		any = true
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			isInt = false
		}
		if len(v) != 10 || v[4] != '-' || v[7] != '-' {
			isDate = false
		} else if _, err := text.ParseDate(v); err != nil {
			isDate = false
		}
		if !isInt && !isDate {
			break
		}
	}
	switch {
	case !any:
		return types.String
	case isInt:
		return types.Int64
	case isDate:
		return types.Date
	}
	return types.String
}

// constValue is a file's value of c as a scalar of c's type.
func constValue(c constColumn, f *fileEntry) scalar.Scalar {
	v, ok := c.value(f, folderSegs(f.rel))
	if !ok {
		return scalar.MakeNullScalar(c.typ)
	}
	switch c.typ.ID() {
	case arrow.INT64:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return scalar.NewInt64Scalar(n)
		}
	case arrow.DATE32:
		if d, err := text.ParseDate(v); err == nil {
			return scalar.NewDate32Scalar(arrow.Date32(d))
		}
	default:
		return scalar.NewStringScalar(v)
	}
	return scalar.MakeNullScalar(c.typ)
}
