package parser

import (
	"strconv"
	"strings"
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

// parseUtility recognises a utility statement from its tokens.
func parseUtility(toks []token, sql string) *Utility {
	if len(toks) == 0 || toks[0].kind != tkIdent {
		return nil
	}
	if l := parseLake(toks, sql); l != nil {
		return &Utility{Kind: UtilLake, Lake: l}
	}
	words := func(from int) []string {
		var out []string
		for _, t := range toks[from:] {
			out = append(out, t.text)
		}
		return out
	}
	first := toks[0].text
	switch first {
	case "show":
		if len(toks) < 2 {
			return nil
		}
		name := strings.Join(words(1), " ")
		switch name {
		case "transaction isolation level":
			name = "transaction_isolation"
		case "time zone":
			name = "timezone"
		}
		if strings.ContainsAny(name, " ()") && name != "all" {
			return nil // SHOW TABLES and other MySQL forms: not ours
		}
		return &Utility{Kind: UtilShow, Name: strings.ToLower(name)}
	case "reset":
		if len(toks) < 2 {
			return nil
		}
		return &Utility{Kind: UtilReset, Name: strings.ToLower(strings.Join(words(1), " "))}
	case "set":
		i := 1
		u := &Utility{Kind: UtilSet}
		if i < len(toks) && toks[i].is("session", "local") {
			u.Local = toks[i].text == "local"
			i++
		}
		if i+1 < len(toks) && toks[i].is("characteristics") {
			return &Utility{Kind: UtilSetCharacteristics}
		}
		if i < len(toks) && toks[i].is("transaction", "constraints", "role", "session") {
			return &Utility{Kind: UtilIgnored}
		}
		if i+1 < len(toks) && toks[i].is("time") && toks[i+1].is("zone") {
			u.Name = "timezone"
			i += 2
		} else if i < len(toks) && (toks[i].kind == tkIdent || toks[i].kind == tkQIdent) {
			u.Name = strings.ToLower(toks[i].text)
			i++
			// dotted custom settings: myapp.setting
			for i+1 < len(toks) && toks[i].isOp(".") {
				u.Name += "." + strings.ToLower(toks[i+1].text)
				i += 2
			}
			if i < len(toks) && (toks[i].is("to") || toks[i].isOp("=")) {
				i++
			} else {
				return nil
			}
		} else {
			return nil
		}
		if i < len(toks) && toks[i].is("default") && i+1 == len(toks) {
			u.Default = true
			return u
		}
		if i < len(toks) && toks[i].is("local") && u.Name == "timezone" {
			u.Default = true
			return u
		}
		var parts []string
		for _, t := range toks[i:] {
			switch t.kind {
			case tkOp:
				if t.text == "," {
					parts = append(parts, ",")
				} else {
					parts = append(parts, t.text)
				}
			default:
				parts = append(parts, t.text)
			}
		}
		u.Value = strings.ReplaceAll(strings.Join(parts, " "), " , ", ", ")
		if strings.HasPrefix(u.Value, "- ") {
			u.Value = "-" + strings.TrimPrefix(u.Value, "- ")
		}
		return u
	case "begin", "start":
		if first == "start" && !(len(toks) > 1 && toks[1].is("transaction")) {
			return nil
		}
		return &Utility{Kind: UtilBegin}
	case "commit", "end":
		return &Utility{Kind: UtilCommit}
	case "rollback", "abort":
		u := &Utility{Kind: UtilRollback}
		for _, t := range toks[1:] {
			if t.is("to") {
				u.ToSavepoint = true
			}
		}
		return u
	case "savepoint", "release":
		return &Utility{Kind: UtilSavepoint}
	case "discard":
		return &Utility{Kind: UtilDiscard, Name: strings.Join(words(1), " ")}
	case "deallocate":
		w := words(1)
		if len(w) > 0 && w[0] == "prepare" {
			w = w[1:]
		}
		return &Utility{Kind: UtilDeallocate, Name: strings.Join(w, " ")}
	case "copy":
		return parseCopy(toks, sql)
	case "declare":
		for i := 1; i < len(toks); i++ {
			if toks[i].is("for") && i+1 < len(toks) {
				last := toks[len(toks)-1]
				return &Utility{Kind: UtilDeclare, Name: toks[1].text, Query: sql[toks[i+1].pos : last.pos+tokenLen(sql, last)]}
			}
		}
		return nil
	case "fetch", "move":
		u := &Utility{Kind: UtilFetch, Count: 1, Move: first == "move"}
		for _, t := range toks[1:] {
			switch {
			case t.kind == tkNumber:
				n, _ := strconv.ParseInt(t.text, 10, 64)
				u.Count = n
			case t.is("all"):
				u.Count = -1
			case t.is("next", "forward", "from", "in"):
			case t.kind == tkIdent || t.kind == tkQIdent:
				u.Name = t.text
			}
		}
		return u
	case "close":
		if len(toks) == 2 {
			return &Utility{Kind: UtilClose, Name: toks[1].text}
		}
		return nil
	case "listen", "unlisten", "notify", "checkpoint", "vacuum", "analyze", "lock":
		return &Utility{Kind: UtilIgnored, Name: first}
	}
	return nil
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
