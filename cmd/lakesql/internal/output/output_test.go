package output

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
)

// render runs sql on the demo data and prints each result with o.
func render(t *testing.T, o Options, sql string) string {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: demo.FS, RootName: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	ctx := context.Background()
	err = eng.NewSession().Execute(ctx, sql, func(r *engine.Result) error {
		_, err := Write(ctx, &buf, r, o)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return buf.String()
}

const citiesSQL = `SELECT name, population, founded FROM cities WHERE population > 2700000 ORDER BY name`

// Special values: a separator, an empty string, NULL, quotes, a line break.
const oddSQL = `SELECT 'a,b' AS "x,y", '' AS empty, NULL::text AS nothing, 'say "hi"' AS quote, 'two' || chr(10) || 'lines' AS nl, 'tab' || chr(9) AS tab, 1.5 AS num`

func check(t *testing.T, name, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got:\n%s\nwant:\n%s\n got %q", name, got, want, got)
	}
}

func TestTable(t *testing.T) {
	o := Options{Format: "table", Null: "NULL"}
	check(t, "table", render(t, o, citiesSQL), ``+
		`   name    | population |  founded   `+"\n"+
		`-----------+------------+------------`+"\n"+
		` Berlin    |    3677472 | 1237-01-01`+"\n"+
		` Nairobi   |    4397073 | 1899-05-30`+"\n"+
		` Osaka     |    2753862 | NULL`+"\n"+
		` São Paulo |   11451245 | 1554-01-25`+"\n"+
		` Toronto   |    2794356 | 1793-08-27`+"\n"+
		`(5 rows)`+"\n\n")
	check(t, "one row", render(t, o, `SELECT count(*) AS n, '日本' AS wide FROM cities`), ``+
		` n | wide `+"\n"+
		`---+------`+"\n"+
		` 8 | 日本`+"\n"+
		`(1 row)`+"\n\n")
	check(t, "no rows, tag", render(t, o, `SELECT name FROM cities WHERE false; SET search_path = public`), ``+
		` name `+"\n"+
		`------`+"\n"+
		`(0 rows)`+"\n\n"+
		"SET\n")
	check(t, "escapes", render(t, Options{Format: "table", Null: "∅"}, `SELECT NULL::text AS n, 'two' || chr(10) || 'lines' AS nl, 'tab' || chr(9) AS tab`), ``+
		` n |     nl     |  tab  `+"\n"+
		`---+------------+-------`+"\n"+
		` ∅ | two\nlines | tab\t`+"\n"+
		`(1 row)`+"\n\n")
}

// A table wider than the terminal has its widest columns cut, their values
// ending in an ellipsis.
func TestTableFitsWidth(t *testing.T) {
	sql := `SELECT 1 AS id, repeat('abcdefghij', 5) AS long_text, 'short' AS s, repeat('x', 30) AS mid`
	o := Options{Format: "table", Null: "NULL", Width: 60}
	got := render(t, o, sql)
	check(t, "fitted", got, ``+
		` id |       long_text       |   s   |          mid          `+"\n"+
		`----+-----------------------+-------+-----------------------`+"\n"+
		`  1 | abcdefghijabcdefghij… | short | xxxxxxxxxxxxxxxxxxxx…`+"\n"+
		`(1 row)`+"\n\n")
	for _, line := range bytes.Split([]byte(got), []byte("\n")) {
		if n := width.StringWidth(string(line)); n > 60 {
			t.Errorf("line of %d cells: %s", n, line)
		}
	}
	// Too narrow for every column: columns stop at minColumn cells.
	check(t, "narrow", render(t, Options{Format: "table", Width: 10}, `SELECT 'abcdefgh' AS a, 'abcdefgh' AS b`), ``+
		`   a   |   b   `+"\n"+
		`-------+-------`+"\n"+
		` abcd… | abcd…`+"\n"+
		`(1 row)`+"\n\n")
	// Unlimited width: nothing is cut.
	if got := render(t, Options{Format: "table"}, sql); !bytes.Contains([]byte(got), []byte(" abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij | short | xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")) {
		t.Errorf("unlimited:\n%s", got)
	}
}

func TestExpanded(t *testing.T) {
	o := Options{Format: "table", Expanded: true, Null: "NULL"}
	check(t, "expanded", render(t, o, `SELECT name, population, founded FROM cities WHERE name IN ('Osaka', 'Berlin') ORDER BY name`), ``+
		`-[ RECORD 1 ]----------`+"\n"+
		`name       | Berlin`+"\n"+
		`population | 3677472`+"\n"+
		`founded    | 1237-01-01`+"\n"+
		`-[ RECORD 2 ]----------`+"\n"+
		`name       | Osaka`+"\n"+
		`population | 2753862`+"\n"+
		`founded    | NULL`+"\n"+
		"\n")
	check(t, "expanded, none", render(t, o, `SELECT name FROM cities WHERE false`), "(0 rows)\n\n")
	auto := Options{Format: "table", ExpandedAuto: true, Width: 20}
	check(t, "auto, narrow", render(t, auto, `SELECT 1 AS a`), " a \n---\n 1\n(1 row)\n\n")
	check(t, "auto, wide", render(t, auto, `SELECT 1 AS a, repeat('y', 20) AS b`), "-[ RECORD 1 ]-------\na | 1\nb | yyyyyyyyyyyyyyy…\n\n")
	o.Width = 20
	check(t, "expanded, fitted", render(t, o, `SELECT repeat('z', 40) AS txt`), ``+
		`-[ RECORD 1 ]-------`+"\n"+
		`txt | zzzzzzzzzzzzz…`+"\n"+
		"\n")
}

func TestCSV(t *testing.T) {
	o := Options{Format: "csv"}
	check(t, "csv", render(t, o, citiesSQL+" LIMIT 3"), "name,population,founded\nBerlin,3677472,1237-01-01\nNairobi,4397073,1899-05-30\nOsaka,2753862,\n")
	check(t, "csv quoting", render(t, o, oddSQL), "\"x,y\",empty,nothing,quote,nl,tab,num\n\"a,b\",\"\",,\"say \"\"hi\"\"\",\"two\nlines\",tab\t,1.5\n")
	check(t, "csv tag", render(t, o, "SET search_path = public"), "SET\n")
}

func TestTSV(t *testing.T) {
	o := Options{Format: "tsv"}
	check(t, "tsv", render(t, o, citiesSQL+" LIMIT 3"), "name\tpopulation\tfounded\nBerlin\t3677472\t1237-01-01\nNairobi\t4397073\t1899-05-30\nOsaka\t2753862\t\n")
	check(t, "tsv quoting", render(t, o, oddSQL), "x,y\tempty\tnothing\tquote\tnl\ttab\tnum\na,b\t\"\"\t\t\"say \"\"hi\"\"\"\t\"two\nlines\"\t\"tab\t\"\t1.5\n")
}

func TestJSON(t *testing.T) {
	o := Options{Format: "json"}
	check(t, "json", render(t, o, citiesSQL+" LIMIT 3"), ``+
		`{"name":"Berlin","population":3677472,"founded":"1237-01-01"}`+"\n"+
		`{"name":"Nairobi","population":4397073,"founded":"1899-05-30"}`+"\n"+
		`{"name":"Osaka","population":2753862,"founded":null}`+"\n")
	check(t, "json nested", render(t, o, `SELECT id, user, tags, amount, true AS ok, 'x"y' AS s FROM events WHERE id = 3`),
		`{"id":3,"user":{"name":"ada","plan":"pro"},"tags":["web","promo"],"amount":12.5,"ok":true,"s":"x\"y"}`+"\n")
	check(t, "json tag", render(t, o, "SET search_path = public"), `{"status":"SET"}`+"\n")
}

func TestMarkdown(t *testing.T) {
	o := Options{Format: "markdown", Null: "NULL"}
	check(t, "markdown", render(t, o, citiesSQL+" LIMIT 3"), ``+
		`| name    | population | founded    |`+"\n"+
		`| ------- | ---------: | ---------- |`+"\n"+
		`| Berlin  |    3677472 | 1237-01-01 |`+"\n"+
		`| Nairobi |    4397073 | 1899-05-30 |`+"\n"+
		`| Osaka   |    2753862 | NULL       |`+"\n")
	check(t, "markdown escapes", render(t, o, `SELECT 'a|b' AS "p|q", 1 AS n`), ``+
		`| p\|q |   n |`+"\n"+
		`| ---- | --: |`+"\n"+
		`| a\|b |   1 |`+"\n")
}

// Parquet output reads back through lakesql with the same values and types.
func TestParquet(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "out.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := engine.New(engine.Config{Root: demo.FS, RootName: "demo"})
	ctx := context.Background()
	var rows int64
	err = eng.NewSession().Execute(ctx, `SELECT name, population, founded, (population / 1000000.0)::numeric(10,2) AS millions FROM cities ORDER BY name`, func(r *engine.Result) error {
		rows, err = Write(ctx, f, r, Options{Format: "parquet"})
		return err
	})
	if err != nil || rows != 8 {
		t.Fatalf("write: %d rows, %v", rows, err)
	}
	f.Close()
	root, _ := os.OpenRoot(dir)
	back, _ := engine.New(engine.Config{Root: root.FS(), RootName: dir})
	var buf bytes.Buffer
	err = back.NewSession().Execute(ctx, `SELECT name, population, founded, millions AS m FROM out WHERE name IN ('Osaka', 'São Paulo') ORDER BY name;
		SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'out' ORDER BY ordinal_position`, func(r *engine.Result) error {
		_, err := Write(ctx, &buf, r, Options{Format: "csv"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "parquet read back", buf.String(), "name,population,founded,m\nOsaka,2753862,,2.75\nSão Paulo,11451245,1554-01-25,11.45\n"+
		"column_name,data_type\nname,text\npopulation,bigint\nfounded,date\nmillions,numeric\n")
}
