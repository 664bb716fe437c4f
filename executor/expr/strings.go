package expr

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

func strs(a arrow.Array) *array.String { return a.(*array.String) }

func concatOpKernel(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
	a, b := strs(args[0]), strs(args[1])
	v := valid(n, a, b)
	bld := array.NewStringBuilder(ec.Mem)
	bld.Reserve(n)
	for i := 0; i < n; i++ {
		if !isValid(v, i) {
			bld.AppendNull()
			continue
		}
		if err := checkLen(int64(len(a.Value(i))) + int64(len(b.Value(i)))); err != nil {
			return nil, err
		}
		if err := appendChecked(bld, a.Value(i)+b.Value(i)); err != nil {
			return nil, err
		}
	}
	return bld.NewArray(), nil
}

// mapStrings applies f to every non-NULL string.
func mapStrings(ec *Context, a arrow.Array, f func(string) string) arrow.Array {
	s := strs(a)
	n := s.Len()
	bld := array.NewStringBuilder(ec.Mem)
	bld.Reserve(n)
	for i := 0; i < n; i++ {
		if s.IsNull(i) {
			bld.AppendNull()
			continue
		}
		bld.Append(f(s.Value(i)))
	}
	return bld.NewArray()
}

func unaryString(f func(string) string) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		return mapStrings(ec, args[0], f), nil
	}
}

// rowKernel calls f per row of the args (a NULL in any makes the row
// NULL), f giving the value as T: int for Int32 and Int64 results, string
// or bool. Typed, the values are not boxed in an interface per row.
func rowKernel[T int | string | bool](ret arrow.DataType, f func(row int, args []arrow.Array) (T, error)) kernel {
	return func(ec *Context, args []arrow.Array, n int) (arrow.Array, error) {
		v := valid(n, args...)
		bld := array.NewBuilder(ec.Mem, ret)
		bld.Reserve(n)
		put := appender[T](bld)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				bld.AppendNull()
				continue
			}
			r, err := f(i, args)
			if err != nil {
				return nil, err
			}
			if err := put(r); err != nil {
				return nil, err
			}
		}
		return bld.NewArray(), nil
	}
}

// appender returns the function that appends a T to b, chosen once per
// batch.
func appender[T int | string | bool](b array.Builder) func(T) error {
	var put any
	switch b := b.(type) {
	case *array.StringBuilder:
		put = func(s string) error { return appendChecked(b, s) }
	case *array.Int32Builder:
		put = func(x int) error { b.Append(int32(x)); return nil }
	case *array.Int64Builder:
		put = func(x int) error { b.Append(int64(x)); return nil }
	case *array.BooleanBuilder:
		put = func(x bool) error { b.Append(x); return nil }
	}
	return put.(func(T) error)
}

func sArg(args []arrow.Array, k, i int) string { return strs(args[k]).Value(i) }
func iArg(args []arrow.Array, k, i int) int    { return int(Int64At(args[k], i)) }

