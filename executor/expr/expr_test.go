package expr

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

// testFuncs are the built-in functions.
var testFuncs = NewRegistry()

func i32(v int32) Expr   { return NewLiteral(scalar.NewInt32Scalar(v)) }
func i64(v int64) Expr   { return NewLiteral(scalar.NewInt64Scalar(v)) }
func f64(v float64) Expr { return NewLiteral(scalar.NewFloat64Scalar(v)) }
func str(s string) Expr  { return NewUnknownLiteral(s) }

func eval1(t *testing.T, e Expr) (string, error) {
	t.Helper()
	ec := NewContext(context.Background(), time.UTC)
	a, err := e.Eval(ec, oneRow)
	if err != nil {
		return "", err
	}
	if a.IsNull(0) {
		return "NULL", nil
	}
	return string(text.Append(nil, a, 0, time.UTC)), nil
}

func mustBind(t *testing.T, name string, args ...Expr) Expr {
	t.Helper()
	e, err := testFuncs.Bind(name, args)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

func cast(t *testing.T, e Expr, typ string) Expr {
	t.Helper()
	ty, err := types.Parse(typ)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCast(e, ty)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func num(t *testing.T, s string) Expr { return cast(t, str(s), "numeric") }

func TestKernels(t *testing.T) {
	cases := []struct {
		e    Expr
		want string
	}{
		{mustBind(t, "+", i32(2), i32(3)), "5"},
		{mustBind(t, "/", i32(7), i32(2)), "3"},
		{mustBind(t, "/", i32(-7), i32(2)), "-3"},
		{mustBind(t, "%", i32(-7), i32(3)), "-1"},
		{mustBind(t, "/", f64(7), i32(2)), "3.5"},
		{mustBind(t, "+", cast(t, str("1.25"), "numeric(5,2)"), i32(1)), "2.25"},
		{mustBind(t, "*", cast(t, str("1.5"), "numeric(4,1)"), cast(t, str("2.25"), "numeric(5,2)")), "3.375"},
		// The int64 lanes of numeric + - * at their edges, and a constant rescaled once.
		{mustBind(t, "+", num(t, "9223372036854775807"), num(t, "1")), "9223372036854775808"},
		{mustBind(t, "-", num(t, "-9223372036854775808"), num(t, "1")), "-9223372036854775809"},
		{mustBind(t, "-", num(t, "9223372036854775807"), num(t, "-1")), "9223372036854775808"},
		{mustBind(t, "-", num(t, "0"), num(t, "-9223372036854775808")), "9223372036854775808"},
		{mustBind(t, "*", num(t, "9223372036854775807"), num(t, "9223372036854775807")), "85070591730234615847396907784232501249"},
		{mustBind(t, "*", num(t, "-9223372036854775808"), num(t, "-9223372036854775808")), "85070591730234615865843651857942052864"},
		{mustBind(t, "*", num(t, "-9223372036854775808"), num(t, "9223372036854775807")), "-85070591730234615856620279821087277056"},
		{mustBind(t, "*", num(t, "-3"), num(t, "0")), "0"},
		{mustBind(t, "-", num(t, "1"), num(t, "0.05")), "0.95"},
		{mustBind(t, "=", i32(1), str("1")), "t"},
		{mustBind(t, "<", str("abc"), str("abd")), "t"},
		{mustBind(t, "and", NewNullLiteral(types.Bool), cast(t, str("false"), "boolean")), "f"},
		{mustBind(t, "or", NewNullLiteral(types.Bool), cast(t, str("true"), "boolean")), "t"},
		{mustBind(t, "or", NewNullLiteral(types.Bool), cast(t, str("false"), "boolean")), "NULL"},
		{mustBind(t, "||", str("a"), i32(1)), "a1"},
		{mustBind(t, "||", str("a"), NewNullLiteral(types.String)), "NULL"},
		{mustBind(t, "concat", str("a"), NewNullLiteral(types.String), i32(2)), "a2"},
		{mustBind(t, "like", str("hello"), str("h%o")), "t"},
		{mustBind(t, "ilike", str("HELLO"), str("h_llo")), "t"},
		{mustBind(t, "substring", str("hello"), i32(2), i32(3)), "ell"},
		{mustBind(t, "substring", str("hello"), i32(0), i32(2)), "h"},
		{mustBind(t, "substring", str("héllo wörld"), i32(2), i32(4)), "éllo"},
		{mustBind(t, "substring", str("héllo wörld"), i32(8)), "örld"},
		{mustBind(t, "substring", str("hello"), i32(9)), ""},
		{mustBind(t, "substring", str("hello"), i32(-3), i32(5)), "h"},
		{mustBind(t, "substring", str("hello"), i32(2), i64(1<<62)), "ello"},
		{mustBind(t, "substring", str("hello"), NewNullLiteral(types.Int32)), "NULL"},
		{mustBind(t, "upper", str("abc")), "ABC"},
		{mustBind(t, "length", str("héllo")), "5"},
		{mustBind(t, "split_part", str("a,b,c"), str(","), i32(2)), "b"},
		{mustBind(t, "lpad", str("7"), i32(3), str("0")), "007"},
		{mustBind(t, "round", cast(t, str("2.5"), "numeric"), i32(0)), "3"},
		{mustBind(t, "round", f64(2.5)), "2"},
		{mustBind(t, "abs", i32(-4)), "4"},
		{mustBind(t, "coalesce", NewNullLiteral(types.Int32), i32(9)), "9"},
		{mustBind(t, "nullif", i32(1), i32(1)), "NULL"},
		{mustBind(t, "greatest", i32(1), NewNullLiteral(types.Int32), i32(3)), "3"},
		{mustBind(t, "date_part", str("year"), cast(t, str("1998-12-01"), "date")), "1998"},
		{mustBind(t, "-", cast(t, str("1998-12-01"), "date"), cast(t, str("90 days"), "interval")), "1998-09-02 00:00:00"},
		{mustBind(t, "+", cast(t, str("2024-01-31"), "date"), cast(t, str("1 month"), "interval")), "2024-02-29 00:00:00"},
		{mustBind(t, "-", cast(t, str("2024-03-01"), "date"), cast(t, str("2024-02-01"), "date")), "29"},
		{mustBind(t, "date_trunc", str("month"), cast(t, str("2024-05-17 10:00:00"), "timestamp")), "2024-05-01 00:00:00"},
		{cast(t, str("12"), "bigint"), "12"},
		{cast(t, f64(2.5), "integer"), "2"},
		{cast(t, f64(3.5), "integer"), "4"},
		{cast(t, str("1 day 02:00:00"), "interval"), "1 day 02:00:00"},
	}
	for _, c := range cases {
		got, err := eval1(t, c.e)
		if err != nil {
			t.Errorf("%s: %v", c.e, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %s, want %s", c.e, got, c.want)
		}
	}
}

func TestKernelErrors(t *testing.T) {
	cases := []struct {
		e    func() (Expr, error)
		code string
	}{
		{func() (Expr, error) { return testFuncs.Bind("/", []Expr{i32(1), i32(0)}) }, sqlerr.DivisionByZero},
		{func() (Expr, error) { return testFuncs.Bind("+", []Expr{i32(2147483647), i32(1)}) }, sqlerr.NumericValueOutOfRange},
		{func() (Expr, error) { return testFuncs.Bind("*", []Expr{i64(1 << 62), i64(4)}) }, sqlerr.NumericValueOutOfRange},
		{func() (Expr, error) { return NewCast(str("abc"), types.Int32) }, sqlerr.InvalidTextRepresentation},
		{func() (Expr, error) { return NewCast(str("99999999999"), types.Int32) }, sqlerr.NumericValueOutOfRange},
		{func() (Expr, error) { return NewCast(cast(t, str("2024-01-01"), "date"), types.Int32) }, sqlerr.CannotCoerce},
		{func() (Expr, error) { return testFuncs.Bind("+", []Expr{i32(1), cast(t, str("true"), "boolean")}) }, sqlerr.UndefinedFunction},
		{func() (Expr, error) { return testFuncs.Bind("no_such_function", []Expr{i32(1)}) }, sqlerr.UndefinedFunction},
		{func() (Expr, error) { return testFuncs.Bind("sqrt", []Expr{f64(-1)}) }, "2201F"},
		{func() (Expr, error) { return testFuncs.Bind("substring", []Expr{str("abc"), i32(1), i32(-1)}) }, "22011"},
	}
	for i, c := range cases {
		e, err := c.e()
		if err == nil {
			_, err = eval1(t, e)
		}
		if err == nil {
			t.Errorf("case %d: no error, want %s", i, c.code)
			continue
		}
		if got := sqlerr.Code(err); got != c.code {
			t.Errorf("case %d: %v has code %s, want %s", i, err, got, c.code)
		}
	}
}

// CASE evaluates a branch only for the rows that reach it.
func TestCaseIsLazy(t *testing.T) {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	b.AppendValues([]int32{0, 2, 5}, nil)
	col := b.NewArray()
	batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: types.Int32}}, nil), []arrow.Array{col}, 3)
	x := NewColumn(0, types.Int32, "x")
	cond := mustBind(t, "=", x, i32(0))
	div := mustBind(t, "/", i32(10), x)
	e, err := NewCase([]When{{Cond: cond, Then: i32(-1)}}, div)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Eval(NewContext(context.Background(), time.UTC), batch)
	if err != nil {
		t.Fatalf("CASE divided by zero: %v", err)
	}
	got := out.(*array.Int32).Int32Values()
	if got[0] != -1 || got[1] != 5 || got[2] != 2 {
		t.Errorf("got %v", got)
	}
}

