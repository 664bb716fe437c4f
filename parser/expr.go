package parser

// The bridge reads expressions with PostgreSQL's operator precedence and
// associativity (the "Operator Precedence" table of its documentation,
// gram.y's %left/%right/%nonassoc lines) and prints every operator it
// parsed fully parenthesised, so TiDB's MySQL precedence never decides how
// an operator binds. Operators TiDB lacks or spells differently become
// calls of the bridge's operator functions ("\x00op:power"(a, b), decoded
// by BuiltinName).

// Precedence levels, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot  // NOT (right-associative prefix)
	precIs   // IS ..., ISNULL, NOTNULL (non-associative)
	precCmp  // < > = <= >= <> (non-associative)
	precLike // BETWEEN IN LIKE ILIKE SIMILAR (non-associative)
	precEscape
	precOp  // any other operator (left)
	precAdd // + - (left)
	precMul // * / % (left)
	precPow // ^ (left)
	precAt  // AT TIME ZONE
	precCollate
	precUnary // unary + -
)

// exprStartWords are the words after which an expression may begin at one
// level of items (besides a level's start and a comma).
var exprStartWords = map[string]bool{"select": true, "distinct": true, "all": true, "where": true, "having": true,
	"on": true, "when": true, "then": true, "else": true, "by": true, "returning": true}

// ruleExpressions parses the expressions at one level of items with
// PostgreSQL's precedence and prints each operator parenthesised. It runs
// after every other rule: the items it sees are tokens, groups (their
// contents already rewritten) and the other rules' rewritten units.
func (r *rw) ruleExpressions(its []item) []item {
	if r.noIn && len(its) > 0 {
		return r.positionArgs(its)
	}
	var out []item
	for i := 0; i < len(its) && r.err == nil; {
		if it := its[i]; i > 0 && its[i-1].isWord("select") && it.group && len(it.name) == 1 && it.name[0].isWord("all") {
			// SELECT ALL (x) + 1: ALL is SELECT's, not a call.
			g := it
			g.name = nil
			its = append(append(append([]item(nil), its[:i]...), it.name[0], g), its[i+1:]...)
			out = append(out, its[i])
			i++
			continue
		}
		if exprStartsAt(its, i) {
			p := &exprParser{r: r, its: its, i: i}
			e, ok := p.expr(0)
			if r.err != nil {
				return its
			}
			if ok && p.i > i {
				out = append(out, e...)
				i = p.i
				continue
			}
		}
		out = append(out, its[i])
		i++
	}
	return out
}

// positionArgs parses POSITION's arguments, b_expr IN b_expr: operands
// without IN, LIKE, BETWEEN, IS NULL, AND/OR/NOT, ANY/ALL, COLLATE or AT
// TIME ZONE, as PostgreSQL's grammar has them.
func (r *rw) positionArgs(its []item) []item {
	p := &exprParser{r: r, its: its, b: true}
	a, ok := p.expr(0)
	if !ok || !p.peek(0).isWord("in") {
		p.fail()
		return its
	}
	in := p.its[p.i]
	p.i++
	b, ok := p.operand(0)
	if !ok || p.i != len(its) {
		p.fail()
		return its
	}
	return append(append(a, in), b...)
}

// exprItems parses a list of items known to hold one expression (a LIMIT's
// count) and returns it printed.
func (r *rw) exprItems(its []item) []item {
	if len(its) == 0 {
		return its
	}
	p := &exprParser{r: r, its: its}
	e, ok := p.expr(0)
	if r.err != nil || !ok || p.i != len(its) {
		return its
	}
	return e
}

func exprStartsAt(its []item, i int) bool {
	if i == 0 {
		return true
	}
	prev := its[i-1]
	if prev.text != nil {
		return prev.raw == rawStartAfter
	}
	if prev.group {
		return false
	}
	return prev.tok.isOp(",") || prev.tok.kind == tkIdent && exprStartWords[prev.tok.text]
}