func registerStrings(r *Registry) {
	S, I32, I64, B := types.String, types.Int32, types.Int64, types.Bool
	r.add(fixed(S, unaryString(strings.ToLower), S), "lower", "lcase")
	r.add(fixed(S, unaryString(strings.ToUpper), S), "upper", "ucase")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) {
		return utf8.RuneCountInString(sArg(a, 0, i)), nil
	}), S), "length", "char_length", "character_length")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) { return len(sArg(a, 0, i)), nil }), S), "octet_length")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) { return 8 * len(sArg(a, 0, i)), nil }), S), "bit_length")
	r.add(bindSubstring, "substring", "substr")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) {
		return strpos(sArg(a, 1, i), sArg(a, 0, i)), nil
	}), S, S), "position", "locate")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) {
		return strpos(sArg(a, 0, i), sArg(a, 1, i)), nil
	}), S, S), "strpos")
	r.add(bindTrim, "btrim", "ltrim", "rtrim")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		s, from, to := sArg(a, 0, i), sArg(a, 1, i), sArg(a, 2, i)
		if from == "" {
			return s, nil // PostgreSQL replaces nothing for an empty pattern
		}
		if len(to) > len(from) {
			if err := checkLen(int64(len(s)) + int64(strings.Count(s, from))*int64(len(to)-len(from))); err != nil {
				return "", err
			}
		}
		return strings.ReplaceAll(s, from, to), nil
	}), S, S, S), "replace")
	r.add(bindConcat, "concat", "concat_ws")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		n := iArg(a, 2, i)
		if n == 0 {
			return "", sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
		}
		parts := strings.Split(sArg(a, 0, i), sArg(a, 1, i))
		if sArg(a, 1, i) == "" {
			parts = []string{sArg(a, 0, i)}
		}
		if n < 0 {
			n = len(parts) + n + 1
		}
		if n < 1 || n > len(parts) {
			return "", nil
		}
		return parts[n-1], nil
	}), S, S, I32), "split_part")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		r := []rune(sArg(a, 0, i))
		n := iArg(a, 1, i)
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[:min(n, len(r))]), nil
	}), S, I32), "left")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		r := []rune(sArg(a, 0, i))
		n := iArg(a, 1, i)
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[len(r)-min(n, len(r)):]), nil
	}), S, I32), "right")
	r.add(bindPad, "lpad", "rpad")
	r.add(bindOverlay, "overlay")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		n := iArg(a, 1, i)
		if n <= 0 {
			return "", nil
		}
		if err := checkLen(int64(len(sArg(a, 0, i))) * int64(n)); err != nil {
			return "", err
		}
		return strings.Repeat(sArg(a, 0, i), n), nil
	}), S, I32), "repeat")
	r.add(fixed(S, unaryString(func(s string) string {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	}), S), "reverse")
	r.add(fixed(S, unaryString(initcap), S), "initcap")
	r.add(fixed(I32, rowKernel(I32, func(i int, a []arrow.Array) (int, error) {
		s := sArg(a, 0, i)
		if s == "" {
			return 0, nil
		}
		r, _ := utf8.DecodeRuneInString(s)
		return int(r), nil
	}), S), "ascii")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		c := iArg(a, 0, i)
		if c <= 0 {
			return "", sqlerr.New(sqlerr.ProgramLimitExceeded, "requested character too large for encoding: %d", c)
		}
		return string(rune(c)), nil
	}), I32), "chr")
	r.add(fixed(B, rowKernel(B, func(i int, a []arrow.Array) (bool, error) {
		return strings.HasPrefix(sArg(a, 0, i), sArg(a, 1, i)), nil
	}), S, S), "starts_with")
	r.add(fixed(S, unaryString(func(s string) string {
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:])
	}), S), "md5")
	r.add(fixed(S, rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		// Each character becomes at most one of at most 4 bytes.
		if err := checkLen(4 * int64(utf8.RuneCountInString(sArg(a, 0, i)))); err != nil && len(sArg(a, 2, i)) > len(sArg(a, 1, i)) {
			return "", err
		}
		return translate(sArg(a, 0, i), sArg(a, 1, i), sArg(a, 2, i)), nil
	}), S, S, S), "translate")
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 1 || !types.IsInteger(args[0].Type()) {
			return nil, funcErr(name, args)
		}
		a, _ := coerce(args[0], I64)
		return &Call{Name: name, Args: []Expr{a}, Ret: S, fn: rowKernel(S, func(i int, a []arrow.Array) (string, error) {
			return fmt.Sprintf("%x", uint64(Int64At(a[0], i))), nil
		})}, nil
	}, "to_hex")
	r.add(bindRegexpReplace, "regexp_replace")
}

// strpos is the 1-based character position of sub in s (0 if absent).
func strpos(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return utf8.RuneCountInString(s[:i]) + 1
}

func initcap(s string) string {
	var sb strings.Builder
	prevAlnum := false
	for _, r := range s {
		if prevAlnum {
			sb.WriteRune(unicode.ToLower(r))
		} else {
			sb.WriteRune(unicode.ToUpper(r))
		}
		prevAlnum = unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return sb.String()
}

func translate(s, from, to string) string {
	fr, tr := []rune(from), []rune(to)
	var sb strings.Builder
	for _, r := range s {
		idx := -1
		for k, f := range fr {
			if f == r {
				idx = k
				break
			}
		}
		switch {
		case idx < 0:
			sb.WriteRune(r)
		case idx < len(tr):
			sb.WriteRune(tr[idx])
		}
	}
	return sb.String()
}

// bindSubstring: substring(s, from [, for]) with PostgreSQL's semantics for
// start < 1 and negative length (22011).
func bindSubstring(name string, args []Expr) (Expr, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, funcErr(name, args)
	}
	argTypes := []arrow.DataType{types.String, types.Int64}
	if len(args) == 3 {
		argTypes = append(argTypes, types.Int64)
	}
	e, err := fixed(types.String, substringKernel, argTypes...)(name, args)
	if err != nil {
		return nil, err
	}
	e.(*Call).takesConst = true
	return e, nil
}

