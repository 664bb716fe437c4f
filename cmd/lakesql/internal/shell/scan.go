package shell

import "strings"

// scanner splits input lines into SQL statements and backslash commands
// as psql does: a statement ends at a ';' outside quotes, comments and
// parentheses, so statements span lines; a backslash outside quotes starts
// a meta command that runs to the end of the line.
type scanner struct {
	buf strings.Builder // the statement so far
	// The lexical state at the end of buf.
	quote     byte   // '\'', '"' or 0
	escapes   bool   // the quote is an E'...' string: backslash escapes
	dollar    string // the $tag$ of an open dollar-quoted string
	comment   int    // depth of open /* */ comments
	parens    int    // depth of open parentheses
	lastIdent bool   // the previous character continues an identifier
	lastIsE   bool   // ... and it is an E or e standing alone
}

// piece is what a line holds: a complete statement or a meta command.
type piece struct {
	sql  string // a statement without its ';'
	meta string // a backslash command to the end of the line, from its backslash
}

// feed adds one line (without its line break) and returns the statements
// and meta commands it completes, in order.
func (s *scanner) feed(line string) []piece {
	var out []piece
	start := 0 // of the part of line not yet in buf
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case s.comment > 0:
			if c == '*' && i+1 < len(line) && line[i+1] == '/' {
				s.comment--
				i++
			} else if c == '/' && i+1 < len(line) && line[i+1] == '*' {
				s.comment++
				i++
			}
		case s.dollar != "":
			if c == '$' && strings.HasPrefix(line[i:], s.dollar) {
				i += len(s.dollar) - 1
				s.dollar = ""
			}
		case s.quote != 0:
			if c == '\\' && s.escapes {
				i++
			} else if c == s.quote {
				if i+1 < len(line) && line[i+1] == s.quote {
					i++
				} else {
					s.quote, s.escapes = 0, false
				}
			}
		case c == '\'' || c == '"':
			s.quote = c
			s.escapes = c == '\'' && s.lastIsE
		case c == '-' && i+1 < len(line) && line[i+1] == '-':
			// A comment to the end of the line; one before any
			// statement is dropped, as psql does.
			if strings.TrimSpace(s.buf.String()+line[start:i]) == "" {
				s.buf.Reset()
				start = len(line)
			}
			i = len(line)
		case c == '/' && i+1 < len(line) && line[i+1] == '*':
			s.comment = 1
			i++
		case c == '$' && !s.lastIdent:
			if tag, ok := dollarTag(line[i:]); ok {
				s.dollar = tag
				i += len(tag) - 1
			}
		case c == '(':
			s.parens++
		case c == ')':
			if s.parens > 0 {
				s.parens--
			}
		case c == ';' && s.parens == 0:
			s.buf.WriteString(line[start:i])
			if sql := strings.TrimSpace(s.buf.String()); sql != "" {
				out = append(out, piece{sql: sql})
			}
			s.buf.Reset()
			start = i + 1
		case c == '\\':
			s.buf.WriteString(line[start:i])
			return append(out, piece{meta: line[i:]})
		}
		s.lastIsE = (c == 'E' || c == 'e') && !s.lastIdent && s.quote == 0
		s.lastIdent = c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	s.buf.WriteString(line[start:])
	if s.buf.Len() > 0 {
		s.buf.WriteByte('\n')
	}
	s.lastIdent, s.lastIsE = false, false
	return out
}

// dollarTag returns the $tag$ opening a dollar-quoted string at s[0].
func dollarTag(s string) (string, bool) {
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			return s[:i+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || (i > 1 && c >= '0' && c <= '9'):
		default:
			return "", false
		}
	}
	return "", false
}

// pending is the unfinished statement, trimmed.
func (s *scanner) pending() string { return strings.TrimSpace(s.buf.String()) }

// reset drops the unfinished statement.
func (s *scanner) reset() { *s = scanner{} }

// state is psql's %R: what the next line continues, for the prompt: '='
// a new statement, '-' a statement, '\” '"' '$' a quoted string, '*' a
// comment, '(' parentheses.
func (s *scanner) state() byte {
	switch {
	case s.comment > 0:
		return '*'
	case s.dollar != "":
		return '$'
	case s.quote != 0:
		return s.quote
	case s.parens > 0:
		return '('
	case s.pending() != "":
		return '-'
	}
	return '='
}
