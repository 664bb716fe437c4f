package parser

import (
	"strconv"
	"strings"

	"github.com/lakesql/lakesql/sqlerr"
)

// UtilityKind names a session-level statement the bridge parses itself
// (TiDB's grammar spells these the MySQL way).
type UtilityKind int

const (
	UtilNone       UtilityKind = iota
	UtilSet                    // SET [SESSION|LOCAL] name {TO|=} value | SET TIME ZONE v
	UtilShow                   // SHOW name | SHOW ALL
	UtilReset                  // RESET name | RESET ALL
	UtilBegin                  // BEGIN | START TRANSACTION [...]
	UtilCommit                 // COMMIT | END
	UtilRollback               // ROLLBACK [TO SAVEPOINT x] | ABORT
	UtilSavepoint              // SAVEPOINT x | RELEASE [SAVEPOINT] x
	UtilDiscard                // DISCARD ALL|PLANS|...
	UtilDeallocate             // DEALLOCATE [PREPARE] name|ALL
	UtilSetCharacteristics
	UtilIgnored // statements accepted and ignored (e.g. SET CONSTRAINTS, LISTEN)
	UtilCopy    // COPY (query) TO STDOUT [WITH] [(options)] / CSV [HEADER]
	UtilDeclare // DECLARE name [NO SCROLL] CURSOR [WITH HOLD] FOR query
	UtilFetch   // FETCH [NEXT|FORWARD] [n|ALL] [FROM|IN] name; MOVE likewise
	UtilClose   // CLOSE name | CLOSE ALL
	UtilLake    // Drill's lake statements (see lake_utility.go)
)

// Utility is a parsed session statement.
type Utility struct {
	Kind  UtilityKind
	Name  string // setting name, lower case ("all" for SHOW ALL / RESET ALL)
	Value string // SET value as text ("" with Default)
	// Default is SET name TO DEFAULT.
	Default bool
	// Local is SET LOCAL.
	Local bool
	// ToSavepoint is ROLLBACK TO SAVEPOINT.
	ToSavepoint bool
	// Copy describes COPY ... TO STDOUT.
	Copy *CopyOptions
	// Query is DECLARE's query text; Count is FETCH's row count (-1: all).
	Query string
	Count int64
	Move  bool
	// Chain is COMMIT|ROLLBACK AND CHAIN: a new transaction starts at once.
	Chain bool
	// Lake is a Drill statement: SHOW FILES, DESCRIBE, USE, CTAS, ...
	Lake *LakeStatement
}

// CopyOptions are the options of COPY (query) TO STDOUT.
type CopyOptions struct {
	Query     string // the query text (or "TABLE name")
	CSV       bool
	Header    bool
	Delimiter string
	Null      string
}

// utilityParser reads a utility statement token by token, following
// PostgreSQL's grammar: anything left over is a syntax error.
type utilityParser struct {
	toks []token
	i    int
	sql  string
	term token // the ';' or end of input after the statement
	err  error
}

func (p *utilityParser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tkEOF}
}

// accept consumes the next token when it is one of the words.
func (p *utilityParser) accept(words ...string) bool {
	if p.peek().is(words...) {
		p.i++
		return true
	}
	return false
}

// fail reports a syntax error at the next token.
func (p *utilityParser) fail() {
	if p.err != nil {
		return
	}
	if p.i >= len(p.toks) {
		p.err = endErr(p.sql, p.term)
		return
	}
	t := p.toks[p.i]
	p.err = syntaxErr(p.sql, t.pos, "syntax error at or near \"%s\"", p.sql[t.pos:t.pos+tokenLen(p.sql, t)])
}

// expect consumes one of the words or fails.
func (p *utilityParser) expect(words ...string) bool {
	if p.accept(words...) {
		return true
	}
	p.fail()
	return false
}

// done fails unless every token was read.
func (p *utilityParser) done() bool {
	if p.i < len(p.toks) {
		p.fail()
		return false
	}
	return p.err == nil
}

// name reads a ColId: an identifier or a keyword PostgreSQL does not reserve.
func (p *utilityParser) name() (string, bool) {
	t := p.peek()
	if t.kind == tkQIdent || t.kind == tkIdent && !pgReservedWords[t.text] {
		p.i++
		return t.text, true
	}
	p.fail()
	return "", false
}