// exprParser is a precedence-climbing parser over one level of items.
type exprParser struct {
	r   *rw
	its []item
	i   int
	b   bool // PostgreSQL's b_expr: only arithmetic, comparison and IS [NOT] DISTINCT FROM
}

// bOperator reports whether op may continue a b_expr.
func (p *exprParser) bOperator(op infixOp) bool {
	switch op.kind {
	case opBinary:
		return op.name != "and" && op.name != "or"
	case opIs:
		return p.peek(1).isWord("distinct") || p.peek(1).isWord("not") && p.peek(2).isWord("distinct")
	}
	return false
}

func (p *exprParser) peek(k int) item {
	if p.i+k < len(p.its) {
		return p.its[p.i+k]
	}
	return item{tok: token{kind: tkEOF}, pos: -1}
}

// fail reports a syntax error at the current item (PostgreSQL's "syntax
// error at or near ...").
func (p *exprParser) fail() {
	if p.r.err != nil {
		return
	}
	pos := p.r.end // the level's closing parenthesis
	if p.i < len(p.its) {
		pos = p.its[p.i].pos
	}
	p.r.err = &posError{pos: pos, near: true} // pos -1: the statement's end
}

// expr parses an expression whose operators bind at least as tightly as
// min. ok is false (with no error) when no expression starts here.
func (p *exprParser) expr(min int) ([]item, bool) {
	left, ok := p.prefix()
	if !ok {
		return nil, false
	}
	last := 0 // the level of a non-associative operator that made left
	for p.r.err == nil {
		op := p.operator()
		if op.prec == 0 || op.prec < min || p.b && !p.bOperator(op) {
			break
		}
		if op.nonassoc && last == op.prec {
			p.fail() // a = b = c, a LIKE b LIKE c: PostgreSQL rejects these
			return nil, false
		}
		var closed bool
		left, closed, ok = p.apply(op, left)
		if !ok {
			p.fail()
			return nil, false
		}
		last = 0
		if op.nonassoc && !closed {
			last = op.prec
		}
	}
	return left, p.r.err == nil
}

// operand parses an operator's operand; a missing one is a syntax error.
func (p *exprParser) operand(min int) ([]item, bool) {
	e, ok := p.expr(min)
	if !ok {
		p.fail()
	}
	return e, ok
}

// prefix parses a prefix operator application or a primary.
func (p *exprParser) prefix() ([]item, bool) {
	it := p.peek(0)
	switch {
	case it.isOp("-", "+"):
		p.i++
		x, ok := p.operand(precUnary)
		if !ok {
			return nil, false
		}
		return []item{paren(it.pos, []item{it}, x)}, true
	case it.isOp("~", "|/", "||/", "@", "!!"):
		// Prefix operators bind like other operators: |/ 16 + 9 is |/ 25.
		p.i++
		x, ok := p.operand(precOp + 1)
		if !ok {
			return nil, false
		}
		switch it.tok.text {
		case "~":
			return []item{paren(it.pos, []item{it}, x)}, true
		case "|/":
			return opCall("sqrt", it.pos, x), true
		case "||/":
			return opCall("cbrt", it.pos, x), true
		case "@":
			return opCall("abs", it.pos, x), true
		}
		return opCall(it.tok.text, it.pos, x), true
	case it.isWord("not"):
		if p.b {
			return nil, false
		}
		p.i++
		x, ok := p.operand(precNot)
		if !ok {
			return nil, false
		}
		return []item{paren(it.pos, []item{it}, x)}, true
	}
	return p.primary()
}

