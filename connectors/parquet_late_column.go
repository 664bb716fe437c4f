package connectors

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakesql/lakesql/batch"
)

// Decoding one column of the late reader (parquet_late.go).

type decodeKind int

const (
	decInt32 decodeKind = iota
	decDate32
	decInt64
	decDecimal32 // INT32 holding a decimal's unscaled value
	decDecimal64 // INT64 holding a decimal's unscaled value
	decFloat64
	decString
	decBool
)

// lateKind decides whether the Parquet column descr decodes directly into
// the engine type t (the field's type after normalisation), and how.
func lateKind(descr *schema.Column, raw, t arrow.DataType) (decodeKind, bool) {
	if descr.MaxRepetitionLevel() != 0 || descr.MaxDefinitionLevel() > 1 || !arrow.TypeEqual(raw, t) {
		return 0, false
	}
	switch descr.PhysicalType() {
	case parquet.Types.Int32:
		switch t.ID() {
		case arrow.INT32:
			return decInt32, true
		case arrow.DATE32:
			return decDate32, true
		case arrow.DECIMAL128:
			return decDecimal32, decimalScaleMatches(descr, t)
		}
	case parquet.Types.Int64:
		switch t.ID() {
		case arrow.INT64:
			return decInt64, true
		case arrow.DECIMAL128:
			return decDecimal64, decimalScaleMatches(descr, t)
		}
	case parquet.Types.Double:
		if t.ID() == arrow.FLOAT64 {
			return decFloat64, true
		}
	case parquet.Types.ByteArray:
		if t.ID() == arrow.STRING {
			return decString, true
		}
	case parquet.Types.Boolean:
		if t.ID() == arrow.BOOL {
			return decBool, true
		}
	}
	return 0, false
}

func decimalScaleMatches(descr *schema.Column, t arrow.DataType) bool {
	l, ok := descr.LogicalType().(schema.DecimalLogicalType)
	d := t.(*arrow.Decimal128Type)
	return ok && l.Scale() == d.Scale && l.Precision() == d.Precision
}

// lateColumn decodes one flat column of a row group, a batch at a time,
// into scratch buffers reused across batches.
type lateColumn struct {
	kind   decodeKind
	typ    arrow.DataType
	maxDef int16
	cr     file.ColumnChunkReader

	n    int     // rows of the current batch
	defs []int16 // definition levels (optional columns)
	vidx []int32 // row -> index of its value, -1 for NULL; nil: row i is value i
	idx  []int32 // scratch of taken
	i32  []int32
	i64  []int64
	f64  []float64
	bo   []bool
	ba   []parquet.ByteArray
	data []byte  // the batch's text values, end to end
	offs []int32 // value k is data[offs[k]:offs[k+1]]
	// dict: every page of the column chunk is dictionary encoded, so the
	// values read point into the chunk's one dictionary, which stays put
	// while the row group is read: value k is ba[k], nothing is copied
	// until rows are taken, and equal values share their address (see
	// textCache).
	dict bool
	// codes, when set, numbers the dictionary's values so that the
	// column is returned dictionary-encoded (dict only; see
	// OpenDictionary).
	codes *dictCodes
}

