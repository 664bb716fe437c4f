package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// takeArray selects rows of arr (any type).
func takeArray(ec *Context, arr arrow.Array, rows []int) (arrow.Array, error) {
	idx := make([]int32, len(rows))
	for k, r := range rows {
		idx[k] = int32(r)
	}
	out, err := batch.Gather(ctxOf(ec), arr, idx)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InternalError, "take")
	}
	return out, nil
}

func ctxOf(ec *Context) context.Context {
	if ec == nil || ec.Ctx == nil {
		return context.Background()
	}
	return ec.Ctx
}

// gather builds an array of type t whose row i is arrs[src[i]][pos[i]], or
// NULL where src[i] < 0.
func gather(ec *Context, t arrow.DataType, arrs []arrow.Array, src, pos []int32) (arrow.Array, error) {
	n := len(src)
	if len(arrs) == 0 {
		return array.MakeArrayOfNull(ec.Mem, t, n), nil
	}
	if len(arrs) == 1 && arrs[0].Len() == n {
		identity := true
		for i := range src {
			if src[i] != 0 || int(pos[i]) != i {
				identity = false
				break
			}
		}
		if identity {
			return arrs[0], nil
		}
	}
	if out, ok := batch.Interleave(t, arrs, src, pos); ok {
		return out, nil
	}
	offsets := make([]int32, len(arrs))
	total := int32(0)
	for i, a := range arrs {
		offsets[i] = total
		total += int32(a.Len())
	}
	all := arrs[0]
	if len(arrs) > 1 {
		var err error
		all, err = array.Concatenate(arrs, ec.Mem)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InternalError, "concatenate")
		}
	}
	b := array.NewInt32Builder(ec.Mem)
	b.Reserve(n)
	for i := range src {
		if src[i] < 0 {
			b.UnsafeAppendBoolToBitmap(false)
			continue
		}
		b.UnsafeAppend(offsets[src[i]] + pos[i])
	}
	idx := b.NewArray()
	defer idx.Release()
	out, err := TakeArray(ctxOf(ec), all, idx)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InternalError, "take")
	}
	return out, nil
}

// valid returns the combined validity of arrays as a []bool, or nil when
// every row of every array is valid.
func valid(n int, arrs ...arrow.Array) []bool {
	any := false
	for _, a := range arrs {
		if a.NullN() > 0 {
			any = true
		}
	}
	if !any {
		return nil
	}
	v := make([]bool, n)
	for i := range v {
		v[i] = true
	}
	for _, a := range arrs {
		if a.NullN() == 0 {
			continue
		}
		if a.DataType().ID() == arrow.NULL {
			// A NullArray has no bitmap: IsNull would say false.
			clear(v)
			break
		}
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				v[i] = false
			}
		}
	}
	return v
}

func isValid(v []bool, i int) bool { return v == nil || v[i] }

// int64s reads any integer (or date/time) array as int64 values.
func int64s(a arrow.Array) []int64 {
	switch a := a.(type) {
	case *array.Int64:
		return a.Int64Values()
	case *array.Int32:
		out := make([]int64, a.Len())
		for i, v := range a.Int32Values() {
			out[i] = int64(v)
		}
		return out
	case *array.Int16:
		out := make([]int64, a.Len())
		for i, v := range a.Int16Values() {
			out[i] = int64(v)
		}
		return out
	case *array.Date32:
		out := make([]int64, a.Len())
		for i, v := range a.Date32Values() {
			out[i] = int64(v)
		}
		return out
	case *array.Timestamp:
		out := make([]int64, a.Len())
		for i, v := range a.TimestampValues() {
			out[i] = int64(v)
		}
		return out
	case *array.Time64:
		out := make([]int64, a.Len())
		for i, v := range a.Time64Values() {
			out[i] = int64(v)
		}
		return out
	case *array.Boolean:
		out := make([]int64, a.Len())
		for i := range out {
			if a.Value(i) {
				out[i] = 1
			}
		}
		return out
	}
	return make([]int64, a.Len())
}