// primary parses an operand: a literal, a (dotted) name, a parameter, a
// call or parenthesised group (with OVER ...), CASE ... END, EXISTS (...),
// or a unit another rule rewrote.
func (p *exprParser) primary() ([]item, bool) {
	start := p.i
	it := p.peek(0)
	switch {
	case it.text != nil:
		if it.raw != rawNone {
			return nil, false
		}
		p.i++
	case it.group:
		if it.open != "(" && len(it.name) == 0 {
			return nil, false
		}
		p.i++
	default:
		switch it.tok.kind {
		case tkNumber, tkString, tkParam:
			p.i++
		case tkQIdent:
			p.i++
			p.dotted()
		case tkIdent:
			w := it.tok.text
			switch {
			case w == "null":
				p.i++
			case w == "case":
				return p.caseExpr()
			case w == "exists" && p.peek(1).group && len(p.peek(1).name) == 0:
				p.i += 2
			case sqlKeywords[w]:
				return nil, false
			default:
				p.i++
				p.dotted()
			}
		default:
			return nil, false
		}
	}
	// f(x) OVER (...) or OVER w.
	if last := p.its[p.i-1]; (last.group && len(last.name) > 0 || last.text != nil) && p.peek(0).isWord("over") {
		if w := p.peek(1); w.group && len(w.name) == 0 || !w.group && w.text == nil && (w.tok.kind == tkIdent || w.tok.kind == tkQIdent) {
			p.i += 2
		}
	}
	return p.its[start:p.i], true
}

// dotted consumes the rest of a qualified name: .name, ."Name", .*
func (p *exprParser) dotted() {
	for p.peek(0).isOp(".") {
		n := p.peek(1)
		if n.group || n.text != nil || !(n.tok.kind == tkIdent || n.tok.kind == tkQIdent || n.tok.isOp("*")) {
			return
		}
		p.i += 2
		if n.tok.isOp("*") {
			return
		}
	}
}

// caseExpr parses CASE [x] WHEN c THEN v ... [ELSE e] END.
func (p *exprParser) caseExpr() ([]item, bool) {
	defer func(b bool) { p.b = b }(p.b)
	p.b = false // CASE's parts are full expressions, even in a b_expr
	out := []item{p.its[p.i]}
	p.i++
	if !p.peek(0).isWord("when") {
		x, ok := p.operand(0)
		if !ok {
			return nil, false
		}
		out = append(out, x...)
	}
	if !p.peek(0).isWord("when") {
		p.fail()
		return nil, false
	}
	for p.peek(0).isWord("when") {
		out = append(out, p.its[p.i])
		p.i++
		c, ok := p.operand(0)
		if !ok {
			return nil, false
		}
		out = append(out, c...)
		if !p.peek(0).isWord("then") {
			p.fail()
			return nil, false
		}
		out = append(out, p.its[p.i])
		p.i++
		v, ok := p.operand(0)
		if !ok {
			return nil, false
		}
		out = append(out, v...)
	}
	if p.peek(0).isWord("else") {
		out = append(out, p.its[p.i])
		p.i++
		v, ok := p.operand(0)
		if !ok {
			return nil, false
		}
		out = append(out, v...)
	}
	if !p.peek(0).isWord("end") {
		p.fail()
		return nil, false
	}
	out = append(out, p.its[p.i])
	p.i++
	return out, true
}

// opKind is the form of an infix or postfix operator.
type opKind int

const (
	opBinary  opKind = iota // a op b
	opAnyAll                // a op ANY|SOME|ALL (...)
	opIs                    // IS [NOT] NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM b
	opIsNull                // ISNULL, NOTNULL
	opIn                    // [NOT] IN (...)
	opBetween               // [NOT] BETWEEN [SYMMETRIC] a AND b
	opLike                  // [NOT] LIKE|ILIKE|SIMILAR TO b [ESCAPE c]
	opAt                    // AT TIME ZONE z
	opCollate               // COLLATE name (comparison is byte-wise anyway)
)

// infixOp describes the operator at the parser's position.
type infixOp struct {
	prec     int
	nonassoc bool
	kind     opKind
	name     string // the operator ("+", "like", "similar", ...)
	not      bool   // NOT LIKE, NOT IN, NOT BETWEEN
}

// binaryPrec is the level of each symbolic binary operator TiDB shares.
var binaryPrec = map[string]int{"+": precAdd, "-": precAdd, "*": precMul, "/": precMul, "%": precMul, "^": precPow,
	"<": precCmp, ">": precCmp, "=": precCmp, "<=": precCmp, ">=": precCmp, "<>": precCmp, "!=": precCmp}