// grow returns a scratch slice of length n, reusing s when it is large
// enough (its contents are not kept).
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// decode reads the next n rows.
func (c *lateColumn) decode(n int) error {
	c.n = n
	var defs []int16
	if c.maxDef > 0 {
		c.defs = grow(c.defs, n)
		defs = c.defs
	}
	var rows int64
	var got int
	var err error
	switch c.kind {
	case decInt32, decDate32, decDecimal32:
		c.i32 = grow(c.i32, n)
		r := c.cr.(*file.Int32ColumnChunkReader)
		rows, got, err = paged(n, defs, func(max int64, at int, d []int16) (int64, int, error) {
			return r.ReadBatchInPage(max, c.i32[at:], d, nil)
		})
	case decInt64, decDecimal64:
		c.i64 = grow(c.i64, n)
		r := c.cr.(*file.Int64ColumnChunkReader)
		rows, got, err = paged(n, defs, func(max int64, at int, d []int16) (int64, int, error) {
			return r.ReadBatchInPage(max, c.i64[at:], d, nil)
		})
	case decFloat64:
		c.f64 = grow(c.f64, n)
		r := c.cr.(*file.Float64ColumnChunkReader)
		rows, got, err = paged(n, defs, func(max int64, at int, d []int16) (int64, int, error) {
			return r.ReadBatchInPage(max, c.f64[at:], d, nil)
		})
	case decBool:
		c.bo = grow(c.bo, n)
		r := c.cr.(*file.BooleanColumnChunkReader)
		rows, got, err = paged(n, defs, func(max int64, at int, d []int16) (int64, int, error) {
			return r.ReadBatchInPage(max, c.bo[at:], d, nil)
		})
	case decString:
		if c.dict {
			rows, got, err = c.decodeDictText(n, defs)
		} else {
			rows, got, err = c.decodeText(n, defs)
		}
	}
	if err != nil {
		return err
	}
	if rows != int64(n) {
		return fmt.Errorf("column %s has %d rows where %d were expected", c.cr.Descriptor().Name(), rows, n)
	}
	c.vidx = c.vidx[:0]
	if got < n {
		c.vidx = grow(c.vidx, n)
		k := int32(0)
		for i, d := range defs[:n] {
			if d == c.maxDef {
				c.vidx[i] = k
				k++
			} else {
				c.vidx[i] = -1
			}
		}
	} else {
		c.vidx = nil
	}
	return nil
}

// decodeText reads text a page at a time and copies each page's values at
// once: a value read from a plain page points into the page's buffer,
// which the next page reuses.
func (c *lateColumn) decodeText(n int, defs []int16) (rows int64, got int, err error) {
	r := c.cr.(*file.ByteArrayColumnChunkReader)
	c.ba = grow(c.ba, n)
	c.data = c.data[:0]
	c.offs = append(c.offs[:0], 0)
	for rows < int64(n) {
		var d []int16
		if defs != nil {
			d = defs[rows:]
		}
		lv, rd, err := r.ReadBatchInPage(int64(n)-rows, c.ba, d, nil)
		if err != nil {
			return rows, got, err
		}
		if lv == 0 {
			break
		}
		for _, v := range c.ba[:rd] {
			c.data = append(c.data, v...)
			c.offs = append(c.offs, int32(len(c.data)))
		}
		if len(c.data) > math.MaxInt32 {
			return rows, got, fmt.Errorf("column %s holds more than 2 GB of text in %d rows", c.cr.Descriptor().Name(), n)
		}
		rows += lv
		got += rd
	}
	return rows, got, nil
}

// paged reads n rows a page at a time with read (the values of a call go
// to index at): the library's own ReadBatch and Skip loop without end on
// some corrupt pages that yield no values, where this stops.
func paged(n int, defs []int16, read func(max int64, at int, defs []int16) (int64, int, error)) (rows int64, got int, err error) {
	for rows < int64(n) {
		var d []int16
		if defs != nil {
			d = defs[rows:]
		}
		lv, rd, err := read(int64(n)-rows, got, d)
		if err != nil {
			return rows, got, err
		}
		if lv == 0 {
			break
		}
		rows += lv
		got += rd
	}
	return rows, got, nil
}

// decodeDictText reads text from dictionary pages a page at a time
// (ReadBatch would copy every value), keeping each value's place in the
// dictionary.
func (c *lateColumn) decodeDictText(n int, defs []int16) (rows int64, got int, err error) {
	r := c.cr.(*file.ByteArrayColumnChunkReader)
	c.ba = grow(c.ba, n)
	return paged(n, defs, func(max int64, at int, d []int16) (int64, int, error) {
		return r.ReadBatchInPage(max, c.ba[at:], d, nil)
	})
}

// skip passes over the next n rows. It decodes them into the scratch
// buffers: the library's Skip loops without end on some corrupt pages
// (see paged), and skipping saves only the copy out, which decoding into
// scratch does not make.
func (c *lateColumn) skip(n int) error { return c.decode(n) }

// text is text value k.
func (c *lateColumn) text(k int) []byte {
	if c.dict {
		return c.ba[k]
	}
	return c.data[c.offs[k]:c.offs[k+1]]
}

// value is the index of row i's value, or -1 when it is NULL.
func (c *lateColumn) value(i int) int {
	if c.vidx == nil {
		return i
	}
	return int(c.vidx[i])
}

