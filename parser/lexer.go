package parser

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lakesql/lakesql/sqlerr"
)

// tokKind classifies a PostgreSQL token.
type tokKind int

const (
	tkIdent  tokKind = iota // unquoted word (keyword or identifier), lower-cased
	tkQIdent                // "quoted identifier" or `backquoted`; text is the name
	tkString                // string literal; text is the value
	tkNumber                // numeric literal
	tkParam                 // $n; text is n
	tkOp                    // operator or punctuation
	tkEOF
)

// token is one lexical token with its byte offset in the input.
type token struct {
	kind tokKind
	text string
	pos  int
	// sp records whether whitespace or a comment preceded the token.
	sp bool
	// n is the token's length in the input (its text may differ: folded
	// case, resolved escapes).
	n int
}

func (t token) is(words ...string) bool {
	if t.kind != tkIdent {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func (t token) isOp(ops ...string) bool {
	if t.kind != tkOp {
		return false
	}
	for _, o := range ops {
		if t.text == o {
			return true
		}
	}
	return false
}

// lex splits sql into tokens following PostgreSQL's lexical rules: nested
// block comments, -- comments, standard strings (” escapes, backslashes
// literal), E” escape strings, $tag$ dollar quoting, "identifiers".
func lex(sql string) ([]token, error) {
	// PostgreSQL accepts only valid UTF-8 without NUL bytes; the bridge's
	// own names rely on NUL never coming from user text.
	if err := checkEncoding(sql); err != nil {
		return nil, err
	}
	var toks []token
	i := 0
	sp := false
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
			sp = true
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			sp = true
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			start := i
			depth := 0
			for i < len(sql) {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			if depth != 0 {
				return nil, syntaxErr(sql, start, "unterminated /* comment")
			}
			sp = true
			continue
		}
		start := i
		before := len(toks)
		switch {
		case (c == 'e' || c == 'E') && i+1 < len(sql) && sql[i+1] == '\'':
			s, n, err := lexEscapeString(sql, i+1)
			if err != nil {
				return nil, err
			}
			if err := checkEncoding(s); err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tkString, text: s, pos: start, sp: sp})
			i = n
		case (c == 'x' || c == 'X' || c == 'b' || c == 'B' || c == 'n' || c == 'N') && i+1 < len(sql) && sql[i+1] == '\'':
			// Bit/hex/national strings: treat N'..' as a plain string.
			s, n, err := lexString(sql, i+1)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tkString, text: s, pos: start, sp: sp})
			i = n
		case c == '\'':
			s, n, err := lexString(sql, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tkString, text: s, pos: start, sp: sp})
			i = n
		case c == '"' || c == '`':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(sql) {
					return nil, syntaxErr(sql, start, "unterminated quoted identifier")
				}
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						sb.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(sql[j])
				j++
			}
			toks = append(toks, token{kind: tkQIdent, text: sb.String(), pos: start, sp: sp})
			i = j + 1
		case c == '$' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			toks = append(toks, token{kind: tkParam, text: sql[i+1 : j], pos: start, sp: sp})
			i = j
		case c == '$':
			// Dollar-quoted string: $tag$ ... $tag$ (a tag is an
			// identifier without $, so $a$ x $b$ y $a$ holds $b$).
			j := i + 1
			for j < len(sql) && sql[j] != '$' && isIdentChar(rune(sql[j])) {
				j++
			}
			if j < len(sql) && sql[j] == '$' {
				tag := sql[i : j+1]
				end := strings.Index(sql[j+1:], tag)
				if end < 0 {
					return nil, syntaxErr(sql, start, "unterminated dollar-quoted string")
				}
				toks = append(toks, token{kind: tkString, text: sql[j+1 : j+1+end], pos: start, sp: sp})
				i = j + 1 + end + len(tag)
			} else {
				toks = append(toks, token{kind: tkOp, text: "$", pos: start, sp: sp})
				i++
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			j := i
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j < len(sql) && sql[j] == '.' && !(j+1 < len(sql) && sql[j+1] == '.') {
				j++
				for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
					j++
				}
			}
			if j < len(sql) && (sql[j] == 'e' || sql[j] == 'E') {
				k := j + 1
				if k < len(sql) && (sql[k] == '+' || sql[k] == '-') {
					k++
				}
				if k < len(sql) && sql[k] >= '0' && sql[k] <= '9' {
					for k < len(sql) && sql[k] >= '0' && sql[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, token{kind: tkNumber, text: sql[i:j], pos: start, sp: sp})
			i = j
		default:
			r, size := utf8.DecodeRuneInString(sql[i:])
			if isIdentStart(r) {
				j := i + size
				for j < len(sql) {
					r2, s2 := utf8.DecodeRuneInString(sql[j:])
					if !isIdentChar(r2) {
						break
					}
					j += s2
				}
				toks = append(toks, token{kind: tkIdent, text: strings.ToLower(sql[i:j]), pos: start, sp: sp})
				i = j
				break
			}
			op := lexOperator(sql[i:])
			toks = append(toks, token{kind: tkOp, text: op, pos: start, sp: sp})
			i += len(op)
		}
		if len(toks) > before {
			toks[len(toks)-1].n = i - start
		}
		sp = false
	}
	toks = append(toks, token{kind: tkEOF, pos: len(sql), sp: true})
	return toks, nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentChar(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lexOperator reads the longest operator at the start of s.
func lexOperator(s string) string {
	for _, op := range []string{"::", "||/", "|/", "!~~*", "!~~", "~~*", "!~*", "~*", "!~", "~~", "<=>", "<>", "!=", "<=", ">=", "||", "<<", ">>", "=>", "->>", "->", "#>>", "#>", "@>", "<@", "&&", "!!", "^@"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	_, size := utf8.DecodeRuneInString(s)
	return s[:size]
}

// lexString reads a standard string starting at the quote at i; adjacent
// strings separated by a newline are concatenated, as in SQL.
func lexString(sql string, i int) (string, int, error) {
	start := i
	var sb strings.Builder
	j := i + 1
	for {
		if j >= len(sql) {
			return "", 0, syntaxErr(sql, start, "unterminated quoted string")
		}
		if sql[j] == '\'' {
			if j+1 < len(sql) && sql[j+1] == '\'' {
				sb.WriteByte('\'')
				j += 2
				continue
			}
			j++
			break
		}
		sb.WriteByte(sql[j])
		j++
	}
	// Continuation: 'a'\n'b' is 'ab'.
	k := j
	sawNewline := false
	for k < len(sql) && (sql[k] == ' ' || sql[k] == '\t' || sql[k] == '\n' || sql[k] == '\r') {
		if sql[k] == '\n' {
			sawNewline = true
		}
		k++
	}
	if sawNewline && k < len(sql) && sql[k] == '\'' {
		rest, n, err := lexString(sql, k)
		if err != nil {
			return "", 0, err
		}
		return sb.String() + rest, n, nil
	}
	return sb.String(), j, nil
}

// lexEscapeString reads E'...' with backslash escapes.
func lexEscapeString(sql string, i int) (string, int, error) {
	start := i
	var sb strings.Builder
	j := i + 1
	for {
		if j >= len(sql) {
			return "", 0, syntaxErr(sql, start, "unterminated quoted string")
		}
		c := sql[j]
		if c == '\'' {
			if j+1 < len(sql) && sql[j+1] == '\'' {
				sb.WriteByte('\'')
				j += 2
				continue
			}
			return sb.String(), j + 1, nil
		}
		if c == '\\' && j+1 < len(sql) {
			j++
			switch e := sql[j]; e {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'x':
				v, n := 0, 0
				for n < 2 && j+1 < len(sql) && isHex(sql[j+1]) {
					j++
					v = v*16 + hexVal(sql[j])
					n++
				}
				sb.WriteByte(byte(v))
			case 'u', 'U':
				width := 4
				if e == 'U' {
					width = 8
				}
				v := 0
				for n := 0; n < width && j+1 < len(sql) && isHex(sql[j+1]); n++ {
					j++
					v = v*16 + hexVal(sql[j])
				}
				if v == 0 || v > utf8.MaxRune {
					return "", 0, syntaxErr(sql, start+1, "invalid Unicode escape value")
				}
				sb.WriteRune(rune(v))
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for n := 0; n < 2 && j+1 < len(sql) && sql[j+1] >= '0' && sql[j+1] <= '7'; n++ {
						j++
						v = v*8 + int(sql[j]-'0')
					}
					sb.WriteByte(byte(v))
				} else {
					sb.WriteByte(e)
				}
			}
			j++
			continue
		}
		sb.WriteByte(c)
		j++
	}
}

// checkEncoding reports NUL bytes and invalid UTF-8 as PostgreSQL does.
func checkEncoding(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && size <= 1 {
			return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", s[i])
		}
		i += size
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// syntaxErr is a 42601 error at byte offset pos of sql.
func syntaxErr(sql string, pos int, format string, args ...any) *sqlerr.Error {
	e := sqlerr.New(sqlerr.SyntaxError, format, args...)
	e.Position = utf8.RuneCountInString(sql[:min(pos, len(sql))]) + 1
	return e
}