// substringKernel is substring(s, start [, count]) in characters. The
// result is a run of s's bytes, copied out without a Go string per row
// (TPC-H q22 takes the first two characters of every phone number);
// start and count may be constants (one row).
func substringKernel(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
	src := strs(a[0])
	ss, starts, ts := stride(a[0], n), int64s(a[1]), stride(a[1], n)
	var counts []int64
	cs := 0
	if len(a) == 3 {
		counts, cs = int64s(a[2]), stride(a[2], n)
	}
	nulls := argNulls(n, a...)
	offs := make([]int32, n+1)
	data := make([]byte, 0, min(len(src.ValueBytes()), n*16))
	for i := 0; i < n; i++ {
		if validBit(nulls, i) {
			v := src.Value(i * ss)
			first, end := starts[i*ts], int64(math.MaxInt64) // end: one past the last character, from 1
			if counts != nil {
				c := counts[i*cs]
				if c < 0 {
					return nil, sqlerr.New("22011", "negative substring length not allowed")
				}
				if c < math.MaxInt64-max(first, 0) {
					end = first + c
				}
			}
			first = max(first, 1)
			if first < end {
				lo := runeOffset(v, first-1)
				hi := lo + runeOffset(v[lo:], end-first)
				data = append(data, v[lo:hi]...)
			}
		}
		offs[i+1] = int32(len(data))
	}
	return batch.FromBuffers(types.String, n, nulls, memory.NewBufferBytes(batch.SliceBytes(offs)), memory.NewBufferBytes(data)), nil
}

// runeOffset is the byte offset of character k (from 0) of v, or len(v)
// when v has no more than k characters.
func runeOffset(v string, k int64) int {
	i := 0
	for ; i < len(v) && k > 0; k-- {
		if v[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
		}
	}
	return i
}

func bindTrim(name string, args []Expr) (Expr, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, funcErr(name, args)
	}
	argTypes := []arrow.DataType{types.String}
	if len(args) == 2 {
		argTypes = append(argTypes, types.String)
	}
	return fixed(types.String, rowKernel(types.String, func(i int, a []arrow.Array) (string, error) {
		s := sArg(a, 0, i)
		cut := " "
		if len(a) == 2 {
			cut = sArg(a, 1, i)
		}
		switch name {
		case "ltrim":
			return strings.TrimLeft(s, cut), nil
		case "rtrim":
			return strings.TrimRight(s, cut), nil
		}
		return strings.Trim(s, cut), nil
	}), argTypes...)(name, args)
}

func bindPad(name string, args []Expr) (Expr, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, funcErr(name, args)
	}
	argTypes := []arrow.DataType{types.String, types.Int32}
	if len(args) == 3 {
		argTypes = append(argTypes, types.String)
	}
	return fixed(types.String, rowKernel(types.String, func(i int, a []arrow.Array) (string, error) {
		n := iArg(a, 1, i)
		if n <= 0 {
			return "", nil
		}
		// n characters of up to 4 bytes each, sized before any is made.
		if err := checkLen(4 * int64(n)); err != nil && int64(n) > int64(utf8.RuneCountInString(sArg(a, 0, i))) {
			return "", err
		}
		s := []rune(sArg(a, 0, i))
		fill := []rune(" ")
		if len(a) == 3 {
			fill = []rune(sArg(a, 2, i))
		}
		if len(s) >= n {
			return string(s[:n]), nil
		}
		if len(fill) == 0 {
			return string(s), nil
		}
		pad := make([]rune, 0, n-len(s))
		for len(pad) < n-len(s) {
			pad = append(pad, fill[len(pad)%len(fill)])
		}
		if name == "lpad" {
			return string(pad) + string(s), nil
		}
		return string(s) + string(pad), nil
	}), argTypes...)(name, args)
}

// outputText converts a value to its text output form, as concat() and
// format() print arguments: like a cast to text, except that a boolean
// prints as t/f.
func outputText(e Expr) (Expr, error) {
	if e.Type().ID() != arrow.BOOL {
		return NewCast(e, types.String)
	}
	return &Call{Name: "boolout", Args: []Expr{e}, Ret: types.String, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		b := a[0].(*array.Boolean)
		v := valid(n, a[0])
		out := make([]string, n)
		for i := range out {
			if isValid(v, i) {
				out[i] = "f"
				if b.Value(i) {
					out[i] = "t"
				}
			}
		}
		return newStringArray(ec.Mem, out, v), nil
	}}, nil
}

