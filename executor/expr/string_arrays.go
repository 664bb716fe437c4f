package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Functions between text and text[] that clients use on catalog values
// (Grafana splits search_path with string_to_array and parses table names
// with parse_ident).
func registerStringArrays(r *Registry) {
	T, TA := types.String, types.List(types.String)
	r.RegisterRowFunc("string_to_array", TA, []arrow.DataType{T, T, T}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := a[0].(string)
		if s == "" {
			return []string{}, nil
		}
		if a[1] == nil {
			out := make([]string, 0, len(s))
			for _, r := range s {
				out = append(out, string(r))
			}
			return out, nil
		}
		if a[1].(string) == "" {
			return []string{s}, nil
		}
		return strings.Split(s, a[1].(string)), nil
	})
	r.add(bindRegexpSplit, "regexp_split_to_array")
	r.RegisterRowFunc("parse_ident", TA, []arrow.DataType{T, types.Bool}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return parseIdent(a[0].(string))
	})
}

// parseIdent splits a qualified identifier into its parts: quoted parts
// keep their case (with "" for a quote), unquoted ones are folded to
// lower case.
func parseIdent(s string) ([]string, error) {
	bad := func() error {
		return sqlerr.New(sqlerr.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s)
	}
	var parts []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var part strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for {
				if i >= len(s) {
					return nil, bad()
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						part.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				part.WriteByte(s[i])
				i++
			}
			if part.Len() == 0 {
				return nil, bad()
			}
		} else {
			start := i
			for i < len(s) && s[i] != '.' && s[i] != ' ' {
				i++
			}
			if i == start {
				return nil, bad()
			}
			part.WriteString(strings.ToLower(s[start:i]))
		}
		parts = append(parts, part.String())
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			return parts, nil
		}
		if s[i] != '.' {
			return nil, bad()
		}
		i++
	}
}

// similar_to_escape(pattern [, escape]) turns a SQL regular expression
// (SIMILAR TO) into the POSIX one PostgreSQL matches it with: % and _
// become .* and ., the escape character (default \) quotes the next
// character, and the whole pattern is anchored.
func registerSimilar(r *Registry) {
	T := types.String
	r.RegisterRowFunc("similar_to_escape", T, []arrow.DataType{T, T}, func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		esc := "\\" // also when the escape is left out (it reads as NULL here)
		if e, ok := a[1].(string); ok {
			esc = e
		}
		if len([]rune(esc)) > 1 {
			return nil, sqlerr.New("22025", "invalid escape string")
		}
		return similarToRegex(a[0].(string), esc), nil
	})
}

func similarToRegex(p, esc string) string {
	var sb strings.Builder
	sb.WriteString("^(?:")
	escRune := []rune(esc)
	inBracket, escaped := false, false
	for _, c := range p {
		switch {
		case escaped:
			if strings.ContainsRune(`\.^$|*+?()[]{}`, c) {
				sb.WriteByte('\\')
			}
			sb.WriteRune(c)
			escaped = false
		case len(escRune) == 1 && c == escRune[0]:
			escaped = true
		case inBracket:
			if c == ']' {
				inBracket = false
			}
			sb.WriteRune(c)
		case c == '[':
			inBracket = true
			sb.WriteRune(c)
		case c == '%':
			sb.WriteString(".*")
		case c == '_':
			sb.WriteByte('.')
		case c == '.' || c == '^' || c == '$':
			sb.WriteByte('\\')
			sb.WriteRune(c)
		default:
			sb.WriteRune(c)
		}
	}
	sb.WriteString(")$")
	return sb.String()
}

// bindRegexpSplit binds regexp_split_to_array(s, pattern [, flags]): the
// pieces of s between the pattern's matches, as PostgreSQL's, which
// ignores empty matches at either end of s or right after a match (Go's
// Regexp.Split does the same). regexp_split_to_table is its unnest.
func bindRegexpSplit(name string, args []Expr) (Expr, error) {
	T, TA := types.String, types.List(types.String)
	if len(args) < 2 || len(args) > 3 {
		return nil, funcErr(name, args)
	}
	argTypes := []arrow.DataType{T, T, T}[:len(args)]
	return NewRowCall(name, TA, argTypes, args, func(a []any) (any, error) {
		for _, v := range a[:len(args)] {
			if v == nil {
				return nil, nil
			}
		}
		flags := ""
		if len(args) == 3 {
			flags = a[2].(string)
		}
		if strings.Contains(flags, "g") {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s() does not support the \"global\" option", name)
		}
		re, err := compilePG(a[1].(string), flags)
		if err != nil {
			return nil, err
		}
		s := a[0].(string)
		if s == "" {
			return []string{""}, nil
		}
		return re.Split(s, -1), nil
	})
}
