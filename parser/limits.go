package parser

import (
	"strconv"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Limits on what one statement may ask of the parser and the planner, so
// that no statement text, however long, exhausts the server's stack or
// memory. Past them a statement is an error, as in PostgreSQL.
const (
	// MaxParams is the highest parameter number ($n): the wire protocol's
	// Bind message counts parameters in 16 bits.
	MaxParams = 65535
	// MaxNesting bounds the nesting of parentheses and brackets (and so of
	// subqueries, function calls and ARRAY constructors).
	MaxNesting = 1000
	// MaxExprDepth bounds the depth of the statement's syntax tree, which
	// long operator chains (1+1+...+1) build without any parentheses.
	MaxExprDepth = 10000
)

// tooDeep is PostgreSQL's error for a statement nested past the limit.
func tooDeep(detail string) *sqlerr.Error {
	e := sqlerr.New(sqlerr.StatementTooComplex, "stack depth limit exceeded")
	e.Detail = detail
	return e
}

// checkTokens validates parameter numbers (42P02 for $0 or a number past
// MaxParams, before anything is sized by it) and the nesting of
// parentheses and brackets (54001), before any recursive pass runs.
func checkTokens(sql string, toks []token) error {
	depth := 0
	cases := 0 // CASE ... END nests as parentheses do
	casts := 0 // :: in a row (x::a::b::c nests as deeply as parentheses)
	for _, t := range toks {
		if t.kind == tkOp && t.text != "::" && t.text != "[" && t.text != "]" {
			casts = 0
		}
		switch {
		case t.kind == tkOp && t.text == "::":
			casts++
			if casts > MaxNesting {
				e := tooDeep("The statement chains more than " + strconv.Itoa(MaxNesting) + " casts.")
				e.Position = syntaxErr(sql, t.pos, "").Position
				return e
			}
		case t.kind == tkParam:
			n, err := strconv.Atoi(t.text)
			if err != nil || n < 1 || n > MaxParams {
				e := sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%s", t.text)
				e.Position = syntaxErr(sql, t.pos, "").Position
				return e
			}
		case t.kind == tkOp && (t.text == "(" || t.text == "["):
			depth++
			if depth > MaxNesting {
				e := tooDeep("The statement nests parentheses or brackets more than " + strconv.Itoa(MaxNesting) + " levels deep.")
				e.Position = syntaxErr(sql, t.pos, "").Position
				return e
			}
		case t.kind == tkOp && (t.text == ")" || t.text == "]"):
			depth--
		case t.kind == tkIdent && t.text == "case":
			cases++
			if cases > MaxNesting {
				e := tooDeep("The statement nests CASE more than " + strconv.Itoa(MaxNesting) + " levels deep.")
				e.Position = syntaxErr(sql, t.pos, "").Position
				return e
			}
		case t.kind == tkIdent && t.text == "end" && cases > 0:
			cases--
		}
	}
	return nil
}

// depthVisitor measures a syntax tree's depth without descending past
// MaxExprDepth, so the walk's own recursion stays bounded.
type depthVisitor struct {
	depth, max int
}

// Parentheses do not count: the bridge writes them around every operand
// it reorders, so they would double the depth of plain operator chains.
func (v *depthVisitor) Enter(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.ParenthesesExpr); ok {
		return n, false
	}
	v.depth++
	if v.depth > v.max {
		v.max = v.depth
	}
	return n, v.depth > MaxExprDepth
}

func (v *depthVisitor) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.ParenthesesExpr); ok {
		return n, true
	}
	v.depth--
	return n, true
}

// checkDepth rejects a syntax tree deeper than MaxExprDepth (54001).
func checkDepth(n ast.Node) error {
	v := &depthVisitor{}
	n.Accept(v)
	if v.max > MaxExprDepth {
		return tooDeep("The statement's expressions nest more than " + strconv.Itoa(MaxExprDepth) + " levels deep.")
	}
	return nil
}
