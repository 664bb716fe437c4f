package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakesql/lakesql/engine"
)

// A lake that writers keep feeding while it is queried (a Kafka sink, a
// Flink job): each query reads one snapshot of each table's files and
// sizes, files marked as in progress are skipped, and a line still being
// written is never returned torn.

// liveWriter feeds folder live/ of dir until stop is closed:
//   - stream.json grows a line at a time, each line written in two
//     pieces with a pause between (a reader may see half a line);
//   - part-N.json files are written under a hidden name and renamed when
//     complete (Flink's in-progress files);
//   - junk.json.tmp and _temporary/ hold half-written garbage, never read.
//
// It returns how many rows it wrote in all.
func liveWriter(t *testing.T, dir string, stop <-chan struct{}) int {
	live := filepath.Join(dir, "live")
	stream, err := os.OpenFile(filepath.Join(live, "stream.json"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer stream.Close()
	os.MkdirAll(filepath.Join(live, "_temporary"), 0o755)
	os.WriteFile(filepath.Join(live, "junk.json.tmp"), []byte(`{"id": "not json`), 0o644)
	os.WriteFile(filepath.Join(live, "_temporary", "x.json"), []byte(`{"id":`), 0o644)
	id := 1000 // the seed file holds ids below
	rows := 0
	pad := strings.Repeat("x", 200)
	for part := 0; ; part++ {
		select {
		case <-stop:
			return rows
		default:
		}
		for k := 0; k < 5; k++ {
			line := fmt.Sprintf(`{"id":%d,"ok":true,"src":"stream","pad":"%s"}`+"\n", id, pad)
			id++
			half := len(line) / 2
			stream.Write([]byte(line[:half]))
			time.Sleep(200 * time.Microsecond)
			stream.Write([]byte(line[half:]))
			rows++
		}
		var sb strings.Builder
		for k := 0; k < 20; k++ {
			fmt.Fprintf(&sb, `{"id":%d,"ok":true,"src":"part","pad":"%s"}`+"\n", id, pad)
			id++
		}
		hidden := filepath.Join(live, fmt.Sprintf(".part-%d.json.inprogress", part))
		if err := os.WriteFile(hidden, []byte(sb.String()), 0o644); err != nil {
			t.Error(err)
			return rows
		}
		if err := os.Rename(hidden, filepath.Join(live, fmt.Sprintf("part-%d.json", part))); err != nil {
			t.Error(err)
			return rows
		}
		rows += 20
		time.Sleep(2 * time.Millisecond)
	}
}

// checkLive queries the live folder in a loop while the writer runs:
// no query fails, counts only grow, every row read is whole, and two
// scans of the folder in one query agree.
func checkLive(t *testing.T, dir string, query func(sql string) ([]string, error)) {
	live := filepath.Join(dir, "live")
	if err := os.MkdirAll(live, 0o755); err != nil {
		t.Fatal(err)
	}
	var seed strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&seed, `{"id":%d,"ok":true,"src":"seed","pad":""}`+"\n", i)
	}
	if err := os.WriteFile(filepath.Join(live, "seed.json"), []byte(seed.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	written := 0
	wg.Add(1)
	go func() { defer wg.Done(); written = liveWriter(t, dir, stop) }()
	last := 0
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; time.Now().Before(deadline) || i < 20; i++ {
		rows, err := query("SELECT count(*), count(id), count(DISTINCT id), sum(CASE WHEN ok AND length(src) > 0 THEN 1 ELSE 0 END) FROM dfs.live")
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("query %d failed while the folder was written: %v", i, err)
		}
		var n, ids, distinct, whole int
		fmt.Sscanf(strings.ReplaceAll(rows[0], "|", " "), "%d %d %d %d", &n, &ids, &distinct, &whole)
		if n != ids || n != distinct || n != whole {
			t.Errorf("query %d: %d rows but %d ids, %d distinct, %d whole: a row was torn or read twice", i, n, ids, distinct, whole)
		}
		if n < last {
			t.Errorf("query %d: count went down from %d to %d", i, last, n)
		}
		last = n
		if i%4 == 0 {
			rows, err := query("SELECT (SELECT count(*) FROM dfs.live) - (SELECT count(*) FROM dfs.live l WHERE l.id >= 0)")
			if err != nil || rows[0] != "0" {
				t.Errorf("two scans in one query disagree: %v %v", rows, err)
			}
		}
	}
	close(stop)
	wg.Wait()
	rows, err := query("SELECT count(*) FROM dfs.live")
	if err != nil || rows[0] != fmt.Sprint(written+10) {
		t.Errorf("after the writer stopped: %v %v, want %d rows", rows, err, written+10)
	}
	if last == 10 {
		t.Errorf("the queries never saw the writer's rows")
	}
}

func TestLiveFedFolderEngine(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	eng, err := engine.New(engine.Config{Root: root.FS(), RootName: "live"})
	if err != nil {
		t.Fatal(err)
	}
	s := eng.NewSession()
	ctx := context.Background()
	checkLive(t, dir, func(sql string) ([]string, error) {
		_, rows, err := query(ctx, s, sql)
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = strings.Join(r, "|")
		}
		return out, err
	})
}

func TestLiveFedFolderWire(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	eng, err := engine.New(engine.Config{Root: root.FS(), RootName: "live"})
	if err != nil {
		t.Fatal(err)
	}
	host, port := serveEngine(t, eng)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakesql@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	checkLive(t, dir, func(sql string) ([]string, error) {
		results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
		if err != nil {
			return nil, err
		}
		var out []string
		for _, row := range results[len(results)-1].Rows {
			var vals []string
			for _, v := range row {
				vals = append(vals, string(v))
			}
			out = append(out, strings.Join(vals, "|"))
		}
		return out, nil
	})
}
