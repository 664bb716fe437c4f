package expr

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// tri renders a boolean array as t, f and n (NULL).
func tri(a arrow.Array) string {
	out := make([]byte, a.Len())
	for i := range out {
		switch {
		case a.IsNull(i):
			out[i] = 'n'
		case a.(*array.Boolean).Value(i):
			out[i] = 't'
		default:
			out[i] = 'f'
		}
	}
	return string(out)
}

func boolsOf(s string) arrow.Array {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	for _, c := range s {
		switch c {
		case 'n':
			b.AppendNull()
		default:
			b.Append(c == 't')
		}
	}
	return b.NewArray()
}

// AND, OR and NOT follow three-valued logic, over columns longer than a
// word, sliced columns and constants.
func TestLogicThreeValued(t *testing.T) {
	var a, b, and, or, not string
	vals := "tfn"
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			x, y := vals[i], vals[j]
			a += string(x)
			b += string(y)
			switch {
			case x == 'f' || y == 'f':
				and += "f"
			case x == 'n' || y == 'n':
				and += "n"
			default:
				and += "t"
			}
			switch {
			case x == 't' || y == 't':
				or += "t"
			case x == 'n' || y == 'n':
				or += "n"
			default:
				or += "f"
			}
			not += map[byte]string{'t': "f", 'f': "t", 'n': "n"}[x]
		}
	}
	// 9 cases, repeated past 64 rows and sliced off by 3.
	rep := func(s string) string {
		out := ""
		for k := 0; k < 10; k++ {
			out += s
		}
		return out
	}
	A, B := array.NewSlice(boolsOf("ttt"+rep(a)), 3, 93), array.NewSlice(boolsOf("fff"+rep(b)), 3, 93)
	n := A.Len()
	if got := tri(logic3(true, A, B, n)); got != rep(and) {
		t.Errorf("AND\n got %s\nwant %s", got, rep(and))
	}
	if got := tri(logic3(false, A, B, n)); got != rep(or) {
		t.Errorf("OR\n got %s\nwant %s", got, rep(or))
	}
	got, _ := notKernel(nil, []arrow.Array{A}, n)
	if tri(got) != rep(not) {
		t.Errorf("NOT\n got %s\nwant %s", tri(got), rep(not))
	}
	// A constant NULL AND a column: false where the column is false.
	if got := tri(logic3(true, boolsOf("n"), boolsOf("tfn"), 3)); got != "nfn" {
		t.Errorf("NULL AND col = %s", got)
	}
	if got := tri(logic3(false, boolsOf("t"), boolsOf("tfn"), 3)); got != "ttt" {
		t.Errorf("TRUE OR col = %s", got)
	}
}

func TestLikeSegments(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"%special%requests%", "a special deal of requests!", true},
		{"%special%requests%", "requests special", false},
		{"ab%cd%ef", "abXcdYef", true},
		{"ab%cd%ef", "abef", false},
		{"ab%ab", "ab", false},
		{"ab%ab", "abab", true},
		{"%a%a%", "a", false},
		{"%a%a%", "xaxa", true},
	}
	for _, c := range cases {
		m, err := likeMatcher(c.pat, "\\", false)
		if err != nil {
			t.Fatal(err)
		}
		if got := m(c.s); got != c.want {
			t.Errorf("%q LIKE %q = %v", c.s, c.pat, got)
		}
	}
}
