package shell

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakesql/lakesql/cmd/lakesql/internal/output"
	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
)

// newShell is a shell on the demo data writing to buffers.
func newShell(t *testing.T) (*Shell, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: demo.FS, RootName: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	s := &Shell{Engine: eng, Session: eng.NewSession(), Name: "demo", Stdout: &out, Stderr: &errs,
		Output: output.Options{Format: "table", Null: "NULL"}}
	t.Cleanup(func() { s.Close() })
	return s, &out, &errs
}

func TestScriptStopsAtFirstError(t *testing.T) {
	s, out, errs := newShell(t)
	err := s.Run(context.Background(), strings.NewReader("SELECT 1 AS a;\nSELECT\n  nope FROM cities;\nSELECT 2 AS b;\n"), "q.sql")
	if err != ErrFailed {
		t.Errorf("err %v", err)
	}
	want := " a \n---\n 1\n(1 row)\n\n"
	if out.String() != want {
		t.Errorf("stdout %q", out.String())
	}
	wantErr := "lakesql:q.sql:3: ERROR:  42703: column \"nope\" does not exist\nLINE 2:   nope FROM cities\n          ^\n"
	if errs.String() != wantErr {
		t.Errorf("stderr %q, want %q", errs.String(), wantErr)
	}

	s, out, errs = newShell(t)
	s.ContinueOnError = true
	if err := s.Run(context.Background(), strings.NewReader("SELECT 1 AS a; SELEC 2;\nSELECT 3 AS b"), ""); err != nil || !s.Failed() {
		t.Errorf("continue-on-error: err %v, failed %v", err, s.Failed())
	}
	if want := " a \n---\n 1\n(1 row)\n\n b \n---\n 3\n(1 row)\n\n"; out.String() != want {
		t.Errorf("continue-on-error stdout %q", out.String())
	}
	if want := "ERROR:  42601: syntax error at or near \"SELEC\"\nLINE 1: SELEC 2\n        ^\n"; errs.String() != want {
		t.Errorf("continue-on-error stderr %q, want %q", errs.String(), want)
	}
}

func TestCaret(t *testing.T) {
	long := "SELECT " + strings.Repeat("a + ", 30) + "nope FROM t"
	for _, tc := range []struct {
		sql  string
		pos  int
		want string
	}{
		{"SELECT nope", 8, "LINE 1: SELECT nope\n               ^\n"},
		{"SELECT 1,\n\tnope", 12, "LINE 2:  nope\n         ^\n"},
		{"SELECT 'é', nope", 13, "LINE 1: SELECT 'é', nope\n                    ^\n"},
		{"SELECT '日本', nope", 14, "LINE 1: SELECT '日本', nope\n                       ^\n"},
		{long, 128, "LINE 1: ...+ a + a + a + a + a + a + a + a + a + a + a + a + nope FROM t\n" + strings.Repeat(" ", 8+3+50) + "^\n"},
		{long, 8, "LINE 1: SELECT a + a + a + a + a + a + a + a + a + a + a + a + a + a...\n" + strings.Repeat(" ", 15) + "^\n"},
	} {
		if got := caret(tc.sql, tc.pos); got != tc.want {
			t.Errorf("caret(%q, %d):\n%s\nwant\n%s", tc.sql, tc.pos, got, tc.want)
		}
	}
}