// notOperators are symbols that never act as infix operators.
var notOperators = map[string]bool{",": true, "(": true, ")": true, "[": true, "]": true, ";": true, ".": true,
	"::": true, "=>": true, ":": true, "$": true, "|/": true, "||/": true, "@": true, "!!": true, "!": true}

func (p *exprParser) operator() infixOp {
	it := p.peek(0)
	if it.group || it.text != nil {
		return infixOp{}
	}
	t := it.tok
	switch t.kind {
	case tkOp:
		if notOperators[t.text] {
			return infixOp{}
		}
		prec, ok := binaryPrec[t.text]
		if !ok {
			prec = precOp
		}
		op := infixOp{prec: prec, nonassoc: prec == precCmp, kind: opBinary, name: t.text}
		if isAnyAll(p.peek(1)) {
			op.kind = opAnyAll
		}
		return op
	case tkIdent:
		next := p.peek(1)
		switch t.text {
		case "or":
			return infixOp{prec: precOr, name: "or"}
		case "and":
			return infixOp{prec: precAnd, name: "and"}
		case "is":
			return infixOp{prec: precIs, nonassoc: true, kind: opIs}
		case "isnull", "notnull":
			return infixOp{prec: precIs, nonassoc: true, kind: opIsNull, name: t.text}
		case "like", "ilike":
			op := infixOp{prec: precLike, nonassoc: true, kind: opLike, name: t.text}
			if isAnyAll(next) {
				op.kind = opAnyAll
			}
			return op
		case "similar":
			if next.isWord("to") {
				return infixOp{prec: precLike, nonassoc: true, kind: opLike, name: "similar"}
			}
		case "in":
			if next.group && next.open == "(" && len(next.name) == 0 && !p.r.noIn {
				return infixOp{prec: precLike, nonassoc: true, kind: opIn, name: "in"}
			}
		case "between":
			return infixOp{prec: precLike, nonassoc: true, kind: opBetween, name: "between"}
		case "not":
			var op infixOp
			switch {
			case next.isWord("like", "ilike"):
				op = infixOp{kind: opLike, name: next.tok.text}
				if isAnyAll(p.peek(2)) {
					op.kind = opAnyAll
				}
			case next.isWord("similar") && p.peek(2).isWord("to"):
				op = infixOp{kind: opLike, name: "similar"}
			case next.isWord("between"):
				op = infixOp{kind: opBetween, name: "between"}
			case next.isWord("in") && p.peek(2).group && p.peek(2).open == "(" && len(p.peek(2).name) == 0:
				op = infixOp{kind: opIn, name: "in"}
			default:
				return infixOp{}
			}
			op.prec, op.nonassoc, op.not = precLike, true, true
			return op
		case "at":
			if next.isWord("time") && p.peek(2).isWord("zone") {
				return infixOp{prec: precAt, kind: opAt}
			}
		case "collate":
			return infixOp{prec: precCollate, kind: opCollate}
		}
	}
	return infixOp{}
}

// isAnyAll reports whether it is ANY (...), SOME (...) or ALL (...).
func isAnyAll(it item) bool {
	return it.group && it.open == "(" && len(it.name) == 1 && it.name[0].isWord("any", "some", "all")
}

