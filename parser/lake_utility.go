package parser

import (
	"strings"
)

// LakeKind names a Drill statement for browsing and managing a lake.
type LakeKind int

const (
	LakeShowSchemas LakeKind = iota + 1 // SHOW SCHEMAS | SHOW DATABASES
	LakeShowTables                      // SHOW TABLES [IN|FROM schema]
	LakeShowFiles                       // SHOW FILES [IN|FROM dfs.`path`]
	LakeDescribe                        // DESCRIBE|DESC name
	LakeUse                             // USE schema
	LakeRefresh                         // REFRESH TABLE METADATA name
	LakeCreateTable                     // CREATE TABLE name [(format => 'parquet')] AS query
)

// LakeStatement is a parsed Drill statement.
type LakeStatement struct {
	Kind LakeKind
	// Name is the object named, split at its dots: ["tpch"], ["dfs",
	// "root", "logs/2024"], ["dfs", "tmp", "t"]. A quoted part keeps its
	// dots ("dfs.tmp").
	Name []string
	// Options are CREATE TABLE's (name => value) options, names in lower
	// case and values as written (string literals unquoted).
	Options []Option
	// Query is CREATE TABLE's query text.
	Query string
	// IfNotExists is CREATE TABLE IF NOT EXISTS.
	IfNotExists bool
}

// Option is a name => value option.
type Option struct {
	Name, Value string
}

// parseLake recognises the Drill statements the bridge parses itself.
func parseLake(toks []token, sql string) *LakeStatement {
	if len(toks) == 0 || toks[0].kind != tkIdent {
		return nil
	}
	rest := toks[1:]
	switch toks[0].text {
	case "show":
		if len(rest) == 0 {
			return nil
		}
		switch {
		case len(rest) == 1 && rest[0].is("schemas", "databases"):
			return &LakeStatement{Kind: LakeShowSchemas}
		case rest[0].is("tables"):
			if len(rest) == 1 {
				return &LakeStatement{Kind: LakeShowTables}
			}
			if name, ok := lakeName(rest[2:]); ok && rest[1].is("in", "from") {
				return &LakeStatement{Kind: LakeShowTables, Name: name}
			}
		case rest[0].is("files"):
			if len(rest) == 1 {
				return &LakeStatement{Kind: LakeShowFiles}
			}
			if name, ok := lakeName(rest[2:]); ok && rest[1].is("in", "from") {
				return &LakeStatement{Kind: LakeShowFiles, Name: name}
			}
		}
	case "describe", "desc":
		if len(rest) > 0 && rest[0].is("table") {
			rest = rest[1:]
		}
		if name, ok := lakeName(rest); ok {
			return &LakeStatement{Kind: LakeDescribe, Name: name}
		}
	case "use":
		if name, ok := lakeName(rest); ok {
			return &LakeStatement{Kind: LakeUse, Name: name}
		}
	case "refresh":
		if len(rest) >= 3 && rest[0].is("table") && rest[1].is("metadata") {
			if name, ok := lakeName(rest[2:]); ok {
				return &LakeStatement{Kind: LakeRefresh, Name: name}
			}
		}
	case "create":
		return parseLakeCreate(rest, sql)
	}
	return nil
}

// parseLakeCreate reads CREATE TABLE name (options) AS query, the form
// with Drill's options TiDB's grammar cannot hold, and CREATE TABLE of a
// three-part workspace name (dfs.tmp.t) with or without them.
func parseLakeCreate(toks []token, sql string) *LakeStatement {
	if len(toks) < 3 || !toks[0].is("table") {
		return nil
	}
	st := &LakeStatement{Kind: LakeCreateTable}
	i := 1
	if i+2 < len(toks) && toks[i].is("if") && toks[i+1].is("not") && toks[i+2].is("exists") {
		st.IfNotExists = true
		i += 3
	}
	j := i
	for j < len(toks) && (toks[j].kind == tkIdent && !toks[j].is("as") || toks[j].kind == tkQIdent || toks[j].isOp(".")) {
		j++
	}
	name, ok := lakeName(toks[i:j])
	if !ok {
		return nil
	}
	st.Name = name
	hasOptions := false
	if j < len(toks) && toks[j].isOp("(") {
		// (name => value, ...): Drill's options, not column definitions.
		k := j + 1
		for k+2 < len(toks) && (toks[k].kind == tkIdent || toks[k].kind == tkQIdent) && toks[k+1].isOp("=>") {
			v := toks[k+2]
			if v.kind != tkString && v.kind != tkNumber && v.kind != tkIdent {
				return nil
			}
			st.Options = append(st.Options, Option{Name: strings.ToLower(toks[k].text), Value: v.text})
			k += 3
			if k < len(toks) && toks[k].isOp(",") {
				k++
				continue
			}
			break
		}
		if len(st.Options) == 0 || k >= len(toks) || !toks[k].isOp(")") {
			return nil
		}
		hasOptions = true
		j = k + 1
	}
	if j+1 >= len(toks) || !toks[j].is("as") {
		return nil
	}
	if !hasOptions && !(len(name) >= 2 && strings.EqualFold(name[0], "dfs")) {
		return nil // an ordinary CREATE TABLE AS: TiDB parses it
	}
	last := toks[len(toks)-1]
	st.Query = sql[toks[j+1].pos : last.pos+tokenLen(sql, last)]
	return st
}

// lakeName reads a dotted name that is all of toks: a.b.`c`.
func lakeName(toks []token) ([]string, bool) {
	if len(toks) == 0 {
		return nil, false
	}
	var parts []string
	for i, t := range toks {
		if i%2 == 1 {
			if !t.isOp(".") {
				return nil, false
			}
			continue
		}
		switch t.kind {
		case tkIdent, tkQIdent:
			parts = append(parts, t.text)
		case tkString:
			parts = append(parts, t.text) // SHOW FILES IN 'path'
		default:
			return nil, false
		}
	}
	if len(toks)%2 == 0 {
		return nil, false
	}
	return parts, true
}
