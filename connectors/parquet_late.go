package connectors

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/decimal"
)

// Late materialization. When a row group is read under pushed-down
// conditions it can decide itself (comparisons of integer, date, numeric
// and text columns with constants), the columns those conditions read are
// decoded first, a batch at a time, into scratch buffers the reader
// reuses; the other columns are decoded only for batches where some row
// passes, and skipped otherwise; and only the rows that pass are copied
// into the arrays the reader returns. TPC-H q12 keeps 0.5% of lineitem by
// l_shipmode and l_receiptdate, q15 4% by l_shipdate: pqarrow decoded
// every column of every row into fresh arrays (and numerics twice, as
// int64 and then as decimal128) before the Filter above dropped them.
//
// Flat columns of the common types are decoded with the column chunk
// readers of the Parquet library (arrow-go's parquet/file). A row group
// with another kind of column, or no condition to decide, is read through
// pqarrow as before. As elsewhere, the Filter above the scan still applies
// the whole WHERE clause: the conditions here only drop rows early.

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
}

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

// array copies the rows (nil: all) of the batch into an engine array.
func (c *lateColumn) array(rows []int32) arrow.Array {
	m := c.n
	if rows != nil {
		m = len(rows)
	}
	row := func(j int) int {
		if rows == nil {
			return j
		}
		return int(rows[j])
	}
	var valid []byte
	nullN := 0
	if c.vidx != nil {
		valid = make([]byte, bitutil.BytesForBits(int64(m)))
		for j := 0; j < m; j++ {
			if c.vidx[row(j)] >= 0 {
				bitutil.SetBit(valid, j)
			} else {
				nullN++
			}
		}
	}
	var nulls *memory.Buffer
	if valid != nil {
		nulls = memory.NewBufferBytes(valid)
	}
	// Every row of a batch without NULLs: the scratch buffer becomes the
	// array, and the next batch decodes into a new one.
	whole := rows == nil && c.vidx == nil
	switch c.kind {
	case decInt32, decDate32:
		if whole {
			out := c.i32[:m:m]
			c.i32 = nil
			return fixedData(c.typ, m, nil, 0, out)
		}
		return fixedData(c.typ, m, nulls, nullN, pick(c, c.i32, rows, m))
	case decInt64:
		if whole {
			out := c.i64[:m:m]
			c.i64 = nil
			return fixedData(c.typ, m, nil, 0, out)
		}
		return fixedData(c.typ, m, nulls, nullN, pick(c, c.i64, rows, m))
	case decFloat64:
		if whole {
			out := c.f64[:m:m]
			c.f64 = nil
			return fixedData(c.typ, m, nil, 0, out)
		}
		return fixedData(c.typ, m, nulls, nullN, pick(c, c.f64, rows, m))
	case decDecimal32:
		out := make([]decimal128.Num, m)
		for j := range out {
			if k := c.value(row(j)); k >= 0 {
				out[j] = decimal128.FromI64(int64(c.i32[k]))
			}
		}
		return fixedData(c.typ, m, nulls, nullN, out)
	case decDecimal64:
		out := make([]decimal128.Num, m)
		for j := range out {
			if k := c.value(row(j)); k >= 0 {
				v := c.i64[k]
				out[j] = decimal128.New(v>>63, uint64(v))
			}
		}
		return fixedData(c.typ, m, nulls, nullN, out)
	case decBool:
		bits := make([]byte, bitutil.BytesForBits(int64(m)))
		for j := 0; j < m; j++ {
			if k := c.value(row(j)); k >= 0 && c.bo[k] {
				bitutil.SetBit(bits, j)
			}
		}
		return makeArray(c.typ, m, nulls, nullN, memory.NewBufferBytes(bits))
	}
	// Text: offsets and bytes of the rows taken.
	offs := make([]int32, m+1)
	size := 0
	for j := 0; j < m; j++ {
		if k := c.value(row(j)); k >= 0 {
			size += len(c.text(k))
		}
	}
	data := make([]byte, 0, size)
	for j := 0; j < m; j++ {
		if k := c.value(row(j)); k >= 0 {
			data = append(data, c.text(k)...)
		}
		offs[j+1] = int32(len(data))
	}
	return makeArray(c.typ, m, nulls, nullN, memory.NewBufferBytes(bytesOf(offs)), memory.NewBufferBytes(data))
}