// apply consumes the operator at the parser's position and its right-hand
// operand. closed reports an operator that ends in its own closing token
// (IS NULL, IN (...), = ANY (...)), after which a same-level operator is
// no associativity conflict.
func (p *exprParser) apply(op infixOp, left []item) ([]item, bool, bool) {
	pos := left[0].pos
	opItem := p.its[p.i]
	switch op.kind {
	case opBinary:
		p.i++
		right, ok := p.operand(op.prec + 1)
		if !ok {
			return nil, false, false
		}
		return binaryItems(op.name, opItem, left, right), false, true
	case opAnyAll:
		var ops []item
		for !isAnyAll(p.peek(0)) {
			ops = append(ops, p.its[p.i])
			p.i++
		}
		g := p.its[p.i]
		p.i++
		return p.anyAll(pos, ops, g, left), true, true
	case opIs:
		p.i++
		not := false
		if p.peek(0).isWord("not") {
			not = true
			p.i++
		}
		w := p.peek(0)
		switch {
		case w.isWord("null", "true", "false", "unknown"):
			p.i++
			parts := []item{opItem}
			if not {
				parts = append(parts, word("not", w.pos))
			}
			return []item{paren(pos, left, parts, []item{w})}, true, true
		case w.isWord("distinct") && p.peek(1).isWord("from"):
			p.i += 2
			right, ok := p.operand(precIs + 1)
			if !ok {
				return nil, false, false
			}
			fn := "is_distinct"
			if not {
				fn = "<=>"
			}
			return opCall(fn, pos, left, right), false, true
		}
		return nil, false, false
	case opIsNull:
		p.i++
		parts := []item{word("is", opItem.pos)}
		if op.name == "notnull" {
			parts = append(parts, word("not", opItem.pos))
		}
		return []item{paren(pos, left, parts, []item{word("null", opItem.pos)})}, true, true
	case opIn:
		var ops []item
		if op.not {
			ops = append(ops, p.its[p.i])
			p.i++
		}
		// IN ((SELECT ...)) is IN a subquery (PostgreSQL's select_with_parens
		// takes any number of parentheses), not a list of one scalar
		// subquery.
		list := p.its[p.i+1]
		for len(list.inner) == 1 && isQueryGroup(list.inner[0]) {
			list = list.inner[0]
		}
		ops = append(ops, p.its[p.i], list)
		p.i += 2
		return []item{paren(pos, left, ops)}, true, true
	case opBetween:
		var ops []item
		if op.not {
			ops = append(ops, p.its[p.i])
			p.i++
		}
		ops = append(ops, p.its[p.i])
		p.i++
		symmetric := false
		if p.peek(0).isWord("symmetric", "asymmetric") {
			symmetric = p.peek(0).isWord("symmetric")
			p.i++
		}
		// The lower bound is PostgreSQL's b_expr: no AND, NOT, IS, LIKE,
		// COLLATE...
		b := p.b
		p.b = true
		lo, ok := p.operand(precIs)
		p.b = b
		if !ok {
			return nil, false, false
		}
		and := p.peek(0)
		if !and.isWord("and") {
			p.fail()
			return nil, false, false
		}
		p.i++
		hi, ok := p.operand(precLike + 1)
		if !ok {
			return nil, false, false
		}
		if !symmetric {
			return []item{paren(pos, left, ops, lo, []item{and}, hi)}, false, true
		}
		// x BETWEEN SYMMETRIC a AND b: either order of the bounds.
		bw := ops[len(ops)-1]
		e := paren(pos, []item{paren(pos, left, []item{bw}, lo, []item{and}, hi)}, []item{word("or", pos)},
			[]item{paren(pos, left, []item{bw}, hi, []item{and}, lo)})
		if op.not {
			return []item{paren(pos, []item{word("not", pos)}, []item{e})}, false, true
		}
		return []item{e}, false, true
	case opLike:
		if op.not {
			p.i++
		}
		p.i++
		if op.name == "similar" {
			p.i++ // TO
		}
		pat, ok := p.operand(precLike + 1)
		if !ok {
			return nil, false, false
		}
		var esc []item
		if p.peek(0).isWord("escape") {
			escItem := p.its[p.i]
			p.i++
			e, ok := p.operand(precLike + 1)
			if !ok {
				return nil, false, false
			}
			esc = append([]item{escItem}, e...)
		}
		if op.name == "similar" {
			// x SIMILAR TO p: a regular expression match against
			// similar_to_escape(p[, e]), as PostgreSQL rewrites it.
			args := [][]item{pat}
			if esc != nil {
				args = append(args, esc[1:])
			}
			re := callItem(textItem("similar_to_escape", pos), pos, args...)
			m := opCall("~", pos, left, []item{re}, []item{textItem("'c'", pos)})
			if op.not {
				return []item{paren(pos, []item{word("not", pos)}, m)}, false, true
			}
			return m, false, true
		}
		if esc != nil && !(len(esc) == 2 && !esc[1].group && esc[1].text == nil && esc[1].tok.kind == tkString) {
			// TiDB takes only a string literal after ESCAPE: any other
			// escape (NULL, a column) is the like function's argument.
			name := op.name
			if op.not {
				name = "not " + name
			}
			return opCall(name, pos, left, pat, esc[1:]), false, true
		}
		ops := []item{word(op.name, opItem.pos)}
		if op.not {
			ops = append([]item{word("not", opItem.pos)}, ops...)
		}
		return []item{paren(pos, left, ops, pat, esc)}, false, true
	case opAt:
		p.i += 3
		zone, ok := p.operand(precAt + 1)
		if !ok {
			return nil, false, false
		}
		return opCall("timezone", pos, zone, left), false, true
	case opCollate:
		p.i++
		n := p.peek(0)
		if n.group || n.text != nil || (n.tok.kind != tkIdent && n.tok.kind != tkQIdent) {
			return nil, false, false
		}
		p.i++
		for p.peek(0).isOp(".") && !p.peek(1).group && p.peek(1).text == nil && (p.peek(1).tok.kind == tkIdent || p.peek(1).tok.kind == tkQIdent) {
			n = p.peek(1) // pg_catalog."C"
			p.i += 2
		}
		// The collation's name is the call's second argument.
		return opCall("collate", pos, left, []item{textItem(quoteString(n.tok.text), n.pos)}), false, true
	}
	return nil, false, false
}

