package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestQueryCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"query", "--format", "csv", "SELECT name, founded FROM cities WHERE country = 'Japan' OR founded < DATE '1200-01-01' ORDER BY name"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := out.String(); got != "name,founded\nLisbon,1179-01-01\nOsaka,\n" {
		t.Errorf("csv output:\n%s", got)
	}
	out.Reset()
	code = run([]string{"query", "--format", "json", "SELECT id, user, tags FROM events WHERE id = 3"}, &out, &errb)
	if code != 0 || strings.TrimSpace(out.String()) != `{"id":3,"user":{"name":"ada","plan":"pro"},"tags":["web","promo"]}` {
		t.Errorf("json output (exit %d): %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	code = run([]string{"query", "SELECT count(*) AS n FROM tpch.nation"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), " 25\n(1 row)") {
		t.Errorf("table output (exit %d): %q", code, out.String())
	}
}

func TestQueryErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"query", "SELECT nope FROM cities"}, &out, &errb); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got := errb.String(); got != "ERROR: column \"nope\" does not exist (SQLSTATE 42703)\n" {
		t.Errorf("stderr %q", got)
	}
	// -f with a file, --root with a folder.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "t.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "q.sql"), []byte("SELECT sum(a) FROM t; SELECT b FROM t ORDER BY a DESC LIMIT 1"), 0o644)
	out.Reset()
	if code := run([]string{"query", "--root", dir, "--format", "csv", "-f", filepath.Join(dir, "q.sql")}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.String() != "sum\n3\nb\ny\n" {
		t.Errorf("multi-statement output %q", out.String())
	}
}
