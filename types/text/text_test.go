package text

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/sqlerr"
)

func TestFloat(t *testing.T) {
	cases := map[float64]string{1.5: "1.5", 1234567: "1234567", 1e20: "1e+20", 123456789012345680: "1.2345678901234568e+17",
		0.0001: "0.0001", 0.00001: "1e-05", math.Inf(1): "Infinity", -2: "-2", 1e15: "1e+15", 1e14: "100000000000000"}
	a, b := 0.1, 0.2
	cases[a+b] = "0.30000000000000004"
	for f, want := range cases {
		if got := string(AppendFloat(nil, f, 64)); got != want {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
	}
}

func TestDecimalDateInterval(t *testing.T) {
	if got := string(AppendDecimal(nil, decimal128.FromI64(-5), 2)); got != "-0.05" {
		t.Errorf("decimal: %s", got)
	}
	d, err := ParseDate("1998-12-01")
	if err != nil || string(AppendDate(nil, d)) != "1998-12-01" {
		t.Errorf("date: %v %s", err, AppendDate(nil, d))
	}
	cases := []struct {
		m, d int32
		us   int64
		want string
	}{{0, 0, 0, "00:00:00"}, {14, 3, 4*3600e6 + 5*60e6 + 6e6, "1 year 2 mons 3 days 04:05:06"}, {0, 0, -1e6, "-00:00:01"}, {1, 0, 0, "1 mon"}, {0, -1, 0, "-1 days"}}
	for _, c := range cases {
		if got := string(AppendInterval(nil, c.m, c.d, c.us)); got != c.want {
			t.Errorf("interval: got %s want %s", got, c.want)
		}
	}
	m, dd, us, err := ParseInterval("1 year 2 months 3 days 04:05:06")
	if err != nil || m != 14 || dd != 3 || us != 4*3600e6+5*60e6+6e6 {
		t.Errorf("parse interval: %v %d %d %d", err, m, dd, us)
	}
	ts, err := ParseTimestamp("2024-01-02 03:04:05.5", nil)
	if err != nil || string(AppendTimestamp(nil, ts)) != "2024-01-02 03:04:05.5" {
		t.Errorf("timestamp: %v %s", err, AppendTimestamp(nil, ts))
	}
	if string(AppendTimestampTZ(nil, ts, time.UTC)) != "2024-01-02 03:04:05.5+00" {
		t.Errorf("timestamptz: %s", AppendTimestampTZ(nil, ts, time.UTC))
	}
	if _, err := ParseInt("99999999999", 32); err == nil {
		t.Error("overflow not detected")
	}
}

// Records in records quote each level again, so their text doubles with
// every level: past the cap it is a 54000 error, raised before the
// allocation, and below it the value is exact.
func TestNestedTextCapped(t *testing.T) {
	mem := memory.DefaultAllocator
	var arr arrow.Array
	{
		b := array.NewStringBuilder(mem)
		b.Append(`say "hi"`)
		arr = b.NewArray()
	}
	wrap := func(a arrow.Array) arrow.Array {
		s, err := array.NewStructArray([]arrow.Array{a}, []string{"a"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for depth := 0; depth < 30; depth++ {
		arr = wrap(arr)
	}
	func() {
		defer func() {
			r := recover()
			e, ok := r.(*sqlerr.Error)
			if !ok || e.Code != sqlerr.ProgramLimitExceeded {
				t.Errorf("want a 54000 panic, got %v", r)
			}
		}()
		appendWithin(nil, arr, 0, time.UTC, 1<<16)
		t.Errorf("30 levels of quoting fit in 64 KB?")
	}()
	// Two levels, exactly as PostgreSQL prints them.
	b := array.NewStringBuilder(mem)
	b.Append(`say "hi"`)
	two := wrap(wrap(b.NewArray()))
	// PostgreSQL: SELECT row(row('say "hi"'))::text
	if got := string(appendWithin(nil, two, 0, time.UTC, 1<<16)); got != `("(""say """"hi"""""")")` {
		t.Errorf("two levels: %s", got)
	}
	if _, err := AppendChecked(nil, two, 0, time.UTC); err != nil {
		t.Error(err)
	}
}
