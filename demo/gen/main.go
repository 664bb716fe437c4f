// Command gen writes the bundled demo Parquet file demo/data/sales.parquet:
// 1000 deterministic sales rows. Run it from the repository root:
//
//	go run ./demo/gen
package main

import (
	"log"
	"math/rand/v2"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func main() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "city", Type: arrow.BinaryTypes.String},
		{Name: "product", Type: arrow.BinaryTypes.String},
		{Name: "quantity", Type: arrow.PrimitiveTypes.Int32},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		{Name: "sold_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	rng := rand.New(rand.NewPCG(42, 7))
	cities := []string{"Amsterdam", "Berlin", "Lisbon", "Nairobi", "Osaka", "São Paulo", "Toronto", "Wellington"}
	products := []string{"coffee", "tea", "bagel", "croissant", "juice"}
	start := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i + 1))
		b.Field(1).(*array.StringBuilder).Append(cities[rng.IntN(len(cities))])
		b.Field(2).(*array.StringBuilder).Append(products[rng.IntN(len(products))])
		q := 1 + rng.IntN(5)
		b.Field(3).(*array.Int32Builder).Append(int32(q))
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(q * (150 + rng.IntN(500)))))
		b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(start.Add(time.Duration(i) * 37 * time.Minute).UnixMicro()))
	}
	rec := b.NewRecordBatch()
	f, err := os.Create("demo/data/sales.parquet")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
}
