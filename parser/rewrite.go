package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// The bridge parses the token stream into a light tree of "items": single
// tokens, and parenthesised/bracketed groups (a function name followed by
// its argument group is one item). Rewrites work on one level of items,
// where the operands of an operator are whole items, so they never need to
// understand SQL's full grammar. The rewritten items are then printed as
// text for TiDB's parser.

// item is one unit of the rewritten statement.
type item struct {
	tok   token  // the token, for single-token items
	group bool   // a (...) or [...] group, possibly with a name in front
	open  string // "(" or "["
	name  []item // for a call: the name items (e.g. schema . func)
	inner []item // group content
	// text, when set, replaces the printed form entirely (rewritten units).
	text *string
	// raw marks a text item that is not an operand (a clause, a list
	// separator): rawStartAfter when an expression may follow it.
	raw uint8
	pos int
	// end is a group's closing token offset.
	end int
	// subscript holds the operand and subscripts of a rewritten a[i].
	subscript []string
}

// Kinds of text items (item.raw).
const (
	rawNone uint8 = iota
	rawText
	rawStartAfter
)

func (it item) isWord(ws ...string) bool { return !it.group && it.text == nil && it.tok.is(ws...) }
func (it item) isOp(ops ...string) bool  { return !it.group && it.text == nil && it.tok.isOp(ops...) }

// isPrimary reports whether an item is an operand (not an operator or keyword).
func (it item) isPrimary() bool {
	if it.group || it.text != nil {
		return true
	}
	switch it.tok.kind {
	case tkQIdent, tkString, tkNumber, tkParam:
		return true
	case tkIdent:
		return !sqlKeywords[it.tok.text]
	}
	return false
}

func textItem(s string, pos int) item { return item{text: &s, pos: pos} }

// rawItem is a text item that is not an operand.
func rawItem(s string, pos int) item { return item{text: &s, pos: pos, raw: rawText} }

// rw holds the state of rewriting one statement.
type rw struct {
	toks   []token
	i      int
	params []int // $n of each '?' emitted, in order
	err    error
	// callFrom is set while rewriting the arguments of a call that takes
	// FROM as a keyword (see fromKeywordCalls).
	callFrom bool
	// inCast is set while rewriting the arguments of CAST(x AS type);
	// inPosition those of POSITION(a IN b), where IN is no operator.
	inCast, inPosition bool
	// noIn is set while reading POSITION's arguments.
	noIn bool
	// end is the offset of the closing token of the level being
	// rewritten, -1 at a statement's top level.
	end int
}

// parseItems reads items until the closing token close ("" = end of input).
func (r *rw) parseItems(close string) []item {
	var out []item
	for r.err == nil {
		t := r.toks[r.i]
		if t.kind == tkEOF {
			if close != "" {
				r.err = syntaxErrAt(t.pos, "syntax error at end of input")
			}
			return out
		}
		if t.kind == tkOp && (t.text == ")" || t.text == "]") {
			if close == t.text {
				return out
			}
			r.err = syntaxErrAt(t.pos, "syntax error at or near \"%s\"", t.text)
			return out
		}
		if t.kind == tkOp && t.text == ";" && close == "" {
			r.i++
			continue
		}
		r.i++
		if t.kind == tkOp && (t.text == "(" || t.text == "[") {
			want := ")"
			if t.text == "[" {
				want = "]"
			}
			inner := r.parseItems(want)
			if r.err != nil {
				return out
			}
			g := item{group: true, open: t.text, inner: inner, pos: t.pos, end: r.toks[r.i].pos}
			r.i++ // the closing token
			// A name directly before "(" makes a call: fold it in.
			if t.text == "(" && len(out) > 0 {
				prev := out[len(out)-1]
				if !prev.group && prev.text == nil && (prev.tok.kind == tkIdent || prev.tok.kind == tkQIdent) && callable(prev.tok) {
					g.name = []item{prev}
					g.pos = prev.pos
					out = out[:len(out)-1]
					// schema.func(...)
					if len(out) >= 2 && out[len(out)-1].isOp(".") && (out[len(out)-2].tok.kind == tkIdent || out[len(out)-2].tok.kind == tkQIdent) && !out[len(out)-2].group {
						g.name = append([]item{out[len(out)-2], out[len(out)-1]}, g.name...)
						g.pos = out[len(out)-2].pos
						out = out[:len(out)-2]
					}
				}
			}
			// ARRAY[...] is one unit.
			if t.text == "[" && len(out) > 0 && out[len(out)-1].isWord("array") {
				g.name = []item{out[len(out)-1]}
				g.pos = out[len(out)-1].pos
				out = out[:len(out)-1]
			}
			out = append(out, g)
			continue
		}
		out = append(out, item{tok: t, pos: t.pos})
	}
	return out
}