// bindConcat: concat(...) skips NULLs; concat_ws(sep, ...) too.
func bindConcat(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, funcErr(name, args)
	}
	cast := make([]Expr, len(args))
	for i, a := range args {
		c, err := outputText(a)
		if err != nil {
			return nil, err
		}
		cast[i] = c
	}
	ws := name == "concat_ws"
	return &Call{Name: name, Args: cast, Ret: types.String, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		bld := array.NewStringBuilder(ec.Mem)
		for i := 0; i < n; i++ {
			var sb strings.Builder
			start := 0
			sep := ""
			if ws {
				if a[0].IsNull(i) {
					bld.AppendNull()
					continue
				}
				sep = strs(a[0]).Value(i)
				start = 1
			}
			first := true
			var size int64
			for k := start; k < len(a); k++ {
				if !a[k].IsNull(i) {
					size += int64(len(strs(a[k]).Value(i)) + len(sep))
				}
			}
			if err := checkLen(size); err != nil {
				return nil, err
			}
			for k := start; k < len(a); k++ {
				if a[k].IsNull(i) {
					continue
				}
				if !first {
					sb.WriteString(sep)
				}
				first = false
				sb.WriteString(strs(a[k]).Value(i))
			}
			if err := appendChecked(bld, sb.String()); err != nil {
				return nil, err
			}
		}
		return bld.NewArray(), nil
	}}, nil
}

// bindLike resolves [NOT] [I]LIKE with an optional escape.
func bindLike(name string, args []Expr) (Expr, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, opErr(name, args)
	}
	for i := range args {
		c, err := coerce(args[i], types.String)
		if err != nil || !types.IsString(c.Type()) {
			return nil, opErr(strings.TrimPrefix(name, "not "), args)
		}
		args[i] = c
	}
	neg := strings.HasPrefix(name, "not ")
	ci := strings.HasSuffix(name, "ilike")
	var cache patternCache[func(string) bool]
	return &Call{Name: name, Args: args, Ret: types.Bool, takesConst: true, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		nulls := argNulls(n, a...)
		matcher := func(i int) (func(string) bool, error) {
			pat := strs(a[1]).Value(i * stride(a[1], n))
			esc := "\\"
			if len(a) == 3 {
				esc = strs(a[2]).Value(i * stride(a[2], n))
			}
			return cache.get(pat+"\x00"+esc, func() (func(string) bool, error) { return likeMatcher(pat, esc, ci) })
		}
		return matchEach(n, strs(a[0]), stride(a[0], n), nulls, neg, constPattern(a[1:], n), matcher)
	}}, nil
}

// constPattern reports whether every pattern argument is a constant.
func constPattern(args []arrow.Array, n int) bool {
	for _, a := range args {
		if stride(a, n) != 0 {
			return false
		}
	}
	return true
}

// matchEach runs a pattern match over every row of s: with a constant
// pattern the matcher is looked up once, otherwise once per row.
func matchEach(n int, s *array.String, ss int, nulls *memory.Buffer, neg, constant bool, matcher func(i int) (func(string) bool, error)) (arrow.Array, error) {
	out := make([]bool, n)
	var m func(string) bool
	for i := 0; i < n; i++ {
		if !validBit(nulls, i) {
			continue
		}
		if m == nil || !constant {
			var err error
			if m, err = matcher(i); err != nil {
				return nil, err
			}
		}
		out[i] = m(s.Value(i*ss)) != neg
	}
	return boolArray(out, nulls), nil
}

// patternCache keeps compiled patterns by their text. The instances of a
// parallel pipeline share kernels, so it is safe for concurrent use.
type patternCache[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

func (c *patternCache[T]) get(key string, compile func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		return v, nil
	}
	v, err := compile()
	if err != nil {
		return v, err
	}
	if c.m == nil || len(c.m) > 1000 {
		c.m = map[string]T{}
	}
	c.m[key] = v
	return v, nil
}

