// Package parser turns SQL text into TiDB ASTs
// (github.com/pingcap/tidb/pkg/parser) through a dialect bridge: a
// PostgreSQL lexer and token-level rewrites that express PostgreSQL syntax
// TiDB's MySQL grammar lacks (x::type, FULL JOIN, NULLS FIRST, FILTER,
// derived column lists, ...) in forms it accepts. The planner reads those
// forms back with the decoders in decode.go. BRIDGE.md lists every rule.
package parser

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lakesql/lakesql/sqlerr"
	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/test_driver" // literal values
)

// Statement is one parsed statement.
type Statement struct {
	AST ast.StmtNode
	// Text is the statement's original text; Offset its byte offset in
	// the input given to Parse.
	Text   string
	Offset int
	// Params maps the i-th '?' marker of the AST to a parameter index
	// ($1 is 0).
	Params []int
	// Rewritten is the text handed to TiDB (for debugging).
	Rewritten string
	// Utility is set (and AST nil) for session statements the bridge
	// parses itself: SET, SHOW, RESET, BEGIN, COMMIT, DISCARD, ...
	Utility *Utility

	source string // the whole text given to Parse
	marks  []mark // Rewritten offsets to source offsets
}

// NamePosition is the 1-based character position of the first name in
// the statement spelled name (TiDB keeps no offsets for table names, so
// an unknown table is pointed at by searching its name); 0 when absent.
func (s Statement) NamePosition(name string) int {
	toks, err := lex(s.Text)
	if err != nil {
		return 0
	}
	for _, t := range toks {
		if (t.kind == tkIdent && t.text == strings.ToLower(name)) || (t.kind == tkQIdent && t.text == name) {
			if s.source == "" || s.Offset+t.pos > len(s.source) {
				return utf8.RuneCountInString(s.Text[:t.pos]) + 1
			}
			return utf8.RuneCountInString(s.source[:s.Offset+t.pos]) + 1
		}
	}
	return 0
}

// SourcePosition maps a byte offset in Rewritten (an AST node's
// OriginTextPosition) to the 1-based character position in the text given
// to Parse, for an error's position; 0 when unknown.
func (s Statement) SourcePosition(off int) int {
	if s.marks == nil || off < 0 {
		return 0
	}
	src := -1
	for _, mk := range s.marks {
		if mk.out <= off {
			src = mk.src
		}
	}
	if src < 0 || src > len(s.source) {
		return 0
	}
	return utf8.RuneCountInString(s.source[:src]) + 1
}

const sqlMode = mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes

// Parse parses one or more ';'-separated statements. Empty statements are
// skipped. Errors are 42601 with the 1-based character position in sql.
func Parse(sql string) ([]Statement, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	if err := checkTokens(sql, toks); err != nil {
		return nil, err
	}
	var out []Statement
	start := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tkEOF || t.kind == tkOp && t.text == ";" {
			if i > start {
				st, err := parseOne(sql, toks[start:i], t)
				if err != nil {
					return nil, err
				}
				out = append(out, st)
			}
			start = i + 1
		}
	}
	return out, nil
}

// paramMarker finds the parameter numbers the printer writes after each
// '?' (a NUL-marked comment: user text cannot contain NUL).
var paramMarker = regexp.MustCompile(`/\*\x00(\d+)\*/`)

// endErr is the syntax error for a statement that ends too early: at the
// ';' that ends it, or at the end of the input.
func endErr(sql string, term token) error {
	if term.kind == tkEOF {
		return syntaxErr(sql, len(sql), "syntax error at end of input")
	}
	return syntaxErr(sql, term.pos, "syntax error at or near \"%s\"", term.text)
}

func parseOne(sql string, toks []token, term token) (Statement, error) {
	text := sql[toks[0].pos:]
	end := len(sql)
	last := toks[len(toks)-1]
	end = last.pos + tokenLen(sql, last)
	text = sql[toks[0].pos:end]
	st := Statement{Text: text, Offset: toks[0].pos}
	if u, err := parseUtility(toks, sql, term); u != nil || err != nil {
		st.Utility = u
		return st, err
	}

	r := &rw{toks: append(append([]token(nil), toks...), token{kind: tkEOF, pos: end}), end: -1}
	its := r.parseItems("")
	if r.err != nil {
		return st, posErr(sql, term, r.err)
	}
	its = r.rewrite(its, true)
	if r.err != nil {
		return st, posErr(sql, term, r.err)
	}
	out, marks := r.render(its)
	st.Rewritten = out
	st.source, st.marks = sql, marks
	for _, m := range paramMarker.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		st.Params = append(st.Params, n-1)
	}
	p := tidb.New()
	p.SetSQLMode(sqlMode)
	p.SetStrictDoubleTypeCheck(false)
	nodes, _, err := p.Parse(out, "", "")
	if err != nil {
		return st, tidbError(sql, out, marks, term, err)
	}
	if len(nodes) != 1 {
		return st, syntaxErr(sql, toks[0].pos, "syntax error: expected one statement")
	}
	if err := checkDepth(nodes[0]); err != nil {
		return st, err
	}
	st.AST = nodes[0]
	numberParams(st.AST)
	return st, nil
}

