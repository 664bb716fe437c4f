package difftest

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestDifferential runs random tables and queries on lakesql and on
// PostgreSQL and fails on any disagreement, printing each minimized.
//
// It uses the server at $LAKESQL_DIFFTEST_DSN, or starts a throwaway
// cluster (on $LAKESQL_DIFFTEST_PORT, else a free port) when PostgreSQL is
// installed; it skips otherwise. $LAKESQL_DIFFTEST_SEED (default 1) and
// $LAKESQL_DIFFTEST_DURATION (default 60s; CI's fixed run) choose the run;
// $LAKESQL_DIFFTEST_QUERIES stops after that many queries instead. With
// $LAKESQL_DIFFTEST_RECORD set, each mismatch is appended to that file as
// sqllogictest records with PostgreSQL's answers (for e2e/testdata/slt).
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential testing needs PostgreSQL and a minute: skipped in -short mode")
	}
	ctx := context.Background()
	dsn := os.Getenv("LAKESQL_DIFFTEST_DSN")
	if dsn == "" {
		port := 0
		if p := os.Getenv("LAKESQL_DIFFTEST_PORT"); p != "" {
			port, _ = strconv.Atoi(p)
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port = ln.Addr().(*net.TCPAddr).Port
			ln.Close()
		}
		var stop func()
		var err error
		dsn, stop, err = StartPostgres(port)
		if err != nil {
			t.Skipf("PostgreSQL not available: %v", err)
		}
		defer stop()
	}
	pg, err := ConnectPostgres(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	defer pg.Close()
	seed := uint64(1)
	if s := os.Getenv("LAKESQL_DIFFTEST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	dur := 60 * time.Second
	if d := os.Getenv("LAKESQL_DIFFTEST_DURATION"); d != "" {
		if dur, err = time.ParseDuration(d); err != nil {
			t.Fatal(err)
		}
	}
	maxQueries := 0
	if q := os.Getenv("LAKESQL_DIFFTEST_QUERIES"); q != "" {
		maxQueries, _ = strconv.Atoi(q)
		dur = 24 * time.Hour
	}
	cfg := Config{Seed: seed, Until: time.Now().Add(dur), MaxQueries: maxQueries, Lakesql: &Lakesql{}, Postgres: pg, Logf: t.Logf}
	st, found, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("difftest seed %d: %d queries on %d schemas (%d TLP, %d NoREC checks), %d refused by both engines, %d data exceptions on one side, %d mismatches",
		seed, st.Queries, st.Schemas, st.TLP, st.NoREC, st.BothFailed, st.DataErrors, len(found))
	if path := os.Getenv("LAKESQL_DIFFTEST_RECORD"); path != "" {
		var records []string
		for i, m := range found {
			if m.Oracle != "differential" {
				continue
			}
			rec, err := Record(ctx, pg, m, fmt.Sprintf("dt%d_%d_", seed, i), fmt.Sprintf("difftest seed %d, mismatch %d: %s", seed, i, m.Original))
			if err != nil {
				t.Errorf("recording: %v", err)
				continue
			}
			records = append(records, rec)
		}
		if err := AppendRecords(path, records); err != nil {
			t.Error(err)
		}
	}
	for _, m := range found {
		t.Errorf("%v", m)
	}
}
