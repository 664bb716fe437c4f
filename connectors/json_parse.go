package connectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lakesql/lakesql/sqlerr"
)

// A small JSON scanner over bytes in memory, for reading JSON files
// straight into typed columns: it finds the extent of values, decodes
// strings and numbers without building any tree, and skips what is not
// read. Depth is bounded by MaxJSONDepth (54001).

// jsonSyntax is a JSON syntax error at an offset of the scanned bytes.
type jsonSyntax struct {
	msg string
	off int
}

func (e *jsonSyntax) Error() string { return e.msg }

func syntaxErr(b []byte, i int, what string) error {
	if i >= len(b) {
		return &jsonSyntax{msg: "unexpected end of JSON input", off: i}
	}
	return &jsonSyntax{msg: fmt.Sprintf("invalid character %s %s", quoteChar(b[i]), what), off: i}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

var errDepth = sqlerr.New(sqlerr.StatementTooComplex, "JSON nested more than %d levels deep", MaxJSONDepth)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// scanString finds the end of the string whose opening quote is at b[i]:
// it returns the offset after the closing quote and whether the string
// holds escapes.
func scanString(b []byte, i int) (int, bool, error) {
	// Keys and most values are short: a plain loop beats searching, for a
	// start.
	esc := false
	j := i + 1
	for stop := min(len(b), j+16); j < stop; j++ {
		switch b[j] {
		case '"':
			return j + 1, esc, nil
		case '\\':
			esc = true
			j++
		}
	}
	for j < len(b) {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		if bytes.IndexByte(b[j:q], '\\') < 0 {
			return q + 1, esc, nil
		}
		// Backslashes in the way: step through them.
		for ; j < q; j++ {
			if b[j] == '\\' {
				esc = true
				j++
			}
		}
		if j == q {
			return q + 1, esc, nil
		}
		j = q + 1 // the quote was escaped
	}
	return 0, false, syntaxErr(b, len(b), "")
}

// scanNumber checks the JSON number at b[i] and returns its end and
// whether it is an integer (no fraction or exponent).
func scanNumber(b []byte, i int) (int, bool, error) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	start := j
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == start || (b[start] == '0' && j-start > 1) {
		return 0, false, syntaxErr(b, start+min(1, j-start), "in numeric literal")
	}
	isInt := true
	if j < len(b) && b[j] == '.' {
		isInt = false
		j++
		s := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == s {
			return 0, false, syntaxErr(b, j, "after decimal point in numeric literal")
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		isInt = false
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		s := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == s {
			return 0, false, syntaxErr(b, j, "in exponent of numeric literal")
		}
	}
	return j, isInt, nil
}

// skipValue returns the offset after the value at b[i] (no leading
// space), checking its syntax.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, syntaxErr(b, i, "")
	}
	switch c := b[i]; {
	case c == '"':
		j, _, err := scanString(b, i)
		return j, err
	case c == '{' || c == '[':
		if depth >= MaxJSONDepth {
			return 0, errDepth
		}
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		j := skipSpace(b, i+1)
		if j < len(b) && b[j] == close {
			return j + 1, nil
		}
		for {
			if c == '{' {
				if j >= len(b) || b[j] != '"' {
					return 0, syntaxErr(b, j, "looking for beginning of object key string")
				}
				k, _, err := scanString(b, j)
				if err != nil {
					return 0, err
				}
				j = skipSpace(b, k)
				if j >= len(b) || b[j] != ':' {
					return 0, syntaxErr(b, j, "after object key")
				}
				j = skipSpace(b, j+1)
			}
			k, err := skipValue(b, j, depth+1)
			if err != nil {
				return 0, err
			}
			j = skipSpace(b, k)
			if j < len(b) && b[j] == ',' {
				j = skipSpace(b, j+1)
				continue
			}
			if j < len(b) && b[j] == close {
				return j + 1, nil
			}
			if c == '{' {
				return 0, syntaxErr(b, j, "after object key:value pair")
			}
			return 0, syntaxErr(b, j, "after array element")
		}
	case c == '-' || (c >= '0' && c <= '9'):
		j, _, err := scanNumber(b, i)
		return j, err
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return 0, syntaxErr(b, i, "looking for beginning of value")
}

func literal(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return 0, syntaxErr(b, i+k, "in literal "+lit+" (expecting '"+lit[k:k+1]+"')")
		}
	}
	return i + len(lit), nil
}

// unescape appends the decoded contents of the string s (its quotes
// excluded) to dst. A lone surrogate becomes U+FFFD, as in encoding/json.
func unescape(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); {
		k := bytes.IndexByte(s[i:], '\\')
		if k < 0 {
			return append(dst, s[i:]...), nil
		}
		dst = append(dst, s[i:i+k]...)
		i += k
		if i+1 >= len(s) {
			return nil, &jsonSyntax{msg: "invalid escape at end of string"}
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return nil, &jsonSyntax{msg: "invalid character in \\u hexadecimal character escape"}
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2, ok := hex4(s, i+2); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							dst = utf8.AppendRune(dst, d)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return nil, &jsonSyntax{msg: fmt.Sprintf("invalid character %s in string escape code", quoteChar(c))}
		}
		i += 2
	}
	return dst, nil
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendCompact appends the value v (checked JSON) without insignificant
// space, its strings written as encoding/json writes them: the text a
// JSON value takes in a text column.
func appendCompact(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case isSpace(c):
			i++
		case c == '"':
			j, esc, _ := scanString(v, i)
			raw := v[i:j]
			if !esc && plainString(raw[1:len(raw)-1]) {
				dst = append(dst, raw...)
			} else {
				s, _ := unescape(nil, raw[1:len(raw)-1])
				enc, _ := json.Marshal(string(s))
				dst = append(dst, enc...)
			}
			i = j
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// plainString reports whether json.Marshal writes s unchanged: valid
// UTF-8 without characters it escapes.
func plainString(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			if c >= utf8.RuneSelf {
				return utf8.Valid(s) && !bytes.Contains(s, []byte("\u2028")) && !bytes.Contains(s, []byte("\u2029")) && plainASCII(s)
			}
			return false
		}
	}
	return true
}

func plainASCII(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
