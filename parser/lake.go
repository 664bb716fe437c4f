package parser

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Drill's lake syntax, expressed in forms TiDB's grammar accepts (the
// decoders are at the end of this file; the statements the bridge parses
// itself are in lake_utility.go):
//
//	dfs.root.`logs/2024`, dfs.tmp.t     "dfs.root"."logs/2024" (a three-part table name)
//	t.a.b.c, t.arr[0].name              field(...), subscript(...) (marked names)
//	f(name => value)                    f(named_arg('name', value))
//	table(dfs.`x.txt`(type => 'text'))  a table function file('dfs', 'x.txt', options...) (a marked name)

const (
	namedArgFunc = marker + "named_arg"
	// FileFunction is the table function the bridge writes for Drill's
	// table(workspace.`path`(options)).
	FileFunction = marker + "file"
)

// isNameItem reports whether an item is a plain or quoted name.
func isNameItem(it item) bool {
	if it.group || it.text != nil {
		return false
	}
	return it.tok.kind == tkQIdent || it.tok.kind == tkIdent && !sqlKeywords[it.tok.text]
}

// tablePositionWords are the words a table name follows.
var tablePositionWords = map[string]bool{"from": true, "join": true, "table": true, "view": true, "into": true,
	"update": true, "exists": true, "straight_join": true}

// ruleWorkspaceNames rewrites three-part table names (Drill's workspace
// form: dfs.root.`path`, dfs.tmp.name) into a two-part name whose schema
// holds the first two parts: "dfs.root"."path". TiDB takes three-part
// names for columns only.
func (r *rw) ruleWorkspaceNames(its []item) []item {
	inFrom := false
	for i := 0; i < len(its); i++ {
		it := its[i]
		switch {
		case it.isWord("from", "join", "straight_join"):
			inFrom = true
		case it.isWord("where", "group", "order", "having", "limit", "union", "except", "intersect", "on", "using", "window", "select"):
			inFrom = false
		}
		after := !it.group && it.text == nil && (it.tok.kind == tkIdent && tablePositionWords[it.tok.text] || inFrom && it.isOp(","))
		if !after || i+5 >= len(its) {
			continue
		}
		a, d1, b, d2, c := its[i+1], its[i+2], its[i+3], its[i+4], its[i+5]
		if !isNameItem(a) || !d1.isOp(".") || !isNameItem(b) || !d2.isOp(".") || !isNameItem(c) {
			continue
		}
		if i+6 < len(its) && (its[i+6].isOp(".") || its[i+6].group && its[i+6].open == "(") {
			continue
		}
		name := quoteIdent(a.tok.text+"."+b.tok.text) + "." + quoteIdent(c.tok.text)
		its = append(its[:i+1], append([]item{textItem(name, a.pos)}, its[i+6:]...)...)
	}
	return its
}

// ruleNestedAccess rewrites access paths into nested values that TiDB's
// grammar cannot hold: dotted names of four or more parts (t.a.b.c) and
// paths that go on after a subscript (t.arr[0].name). The first three
// names stay a (schema.table.column) name the planner resolves; each
// further step becomes a field(x, 'name') or subscript(x, i) call.
func (r *rw) ruleNestedAccess(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if !isNameItem(it) || i > 0 && its[i-1].isOp(".") || i+1 < len(its) && its[i+1].group && its[i+1].open == "(" {
			out = append(out, it)
			continue
		}
		// The chain: names joined by dots, and [..] subscripts.
		type step struct {
			name string
			sub  *item
		}
		names := []item{it}
		var steps []step
		j := i + 1
		for j < len(its) {
			if its[j].isOp(".") && j+1 < len(its) && isNameItem(its[j+1]) {
				if len(steps) == 0 && len(names) < 3 {
					names = append(names, its[j+1])
				} else {
					steps = append(steps, step{name: its[j+1].tok.text})
				}
				j += 2
				continue
			}
			if its[j].group && its[j].open == "[" && len(its[j].name) == 0 && len(its[j].inner) > 0 {
				g := its[j]
				steps = append(steps, step{sub: &g})
				j++
				continue
			}
			break
		}
		// Leave the forms the other rules handle: up to three names,
		// optionally followed by subscripts only.
		fieldAfter := false
		for _, s := range steps {
			if s.sub == nil {
				fieldAfter = true
			}
		}
		if !fieldAfter {
			out = append(out, it)
			continue
		}
		var dotted []item
		for k, n := range names {
			if k > 0 {
				dotted = append(dotted, item{tok: token{kind: tkOp, text: "."}, pos: n.pos})
			}
			dotted = append(dotted, n)
		}
		expr := r.renderDotted(dotted)
		for _, s := range steps {
			if s.sub != nil {
				expr = mk(subscriptFunc) + "(" + expr + ", " + r.text(s.sub.inner) + ")"
			} else {
				expr = mk(fieldFunc) + "((" + expr + "), " + quoteString(s.name) + ")"
			}
		}
		out = append(out, textItem(expr, it.pos))
		i = j - 1
	}
	return out
}