// binaryItems prints a op b.
func binaryItems(op string, opItem item, left, right []item) []item {
	pos := left[0].pos
	switch op {
	case "+", "-", "*", "/", "%", "<", ">", "=", "<=", ">=", "<>", "!=", "||", "&", "|", "<<", ">>", "and", "or":
		return []item{paren(pos, left, []item{opItem}, right)}
	case "^":
		return opCall("power", pos, left, right)
	case "#":
		// Bitwise XOR is TiDB's ^ (# would start a MySQL comment).
		return []item{paren(pos, left, []item{textItem("^", opItem.pos)}, right)}
	case "~", "~*", "!~", "!~*":
		flags := "'c'"
		if op == "~*" || op == "!~*" {
			flags = "'i'"
		}
		m := opCall("~", pos, left, right, []item{textItem(flags, opItem.pos)})
		if op[0] == '!' {
			return []item{paren(pos, []item{word("not", opItem.pos)}, m)}
		}
		return m
	case "~~", "!~~", "~~*", "!~~*":
		var ops []item
		if op[0] == '!' {
			ops = append(ops, word("not", opItem.pos))
		}
		if op[len(op)-1] == '*' {
			ops = append(ops, word("ilike", opItem.pos))
		} else {
			ops = append(ops, word("like", opItem.pos))
		}
		return []item{paren(pos, left, ops, right)}
	case "->":
		return opCall("->", pos, left, right)
	case "->>":
		return opCall("->>", pos, left, right)
	case "#>":
		return opCall("#>", pos, left, right)
	case "#>>":
		return opCall("#>>", pos, left, right)
	case "^@":
		return opCall("starts_with", pos, left, right)
	}
	// Operators lakesql has no kernel for bind (and fail) by their name.
	return opCall(op, pos, left, right)
}

