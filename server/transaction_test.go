package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// pipelineResult runs one batch of extended-protocol statements (Parse,
// Bind, Execute each) up to one Sync, as pgjdbc sends them, and returns
// each statement's SQLSTATE ("" when it succeeded, "skipped" when the
// server skipped it after an earlier error) and the transaction status
// the server reports at Sync.
func pipelineResult(t *testing.T, conn *pgconn.PgConn, sqls ...string) ([]string, byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := conn.StartPipeline(ctx)
	for _, q := range sqls {
		p.SendQueryParams(q, nil, nil, nil, nil)
	}
	if err := p.Sync(); err != nil {
		t.Fatal(err)
	}
	var codes []string
	failed, synced := false, false
	for range sqls {
		res, err := p.GetResults()
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				codes = append(codes, pe.Code)
				failed = true
				continue
			}
			t.Fatalf("%v", err)
		}
		if _, ok := res.(*pgconn.PipelineSync); ok {
			synced = true
			break
		}
		rr, ok := res.(*pgconn.ResultReader)
		if !ok {
			t.Fatalf("unexpected %T", res)
		}
		_, err = rr.Close()
		var pe *pgconn.PgError
		switch {
		case errors.As(err, &pe):
			codes = append(codes, pe.Code)
			failed = true
		case err != nil:
			t.Fatal(err)
		default:
			codes = append(codes, "")
		}
	}
	if failed {
		for len(codes) < len(sqls) {
			codes = append(codes, "skipped")
		}
	}
	for !synced {
		res, err := p.GetResults()
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				continue
			}
			t.Fatal(err)
		}
		if _, ok := res.(*pgconn.PipelineSync); ok {
			synced = true
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return codes, conn.TxStatus()
}

// TestFailedTransactionExtended checks 25P02 after an error inside a
// transaction block in the extended protocol, whichever message fails:
// the statement's Parse (an unknown column), its Execute (division by
// zero), or its rows while they stream; pgjdbc with autocommit off sends
// BEGIN in the same batch as the first statement.
func TestFailedTransactionExtended(t *testing.T) {
	dsn := startServer(t)
	conn := connect(t, dsn).PgConn()
	for _, bad := range []struct{ sql, code string }{
		{"SELECT nosuchcolumn FROM people", "42703"},
		{"SELECT 1/0", "22012"},
		{"SELECT 1/(x - 3000) FROM generate_series(1, 5000) x", "22012"},
		{"SELECT (x::text || 'a')::int FROM generate_series(1, 5000) x", "22P02"},
	} {
		codes, tx := pipelineResult(t, conn, "BEGIN", bad.sql, "SELECT 2")
		if len(codes) != 3 || codes[0] != "" || codes[1] != bad.code || codes[2] != "skipped" || tx != 'E' {
			t.Errorf("%s: got %q, transaction status %c; want [\"\" %s skipped], E", bad.sql, codes, tx, bad.code)
		}
		codes, tx = pipelineResult(t, conn, "SELECT 3")
		if len(codes) != 1 || codes[0] != "25P02" || tx != 'E' {
			t.Errorf("%s: the next statement got %q, status %c; want 25P02, E", bad.sql, codes, tx)
		}
		codes, tx = pipelineResult(t, conn, "ROLLBACK")
		if len(codes) != 1 || codes[0] != "" || tx != 'I' {
			t.Errorf("%s: ROLLBACK got %q, status %c", bad.sql, codes, tx)
		}
		codes, tx = pipelineResult(t, conn, "SELECT 4")
		if len(codes) != 1 || codes[0] != "" || tx != 'I' {
			t.Errorf("%s: after ROLLBACK got %q, status %c", bad.sql, codes, tx)
		}
	}
	// Outside a transaction block an error only skips to Sync.
	codes, tx := pipelineResult(t, conn, "SELECT 1/0", "SELECT 1")
	if codes[0] != "22012" || tx != 'I' {
		t.Errorf("implicit transaction: %q %c", codes, tx)
	}
	if codes, _ := pipelineResult(t, conn, "SELECT 1"); codes[0] != "" {
		t.Errorf("after an implicit transaction's error: %q", codes)
	}
}

// TestFailedTransactionSimple is the same in the simple protocol, as psql
// sends it.
func TestFailedTransactionSimple(t *testing.T) {
	dsn := startServer(t)
	conn := connect(t, dsn).PgConn()
	ctx := context.Background()
	exec := func(sql string) string {
		_, err := conn.Exec(ctx, sql).ReadAll()
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return pe.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return ""
	}
	for _, bad := range []string{"SELECT nosuchcolumn FROM people", "SELECT 1/(x - 3000) FROM generate_series(1, 5000) x"} {
		if c := exec("BEGIN"); c != "" {
			t.Fatal(c)
		}
		if c := exec(bad); c == "" {
			t.Errorf("%s: no error", bad)
		}
		if c := exec("SELECT 1"); c != "25P02" || conn.TxStatus() != 'E' {
			t.Errorf("%s: next statement %q, status %c", bad, c, conn.TxStatus())
		}
		if c := exec("COMMIT"); c != "" || conn.TxStatus() != 'I' {
			t.Errorf("COMMIT: %q %c", c, conn.TxStatus())
		}
	}
}