// ruleNamedArgs rewrites named arguments, f(name => value), into
// f(named_arg('name', value)) (decoded by NamedArgOf).
func (r *rw) ruleNamedArgs(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if i+1 < len(its) && its[i+1].isOp("=>") && !it.group && it.text == nil && (it.tok.kind == tkIdent || it.tok.kind == tkQIdent) &&
			(i == 0 || its[i-1].isOp(",")) {
			j := i + 2
			for j < len(its) && !its[j].isOp(",") {
				j++
			}
			if j == i+2 {
				r.err = syntaxErrAt(its[i+1].pos, "syntax error at or near \"=>\"")
				return its
			}
			out = append(out, textItem(mk(namedArgFunc)+"("+quoteString(strings.ToLower(it.tok.text))+", "+r.text(its[i+2:j])+")", it.pos))
			i = j - 1
			continue
		}
		out = append(out, it)
	}
	return out
}

// ruleTableForm rewrites Drill's table(workspace.`path`(name => value, ...))
// into the table function FileFunction('workspace', 'path', options...).
func (r *rw) ruleTableForm(its []item) []item {
	for i := 0; i+1 < len(its); i++ {
		if !its[i].isWord("table") || !(its[i+1].group && its[i+1].open == "(" && len(its[i+1].name) == 0) {
			continue
		}
		inner := its[i+1].inner
		if len(inner) == 0 || !inner[len(inner)-1].group || len(inner[len(inner)-1].name) == 0 {
			continue
		}
		call := inner[len(inner)-1]
		var parts []string
		for _, it := range inner[:len(inner)-1] {
			if it.isOp(".") {
				continue
			}
			if !isNameItem(it) {
				parts = nil
				break
			}
			parts = append(parts, it.tok.text)
		}
		for _, n := range call.name {
			if n.isOp(".") {
				continue
			}
			parts = append(parts, n.tok.text)
		}
		if len(parts) == 0 {
			continue
		}
		path := parts[len(parts)-1]
		ws := strings.Join(parts[:len(parts)-1], ".")
		args := quoteString(ws) + ", " + quoteString(path)
		if a := r.text(call.inner); a != "" {
			args += ", " + a
		}
		text := "(select " + mk(tableFuncFunc) + "(" + quoteString(FileFunction) + ", " + args + "))"
		next := i + 2
		if !(next < len(its) && (its[next].isWord("as") || isNameItem(its[next]))) {
			text += " as " + quoteIdent(fileAlias(path))
		}
		its = append(its[:i], append([]item{textItem(text, its[i].pos)}, its[i+2:]...)...)
	}
	return its
}

// fileAlias is the default alias of a file read through a table function:
// its name without folders and extensions.
func fileAlias(p string) string {
	p = strings.TrimRight(p, "/")
	if k := strings.LastIndexByte(p, '/'); k >= 0 {
		p = p[k+1:]
	}
	if k := strings.IndexByte(p, '.'); k > 0 {
		p = p[:k]
	}
	if p == "" || strings.ContainsAny(p, "*?[") {
		return "file"
	}
	return p
}

// NamedArgOf decodes a named argument, name => value.
func NamedArgOf(n ast.ExprNode) (name string, value ast.ExprNode, ok bool) {
	fn, isCall := n.(*ast.FuncCallExpr)
	if !isCall || fn.FnName.L != namedArgFunc || len(fn.Args) != 2 {
		return "", nil, false
	}
	name, ok = stringArg(fn.Args[0])
	return name, fn.Args[1], ok
}

// ViewBody is the query of a CREATE VIEW statement's text: what follows
// its AS (a stored view keeps only that).
func ViewBody(st Statement) string {
	toks, err := lex(st.Text)
	if err != nil {
		return st.Text
	}
	seenView := false
	depth := 0
	for i, t := range toks {
		switch {
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		case t.is("view"):
			seenView = true
		case seenView && depth == 0 && t.is("as") && i+1 < len(toks) && toks[i+1].kind != tkEOF:
			return strings.TrimSpace(st.Text[toks[i+1].pos:])
		}
	}
	return st.Text
}
