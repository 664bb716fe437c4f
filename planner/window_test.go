package planner_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// Window functions are computed one window specification at a time:
// calls sharing PARTITION BY and ORDER BY share a Window node (and one
// sort), a specification whose order the previous node's output already
// has sorts nothing, and EXPLAIN ANALYZE shows each node's rows and
// memory.
func TestWindowSpecifications(t *testing.T) {
	eng := lake(t)
	inner := `SELECT fact_id,
		row_number() OVER (PARTITION BY fact_fk ORDER BY fact_id) AS rn,
		sum(fact_id) OVER (PARTITION BY fact_fk) AS s,
		rank() OVER (PARTITION BY fact_fk ORDER BY fact_id) AS r,
		count(*) OVER () AS c
		FROM fact`
	lines := plan(t, eng, "EXPLAIN "+inner)
	var windows []string
	for _, l := range lines {
		if strings.Contains(l, "Window (") {
			windows = append(windows, strings.TrimSpace(l))
		}
	}
	// Top down: PARTITION BY fact_fk (no sort: its input is in fact_fk,
	// fact_id order), the two calls over (fact_fk, fact_id), OVER ().
	if strings.Join(windows, ";") != "Window (1 functions);Window (2 functions);Window (1 functions)" {
		t.Fatalf("window nodes:\n%s", strings.Join(lines, "\n"))
	}
	lines = plan(t, eng, "EXPLAIN ANALYZE "+inner)
	for _, l := range lines {
		if strings.Contains(l, "Window (") && (!strings.Contains(l, "rows=20000") || !strings.Contains(l, "memory=")) {
			t.Errorf("window line without its rows or memory: %s", l)
		}
	}
	// fact_fk = id % 200: 200 partitions of 100 rows; the ids are unique,
	// so rank = row_number; partition k sums 100k + 990000.
	got := plan(t, eng, "SELECT count(*), sum(rn), sum(s), sum(r), min(c), max(c) FROM ("+inner+") t")
	if got[0] != "20000|1010000|19999000000|1010000|20000|20000" {
		t.Errorf("got %v", got)
	}
	// Rows come out partition by partition, ordered within.
	got = plan(t, eng, "SELECT fact_id, rn FROM ("+inner+") t WHERE fact_id % 200 = 7 AND rn <= 3 ORDER BY rn")
	if strings.Join(got, ",") != "7|1,207|2,407|3" {
		t.Errorf("got %v", got)
	}
}

// Under a small memory limit a window over many partitions completes
// (its sort spills; it holds one partition at a time), and one partition
// larger than the limit fails with 53200.
func TestWindowMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	writeTable(t, dir, "big", 200000, 1000, 20000)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Root: root.FS(), RootName: "lake", Threads: 2, MemoryLimit: 2 << 20, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// Partition k (of 1000) holds ids k, k+1000, ..., k+199000: the
	// running count at the last row is 200 for each.
	got := plan(t, eng, `SELECT count(*), sum(n), max(n) FROM (SELECT count(*) OVER (PARTITION BY big_fk ORDER BY big_id) AS n FROM big) t`)
	if got[0] != "200000|20100000|200" {
		t.Errorf("got %v", got)
	}
	err = eng.NewSession().Execute(context.Background(), `SELECT max(n) FROM (SELECT row_number() OVER () AS n, big_s FROM big) t`, func(r *engine.Result) error {
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		for {
			b, err := r.Rows.Next(context.Background())
			if err != nil || b == nil {
				return err
			}
		}
	})
	if sqlerr.Code(err) != sqlerr.OutOfMemory || !strings.Contains(sqlerr.As(err).Message, "window partition") {
		t.Fatalf("one partition over the limit: want 53200 about a window partition, got %v", err)
	}
}

// A window inside a subquery run once per outer row is opened again for
// each: its partitions, sort and reservation start afresh.
func TestWindowPerRow(t *testing.T) {
	eng := lake(t)
	got := plan(t, eng, `SELECT o.y, (SELECT max(rn) + sum(rn) FROM (SELECT row_number() OVER (ORDER BY t.x DESC) rn
		FROM (VALUES (1,1),(2,1),(3,2),(4,2),(5,2)) t(x,y) WHERE t.y = o.y) s) FROM (VALUES (1),(2),(3)) o(y) ORDER BY 1`)
	if strings.Join(got, ",") != "1|5,2|9,3|(null)" {
		t.Errorf("got %v", got)
	}
}