// likeMatcher compiles a LIKE pattern, with fast paths for the common
// shapes ('abc%', '%abc', '%abc%').
func likeMatcher(pat, esc string, ci bool) (func(string) bool, error) {
	if len(esc) > 1 {
		return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "invalid escape string")
	}
	if !ci && (esc == "" || !strings.Contains(pat, esc)) && !strings.Contains(pat, "_") {
		inner := strings.Trim(pat, "%")
		if strings.Contains(inner, "%") {
			return segmentMatcher(pat), nil
		}
		{
			switch {
			case pat == "%" || pat == "%%":
				return func(string) bool { return true }, nil
			case strings.HasPrefix(pat, "%") && strings.HasSuffix(pat, "%") && len(pat) >= 2:
				return func(s string) bool { return strings.Contains(s, inner) }, nil
			case strings.HasPrefix(pat, "%"):
				return func(s string) bool { return strings.HasSuffix(s, inner) }, nil
			case strings.HasSuffix(pat, "%"):
				return func(s string) bool { return strings.HasPrefix(s, inner) }, nil
			default:
				return func(s string) bool { return s == pat }, nil
			}
		}
	}
	var sb strings.Builder
	sb.WriteString("(?s)^")
	if ci {
		sb.WriteString("(?i)")
	}
	rs := []rune(pat)
	var escR rune = -1
	if esc != "" {
		escR, _ = utf8.DecodeRuneInString(esc)
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escR:
			if i+1 >= len(rs) {
				return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid LIKE pattern: %v", err)
	}
	return re.MatchString, nil
}

// bindRegexMatch resolves s ~ pattern (third argument 'i' for ~*).
// segmentMatcher matches a LIKE pattern made of literal segments between
// '%' (no '_' or escapes): each segment must follow the previous one, the
// first at the start unless the pattern starts with '%', the last at the
// end unless it ends with '%'.
func segmentMatcher(pat string) func(string) bool {
	segs := strings.Split(pat, "%")
	first, last := segs[0], segs[len(segs)-1]
	mid := segs[1 : len(segs)-1]
	return func(s string) bool {
		if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
			return false
		}
		rest := s[len(first) : len(s)-len(last)]
		for _, m := range mid {
			if m == "" {
				continue
			}
			i := strings.Index(rest, m)
			if i < 0 {
				return false
			}
			rest = rest[i+len(m):]
		}
		return true
	}
}

// compilePG compiles a PostgreSQL regular expression with its option
// letters: by default . matches a newline and ^ $ anchor the whole string
// (PostgreSQL's "non-newline-sensitive" matching); i and c set the case,
// n (m) and p, w the newline-sensitive forms, q a literal pattern; g is
// the caller's. Other letters are errors, as in PostgreSQL.
func compilePG(pat, flags string) (*regexp.Regexp, error) {
	caseless, dotNL, multiline := false, true, false
	for _, f := range flags {
		switch f {
		case 'i':
			caseless = true
		case 'c':
			caseless = false
		case 'n', 'm':
			dotNL, multiline = false, true
		case 'p':
			dotNL, multiline = false, false
		case 'w':
			dotNL, multiline = true, true
		case 's':
			dotNL, multiline = true, false
		case 'q':
			pat = regexp.QuoteMeta(pat)
		case 'g', 'b', 'e', 'x', 't':
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	prefix := ""
	if caseless {
		prefix += "i"
	}
	if dotNL {
		prefix += "s"
	}
	if multiline {
		prefix += "m"
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid regular expression: %v", err)
	}
	return re, nil
}

func bindRegexMatch(args []Expr) (Expr, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, opErr("~", args)
	}
	for i := range args {
		c, err := coerce(args[i], types.String)
		if err != nil || !types.IsString(c.Type()) {
			return nil, opErr("~", args)
		}
		args[i] = c
	}
	var cache patternCache[func(string) bool]
	return &Call{Name: "~", Args: args, Ret: types.Bool, takesConst: true, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		nulls := argNulls(n, a...)
		matcher := func(i int) (func(string) bool, error) {
			pat := strs(a[1]).Value(i * stride(a[1], n))
			flags := ""
			if len(a) == 3 {
				flags = strs(a[2]).Value(i * stride(a[2], n))
			}
			return cache.get(flags+"\x00"+pat, func() (func(string) bool, error) {
				re, err := compilePG(pat, flags)
				if err != nil {
					return nil, err
				}
				return re.MatchString, nil
			})
		}
		return matchEach(n, strs(a[0]), stride(a[0], n), nulls, false, constPattern(a[1:], n), matcher)
	}}, nil
}