// varName reads a setting name: name[.name...].
func (p *utilityParser) varName() (string, bool) {
	n, ok := p.name()
	for ok && p.peek().isOp(".") {
		p.i++
		var m string
		if m, ok = p.name(); ok {
			n += "." + m
		}
	}
	return strings.ToLower(n), ok
}

// varValue reads one SET value: a string, a signed number, a word.
func (p *utilityParser) varValue() (string, bool) {
	t := p.peek()
	switch {
	case t.kind == tkString:
		p.i++
		return t.text, true
	case t.isOp("-", "+"):
		p.i++
		n := p.peek()
		if n.kind != tkNumber {
			p.fail()
			return "", false
		}
		p.i++
		if t.text == "-" {
			return "-" + n.text, true
		}
		return n.text, true
	case t.kind == tkNumber:
		p.i++
		return t.text, true
	case t.is("true", "false", "on"):
		p.i++
		return t.text, true
	}
	return p.name()
}

// transactionModes reads [mode [[,] mode ...]]: ISOLATION LEVEL ...,
// READ ONLY|WRITE, [NOT] DEFERRABLE (lakesql has one mode; all are accepted).
func (p *utilityParser) transactionModes() bool {
	first := true
	for p.err == nil && p.i < len(p.toks) {
		if !first && p.peek().isOp(",") {
			p.i++
		}
		first = false
		switch {
		case p.accept("isolation"):
			if !p.expect("level") {
				return false
			}
			switch {
			case p.accept("serializable"):
			case p.accept("repeatable"):
				p.expect("read")
			case p.accept("read"):
				p.expect("committed", "uncommitted")
			default:
				p.fail()
			}
		case p.accept("read"):
			p.expect("only", "write")
		case p.accept("deferrable"):
		case p.accept("not"):
			p.expect("deferrable")
		default:
			p.fail()
		}
	}
	return p.err == nil
}

// chain reads [AND [NO] CHAIN] after COMMIT or ROLLBACK.
func (p *utilityParser) chain(u *Utility) {
	if p.accept("and") {
		no := p.accept("no")
		if p.expect("chain") {
			u.Chain = !no
		}
	}
}

// parseUtility recognises a utility statement from its tokens: nil (and
// no error) when the statement is not one.
func parseUtility(toks []token, sql string, term token) (*Utility, error) {
	if len(toks) == 0 || toks[0].kind != tkIdent {
		return nil, nil
	}
	if l := parseLake(toks, sql); l != nil {
		return &Utility{Kind: UtilLake, Lake: l}, nil
	}
	p := &utilityParser{toks: toks, i: 1, sql: sql, term: term}
	u := p.utility(toks[0].text)
	if u == nil && p.err == nil {
		return nil, nil
	}
	if p.err == nil {
		p.done()
	}
	if p.err != nil {
		return nil, p.err
	}
	return u, nil
}