// taken lists, for each of the m rows taken (rows; nil: all), the index
// of its value, -1 for NULL; nil means row j is value j.
func (c *lateColumn) taken(rows []int32, m int) []int32 {
	switch {
	case c.vidx == nil:
		return rows
	case rows == nil:
		return c.vidx[:m]
	}
	c.idx = grow(c.idx, m)
	for j, r := range rows {
		c.idx[j] = c.vidx[r]
	}
	return c.idx
}

// array copies the rows (nil: all) of the batch into an engine array.
func (c *lateColumn) array(rows []int32) arrow.Array {
	m := c.n
	if rows != nil {
		m = len(rows)
	}
	idx := c.taken(rows, m)
	var nulls *memory.Buffer
	if c.vidx != nil {
		valid := make([]byte, bitutil.BytesForBits(int64(m)))
		for j, k := range idx {
			if k >= 0 {
				bitutil.SetBit(valid, j)
			}
		}
		nulls = memory.NewBufferBytes(valid)
	}
	switch c.kind {
	case decInt32, decDate32:
		return fixedData(c.typ, m, nulls, c.pick32(idx, m))
	case decInt64:
		return fixedData(c.typ, m, nulls, c.pick64(idx, m))
	case decFloat64:
		if idx == nil {
			// Every row of a batch without NULLs: the scratch buffer
			// becomes the array, and the next batch decodes into a new one.
			out := c.f64[:m:m]
			c.f64 = nil
			return fixedData(c.typ, m, nil, out)
		}
		return fixedData(c.typ, m, nulls, pick(c.f64, idx, m))
	case decDecimal32:
		out := make([]decimal128.Num, m)
		if idx == nil {
			for j, v := range c.i32[:m] {
				out[j] = decimal128.FromI64(int64(v))
			}
		} else {
			for j, k := range idx {
				if k >= 0 {
					out[j] = decimal128.FromI64(int64(c.i32[k]))
				}
			}
		}
		return fixedData(c.typ, m, nulls, out)
	case decDecimal64:
		out := make([]decimal128.Num, m)
		if idx == nil {
			for j, v := range c.i64[:m] {
				out[j] = decimal128.New(v>>63, uint64(v))
			}
		} else {
			for j, k := range idx {
				if k >= 0 {
					v := c.i64[k]
					out[j] = decimal128.New(v>>63, uint64(v))
				}
			}
		}
		return fixedData(c.typ, m, nulls, out)
	case decBool:
		bits := make([]byte, bitutil.BytesForBits(int64(m)))
		for j := 0; j < m; j++ {
			k := j
			if idx != nil {
				k = int(idx[j])
			}
			if k >= 0 && c.bo[k] {
				bitutil.SetBit(bits, j)
			}
		}
		return batch.FromBuffers(c.typ, m, nulls, memory.NewBufferBytes(bits))
	}
	if c.codes != nil {
		if a := c.codes.array(c, idx, m, nulls); a != nil {
			return a
		}
	}
	// Text: offsets and bytes of the rows taken.
	offs := make([]int32, m+1)
	size := 0
	for j := 0; j < m; j++ {
		k := j
		if idx != nil {
			k = int(idx[j])
		}
		if k >= 0 {
			size += len(c.text(k))
		}
	}
	data := make([]byte, size)
	pos := 0
	for j := 0; j < m; j++ {
		k := j
		if idx != nil {
			k = int(idx[j])
		}
		if k >= 0 {
			t := c.text(k)
			if len(t) <= 8 {
				// Short values (flags, codes) byte by byte: a call to
				// memmove costs more than the copy (as batch.Gather).
				for _, ch := range t {
					data[pos] = ch
					pos++
				}
			} else {
				pos += copy(data[pos:], t)
			}
		}
		offs[j+1] = int32(pos)
	}
	return batch.FromBuffers(c.typ, m, nulls, memory.NewBufferBytes(batch.SliceBytes(offs)), memory.NewBufferBytes(data))
}

// pick32 and pick64 copy out the values idx lists; without a list (every
// row of a batch without NULLs) the scratch buffer itself becomes the
// array, and the next batch decodes into a new one.
func (c *lateColumn) pick32(idx []int32, m int) []int32 {
	if idx == nil {
		out := c.i32[:m:m]
		c.i32 = nil
		return out
	}
	return pick(c.i32, idx, m)
}

