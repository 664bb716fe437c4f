package engine

import (
	"testing"
	"testing/fstest"
)

// BenchmarkRunningMax is a running MAX over many small partitions, a
// frame that grows row by row (each step must not re-read the frame).
func BenchmarkRunningMax(b *testing.B) {
	e, err := New(Config{Root: fstest.MapFS{}, RootName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	s := e.NewSession()
	if _, err := run(b, s, "CREATE TABLE ints AS SELECT x AS i FROM generate_series(0::bigint, 199999) AS x"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		rows, err := run(b, s, "SELECT sum(m) FROM (SELECT max(i) OVER (PARTITION BY i % 1024 ORDER BY i / 1024) AS m FROM ints) q")
		if err != nil || len(rows) != 1 || rows[0] != "19999900000" {
			b.Fatalf("%v %v", rows, err)
		}
	}
}