func (p *utilityParser) utility(first string) *Utility {
	toks := p.toks
	switch first {
	case "show":
		u := &Utility{Kind: UtilShow}
		switch {
		case p.accept("all"):
			u.Name = "all"
		case p.accept("time"):
			p.expect("zone")
			u.Name = "timezone"
		case p.peek().is("transaction") && len(toks) > 2 && toks[2].is("isolation"):
			p.i++
			p.expect("isolation")
			p.expect("level")
			u.Name = "transaction_isolation"
		case p.peek().is("session") && len(toks) > 2 && toks[2].is("authorization"):
			p.i += 2
			u.Name = "session_authorization"
		default:
			u.Name, _ = p.varName()
		}
		return u
	case "reset":
		u := &Utility{Kind: UtilReset}
		switch {
		case p.accept("all"):
			u.Name = "all"
		case p.accept("time"):
			p.expect("zone")
			u.Name = "timezone"
		case p.peek().is("session") && len(toks) > 2 && toks[2].is("authorization"):
			p.i += 2
			return &Utility{Kind: UtilIgnored, Name: "reset"}
		default:
			u.Name, _ = p.varName()
		}
		return u
	case "set":
		return p.set()
	case "begin":
		p.accept("work", "transaction")
		p.transactionModes()
		return &Utility{Kind: UtilBegin}
	case "start":
		p.expect("transaction")
		p.transactionModes()
		return &Utility{Kind: UtilBegin}
	case "commit", "end":
		u := &Utility{Kind: UtilCommit}
		p.accept("work", "transaction")
		p.chain(u)
		return u
	case "rollback", "abort":
		u := &Utility{Kind: UtilRollback}
		p.accept("work", "transaction")
		if first == "rollback" && p.accept("to") {
			p.accept("savepoint")
			u.ToSavepoint = true
			u.Name, _ = p.name()
			return u
		}
		p.chain(u)
		return u
	case "savepoint":
		u := &Utility{Kind: UtilSavepoint}
		u.Name, _ = p.name()
		return u
	case "release":
		u := &Utility{Kind: UtilSavepoint}
		p.accept("savepoint")
		u.Name, _ = p.name()
		return u
	case "discard":
		u := &Utility{Kind: UtilDiscard}
		if p.expect("all", "plans", "sequences", "temporary", "temp") {
			u.Name = toks[1].text
		}
		return u
	case "deallocate":
		p.accept("prepare")
		u := &Utility{Kind: UtilDeallocate}
		if p.accept("all") {
			u.Name = "all"
		} else {
			u.Name, _ = p.name()
		}
		return u
	case "copy":
		u := parseCopy(toks, p.sql)
		if u != nil {
			p.i = len(toks)
		}
		return u
	case "declare":
		for i := 1; i < len(toks); i++ {
			if toks[i].is("for") && i+1 < len(toks) {
				last := toks[len(toks)-1]
				p.i = len(toks)
				return &Utility{Kind: UtilDeclare, Name: toks[1].text, Query: p.sql[toks[i+1].pos : last.pos+tokenLen(p.sql, last)]}
			}
		}
		return nil
	case "fetch", "move":
		return p.fetch(first == "move")
	case "close":
		u := &Utility{Kind: UtilClose}
		if p.accept("all") {
			u.Name = "all"
		} else {
			u.Name, _ = p.name()
		}
		return u
	case "listen":
		p.name()
		return &Utility{Kind: UtilIgnored, Name: first}
	case "unlisten":
		if p.peek().isOp("*") {
			p.i++
		} else {
			p.name()
		}
		return &Utility{Kind: UtilIgnored, Name: first}
	case "notify":
		p.name()
		if p.peek().isOp(",") {
			p.i++
			if p.peek().kind != tkString {
				p.fail()
			}
			p.i++
		}
		return &Utility{Kind: UtilIgnored, Name: first}
	case "checkpoint":
		return &Utility{Kind: UtilIgnored, Name: first}
	case "vacuum", "analyze", "lock":
		p.i = len(toks)
		return &Utility{Kind: UtilIgnored, Name: first}
	}
	return nil
}

// set reads SET [SESSION|LOCAL] ...
func (p *utilityParser) set() *Utility {
	u := &Utility{Kind: UtilSet}
	if p.peek().is("session", "local") && !(p.i+1 < len(p.toks) && p.toks[p.i+1].is("characteristics", "authorization", "to") || p.i+1 < len(p.toks) && p.toks[p.i+1].isOp("=")) {
		u.Local = p.peek().text == "local"
		p.i++
	}
	switch {
	case p.accept("session"):
		if p.accept("characteristics") {
			p.expect("as")
			p.expect("transaction")
			p.transactionModes()
			return &Utility{Kind: UtilSetCharacteristics}
		}
		p.expect("authorization")
		if !p.accept("default") {
			p.varValue()
		}
		return &Utility{Kind: UtilIgnored, Name: "set"}
	case p.accept("transaction"):
		if p.accept("snapshot") {
			p.varValue()
		} else {
			p.transactionModes()
		}
		return &Utility{Kind: UtilIgnored, Name: "set"}
	case p.accept("role"):
		p.varValue()
		return &Utility{Kind: UtilIgnored, Name: "set"}
	case p.accept("constraints"):
		if !p.accept("all") {
			p.name()
			for p.err == nil && p.peek().isOp(",") {
				p.i++
				p.name()
			}
		}
		p.expect("deferred", "immediate")
		return &Utility{Kind: UtilIgnored, Name: "set"}
	case p.accept("names"):
		if !p.accept("default") {
			u.Name = "client_encoding"
			u.Value, _ = p.varValue()
		}
		if u.Name == "" {
			return &Utility{Kind: UtilIgnored, Name: "set"}
		}
		return u
	case p.peek().is("schema") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tkString:
		p.i++
		u.Name = "search_path"
		u.Value, _ = p.varValue()
		return u
	case p.peek().is("time") && p.i+1 < len(p.toks) && p.toks[p.i+1].is("zone"):
		p.i += 2
		u.Name = "timezone"
		switch {
		case p.accept("local", "default"):
			u.Default = true
		case p.accept("interval"):
			if p.peek().kind != tkString {
				p.fail()
				return u
			}
			u.Value, _ = p.varValue()
			if p.accept("hour") && p.accept("to") {
				p.expect("minute")
			}
		default:
			u.Value, _ = p.varValue()
		}
		return u
	}
	var ok bool
	if u.Name, ok = p.varName(); !ok {
		return u
	}
	if p.accept("from") {
		p.expect("current")
		return &Utility{Kind: UtilIgnored, Name: "set"}
	}
	if p.peek().isOp("=") {
		p.i++
	} else if !p.expect("to") {
		return u
	}
	if p.accept("default") {
		u.Default = true
		return u
	}
	var vals []string
	for p.err == nil {
		v, ok := p.varValue()
		if !ok {
			break
		}
		vals = append(vals, v)
		if !p.peek().isOp(",") {
			break
		}
		p.i++
	}
	u.Value = strings.Join(vals, ", ")
	return u
}

