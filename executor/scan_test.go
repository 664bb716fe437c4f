package executor

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
)

// sizedReader returns batches of the given sizes, numbering rows from 0.
type sizedReader struct {
	schema *arrow.Schema
	sizes  []int
	next   int64
}

func (r *sizedReader) Next(context.Context) (arrow.RecordBatch, error) {
	if len(r.sizes) == 0 {
		return nil, nil
	}
	n := r.sizes[0]
	r.sizes = r.sizes[1:]
	b := array.NewInt64Builder(memory.DefaultAllocator)
	for range n {
		b.Append(r.next)
		r.next++
	}
	return array.NewRecordBatch(r.schema, []arrow.Array{b.NewArray()}, int64(n)), nil
}

func (r *sizedReader) Close() error { return nil }

// A Scan joins the small batches a filtering reader returns, at most
// scanJoin of them, keeping the rows in order; large batches pass as
// they are.
func TestScanJoinsSmallBatches(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: types.Int64}}, nil)
	var sizes []int
	for range 40 {
		sizes = append(sizes, 10) // 16 of them make one batch
	}
	sizes = append(sizes, 0, batch.Size, 700, 700, 5)
	s := NewScan(schema, func(context.Context) (batch.Reader, error) {
		return &sizedReader{schema: schema, sizes: sizes}, nil
	})
	ctx := context.Background()
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var got []int64
	want := int64(0)
	for {
		b, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		got = append(got, b.NumRows())
		for _, v := range b.Column(0).(*array.Int64).Int64Values() {
			if v != want {
				t.Fatalf("row %d is %d", want, v)
			}
			want++
		}
	}
	// 16×10, 16×10, 8×10, the full batch, then 700+700+5 joined.
	if fmt.Sprint(got) != fmt.Sprint([]int64{160, 160, 80, int64(batch.Size), 1405}) {
		t.Errorf("batches of %v rows", got)
	}
	if want != 400+int64(batch.Size)+1405 {
		t.Errorf("%d rows", want)
	}
}