func bindRegexpReplace(name string, args []Expr) (Expr, error) {
	if len(args) < 3 || len(args) > 4 {
		return nil, funcErr(name, args)
	}
	argTypes := []arrow.DataType{types.String, types.String, types.String}
	if len(args) == 4 {
		argTypes = append(argTypes, types.String)
	}
	return fixed(types.String, rowKernel(types.String, func(i int, a []arrow.Array) (string, error) {
		pat, flags := sArg(a, 1, i), ""
		if len(a) == 4 {
			flags = sArg(a, 3, i)
		}
		re, err := compilePG(pat, flags)
		if err != nil {
			return "", err
		}
		repl := pgReplacement(sArg(a, 2, i))
		s := sArg(a, 0, i)
		if strings.Contains(flags, "g") {
			if err := checkReplaceAll(re, s, repl); err != nil {
				return "", err
			}
			return re.ReplaceAllString(s, repl), nil
		}
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil {
			return s, nil
		}
		var dst []byte
		dst = re.ExpandString(dst, repl, s, loc)
		return s[:loc[0]] + string(dst) + s[loc[1]:], nil
	}), argTypes...)(name, args)
}

// checkReplaceAll bounds the result of replacing every match of re in s
// by repl (in pgReplacement's form) before it is built: each match grows
// by at most the template's literal bytes plus, for each reference, the
// match's own length.
func checkReplaceAll(re *regexp.Regexp, s, repl string) error {
	lit, refs := int64(0), int64(0)
	for i := 0; i < len(repl); i++ {
		switch {
		case strings.HasPrefix(repl[i:], "$$"):
			lit++
			i++
		case strings.HasPrefix(repl[i:], "${"):
			refs++
			i += strings.IndexByte(repl[i:], '}')
		default:
			lit++
		}
	}
	n := int64(len(s))
	// Cheap bound first: at most len(s)+1 matches, each at most len(s) long.
	if err := checkLen(n + (n+1)*(lit+refs*n)); err == nil {
		return nil
	}
	size := n
	var err error
	re.ReplaceAllStringFunc(s, func(m string) string {
		size += lit + refs*int64(len(m))
		if err == nil {
			err = checkLen(size)
		}
		return ""
	})
	return err
}

// pgReplacement converts \1 and & references to Go's ${1} and ${0}.
func pgReplacement(r string) string {
	var sb strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			sb.WriteString("${" + string(r[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(r):
			sb.WriteByte(r[i+1])
			i++
		case c == '&':
			sb.WriteString("${0}")
		case c == '$':
			sb.WriteString("$$")
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// bindOverlay binds overlay(s, r, start [, count]), the call OVERLAY(s
// PLACING r FROM start [FOR count]) is: s's characters before start, r,
// then s's from start+count on (count defaults to r's length), as
// PostgreSQL's textoverlay: start < 1 is 22011, a count below -start
// keeps all of s after r.
func bindOverlay(name string, args []Expr) (Expr, error) {
	S, I32 := types.String, types.Int32
	k := rowKernel(S, func(i int, a []arrow.Array) (string, error) {
		s, r, sp := []rune(sArg(a, 0, i)), sArg(a, 1, i), int64(iArg(a, 2, i))
		sl := int64(utf8.RuneCountInString(r))
		if len(a) == 4 {
			sl = int64(iArg(a, 3, i))
		}
		if sp <= 0 {
			return "", sqlerr.New("22011", "negative substring length not allowed")
		}
		end := sp + sl
		if end > math.MaxInt32 || end < math.MinInt32 {
			return "", sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
		}
		head := s[:min(sp-1, int64(len(s)))]
		tail := s[min(max(end-1, 0), int64(len(s))):]
		return string(head) + r + string(tail), nil
	})
	switch len(args) {
	case 3:
		return fixed(S, k, S, S, I32)(name, args)
	case 4:
		return fixed(S, k, S, S, I32, I32)(name, args)
	}
	return nil, funcErr(name, args)
}

// CCase binds upper, lower or initcap under the C collation, where only
// ASCII letters change case and only ASCII letters and digits make words
// (PostgreSQL's pg_ascii_toupper): upper('é' COLLATE "C") is 'é'.
func CCase(name string, arg Expr) (Expr, error) {
	f := map[string]func(string) string{"upper": asciiUpper, "lower": asciiLower, "initcap": asciiInitcap}[name]
	if f == nil {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
	}
	return fixed(types.String, unaryString(f), types.String)(name, []Expr{arg})
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

func asciiInitcap(s string) string {
	b := []byte(s)
	prevAlnum := false
	for i, c := range b {
		switch {
		case prevAlnum && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		case !prevAlnum && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
		prevAlnum = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return string(b)
}