func TestMetaCommands(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.sql")
	os.WriteFile(inc, []byte("\\echo included\nSELECT count(*) AS n FROM tpch.region"), 0o644)
	csvOut := filepath.Join(dir, "out.csv")
	s, out, errs := newShell(t)
	script := strings.Join([]string{
		`\dt t*.*`,
		`\dn`,
		`\d cities`,
		`\x`,
		`SELECT name, founded FROM cities WHERE name = 'Osaka';`,
		`\x off`,
		`\pset null '(none)'`,
		`SELECT founded FROM cities WHERE name = 'Osaka';`,
		`\pset format csv`,
		`\o ` + csvOut,
		`SELECT name FROM cities ORDER BY name LIMIT 2;`,
		`\o`,
		`\i ` + inc,
		`SELECT 1`,
		`\p`,
		`\r`,
		`\p`,
		`\q`,
		`SELECT 'not reached';`,
	}, "\n")
	if err := s.Run(context.Background(), strings.NewReader(script), "script"); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	want := `               List of relations
 Schema |  Name  | Type  |       Source        
--------+--------+-------+---------------------
 tpch   | nation | table | tpch/nation.parquet
 tpch   | region | table | tpch/region.csv
(2 rows)

List of schemas
  Name  
--------
 public
 tpch
(2 rows)

     Table "public.cities"
   Column   |  Type  | Nullable 
------------+--------+----------
 name       | text   | 
 country    | text   | 
 population | bigint | 
 founded    | date   | 
Source: cities.csv

Expanded display is on.
-[ RECORD 1 ]--
name    | Osaka
founded | NULL

Expanded display is off.
Null display is "(none)".
 founded 
---------
 (none)
(1 row)

Output format is csv.
included
n
5
SELECT 1
Query buffer reset (cleared).
Query buffer is empty.
`
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	if errs.Len() > 0 {
		t.Errorf("stderr: %s", errs.String())
	}
	if b, _ := os.ReadFile(csvOut); string(b) != "name\nAmsterdam\nBerlin\n" {
		t.Errorf("\\o file: %q", b)
	}
}

func TestMetaErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`\nope`, "lakesql:s:1: invalid command \\nope\nTry \\? for help.\n"},
		{`\d nosuch`, "lakesql:s:1: Did not find any relation named \"nosuch\".\n"},
		{`\dt zz*`, "lakesql:s:1: Did not find any relation named \"zz*\".\n"},
		{`\x maybe`, "lakesql:s:1: unrecognized value \"maybe\" for \\x: on or off expected\n"},
		{`\pset format xml`, "lakesql:s:1: \\pset: allowed formats are table, csv, tsv, json, markdown, parquet\n"},
		{`\i /no/such/file.sql`, "lakesql:s:1: /no/such/file.sql: no such file or directory\n"},
		{"SELECT 1 AS x \\g\nSELECT nope", "lakesql:s:2: ERROR:  42703: column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n"},
	} {
		s, _, errs := newShell(t)
		if err := s.Run(context.Background(), strings.NewReader(tc.in), "s"); err != ErrFailed || errs.String() != tc.want {
			t.Errorf("%q: err %v, stderr %q, want %q", tc.in, err, errs.String(), tc.want)
		}
	}
}

// An included file that includes itself stops at the depth limit.
func TestIncludeLoop(t *testing.T) {
	f := filepath.Join(t.TempDir(), "loop.sql")
	os.WriteFile(f, []byte(`\i `+f), 0o644)
	s, _, errs := newShell(t)
	if err := s.Run(context.Background(), strings.NewReader(`\i `+f), "s"); err != ErrFailed || !strings.Contains(errs.String(), "include each other more than 16 deep") {
		t.Errorf("err %v, stderr %s", err, errs.String())
	}
}

