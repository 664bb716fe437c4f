package executor

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/executor/hashtable"
)

// rowSet remembers the rows it has seen, compared on all their columns
// (NULLs equal): DISTINCT, UNION and recursive UNION keep the first
// occurrence of each row through it.
type rowSet struct {
	table  *hashtable.Table
	groups []uint32
	isNew  []bool
}

func newRowSet(schema *arrow.Schema) *rowSet {
	ts := make([]arrow.DataType, schema.NumFields())
	for i, f := range schema.Fields() {
		ts[i] = f.Type
	}
	return &rowSet{table: hashtable.New(ts)}
}

// add records the n rows of cols and returns those not seen before.
func (s *rowSet) add(cols []arrow.Array, n int) []int32 {
	if cap(s.groups) < n {
		s.groups = make([]uint32, n)
		s.isNew = make([]bool, n)
	}
	s.table.Insert(cols, n, s.groups[:n], s.isNew[:n])
	var rows []int32
	for i, fresh := range s.isNew[:n] {
		if fresh {
			rows = append(rows, int32(i))
		}
	}
	return rows
}