// callable reports whether a word before "(" names a function (and is
// not a keyword that takes a parenthesised list, like IN or VALUES).
func callable(t token) bool {
	if t.kind == tkQIdent {
		return true
	}
	switch t.text {
	case "any", "some", "all":
		return true
	}
	switch t.text {
	case "in", "values", "as", "exists", "over", "on", "using", "from", "select",
		"where", "and", "or", "not", "join", "union", "intersect", "except", "by", "into", "table", "with",
		"when", "then", "else", "is", "like", "ilike", "between", "filter", "window", "partition", "distinct",
		"lateral", "recursive", "case", "set", "limit", "offset", "having", "returning", "check", "key",
		"unique", "references", "default", "primary", "foreign", "constraint", "row", "rows", "range", "groups",
		"escape", "collate", "tablesample", "only", "cube", "rollup", "sets", "grouping", "straight_join",
		"symmetric", "asymmetric", "to", "zone":
		return t.text == "grouping" || t.text == "cube" || t.text == "rollup" || t.text == "row"
	case "left", "right":
		return true // left(s, n), right(s, n) (LEFT JOIN never takes "(")
	}
	if sqlKeywords[t.text] {
		return false
	}
	return true
}

// sqlKeywords are words that are never operands on their own.
var sqlKeywords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`select from where group by having order limit offset fetch union intersect except all distinct
		as on using join inner left right full outer cross natural and or not in is null like ilike between case when then
		else end exists any some asc desc nulls first last with recursive values insert into update delete set create
		table view drop if cascade restrict over partition window rows range groups unbounded preceding following current row
		filter escape similar collate lateral only primary key foreign references unique check constraint default
		returning interval`) {
		sqlKeywords[w] = true
	}
}

func syntaxErrAt(pos int, format string, args ...any) *posError {
	return &posError{pos: pos, msg: sprintf(format, args...)}
}

// posError is a syntax error at a byte offset of the original input; with
// near set, the message names the token there ("syntax error at or near").
type posError struct {
	pos  int
	msg  string
	near bool
}

func (e *posError) Error() string { return e.msg }

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// print renders items as SQL text for TiDB, recording for each printed
// token the offset of its source token (for error positions).
type printer struct {
	sb    strings.Builder
	marks []mark
	r     *rw
}

type mark struct{ out, src int }

func (p *printer) items(its []item) {
	for i, it := range its {
		if i > 0 {
			p.sb.WriteByte(' ')
		}
		p.item(it)
	}
}

func (p *printer) item(it item) {
	p.marks = append(p.marks, mark{out: p.sb.Len(), src: it.pos})
	if it.text != nil {
		p.sb.WriteString(*it.text)
		return
	}
	if it.group {
		for i, n := range it.name {
			if i > 0 {
				// schema . name: printed without spaces
			}
			p.tokenText(n)
		}
		p.sb.WriteString(it.open)
		p.items(it.inner)
		if it.open == "(" {
			p.sb.WriteString(")")
		} else {
			p.sb.WriteString("]")
		}
		return
	}
	p.tokenText(it)
}

func (p *printer) tokenText(it item) {
	if it.text != nil {
		p.sb.WriteString(*it.text)
		return
	}
	t := it.tok
	switch t.kind {
	case tkIdent:
		p.sb.WriteString(t.text)
	case tkQIdent:
		p.sb.WriteString(quoteIdent(t.text))
	case tkString:
		p.sb.WriteString(quoteString(t.text))
	case tkNumber:
		if digits := strings.Count(t.text, "") - 1; digits > 60 && !strings.ContainsAny(t.text, "eE") {
			// TiDB's decimal holds at most 81 digits (and panics beyond):
			// a longer constant reaches the planner as text cast to
			// numeric.
			p.sb.WriteString(castText(quoteString(t.text), "numeric"))
			return
		}
		p.sb.WriteString(t.text)
	case tkParam:
		// The marker comment carries the parameter number through
		// rewrites that reorder text; Parse reads them back in order.
		n, _ := strconv.Atoi(t.text)
		p.sb.WriteString("? /*" + marker + strconv.Itoa(n) + "*/")
	case tkOp:
		p.sb.WriteString(t.text)
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// render prints items to text.
func (r *rw) render(its []item) (string, []mark) {
	p := &printer{r: r}
	p.items(its)
	return p.sb.String(), p.marks
}

// renderOne prints one item (used when building rewritten text).
func (r *rw) renderItems(its []item) string {
	p := &printer{r: r}
	p.items(its)
	return p.sb.String()
}