// Int64At reads row i of an integer (or date/time) array as an int64,
// without converting the whole array as int64s does: for kernels that
// read one row at a time.
func Int64At(a arrow.Array, i int) int64 {
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Time64:
		return int64(a.Value(i))
	case *array.Boolean:
		if a.Value(i) {
			return 1
		}
	}
	return 0
}

// float64s reads a numeric array as float64 values.
func float64s(a arrow.Array) []float64 {
	switch a := a.(type) {
	case *array.Float64:
		return a.Float64Values()
	case *array.Float32:
		out := make([]float64, a.Len())
		for i, v := range a.Float32Values() {
			out[i] = float64(v)
		}
		return out
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		out := make([]float64, a.Len())
		for i := range out {
			out[i] = types.DecimalToFloat64(a.Value(i), scale)
		}
		return out
	}
	iv := int64s(a)
	out := make([]float64, len(iv))
	for i, v := range iv {
		out[i] = float64(v)
	}
	return out
}

// newIntArray builds an integer array of type t from int64 values.
func newIntArray(mem memory.Allocator, t arrow.DataType, vals []int64, v []bool) arrow.Array {
	switch t.ID() {
	case arrow.INT16:
		b := array.NewInt16Builder(mem)
		out := make([]int16, len(vals))
		for i, x := range vals {
			out[i] = int16(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	case arrow.INT32:
		b := array.NewInt32Builder(mem)
		out := make([]int32, len(vals))
		for i, x := range vals {
			out[i] = int32(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	case arrow.DATE32:
		b := array.NewDate32Builder(mem)
		out := make([]arrow.Date32, len(vals))
		for i, x := range vals {
			out[i] = arrow.Date32(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	case arrow.TIMESTAMP:
		b := array.NewTimestampBuilder(mem, t.(*arrow.TimestampType))
		out := make([]arrow.Timestamp, len(vals))
		for i, x := range vals {
			out[i] = arrow.Timestamp(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	case arrow.TIME64:
		b := array.NewTime64Builder(mem, t.(*arrow.Time64Type))
		out := make([]arrow.Time64, len(vals))
		for i, x := range vals {
			out[i] = arrow.Time64(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	}
	b := array.NewInt64Builder(mem)
	b.AppendValues(vals, v)
	return b.NewArray()
}

func newFloatArray(mem memory.Allocator, t arrow.DataType, vals []float64, v []bool) arrow.Array {
	if t.ID() == arrow.FLOAT32 {
		b := array.NewFloat32Builder(mem)
		out := make([]float32, len(vals))
		for i, x := range vals {
			out[i] = float32(x)
		}
		b.AppendValues(out, v)
		return b.NewArray()
	}
	b := array.NewFloat64Builder(mem)
	b.AppendValues(vals, v)
	return b.NewArray()
}

func newBoolArray(mem memory.Allocator, vals []bool, v []bool) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	b.AppendValues(vals, v)
	return b.NewArray()
}

func newStringArray(mem memory.Allocator, vals []string, v []bool) arrow.Array {
	b := array.NewStringBuilder(mem)
	b.AppendValues(vals, v)
	return b.NewArray()
}

// listDepth is the number of dimensions of an array type (0 for a
// non-array): a nested list is a multi-dimensional array.
func listDepth(t arrow.DataType) int {
	d := 0
	for t.ID() == arrow.LIST {
		t = t.(*arrow.ListType).Elem()
		d++
	}
	return d
}

// baseElem is an array type's element type below all its dimensions.
func baseElem(t arrow.DataType) arrow.DataType {
	for t.ID() == arrow.LIST {
		t = t.(*arrow.ListType).Elem()
	}
	return t
}

// arrayShape is the dimensions of row i of a (multi-dimensional) array,
// read along its first elements (PostgreSQL's arrays are rectangular).
func arrayShape(l *array.List, i int) []int {
	var d []int
	for {
		s, e := l.ValueOffsets(i)
		d = append(d, int(e-s))
		inner, ok := l.ListValues().(*array.List)
		if !ok || e == s {
			return d
		}
		l, i = inner, int(s)
	}
}

// ElementType is the element type of an array type, below all its
// dimensions.
func ElementType(t arrow.DataType) arrow.DataType { return baseElem(t) }

// ArrayLeaves is the storage of the elements of every row of an array
// (below all its dimensions).
func ArrayLeaves(l *array.List) arrow.Array {
	vals := l.ListValues()
	for {
		inner, ok := vals.(*array.List)
		if !ok {
			return vals
		}
		vals = inner.ListValues()
	}
}

// ArrayElements locates the elements of row i of an array in storage
// order (every element of a multi-dimensional array, as unnest reads
// them): rows start to end of vals.
func ArrayElements(l *array.List, i int) (vals arrow.Array, start, end int64) {
	start, end = l.ValueOffsets(i)
	vals = l.ListValues()
	for {
		inner, ok := vals.(*array.List)
		if !ok {
			return vals, start, end
		}
		if start < end {
			s, _ := inner.ValueOffsets(int(start))
			_, e := inner.ValueOffsets(int(end - 1))
			start, end = s, e
		} else {
			start, end = 0, 0
		}
		vals = inner.ListValues()
	}
}

// nestList is the array type of elem with depth dimensions.
func nestList(elem arrow.DataType, depth int) arrow.DataType {
	for i := 0; i < depth; i++ {
		elem = types.List(elem)
	}
	return elem
}

// bindArrayConstructor binds ARRAY[a, b, ...]: a one-dimensional array
// of the arguments' common type (text when they are all untyped).
func bindArrayConstructor(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		// ARRAY[] takes its type from a cast (ARRAY[]::text[]), as the
		// literal '{}' does.
		return NewUnknownLiteral("{}"), nil
	}
	cast, t, err := unify(args)
	if err != nil {
		return nil, err
	}
	if t.ID() == arrow.NULL {
		t = types.String
		for i := range cast {
			if cast[i], err = NewCast(cast[i], t); err != nil {
				return nil, err
			}
		}
	}
	lt := types.List(t)
	if d := arrayDims(lt); d > MaxArrayDims {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", d, MaxArrayDims)
	}
	return &Call{Name: "array", Args: cast, Ret: lt, fn: func(ec *Context, arrs []arrow.Array, n int) (arrow.Array, error) {
		k := len(arrs)
		if t.ID() == arrow.LIST {
			// ARRAY[ARRAY[...], ...]: a multi-dimensional array, whose
			// sub-arrays must all have the same dimensions.
			for i := 0; i < n; i++ {
				var first []int
				for j, a := range arrs {
					if a.IsNull(i) {
						return nil, sqlerr.New(sqlerr.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
					}
					d := arrayShape(a.(*array.List), i)
					if j > 0 && !equalDims(d, first) {
						return nil, sqlerr.New(sqlerr.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
					}
					first = d
				}
			}
		}
		src := make([]int32, n*k)
		pos := make([]int32, n*k)
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				src[i*k+j], pos[i*k+j] = int32(j), int32(i)
			}
		}
		vals, err := gather(ec, t, arrs, src, pos)
		if err != nil {
			return nil, err
		}
		offsets := make([]int32, n+1)
		for i := range offsets {
			offsets[i] = int32(i * k)
		}
		data := array.NewData(lt, n, []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
			[]arrow.ArrayData{vals.Data()}, 0, 0)
		return array.NewListData(data), nil
	}}, nil
}

func registerArrays(r *Registry) { r.add(bindArrayConstructor, "array") }

// MaxArrayDims is PostgreSQL's limit on an array's dimensions (MAXDIM):
// ARRAY constructors nest at most this deep.
const MaxArrayDims = 6

// arrayDims counts the list levels of t.
func arrayDims(t arrow.DataType) int {
	d := 0
	for {
		l, ok := t.(*arrow.ListType)
		if !ok {
			return d
		}
		d++
		t = l.Elem()
	}
}

// bindArrayConcat binds || with an array side: array || array
// (array_cat), array || element (array_append), element || array
// (array_prepend). A NULL array counts as empty; a NULL element is kept.
func bindArrayConcat(args []Expr) (Expr, error) {
	a, b := args[0], args[1]
	var elem arrow.DataType
	aList, bList := a.Type().ID() == arrow.LIST, b.Type().ID() == arrow.LIST
	// An untyped literal beside an array is an array literal, as in
	// PostgreSQL (ARRAY['a'] || '{b}').
	if aList && IsUnknownLiteral(b) {
		c, err := NewCast(b, a.Type())
		if err != nil {
			return nil, err
		}
		b, bList = c, true
	} else if bList && IsUnknownLiteral(a) {
		c, err := NewCast(a, b.Type())
		if err != nil {
			return nil, err
		}
		a, aList = c, true
	}
	switch {
	case aList && bList && listDepth(a.Type()) == listDepth(b.Type())+1:
		// {{1,2},{3,4}} || {5,6}: b is one more element (sub-array) of a.
		bList = false
	case aList && bList && listDepth(b.Type()) == listDepth(a.Type())+1:
		aList = false
	}
	switch {
	case aList && bList:
		cast, t, err := unify(args)
		if err != nil {
			return nil, opErr("||", args)
		}
		a, b, elem = cast[0], cast[1], t.(*arrow.ListType).Elem()
	case aList:
		elem = a.Type().(*arrow.ListType).Elem()
		c, err := coerce(b, elem)
		if err != nil {
			return nil, opErr("||", args)
		}
		b = c
	default:
		elem = b.Type().(*arrow.ListType).Elem()
		c, err := coerce(a, elem)
		if err != nil {
			return nil, opErr("||", args)
		}
		a = c
	}
	lt := types.List(elem)
	isList := [2]bool{aList, bList}
	return &Call{Name: "||", Args: []Expr{a, b}, Ret: lt, fn: func(ec *Context, arrs []arrow.Array, n int) (arrow.Array, error) {
		// Each side as (values, start, end) per row.
		var srcArrs []arrow.Array
		type side struct {
			list *array.List
			src  int32
		}
		sides := make([]side, 2)
		for k, arr := range arrs {
			if l, ok := arr.(*array.List); ok && isList[k] {
				srcArrs = append(srcArrs, l.ListValues())
				sides[k] = side{list: l, src: int32(len(srcArrs) - 1)}
			} else {
				srcArrs = append(srcArrs, arr)
				sides[k] = side{src: int32(len(srcArrs) - 1)}
			}
		}
		var src, pos []int32
		offsets := make([]int32, n+1)
		nullRow := make([]bool, n)
		for i := 0; i < n; i++ {
			offsets[i] = int32(len(src))
			bothNull := true
			for _, s := range sides {
				if s.list == nil {
					src, pos = append(src, s.src), append(pos, int32(i))
					bothNull = false
					continue
				}
				if s.list.IsNull(i) {
					continue
				}
				bothNull = false
				st, e := s.list.ValueOffsets(i)
				for k := st; k < e; k++ {
					src, pos = append(src, s.src), append(pos, int32(k))
				}
			}
			nullRow[i] = bothNull
		}
		offsets[n] = int32(len(src))
		vals, err := gather(ec, elem, srcArrs, src, pos)
		if err != nil {
			return nil, err
		}
		bm := memory.NewResizableBuffer(ec.Mem)
		bm.Resize(int(bitutil.BytesForBits(int64(n))))
		nulls := 0
		for i := 0; i < n; i++ {
			if nullRow[i] {
				nulls++
			} else {
				bitutil.SetBit(bm.Bytes(), i)
			}
		}
		data := array.NewData(lt, n, []*memory.Buffer{bm, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
			[]arrow.ArrayData{vals.Data()}, nulls, 0)
		return array.NewListData(data), nil
	}}, nil
}