// pick copies the values of rows (nil: all m) out of a scratch buffer.
func pick[T any](c *lateColumn, vals []T, rows []int32, m int) []T {
	out := make([]T, m)
	switch {
	case rows == nil && c.vidx == nil:
		copy(out, vals[:m])
	case c.vidx == nil:
		for j, r := range rows {
			out[j] = vals[r]
		}
	default:
		for j := range out {
			r := j
			if rows != nil {
				r = int(rows[j])
			}
			if k := c.vidx[r]; k >= 0 {
				out[j] = vals[k]
			}
		}
	}
	return out
}

func fixedData[T any](t arrow.DataType, n int, nulls *memory.Buffer, nullN int, vals []T) arrow.Array {
	return makeArray(t, n, nulls, nullN, memory.NewBufferBytes(bytesOf(vals)))
}

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}

func makeArray(t arrow.DataType, n int, nulls *memory.Buffer, nullN int, bufs ...*memory.Buffer) arrow.Array {
	d := array.NewData(t, n, append([]*memory.Buffer{nulls}, bufs...), nil, nullN, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// latePredicate is a pushed-down condition the reader decides on decoded
// values: over integers (and dates and numerics, by their unscaled
// values) or text.
type latePredicate struct {
	col    *lateColumn
	pred   ColumnPredicate
	ints   [][]int64    // per comparison (an OpAny has one per alternative): its values as int64
	texts  [][]string   // or as text
	caches []*textCache // and for text read from a dictionary, the outcomes per value
	keys   *batch.Keys  // a join's keys (OpInKeys)
}

// newLatePredicate prepares p over column c, or returns nil when the
// reader cannot decide it exactly (floats, booleans, values out of range).
func newLatePredicate(c *lateColumn, p ColumnPredicate) *latePredicate {
	lp := &latePredicate{col: c, pred: p}
	if !lp.prepare(p) {
		return nil
	}
	return lp
}

func (lp *latePredicate) prepare(p ColumnPredicate) bool {
	switch p.Op {
	case OpAny:
		for _, a := range p.Any {
			if !lp.prepare(a) {
				return false
			}
		}
		return len(p.Any) > 0
	case OpIsNull, OpIsNotNull:
		return true
	case OpInKeys:
		switch lp.col.kind {
		case decInt32, decDate32, decInt64:
			lp.keys = p.Keys.Get()
			return lp.keys != nil
		}
		return false
	}
	if len(p.Values) == 0 {
		return false
	}
	switch lp.col.kind {
	case decString:
		if !textPredicate(p) {
			return false
		}
		vals := make([]string, len(p.Values))
		for i, v := range p.Values {
			vals[i] = v.(*scalar.String).String()
		}
		lp.texts = append(lp.texts, vals)
		lp.caches = append(lp.caches, &textCache{})
		return true
	case decInt32, decDate32, decInt64, decDecimal32, decDecimal64:
		vals := make([]int64, len(p.Values))
		for i, v := range p.Values {
			x, ok := scalarInt64(v, lp.col.typ)
			if !ok {
				return false
			}
			vals[i] = x
		}
		lp.ints = append(lp.ints, vals)
		return true
	}
	return false
}

// scalarInt64 is v as the int64 the column stores for it.
func scalarInt64(v scalar.Scalar, t arrow.DataType) (int64, bool) {
	if v == nil || !v.IsValid() {
		return 0, false
	}
	switch s := v.(type) {
	case *scalar.Int32:
		return int64(s.Value), t.ID() == arrow.INT32
	case *scalar.Int64:
		return s.Value, t.ID() == arrow.INT64
	case *scalar.Date32:
		return int64(s.Value), t.ID() == arrow.DATE32
	case *scalar.Decimal128:
		if !arrow.TypeEqual(s.Type, t) || !decimal.FitsInt64(s.Value) {
			return 0, false
		}
		return int64(s.Value.LowBits()), true
	}
	return 0, false
}

// apply clears keep[i] for the rows of the batch that fail the condition.
func (lp *latePredicate) apply(keep []bool) {
	k := 0
	lp.applyTo(lp.pred, keep, &k)
}

// applyTo evaluates p (k numbers the prepared value lists, in the order
// prepare met them).
func (lp *latePredicate) applyTo(p ColumnPredicate, keep []bool, k *int) {
	c := lp.col
	switch p.Op {
	case OpAny:
		any := make([]bool, len(keep))
		for _, a := range p.Any {
			alt := make([]bool, len(keep))
			copy(alt, keep)
			lp.applyTo(a, alt, k)
			for i, ok := range alt {
				any[i] = any[i] || ok
			}
		}
		for i := range keep {
			keep[i] = keep[i] && any[i]
		}
		return
	case OpIsNull, OpIsNotNull:
		want := p.Op == OpIsNull
		for i := range keep {
			keep[i] = keep[i] && (c.value(i) < 0) == want
		}
		return
	case OpInKeys:
		for i := range keep {
			if !keep[i] {
				continue
			}
			v := c.value(i)
			switch {
			case v < 0:
				keep[i] = false
			case c.kind == decInt64:
				keep[i] = lp.keys.Has(c.i64[v])
			default:
				keep[i] = lp.keys.Has(int64(c.i32[v]))
			}
		}
		return
	}
	if c.kind == decString {
		vals, cache := lp.texts[*k], lp.caches[*k]
		*k++
		for i := range keep {
			if !keep[i] {
				continue
			}
			v := c.value(i)
			if v < 0 {
				keep[i] = false
				continue
			}
			b := c.text(v)
			if !c.dict {
				keep[i] = ordHolds(p.Op, unsafe.String(unsafe.SliceData(b), len(b)), vals)
				continue
			}
			e := cache.entry(b)
			if !e.set {
				*e = textOutcome{addr: unsafe.SliceData(b), n: len(b), set: true,
					holds: ordHolds(p.Op, unsafe.String(unsafe.SliceData(b), len(b)), vals)}
			}
			keep[i] = e.holds
		}
		return
	}
	vals := lp.ints[*k]
	*k++
	wide := c.kind == decInt64 || c.kind == decDecimal64
	if c.vidx == nil && p.Op != OpIn && p.Op != OpEq {
		// No NULLs, one bound: a branch-free loop per type and operator.
		if wide {
			cmpRange(keep, c.i64[:len(keep)], p.Op, vals[0])
		} else {
			cmpRange(keep, c.i32[:len(keep)], p.Op, vals[0])
		}
		return
	}
	for i := range keep {
		if !keep[i] {
			continue
		}
		v := c.value(i)
		if v < 0 {
			keep[i] = false
			continue
		}
		var x int64
		if wide {
			x = c.i64[v]
		} else {
			x = int64(c.i32[v])
		}
		keep[i] = ordHolds(p.Op, x, vals)
	}
}

// cmpRange clears keep[i] where xs[i] op v fails.
func cmpRange[T int32 | int64](keep []bool, xs []T, op CompareOp, v int64) {
	switch op {
	case OpLt:
		for i, x := range xs {
			keep[i] = keep[i] && int64(x) < v
		}
	case OpLe:
		for i, x := range xs {
			keep[i] = keep[i] && int64(x) <= v
		}
	case OpGt:
		for i, x := range xs {
			keep[i] = keep[i] && int64(x) > v
		}
	case OpGe:
		for i, x := range xs {
			keep[i] = keep[i] && int64(x) >= v
		}
	}
}

// textCache remembers a text comparison's outcome for the values of a
// dictionary by their address: each distinct value is compared once
// rather than once per row (TPC-H q19 compares l_shipmode and
// l_shipinstruct of every line item; their dictionaries hold 7 and 4
// values). A slot holds one value; a value whose slot another holds is
// compared again and takes the slot.
type textCache [64]textOutcome

type textOutcome struct {
	addr  *byte
	n     int
	set   bool
	holds bool
}

func (c *textCache) entry(b []byte) *textOutcome {
	a := unsafe.SliceData(b)
	e := &c[(uintptr(unsafe.Pointer(a))>>3^uintptr(len(b)))&63]
	if e.set && (e.addr != a || e.n != len(b)) {
		e.set = false
	}
	return e
}

// ordHolds decides x op vals (text compares bytes, as the engine's text
// comparisons do).
func ordHolds[T int64 | string](op CompareOp, x T, vals []T) bool {
	switch op {
	case OpEq, OpIn:
		for _, v := range vals {
			if x == v {
				return true
			}
		}
		return false
	case OpLt:
		return x < vals[0]
	case OpLe:
		return x <= vals[0]
	case OpGt:
		return x > vals[0]
	case OpGe:
		return x >= vals[0]
	}
	return true
}

// lateReader reads one row group with late materialization (see above).
type lateReader struct {
	schema *arrow.Schema
	cols   []*lateColumn // one per distinct requested field
	pos    []int         // requested column -> cols
	preds  []*latePredicate
	first  []bool // cols read by a predicate (decoded before the others)
	keep   []bool
	rows   []int32
	left   int64 // rows of the row group not yet read
	read   int64 // rows read, for messages
	group  int
	batch  int
	path   string
	close  func() error
}

// openLate opens row group ps with late materialization when every
// requested column allows it and some pushed-down condition can be
// decided; rd is nil otherwise.
func (t *ParquetTable) openLate(pf *file.Reader, ps *ParquetSplit, out *arrow.Schema, distinct, pos []int) (rd batch.Reader, err error) {
	if len(ps.Filter) == 0 {
		return nil, nil
	}
	rg := pf.RowGroup(ps.RowGroup)
	cols := make([]*lateColumn, len(distinct))
	index := map[int]int{}
	for i, c := range distinct {
		leaf := t.meta.flatLeaf[c]
		if leaf < 0 {
			return nil, nil
		}
		descr := pf.MetaData().Schema.Column(leaf)
		kind, ok := lateKind(descr, t.meta.raw.Field(c).Type, t.schema.Field(c).Type)
		if !ok {
			return nil, nil
		}
		cols[i] = &lateColumn{kind: kind, typ: t.schema.Field(c).Type, maxDef: descr.MaxDefinitionLevel()}
		if kind == decString {
			cc, err := rg.MetaData().ColumnChunk(leaf)
			cols[i].dict = err == nil && allDictionaryPages(cc)
		}
		index[c] = i
	}
	r := &lateReader{schema: out, cols: cols, pos: pos, first: make([]bool, len(cols)), left: ps.NumRows,
		group: ps.RowGroup, batch: t.batchSize, path: t.path}
	for _, p := range ps.Filter {
		i, ok := index[p.Column]
		if !ok {
			continue
		}
		if lp := newLatePredicate(cols[i], p); lp != nil {
			r.preds = append(r.preds, lp)
			r.first[i] = true
		}
	}
	if len(r.preds) == 0 {
		return nil, nil // no gain over pqarrow measured without conditions
	}
	for i, c := range distinct {
		if cols[i].cr, err = rg.Column(t.meta.flatLeaf[c]); err != nil {
			return nil, err
		}
	}
	r.close = pf.Close // closes the file too
	return r, nil
}

func (r *lateReader) Next(ctx context.Context) (b arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.left = 0
			err = sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", r.path, p)
		}
	}()
	for r.left > 0 {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		n := int(min(int64(r.batch), r.left))
		r.left -= int64(n)
		for i, c := range r.cols {
			if r.first[i] {
				if err := c.decode(n); err != nil {
					return nil, r.fail(err)
				}
			}
		}
		r.keep = grow(r.keep, n)
		for i := range r.keep {
			r.keep[i] = true
		}
		for _, p := range r.preds {
			p.apply(r.keep)
		}
		rows := r.rows[:0]
		for i, k := range r.keep {
			if k {
				rows = append(rows, int32(i))
			}
		}
		r.rows = rows
		if len(rows) == 0 {
			for i, c := range r.cols {
				if !r.first[i] {
					if err := c.skip(n); err != nil {
						return nil, r.fail(err)
					}
				}
			}
			r.read += int64(n)
			continue
		}
		for i, c := range r.cols {
			if !r.first[i] {
				if err := c.decode(n); err != nil {
					return nil, r.fail(err)
				}
			}
		}
		if len(rows) == n {
			rows = nil
		}
		arrs := make([]arrow.Array, len(r.cols))
		for i, c := range r.cols {
			arrs[i] = c.array(rows)
			if err := checkColumn(arrs[i], r.path, func(j int) string {
				if rows != nil {
					j = int(rows[j])
				}
				return fmt.Sprintf("row %d of row group %d", r.read+int64(j)+1, r.group)
			}); err != nil {
				r.left = 0
				return nil, err
			}
		}
		r.read += int64(n)
		cols := make([]arrow.Array, len(r.pos))
		for i, p := range r.pos {
			cols[i] = arrs[p]
		}
		return array.NewRecordBatch(r.schema, cols, int64(arrs[0].Len())), nil
	}
	return nil, nil
}

func (r *lateReader) fail(err error) error {
	r.left = 0
	return corruptParquet(r.path, err)
}

func (r *lateReader) Close() error {
	if r.close == nil {
		return nil
	}
	err := r.close()
	r.close = nil
	return err
}