// paramCollector gathers '?' markers.
type paramCollector struct {
	ps []*test_driver.ParamMarkerExpr
}

func (v *paramCollector) Enter(n ast.Node) (ast.Node, bool) {
	if p, ok := n.(*test_driver.ParamMarkerExpr); ok {
		v.ps = append(v.ps, p)
	}
	return n, false
}
func (v *paramCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// numberParams sets each marker's Order to its position in the text, so
// Statement.Params (in text order) maps it to its $n.
func numberParams(n ast.Node) {
	v := &paramCollector{}
	n.Accept(v)
	sort.Slice(v.ps, func(i, j int) bool { return v.ps[i].Offset < v.ps[j].Offset })
	for i, p := range v.ps {
		p.Order = i
	}
}

// tokenLen is the length in sql of the token at t.pos.
func tokenLen(sql string, t token) int {
	if t.n > 0 {
		return t.n
	}
	switch t.kind {
	case tkIdent, tkNumber, tkOp:
		if t.kind == tkIdent {
			return len(t.text)
		}
		return len(t.text)
	case tkParam:
		return len(t.text) + 1
	}
	// Strings and quoted identifiers: re-lex to find the end.
	toks, err := lex(sql[t.pos:])
	if err != nil || len(toks) < 2 {
		return len(sql) - t.pos
	}
	if toks[1].kind == tkEOF {
		return len(sql) - t.pos
	}
	rest := sql[t.pos:]
	return len(strings.TrimRight(rest[:toks[1].pos], " \t\r\n"))
}

func posErr(sql string, term token, err error) error {
	if pe, ok := err.(*posError); ok {
		if pe.pos < 0 {
			return endErr(sql, term)
		}
		if pe.near {
			if w := firstWord(sql[min(pe.pos, len(sql)):]); w != "" {
				return syntaxErr(sql, pe.pos, "syntax error at or near \"%s\"", w)
			}
			return syntaxErr(sql, pe.pos, "syntax error at end of input")
		}
		return syntaxErr(sql, pe.pos, "%s", pe.msg)
	}
	return err
}

var tidbErrPos = regexp.MustCompile(`line (\d+) column (\d+) near "((?s).*)"`)

// tidbError maps a TiDB syntax error back to the original text.
func tidbError(sql, out string, marks []mark, term token, err error) error {
	msg := err.Error()
	m := tidbErrPos.FindStringSubmatch(msg)
	if m == nil {
		return sqlerr.New(sqlerr.SyntaxError, "syntax error: %s", msg)
	}
	if strings.TrimSpace(m[3]) == "" {
		// TiDB ran out of tokens: PostgreSQL reports the ';' that ends
		// the statement or the end of the input.
		return endErr(sql, term)
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	// Offset in out of line/column (column counts bytes consumed, so the
	// token starts a little before it).
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(out[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	off += col
	near := strings.TrimSpace(m[3])
	if near != "" {
		if i := strings.Index(out, near); i >= 0 && i <= off {
			off = i
		}
		for len(near) > 0 && off > 0 && !strings.HasPrefix(out[off:], near[:min(len(near), 1)]) {
			off--
		}
	}
	src := 0
	for _, mk := range marks {
		if mk.out <= off {
			src = mk.src
		}
	}
	if src > len(sql) {
		src = len(sql)
	}
	word := firstWord(sql[src:])
	var e *sqlerr.Error
	if word == "" {
		e = sqlerr.New(sqlerr.SyntaxError, "syntax error at end of input")
	} else {
		e = sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", word)
	}
	e.Position = utf8.RuneCountInString(sql[:src]) + 1
	return e
}

func firstWord(s string) string {
	toks, err := lex(s)
	if err != nil || len(toks) == 0 || toks[0].kind == tkEOF {
		return ""
	}
	t := toks[0]
	end := t.pos + tokenLen(s, t)
	if end > len(s) {
		end = len(s)
	}
	return s[t.pos:end]
}