// anyAll prints x op ANY|SOME|ALL (g): an IN list for = ANY (ARRAY[...]),
// a chain of OR/AND for other operators over an ARRAY[...] literal, TiDB's
// own form for a subquery, and a membership test on an array value.
func (p *exprParser) anyAll(pos int, ops []item, g item, left []item) []item {
	all := g.name[0].isWord("all")
	op := ""
	for _, o := range ops {
		if op != "" {
			op += " "
		}
		op += o.tok.text
	}
	inner := g.inner
	// ANY ((SELECT ...)): the extra parentheses do not make an array.
	if len(inner) == 1 && inner[0].group && len(inner[0].name) == 0 && len(inner[0].inner) > 0 && inner[0].inner[0].isWord("select", "with", "values") {
		inner = inner[0].inner
	}
	if len(inner) > 0 && inner[0].isWord("select", "with", "values") {
		sub := item{group: true, open: "(", inner: inner, pos: g.pos}
		return []item{paren(pos, left, ops, []item{word(g.name[0].tok.text, g.pos), sub})}
	}
	if len(inner) == 1 && inner[0].group && len(inner[0].name) == 1 && inner[0].name[0].text != nil && *inner[0].name[0].text == quoteIdent(arrayFunc) {
		elems := splitTop(inner[0].inner)
		if len(inner[0].inner) > 0 {
			switch {
			case (op == "=") && !all:
				return []item{paren(pos, left, []item{word("in", g.pos)}, []item{{group: true, open: "(", inner: inner[0].inner, pos: g.pos}})}
			case (op == "<>" || op == "!=") && all:
				return []item{paren(pos, left, []item{word("not", g.pos), word("in", g.pos)}, []item{{group: true, open: "(", inner: inner[0].inner, pos: g.pos}})}
			}
			join := "or"
			if all {
				join = "and"
			}
			var parts [][]item
			for k, e := range elems {
				if k > 0 {
					parts = append(parts, []item{word(join, g.pos)})
				}
				parts = append(parts, p.compare(ops, left, e))
			}
			return []item{paren(pos, parts...)}
		}
	}
	arr := []item{{group: true, open: "(", inner: inner, pos: g.pos}}
	switch {
	case op == "=" && !all:
		return opCall("array_contains", pos, arr, left)
	case (op == "<>" || op == "!=") && all:
		return []item{paren(pos, []item{word("not", g.pos)}, opCall("array_contains", pos, arr, left))}
	}
	quant := "any"
	if all {
		quant = "all"
	}
	return opCall("array_"+quant+" "+op, pos, arr, left)
}

// compare prints left <ops> right for one element of an ANY/ALL list.
func (p *exprParser) compare(ops []item, left, right []item) []item {
	switch {
	case len(ops) == 1 && ops[0].tok.kind == tkOp:
		return binaryItems(ops[0].tok.text, ops[0], left, right)
	}
	return []item{paren(left[0].pos, left, ops, right)} // [NOT] LIKE / ILIKE
}

// paren groups the concatenated parts in parentheses.
func paren(pos int, parts ...[]item) item {
	var inner []item
	for _, p := range parts {
		inner = append(inner, p...)
	}
	return item{group: true, open: "(", inner: inner, pos: pos}
}

// opCall prints the bridge's call of operator op (decoded by BuiltinName).
func opCall(op string, pos int, args ...[]item) []item {
	return []item{callItem(textItem(quoteIdent(opPrefix+op), pos), pos, args...)}
}

// callItem is a call of name with the given arguments.
func callItem(name item, pos int, args ...[]item) item {
	var inner []item
	for k, a := range args {
		if k > 0 {
			inner = append(inner, item{tok: token{kind: tkOp, text: ","}, pos: a[0].pos})
		}
		inner = append(inner, a...)
	}
	return item{group: true, open: "(", name: []item{name}, inner: inner, pos: pos}
}

// word is a keyword item the bridge adds.
func word(w string, pos int) item { return item{tok: token{kind: tkIdent, text: w}, pos: pos} }

// isQueryGroup reports whether an item is a parenthesised query: (SELECT
// ...), (WITH ...), (VALUES ...), (TABLE t), or one in more parentheses.
func isQueryGroup(it item) bool {
	if !it.group || it.open != "(" || len(it.name) > 0 || len(it.inner) == 0 {
		return false
	}
	return it.inner[0].isWord("select", "with", "values", "table") || len(it.inner) == 1 && isQueryGroup(it.inner[0])
}
