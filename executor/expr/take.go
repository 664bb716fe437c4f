package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/sqlerr"
)

// TakeArray selects arr[idx[i]] for each i (NULL where idx is NULL). It is
// arrow's take, plus the types arrow's kernel rejects (intervals, whose
// 16-byte month-day-nano values it cannot move).
func TakeArray(ctx context.Context, arr, idx arrow.Array) (arrow.Array, error) {
	if iv, ok := arr.(*array.MonthDayNanoInterval); ok {
		b := array.NewMonthDayNanoIntervalBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.Reserve(idx.Len())
		for i := 0; i < idx.Len(); i++ {
			if idx.IsNull(i) {
				b.AppendNull()
				continue
			}
			k := int(indexAt(idx, i))
			if iv.IsNull(k) {
				b.AppendNull()
			} else {
				b.Append(iv.Value(k))
			}
		}
		return b.NewArray(), nil
	}
	out, err := compute.TakeArray(ctx, arr, idx)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InternalError, "take")
	}
	return out, nil
}

func indexAt(idx arrow.Array, i int) int64 {
	switch x := idx.(type) {
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Uint32:
		return int64(x.Value(i))
	case *array.Uint64:
		return int64(x.Value(i))
	}
	return 0
}