func BenchmarkAddInt64(b *testing.B) {
	bld := array.NewInt64Builder(memory.DefaultAllocator)
	for i := 0; i < 4096; i++ {
		if i%10 == 0 {
			bld.AppendNull()
		} else {
			bld.Append(int64(i))
		}
	}
	col := bld.NewArray()
	batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: types.Int64}}, nil), []arrow.Array{col}, 4096)
	e, _ := testFuncs.Bind("+", []Expr{NewColumn(0, types.Int64, "x"), NewColumn(0, types.Int64, "x")})
	ec := NewContext(context.Background(), time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Eval(ec, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// Integers and decimals cast to numeric in 128 bits: rescaled with
// rounding half away from zero, checked against the precision (22003).
func TestDecimalCasts(t *testing.T) {
	for _, c := range []struct{ in, via, to, want string }{
		{"12.345", "numeric(6,3)", "numeric(4,2)", "12.35"},
		{"-12.345", "numeric(6,3)", "numeric(4,2)", "-12.35"},
		{"-0.005", "numeric(4,3)", "numeric(3,2)", "-0.01"},
		{"0.004", "numeric(4,3)", "numeric(3,2)", "0.00"},
		{"1.5", "numeric(2,1)", "numeric(38,20)", "1.50000000000000000000"},
		{"123", "int8", "numeric(10,3)", "123.000"},
		{"-7", "int2", "numeric(1,0)", "-7"},
		{"99999999999999999999.5", "numeric(21,1)", "numeric(30,0)", "100000000000000000000"},
	} {
		got, err := eval1(t, cast(t, cast(t, str(c.in), c.via), c.to))
		if err != nil || got != c.want {
			t.Errorf("%s::%s::%s = %s (%v), want %s", c.in, c.via, c.to, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, via, to string }{
		{"999.995", "numeric(6,3)", "numeric(5,2)"},
		{"10", "int4", "numeric(1,0)"},
		{"1", "int4", "numeric(38,38)"},
	} {
		to, err := types.Parse(c.to)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewCast(cast(t, str(c.in), c.via), to) // constants fold here
		if err == nil {
			_, err = eval1(t, e)
		}
		if sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
			t.Errorf("%s::%s::%s: %v, want 22003", c.in, c.via, c.to, err)
		}
	}
}

// x IN (...) with a computed x evaluates x once and keeps SQL's
// three-valued answers.
func TestInListComputed(t *testing.T) {
	sum := mustBind(t, "+", i32(1), i32(2))
	null := NewNullLiteral(types.Null)
	for _, c := range []struct {
		items   []Expr
		negated bool
		want    string
	}{
		{[]Expr{i32(3), i32(4)}, false, "t"},
		{[]Expr{i32(5), i32(6)}, false, "f"},
		{[]Expr{i32(5), null}, false, "NULL"},
		{[]Expr{i32(3), null}, false, "t"},
		{[]Expr{i32(5), i32(6)}, true, "t"},
		{[]Expr{i32(3), i32(6)}, true, "f"},
		{[]Expr{i32(5), null}, true, "NULL"},
	} {
		e, err := NewInList(sum, c.items, c.negated)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := e.(*inList); !ok {
			t.Fatalf("%s: not evaluated once", e)
		}
		if got, err := eval1(t, e); err != nil || got != c.want {
			t.Errorf("%s = %s (%v), want %s", e, got, err, c.want)
		}
	}
}

// substring over columns: per-row starts, a constant count, NULL rows.
func TestSubstringColumns(t *testing.T) {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues([]string{"héllo", "", "ab", "xyz", "0123456789"}, []bool{true, false, true, true, true})
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	ib.AppendValues([]int64{2, 1, 5, -1, 9}, nil)
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: types.String, Nullable: true}, {Name: "i", Type: types.Int64}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{sb.NewArray(), ib.NewArray()}, 5)
	e := mustBind(t, "substring", NewColumn(0, types.String, "s"), NewColumn(1, types.Int64, "i"), i32(2))
	got, err := e.Eval(NewContext(context.Background(), time.UTC), batch)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.String(); s != `["él" (null) "" "" "89"]` {
		t.Errorf("got %s", s)
	}
}

// A computed string IN constant strings is looked up row by row: the
// same answers, NULL for a NULL x, as the comparisons give.
func TestInListTexts(t *testing.T) {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues([]string{"13-555", "", "31-000", "99-123", "1"}, []bool{true, false, true, true, true})
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: types.String, Nullable: true}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{sb.NewArray()}, 5)
	code := mustBind(t, "substring", NewColumn(0, types.String, "s"), i32(1), i32(2))
	for negated, want := range map[bool]string{false: "[true (null) true false false]", true: "[false (null) false true true]"} {
		e, err := NewInList(code, []Expr{str("13"), str("31"), str("17")}, negated)
		if err != nil {
			t.Fatal(err)
		}
		if l, ok := e.(*inList); !ok || l.texts == nil {
			t.Fatalf("%s: not looked up", e)
		}
		got, err := e.Eval(NewContext(context.Background(), time.UTC), batch)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Errorf("%s: got %s, want %s", e, got, want)
		}
	}
}

