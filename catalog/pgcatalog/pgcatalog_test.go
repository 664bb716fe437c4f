package pgcatalog

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/lakesql/lakesql/catalog"
)

func TestFormatTypeAndQuoteIdent(t *testing.T) {
	cases := map[int64]string{23: "integer", 20: "bigint", 25: "text", 1082: "date", 1007: "integer[]", 1114: "timestamp without time zone"}
	for oid, want := range cases {
		if got := FormatType(oid, int64(-1)); got != want {
			t.Errorf("format_type(%d) = %s, want %s", oid, got, want)
		}
	}
	if got := FormatType(OIDNumeric, int64((15<<16|2)+4)); got != "numeric(15,2)" {
		t.Errorf("numeric typmod: %s", got)
	}
	for in, want := range map[string]string{"abc": "abc", "Abc": `"Abc"`, "a b": `"a b"`, `q"x`: `"q""x"`} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("quote_ident(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLiveTables(t *testing.T) {
	root := fstest.MapFS{
		"a.csv":      {Data: []byte("x,y\n1,2\n")},
		"s/b.json":   {Data: []byte(`{"k":"v"}` + "\n")},
		"notdata.md": {Data: []byte("# no")},
	}
	cat := catalog.New(root, "test")
	Install(cat, "lake")
	rel, err := cat.Lookup(context.Background(), "pg_catalog", "pg_class", nil)
	if err != nil {
		t.Fatal(err)
	}
	batches, err := rel.System.Rows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, b := range batches {
		col := b.Column(1).(*array.String)
		for i := 0; i < col.Len(); i++ {
			names[col.Value(i)] = true
		}
	}
	if !names["a"] || !names["b"] || !names["pg_class"] || names["notdata"] {
		t.Errorf("pg_class names: %v", names)
	}
	if OID("rel", "public", "a") != OID("rel", "public", "a") || NamespaceOID("public") != NamespacePublic {
		t.Error("OIDs are not stable")
	}
}