// Interrupt cancels the running statement with 57014; the shell goes on.
func TestInterrupt(t *testing.T) {
	s, out, errs := newShell(t)
	started := make(chan struct{}, 1)
	s.OnStatement = func(ctx context.Context, sql string) (context.Context, func(error)) {
		if strings.Contains(sql, "generate_series") {
			started <- struct{}{}
		}
		return ctx, func(error) {}
	}
	go func() {
		<-started
		for !s.Interrupt() {
			time.Sleep(time.Millisecond)
		}
	}()
	in := &lines{lines: []string{"SELECT count(*) FROM generate_series(1, 100000000000) a;", "SELECT 'still here' AS s;"}}
	if err := s.Interact(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if want := "ERROR:  57014: canceling statement due to user request\n"; errs.String() != want {
		t.Errorf("stderr %q", errs.String())
	}
	if !strings.Contains(out.String(), " still here\n(1 row)") {
		t.Errorf("stdout %q", out.String())
	}
	if s.Interrupt() {
		t.Error("Interrupt with nothing running reported a statement")
	}
}

// lines is a LineReader over fixed lines.
type lines struct {
	lines   []string
	prompts []string
	history []string
}

func (l *lines) ReadLine(prompt string) (string, error) {
	l.prompts = append(l.prompts, prompt)
	if len(l.lines) == 0 {
		return "", io.EOF
	}
	line := l.lines[0]
	l.lines = l.lines[1:]
	if line == "^C" {
		return "", ErrInterrupted
	}
	return line, nil
}

func (l *lines) AddHistory(entry string) { l.history = append(l.history, entry) }

func TestInteract(t *testing.T) {
	s, out, errs := newShell(t)
	in := &lines{lines: []string{
		"SELECT name",
		"  FROM cities -- the cities",
		"  WHERE name = 'Osaka';",
		"SELECT 'a",
		"b' AS s, (1",
		"^C",
		"SELECT nope;",
		"help",
		`\timing`,
		"SELECT 1 AS one;",
		"quit",
		"SELECT 'not reached';",
	}}
	if err := s.Interact(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	wantPrompts := []string{"demo=> ", "demo-> ", "demo-> ", "demo=> ", "demo'> ", "demo(> ", "demo=> ", "demo=> ", "demo=> ", "demo=> ", "demo=> "}
	if strings.Join(in.prompts, "|") != strings.Join(wantPrompts, "|") {
		t.Errorf("prompts %q", in.prompts)
	}
	wantHistory := []string{"SELECT name\n  FROM cities -- the cities\n  WHERE name = 'Osaka';", "SELECT nope;", "help", `\timing`, "SELECT 1 AS one;", "quit"}
	if strings.Join(in.history, "|") != strings.Join(wantHistory, "|") {
		t.Errorf("history %q", in.history)
	}
	if want := "ERROR:  42703: column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n"; errs.String() != want {
		t.Errorf("stderr %q", errs.String())
	}
	got := out.String()
	wantStart := " name  \n-------\n Osaka\n(1 row)\n\n" + Intro + "Timing is on.\n one \n-----\n   1\n(1 row)\n\nTime: "
	if !strings.HasPrefix(got, wantStart) || !strings.HasSuffix(got, " ms\n") {
		t.Errorf("stdout:\n%s\nwant it to start:\n%s", got, wantStart)
	}
}

func TestHistoryEntry(t *testing.T) {
	if got := historyEntry([]string{"SELECT a,", "   b FROM t;"}); got != "SELECT a, b FROM t;" {
		t.Errorf("%q", got)
	}
}

func TestHistoryFile(t *testing.T) {
	t.Setenv("LAKESQL_HISTORY", "")
	if f := HistoryFile(); f != "" {
		t.Errorf("LAKESQL_HISTORY empty: %q", f)
	}
	os.Unsetenv("LAKESQL_HISTORY")
	t.Setenv("XDG_STATE_HOME", "/state")
	if f := HistoryFile(); f != filepath.Join("/state", "lakesql", "history") {
		t.Errorf("XDG_STATE_HOME: %q", f)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if f := HistoryFile(); f != "/home/u/.local/state/lakesql/history" {
		t.Errorf("HOME: %q", f)
	}
}

func TestComplete(t *testing.T) {
	s, _, _ := newShell(t)
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"ci", []string{"cities"}},
		{"tpch.n", []string{"tpch.nation"}},
		{"sel", []string{"select"}},
		{"SEL", []string{"SELECT"}},
		{`\d`, []string{`\d`, `\dn`, `\dt`, `\dv`}},
	} {
		if got := s.Complete(tc.word); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("Complete(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

func TestDescribeMemoryTableAndView(t *testing.T) {
	s, out, errs := newShell(t)
	script := "CREATE TABLE m (a int NOT NULL, b text);\nCREATE VIEW v AS SELECT name FROM cities;\n\\dv\n\\d m\n\\d v\n"
	if err := s.Run(context.Background(), strings.NewReader(script), "s"); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	want := `CREATE TABLE
CREATE VIEW
       List of relations
 Schema | Name | Type | Source 
--------+------+------+--------
 public | v    | view | 
(1 row)

      Table "public.m"
 Column |  Type   | Nullable 
--------+---------+----------
 a      | integer | not null
 b      | text    | 
Source: (in memory)

     View "public.v"
 Column | Type | Nullable 
--------+------+----------
 name   | text | 

`
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
}