// Row-at-a-time string functions over columns: int32 arguments read per
// row, typed results (text, int, bool), NULL rows.
func TestRowKernelColumns(t *testing.T) {
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues([]string{"héllo", "", "ab", "a-b-c"}, []bool{true, false, true, true})
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	ib.AppendValues([]int32{2, 1, -1, 3}, []bool{true, true, true, true})
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: types.String, Nullable: true}, {Name: "n", Type: types.Int32}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{sb.NewArray(), ib.NewArray()}, 4)
	s, n := NewColumn(0, types.String, "s"), NewColumn(1, types.Int32, "n")
	ec := NewContext(context.Background(), time.UTC)
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{mustBind(t, "left", s, n), `["hé" (null) "a" "a-b"]`},
		{mustBind(t, "right", s, n), `["lo" (null) "b" "b-c"]`},
		{mustBind(t, "split_part", s, str("-"), n), `["" (null) "ab" "c"]`}, // -1: the last field
		{mustBind(t, "length", s), `[5 (null) 2 5]`},
		{mustBind(t, "starts_with", s, str("a")), `[false (null) true true]`},
	} {
		got, err := c.e.Eval(ec, batch)
		if err != nil {
			t.Fatalf("%s: %v", c.e, err)
		}
		if got.String() != c.want {
			t.Errorf("%s: got %s, want %s", c.e, got, c.want)
		}
	}
}