// fetch reads FETCH|MOVE [NEXT|FORWARD [n|ALL]|n|ALL] [FROM|IN] cursor.
func (p *utilityParser) fetch(move bool) *Utility {
	u := &Utility{Kind: UtilFetch, Count: 1, Move: move}
	count := func() bool {
		t := p.peek()
		switch {
		case t.kind == tkNumber:
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil {
				p.fail()
				return false
			}
			u.Count = n
		case t.is("all"):
			u.Count = -1
		default:
			return false
		}
		p.i++
		return true
	}
	switch {
	case p.accept("next"):
	case p.accept("forward"):
		count()
	case p.peek().is("prior", "first", "last", "absolute", "relative", "backward") || p.peek().isOp("-"):
		p.err = sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "cursor can only scan forward")
		return u
	default:
		count()
	}
	p.accept("from", "in")
	u.Name, _ = p.name()
	return u
}

// parseCopy reads COPY (query) TO STDOUT ... and COPY table [(cols)] TO STDOUT ...
func parseCopy(toks []token, sql string) *Utility {
	opts := &CopyOptions{Delimiter: "\t", Null: "\\N"}
	i := 1
	if i < len(toks) && toks[i].isOp("(") {
		depth := 0
		start := toks[i].pos + 1
		for ; i < len(toks); i++ {
			if toks[i].isOp("(") {
				depth++
			} else if toks[i].isOp(")") {
				depth--
				if depth == 0 {
					opts.Query = sql[start:toks[i].pos]
					i++
					break
				}
			}
		}
	} else if i < len(toks) && (toks[i].kind == tkIdent || toks[i].kind == tkQIdent) {
		name := toks[i].text
		i++
		for i+1 < len(toks) && toks[i].isOp(".") {
			name += "." + toks[i+1].text
			i += 2
		}
		cols := "*"
		if i < len(toks) && toks[i].isOp("(") {
			start := toks[i].pos + 1
			for ; i < len(toks) && !toks[i].isOp(")"); i++ {
			}
			if i < len(toks) {
				cols = sql[start:toks[i].pos]
				i++
			}
		}
		opts.Query = "SELECT " + cols + " FROM " + name
	} else {
		return nil
	}
	if !(i+1 < len(toks) && toks[i].is("to") && toks[i+1].is("stdout")) {
		return nil
	}
	i += 2
	for ; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is("csv") || (t.is("format") && i+1 < len(toks) && toks[i+1].is("csv")):
			opts.CSV = true
			opts.Delimiter = ","
			opts.Null = ""
		case t.is("header"):
			opts.Header = !(i+1 < len(toks) && toks[i+1].is("false", "off"))
		case t.is("delimiter") && i+1 < len(toks) && toks[i+1].kind == tkString:
			opts.Delimiter = toks[i+1].text
			i++
		case t.is("null") && i+1 < len(toks) && toks[i+1].kind == tkString:
			opts.Null = toks[i+1].text
			i++
		}
	}
	return &Utility{Kind: UtilCopy, Copy: opts}
}
