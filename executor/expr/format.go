package expr

import (
	"strconv"
	"strings"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// bindFormat binds format(fmt, args...): PostgreSQL's printf-like string
// formatting with %s (text), %I (an identifier, quoted when needed), %L
// (a literal, quoted; NULL unquoted), %% and the position (%2$s), flag
// (-) and width (%10s, %*s, %*1$s) modifiers. Arguments print as their
// text output (a boolean as t/f).
func bindFormat(name string, args []Expr) (Expr, error) {
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
	f := func(vals []any) (any, error) {
		if vals[0] == nil {
			return nil, nil
		}
		return formatString(vals[0].(string), vals[1:])
	}
	return &Call{Name: name, Args: cast, Ret: types.String, fn: goRowKernel(types.String, len(cast), f)}, nil
}

func registerFormat(r *Registry) { r.add(bindFormat, "format") }

func formatErr(format string, a ...any) error {
	e := sqlerr.New(sqlerr.InvalidParameterValue, format, a...)
	return e
}

// formatString applies a format string to one row's arguments (nil is
// NULL).
func formatString(f string, args []any) (string, error) {
	var sb strings.Builder
	next := 0 // the argument the next unnumbered specifier takes
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			sb.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return "", unterminated()
		}
		if f[i] == '%' {
			sb.WriteByte('%')
			continue
		}
		// [n$][-][width|*|*n$]type
		argPos, k, err := readPosition(f, i)
		if err != nil {
			return "", err
		}
		i = k
		left := false
		for i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		width := -1
		if i < len(f) && f[i] == '*' {
			i++
			wPos, k, err := readPosition(f, i)
			if err != nil {
				return "", err
			}
			i = k
			if wPos < 0 {
				wPos = next
				next++
			} else {
				next = wPos + 1
			}
			if wPos >= len(args) {
				return "", formatErr("too few arguments for format()")
			}
			if args[wPos] != nil {
				w, err := strconv.Atoi(strings.TrimSpace(args[wPos].(string)))
				if err != nil {
					return "", sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type integer: \"%s\"", args[wPos].(string))
				}
				if w < 0 {
					left, w = true, -w
				}
				width = w
			}
		} else {
			start := i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			if i > start {
				w, err := strconv.Atoi(f[start:i])
				if err != nil {
					return "", formatErr("number is out of range")
				}
				width = w
			}
		}
		if i >= len(f) {
			return "", unterminated()
		}
		typ := f[i]
		if typ != 's' && typ != 'I' && typ != 'L' {
			e := formatErr("unrecognized format() type specifier \"%c\"", typ)
			e.(*sqlerr.Error).Hint = "For a single \"%\" use \"%%\"."
			return "", e
		}
		if argPos < 0 {
			argPos = next
		}
		next = argPos + 1
		if argPos >= len(args) {
			return "", formatErr("too few arguments for format()")
		}
		var s string
		v := args[argPos]
		switch typ {
		case 's':
			if v != nil {
				s = v.(string)
			}
		case 'I':
			if v == nil {
				return "", sqlerr.New(sqlerr.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			s = QuoteIdent(v.(string))
		case 'L':
			if v == nil {
				s = "NULL"
			} else {
				s = QuoteLiteral(v.(string))
			}
		}
		if pad := width - len([]rune(s)); pad > 0 {
			if left {
				s += strings.Repeat(" ", pad)
			} else {
				s = strings.Repeat(" ", pad) + s
			}
		}
		sb.WriteString(s)
	}
	return sb.String(), nil
}

func unterminated() error {
	e := formatErr("unterminated format() type specifier")
	e.(*sqlerr.Error).Hint = "For a single \"%\" use \"%%\"."
	return e
}

// readPosition reads an argument position "n$" at f[i:]: the 0-based
// argument index (-1 when there is none) and the index after it.
func readPosition(f string, i int) (int, int, error) {
	j := i
	for j < len(f) && f[j] >= '0' && f[j] <= '9' {
		j++
	}
	if j == i || j >= len(f) || f[j] != '$' {
		return -1, i, nil
	}
	n, err := strconv.Atoi(f[i:j])
	if err != nil || n > 1<<20 {
		return 0, 0, formatErr("number is out of range")
	}
	if n == 0 {
		return 0, 0, formatErr("format specifies argument 0, but arguments are numbered from 1")
	}
	return n - 1, j + 1, nil
}

// QuoteIdent quotes an identifier when PostgreSQL's quote_ident would:
// anything but lower-case letters, digits and underscores (not first a
// digit), and keywords that are not unreserved.
func QuoteIdent(s string) string {
	plain := s != "" && !quotedKeywords[s]
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// QuoteLiteral quotes a string as a SQL literal, as quote_literal does: an
// E” string when it holds a backslash.
func QuoteLiteral(s string) string {
	q := strings.ReplaceAll(s, "'", "''")
	if strings.Contains(s, `\`) {
		return "E'" + strings.ReplaceAll(q, `\`, `\\`) + "'"
	}
	return "'" + q + "'"
}

// quotedKeywords are PostgreSQL 15's keywords that are not unreserved
// (reserved, column-name and type/function-name keywords): quote_ident
// quotes them.
var quotedKeywords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check collate
		column constraint create current_catalog current_date current_role current_time current_timestamp current_user
		default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially
		intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary
		references returning select session_user some symmetric system_user table then to trailing true union unique user
		using variadic when where window with
		authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like
		natural notnull outer overlaps right similar tablesample verbose
		between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int
		integer interval least national nchar none normalize nullif numeric out overlay position precision real row setof
		smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest
		xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`) {
		quotedKeywords[w] = true
	}
}