func (c *lateColumn) pick64(idx []int32, m int) []int64 {
	if idx == nil {
		out := c.i64[:m:m]
		c.i64 = nil
		return out
	}
	return pick(c.i64, idx, m)
}

// pick copies the values idx lists (-1: a NULL, left zero).
func pick[T any](vals []T, idx []int32, m int) []T {
	out := make([]T, m)
	for j, k := range idx {
		if k >= 0 {
			out[j] = vals[k]
		}
	}
	return out
}

// fixedData makes an array of n rows of type t over fixed-width values.
func fixedData[T any](t arrow.DataType, n int, nulls *memory.Buffer, vals []T) arrow.Array {
	return batch.FromBuffers(t, n, nulls, memory.NewBufferBytes(batch.SliceBytes(vals)))
}

// dictCodes numbers the values of a column chunk's dictionary as rows
// meet them, for the dictionary arrays the column returns (see
// batch.DictionaryOf). Values read from dictionary pages point into the
// chunk's one dictionary, so a value is known by its address (as in
// textCache) and a row costs a probe of a small table, where copying its
// text cost a pass over the bytes and the aggregate above packed them
// again. A chunk whose rows show more than dictCodeMax distinct values
// has its later batches returned as plain text.
type dictCodes struct {
	// recent is a direct-mapped cache in front of slots, by the address
	// alone: a row usually costs one load and two compares.
	recent [64]dictCode
	slots  [2 * dictCodeMax]dictCode
	vals   [][]byte    // each code's value, pointing into the dictionary
	dict   arrow.Array // vals copied into a text array, built for len(vals)
	full   bool
}

type dictCode struct {
	addr *byte
	n    int32
	code int32 // the code + 1; 0: an empty slot
}

const dictCodeMax = 256

// lookup returns the code of v, or -1 once the table is full. r is v's
// entry in recent, the direct-mapped cache by address that array tries
// first (values lie apart by at least their 4-byte length prefix); lookup
// sets it.
func (d *dictCodes) lookup(v []byte, r *dictCode) int32 {
	a := unsafe.SliceData(v)
	n := int32(len(v))
	h := uint64(uintptr(unsafe.Pointer(a)))*0x9e3779b97f4a7c15 ^ uint64(n)
	i := int(h>>55) & (len(d.slots) - 1)
	for {
		s := &d.slots[i]
		switch {
		case s.code == 0:
			if len(d.vals) >= dictCodeMax {
				d.full = true
				return -1
			}
			d.vals = append(d.vals, v)
			*s = dictCode{addr: a, n: n, code: int32(len(d.vals))}
			*r = *s
			return s.code - 1
		case s.addr == a && s.n == n:
			*r = *s
			return s.code - 1
		}
		i = (i + 1) & (len(d.slots) - 1)
	}
}

// array returns the m rows taken (idx, as lateColumn.taken gives them) as
// a dictionary array, or nil when the chunk has too many values for it.
func (d *dictCodes) array(c *lateColumn, idx []int32, m int, nulls *memory.Buffer) arrow.Array {
	if d.full {
		return nil
	}
	codes := make([]int32, m)
	ba := c.ba
	for j := range codes {
		k := j
		if idx != nil {
			k = int(idx[j])
		}
		if k < 0 {
			continue // NULL, marked in nulls
		}
		// code's cache, inlined: this loop runs for every row.
		v := ba[k]
		a, n := unsafe.SliceData(v), int32(len(v))
		r := &d.recent[(uintptr(unsafe.Pointer(a))>>2)&(uintptr(len(d.recent))-1)]
		if r.addr == a && r.n == n && r.code != 0 {
			codes[j] = r.code - 1
			continue
		}
		x := d.lookup(v, r)
		if x < 0 {
			return nil
		}
		codes[j] = x
	}
	if d.dict == nil || d.dict.Len() != len(d.vals) {
		// The dictionary's bytes go back to the page buffer pool when the
		// chunk is done; the array owns a copy.
		offs := make([]int32, len(d.vals)+1)
		var data []byte
		for i, v := range d.vals {
			data = append(data, v...)
			offs[i+1] = int32(len(data))
		}
		d.dict = batch.FromBuffers(c.typ, len(d.vals), nil, memory.NewBufferBytes(batch.SliceBytes(offs)), memory.NewBufferBytes(data))
	}
	return batch.NewDictionary(d.dict, codes, nulls)
}
