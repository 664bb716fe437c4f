package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// lakesql runs a command line with stdin and returns its output and exit code.
func lakesql(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, stdio{strings.NewReader(stdin), &out, &errb})
	return out.String(), errb.String(), code
}

func TestQueryCommand(t *testing.T) {
	out, errs, code := lakesql(t, "", "query", "--format", "csv", "SELECT name, founded FROM cities WHERE country = 'Japan' OR founded < DATE '1200-01-01' ORDER BY name")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "name,founded\nLisbon,1179-01-01\nOsaka,\n" {
		t.Errorf("csv output:\n%s", out)
	}
	out, errs, code = lakesql(t, "", "query", "--format", "json", "SELECT id, user, tags FROM events WHERE id = 3")
	if code != 0 || strings.TrimSpace(out) != `{"id":3,"user":{"name":"ada","plan":"pro"},"tags":["web","promo"]}` {
		t.Errorf("json output (exit %d): %s %s", code, out, errs)
	}
	out, _, code = lakesql(t, "", "query", "SELECT count(*) AS n FROM tpch.nation")
	if code != 0 || !strings.Contains(out, " 25\n(1 row)") {
		t.Errorf("table output (exit %d): %q", code, out)
	}
}

func TestQueryErrors(t *testing.T) {
	if _, errs, code := lakesql(t, "", "query", "SELECT nope FROM cities"); code != 1 || errs != "ERROR:  42703: column \"nope\" does not exist\nLINE 1: SELECT nope FROM cities\n               ^\n" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	// -f with a file, --root with a folder.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "t.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "q.sql"), []byte("SELECT sum(a) FROM t; SELECT b FROM t ORDER BY a DESC LIMIT 1"), 0o644)
	out, errs, code := lakesql(t, "", "query", "--root", dir, "--format", "csv", "-f", filepath.Join(dir, "q.sql"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "sum\n3\nb\ny\n" {
		t.Errorf("multi-statement output %q", out)
	}
}

// lakeDir is a data folder with one table t(a, b).
func lakeDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Flags go before or after the positional arguments; a folder is an
// argument as well as --root.
func TestQueryArguments(t *testing.T) {
	dir := lakeDir(t)
	sqlFile := filepath.Join(t.TempDir(), "q.sql")
	os.WriteFile(sqlFile, []byte("SELECT b FROM t WHERE a = 2"), 0o644)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"folder and SQL", "", []string{"query", dir, "SELECT sum(a) AS s FROM t", "--format", "csv"}, "s\n3\n"},
		{"flags first", "", []string{"query", "--format=csv", dir, "SELECT sum(a) AS s FROM t"}, "s\n3\n"},
		{"flags between", "", []string{"query", dir, "--format", "csv", "SELECT sum(a) AS s FROM t"}, "s\n3\n"},
		{"--root", "", []string{"query", "SELECT sum(a) AS s FROM t", "--root", dir, "--format", "csv"}, "s\n3\n"},
		{"-c", "", []string{"query", "-c", "SELECT max(b) AS m FROM t", dir, "--format", "csv"}, "m\ny\n"},
		{"-f", "", []string{"query", dir, "-f", sqlFile, "--format", "csv"}, "b\ny\n"},
		{"stdin", "SELECT 1 AS one; SELECT 2 AS two;\n", []string{"query", "--format", "csv"}, "one\n1\ntwo\n2\n"},
		{"stdin with folder", "SELECT count(*) AS n FROM t;", []string{"query", dir, "--format", "csv"}, "n\n2\n"},
		{"json after SQL", "", []string{"query", "SELECT 1 AS x", "--format", "json"}, "{\"x\":1}\n"},
		{"--threads", "", []string{"query", "SELECT 1 AS x", "--threads", "2", "--format", "csv"}, "x\n1\n"},
		{"-- ends flags", "", []string{"query", "--format", "csv", "--", "SELECT 1 AS x"}, "x\n1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := lakesql(t, tc.stdin, tc.args...)
			if code != 0 || out != tc.want {
				t.Errorf("exit %d, stdout %q (want %q), stderr %q", code, out, tc.want, errs)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := lakeDir(t)
	for _, tc := range []struct {
		args []string
		want string // in stderr
		code int
	}{
		{[]string{"query", "SELECT 1", "--nope"}, "lakesql query: flag provided but not defined: -nope\n", 2},
		{[]string{"query", "SELECT 1", "--format"}, "flag needs an argument: --format", 2},
		{[]string{"serve", "--bogus", dir}, "lakesql serve: flag provided but not defined: -bogus\n", 2},
		{[]string{"serve", dir, dir + "x"}, "one data folder at most", 2},
		{[]string{"serve", dir + "/missing"}, "missing: not a folder", 1},
		{[]string{"query", "./no/such/dir", "SELECT 1"}, "./no/such/dir: not a folder", 1},
		{[]string{"query", "--root", dir, t.TempDir(), "SELECT 1"}, "two data folders given", 1},
		{[]string{"query", "-c", "SELECT 1", "-f", "x.sql"}, "give -c or -f, not both", 2},
		{[]string{"frobnicate"}, "lakesql: \"frobnicate\" is neither a command nor a folder\n", 2},
		{[]string{"--bogus"}, "lakesql: flag provided but not defined: -bogus\n", 2},
		{[]string{"query", "--format", "xml", "SELECT 1"}, "unknown format \"xml\" (table, csv, tsv, json, markdown, parquet)", 2},
		{[]string{"help", "nope"}, "unknown command \"nope\"", 2},
	} {
		_, errs, code := lakesql(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	out, _, code := lakesql(t, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "lakesql ") || !strings.Contains(out, "\ncommit ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	if v, _, _ := lakesql(t, "", "version"); v != out {
		t.Errorf("version %q differs from --version %q", v, out)
	}
	out, _, code = lakesql(t, "", "help")
	for _, c := range []string{"serve", "query", "version"} {
		if code != 0 || !strings.Contains(out, "\n  "+c+" ") {
			t.Errorf("help lacks %s (exit %d):\n%s", c, code, out)
		}
	}
	for _, args := range [][]string{{"help", "query"}, {"query", "--help"}, {"query", "-h"}} {
		out, _, code = lakesql(t, "", args...)
		if code != 0 || !strings.HasPrefix(out, "usage: lakesql query [flags] [DIR] [SQL]") ||
			!strings.Contains(out, "Examples:\n  lakesql query") || !strings.Contains(out, "\n  --format FORMAT  ") || !strings.Contains(out, "\n  -c SQL  ") {
			t.Errorf("%q: exit %d\n%s", args, code, out)
		}
	}
	out, _, code = lakesql(t, "", "help", "serve")
	if code != 0 || !strings.Contains(out, "--listen ADDRESS") || !strings.Contains(out, "(default 127.0.0.1:5433)") {
		t.Errorf("help serve: exit %d\n%s", code, out)
	}
}

// Without a terminal, `lakesql [DIR]` runs the statements on standard
// input and stops at the first error with exit status 1.
func TestScriptOnStdin(t *testing.T) {
	dir := lakeDir(t)
	script := "SELECT a FROM t ORDER BY a;\nSELECT nope FROM t;\nSELECT 'not reached';\n"
	out, errs, code := lakesql(t, script, dir, "--format", "csv")
	if code != 1 || out != "a\n1\n2\n" || errs != "lakesql:<stdin>:2: ERROR:  42703: column \"nope\" does not exist\nLINE 1: SELECT nope FROM t\n               ^\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, _, code = lakesql(t, script, dir, "--format", "csv", "--continue-on-error")
	if code != 1 || out != "a\n1\n2\n?column?\nnot reached\n" {
		t.Errorf("--continue-on-error: exit %d, stdout %q", code, out)
	}
	// The demo data without a folder; a last statement without ';'.
	out, errs, code = lakesql(t, "SELECT count(*) AS n\nFROM cities", "--format", "json")
	if code != 0 || out != "{\"n\":8}\n" {
		t.Errorf("demo: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// -c takes backslash commands too.
	out, _, code = lakesql(t, "", dir, "-c", `\dt`)
	if code != 0 || !strings.Contains(out, " public | t    | table | t.csv\n(1 row)") {
		t.Errorf("-c \\dt: exit %d, stdout %q", code, out)
	}
}

func TestOutputFile(t *testing.T) {
	dir := lakeDir(t)
	outDir := t.TempDir()
	csvFile := filepath.Join(outDir, "r.csv")
	out, errs, code := lakesql(t, "", "query", dir, "SELECT b, a FROM t ORDER BY a DESC", "--format", "csv", "--output", csvFile)
	if b, _ := os.ReadFile(csvFile); code != 0 || out != "" || string(b) != "b,a\ny,2\nx,1\n" {
		t.Errorf("csv file: exit %d, stdout %q, stderr %q, file %q", code, out, errs, b)
	}
	// Parquet reads back as a table of the output folder.
	pq := filepath.Join(outDir, "p.parquet")
	if _, errs, code := lakesql(t, "", "query", dir, "SELECT a * 10 AS a10, upper(b) AS ub FROM t", "--format", "parquet", "--output", pq); code != 0 {
		t.Fatalf("parquet: exit %d: %s", code, errs)
	}
	out, errs, code = lakesql(t, "", "query", outDir, "SELECT ub, a10 FROM p ORDER BY a10", "--format", "csv")
	if code != 0 || out != "ub,a10\nX,10\nY,20\n" {
		t.Errorf("parquet read back: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// One Parquet file holds one result.
	_, errs, code = lakesql(t, "", "query", dir, "-c", "SELECT 1; SELECT 2", "--format", "parquet", "--output", pq)
	if code != 1 || !strings.Contains(errs, "a Parquet file holds one result") {
		t.Errorf("two results to parquet: exit %d, stderr %q", code, errs)
	}
}
