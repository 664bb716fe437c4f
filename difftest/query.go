package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// qcol is a column an expression may read: its reference and type.
type qcol struct {
	ref string
	typ colType
}

// scope is what an expression may read: its FROM items' columns, the
// unique keys of those rows (for orders that must be total), and the
// enclosing query's scope (correlated subqueries).
type scope struct {
	cols  []qcol
	keys  []string
	outer *scope
}

func (s *scope) ofType(t colType) []qcol {
	var out []qcol
	for _, c := range s.cols {
		if c.typ == t {
			out = append(out, c)
		}
	}
	return out
}

// gen generates one query over tables.
type gen struct {
	r      *rand.Rand
	tables []*table
	alias  int
	// flat prints binary operators without parentheses, so that the
	// engines' operator precedence decides.
	flat bool
	// noScalarSub keeps scalar subqueries out (their aggregates could be
	// the enclosing query's, which TLP's partitions would change).
	noScalarSub bool
}

func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }
func (g *gen) pick(xs ...string) string {
	return xs[g.r.IntN(len(xs))]
}

func (g *gen) newAlias() string {
	g.alias++
	return fmt.Sprintf("a%d", g.alias)
}

// bin prints a op b, parenthesised unless flat.
func (g *gen) bin(a, op, b string) string {
	if g.flat && !g.chance(3) {
		return a + " " + op + " " + b
	}
	return "(" + a + " " + op + " " + b + ")"
}

// literal is a random constant of type t.
func (g *gen) literal(t colType) string {
	pool := valuePools[t]
	v := pool[g.r.IntN(len(pool))]
	if v == "NULL" {
		return "NULL::" + typeSQL[t]
	}
	switch t {
	case tDate:
		if g.chance(3) {
			return "DATE " + v
		}
		return v + "::" + typeSQL[t]
	case tTs:
		if g.chance(3) {
			return "TIMESTAMP " + v
		}
		return v + "::" + typeSQL[t]
	case tText:
		return v + "::" + typeSQL[t]
	case tNum:
		if !strings.Contains(v, ".") {
			return v + "::numeric"
		}
	case tFloat:
		return v + "::float8"
	case tBig:
		return v + "::int8"
	case tInt:
		if strings.HasPrefix(v, "-") {
			return "(" + v + ")"
		}
	}
	return v
}

// column picks a column of type t from the scope (or an outer one).
func (g *gen) column(s *scope, t colType) (string, bool) {
	if s.outer != nil && g.chance(4) {
		if c, ok := g.column(s.outer, t); ok {
			return c, true
		}
	}
	cs := s.ofType(t)
	if len(cs) == 0 {
		return "", false
	}
	return cs[g.r.IntN(len(cs))].ref, true
}

// expr generates an expression of type t.
func (g *gen) expr(s *scope, t colType, depth int) string {
	if depth <= 0 || g.chance(3) {
		if c, ok := g.column(s, t); ok && !g.chance(4) {
			return c
		}
		return g.literal(t)
	}
	d := depth - 1
	switch g.r.IntN(12) {
	case 0:
		return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", g.pred(s, d), g.expr(s, t, d), g.expr(s, t, d))
	case 1:
		return fmt.Sprintf("COALESCE(%s, %s)", g.expr(s, t, d), g.expr(s, t, d))
	case 2:
		if t != tBool {
			return fmt.Sprintf("NULLIF(%s, %s)", g.expr(s, t, d), g.expr(s, t, d))
		}
	case 3:
		if g.chance(2) && t != tBool && !g.noScalarSub {
			return g.scalarSubquery(s, t, d)
		}
	}
	switch t {
	case tInt, tBig:
		return g.intExpr(s, t, d)
	case tNum:
		return g.numExpr(s, d)
	case tFloat:
		return g.floatExpr(s, d)
	case tText:
		return g.textExpr(s, d)
	case tBool:
		return g.pred(s, d)
	case tDate:
		switch g.r.IntN(4) {
		case 0:
			return g.bin(g.expr(s, tDate, d), g.pick("+", "-"), fmt.Sprint(g.r.IntN(40)))
		case 1:
			return fmt.Sprintf("CAST(%s AS date)", g.expr(s, tTs, d))
		case 2:
			return fmt.Sprintf("date_trunc('%s', %s)::date", g.pick("month", "year", "week", "quarter"), g.expr(s, tDate, d))
		}
		return g.expr(s, tDate, d)
	case tTs:
		switch g.r.IntN(4) {
		case 0:
			return g.bin(g.expr(s, tTs, d), g.pick("+", "-"), g.pick("interval '1 day'", "interval '2 hours'", "interval '1 month'", "'1 year 2 months'::interval", "INTERVAL '90' MINUTE", "INTERVAL '1' DAY", "INTERVAL '1-2' YEAR TO MONTH", "interval '36 hours'"))
		case 1:
			return fmt.Sprintf("date_trunc('%s', %s)", g.pick("hour", "day", "month", "year", "minute", "second", "week", "quarter", "decade", "century", "millennium", "milliseconds", "microseconds"), g.expr(s, tTs, d))
		case 2:
			return g.expr(s, tDate, d) + "::timestamp"
		}
		return g.expr(s, tTs, d)
	}
	return g.literal(t)
}

func (g *gen) intExpr(s *scope, t colType, d int) string {
	a := func() string { return g.expr(s, t, d) }
	switch g.r.IntN(17) {
	case 0, 1:
		return g.bin(a(), g.pick("+", "-", "*"), a())
	case 2:
		return g.bin(a(), g.pick("/", "%"), "NULLIF("+a()+", 0)")
	case 3:
		return g.pick("- ", "@ ", "+ ", "~ ") + a()
	case 4:
		return g.bin(a(), g.pick("&", "|", "#"), a())
	case 5:
		return g.bin(a(), g.pick("<<", ">>"), fmt.Sprint(g.r.IntN(8)))
	case 6:
		return fmt.Sprintf("%s(%s)", g.pick("length", "char_length", "octet_length"), g.expr(s, tText, d))
	case 7:
		return fmt.Sprintf("%s(%s, %s)", g.pick("greatest", "least"), a(), a())
	case 8:
		return fmt.Sprintf("abs(%s)", a())
	case 9:
		return fmt.Sprintf("extract(%s from %s)::int", g.pick("year", "month", "day", "dow", "doy", "quarter", "isodow"), g.expr(s, tDate, d))
	case 10:
		if t == tBig {
			return g.expr(s, tInt, d) + "::int8"
		}
		return fmt.Sprintf("CAST(%s AS int4)", g.expr(s, tBig, d))
	case 11:
		return fmt.Sprintf("position(%s in %s)", g.literal(tText), g.expr(s, tText, d))
	case 12:
		return fmt.Sprintf("sign(%s)::int", a())
	case 13:
		return fmt.Sprintf("(%s)::int", g.expr(s, tNum, d))
	case 14:
		return fmt.Sprintf("mod(%s, NULLIF(%s, 0))", a(), a())
	case 15:
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprintf("(ARRAY[%s, %s, %s])[%d]", a(), a(), a(), g.r.IntN(4))
		case 1:
			return fmt.Sprintf("(ARRAY[[%s, %s], [%s, %s]])[%d][%d]", a(), a(), a(), a(), 1+g.r.IntN(2), 1+g.r.IntN(2))
		case 2:
			return fmt.Sprintf("int4 '%d' %s %s", g.r.IntN(9), g.pick("+", "*", "-"), a())
		}
		return fmt.Sprintf("cardinality(ARRAY[%s, %s])", a(), a())
	}
	return a()
}

func (g *gen) numExpr(s *scope, d int) string {
	a := func() string { return g.expr(s, tNum, d) }
	switch g.r.IntN(10) {
	case 0, 1:
		return g.bin(a(), g.pick("+", "-", "*"), a())
	case 2:
		return g.bin(a(), "/", "NULLIF("+a()+", 0)")
	case 3:
		return fmt.Sprintf("round(%s, %d)", a(), g.r.IntN(3))
	case 4:
		return fmt.Sprintf("%s(%s)", g.pick("abs", "trunc", "ceil", "floor", "sign"), a())
	case 5:
		return g.expr(s, tInt, d) + "::numeric"
	case 6:
		return g.bin(g.expr(s, tInt, d), g.pick("+", "*"), a())
	case 7:
		return "- " + a()
	case 8:
		return fmt.Sprintf("CAST(%s AS numeric(12,3))", g.expr(s, tInt, d))
	}
	return a()
}

func (g *gen) floatExpr(s *scope, d int) string {
	a := func() string { return g.expr(s, tFloat, d) }
	switch g.r.IntN(10) {
	case 0, 1:
		return g.bin(a(), g.pick("+", "-", "*"), a())
	case 2:
		return "|/ @ " + a()
	case 3:
		return g.bin("@ "+a(), "^", g.pick("2", "0.5", "3", "-1", "0"))
	case 4:
		return fmt.Sprintf("%s(%s)", g.pick("abs", "floor", "ceil", "round", "sign", "cbrt"), a())
	case 5:
		return g.expr(s, tNum, d) + "::float8"
	case 6:
		return g.bin(a(), "/", "NULLIF("+a()+", 0)")
	case 7:
		return "||/ " + a()
	case 8:
		return fmt.Sprintf("extract(epoch from %s)::float8", g.expr(s, tTs, d))
	}
	return a()
}

func (g *gen) textExpr(s *scope, d int) string {
	a := func() string { return g.expr(s, tText, d) }
	switch g.r.IntN(15) {
	case 0, 1:
		return g.bin(a(), "||", a())
	case 2:
		// || with numbers: PostgreSQL's precedence puts + before ||.
		return g.bin(a(), "||", g.expr(s, tInt, d))
	case 3:
		return fmt.Sprintf("%s(%s)", g.pick("upper", "lower", "btrim", "ltrim", "rtrim", "reverse", "initcap", "md5"), a())
	case 4:
		return fmt.Sprintf("substr(%s, %d, %d)", a(), g.r.IntN(4), g.r.IntN(4))
	case 5:
		return fmt.Sprintf("replace(%s, %s, %s)", a(), g.literal(tText), g.literal(tText))
	case 6:
		return fmt.Sprintf("concat(%s, %s, %s)", a(), g.expr(s, tInt, d), g.expr(s, tBool, d))
	case 7:
		return g.expr(s, colType(g.r.IntN(int(tText))), d) + "::text"
	case 8:
		return fmt.Sprintf("format('%%s|%%I|%%L', %s, %s, %s)", a(), g.literal(tText), g.expr(s, tInt, d))
	case 9:
		return fmt.Sprintf("%s(%s, %d)", g.pick("left", "right", "repeat"), a(), g.r.IntN(3))
	case 10:
		return fmt.Sprintf("lpad(%s, %d, 'x')", a(), g.r.IntN(6))
	case 11:
		return fmt.Sprintf("CAST(%s AS text)", g.expr(s, tDate, d))
	case 12:
		return fmt.Sprintf("split_part(%s, ' ', %d)", a(), 1+g.r.IntN(2))
	case 13:
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprintf("json_build_object('a', %s, 'b', %s) ->> %s", a(), g.expr(s, tInt, d), g.pick("'a'", "'b'", "'c'"))
		case 1:
			return fmt.Sprintf("('{\"a\": {\"b\": [1, \"x\"]}}'::json #>> '{a,b,%d}')", g.r.IntN(3))
		case 2:
			return a() + ` COLLATE "C"`
		}
		return fmt.Sprintf("array_to_string(ARRAY[%s, %s], '-')", a(), a())
	}
	return a()
}

// pred generates a boolean expression.
func (g *gen) pred(s *scope, depth int) string {
	if depth <= 0 {
		if c, ok := g.column(s, tBool); ok && g.chance(3) {
			return c
		}
		t := g.comparable()
		return g.bin(g.expr(s, t, 0), g.pick("=", "<>", "<", "<=", ">", ">="), g.expr(s, t, 0))
	}
	d := depth - 1
	t := g.comparable()
	a := func() string { return g.expr(s, t, d) }
	switch g.r.IntN(22) {
	case 0, 1:
		return g.bin(g.pred(s, d), g.pick("AND", "OR"), g.pred(s, d))
	case 2:
		return "NOT " + g.pred(s, d)
	case 3:
		return g.bin(a(), g.pick("IS DISTINCT FROM", "IS NOT DISTINCT FROM"), a())
	case 4:
		return a() + g.pick(" IS NULL", " IS NOT NULL", " ISNULL", " NOTNULL")
	case 5:
		return fmt.Sprintf("%s %sBETWEEN %s%s AND %s", a(), g.pick("", "NOT "), g.pick("", "SYMMETRIC "), a(), a())
	case 6:
		var items []string
		for i := 0; i <= g.r.IntN(3); i++ {
			items = append(items, a())
		}
		return fmt.Sprintf("%s %sIN (%s)", a(), g.pick("", "NOT "), strings.Join(items, ", "))
	case 7:
		return fmt.Sprintf("%s %s (%s)", a(), g.pick("IN", "NOT IN", "= ANY", "<> ALL", "> ANY", "<= ALL"), g.subquery(s, t, d))
	case 8:
		return fmt.Sprintf("%sEXISTS (%s)", g.pick("", "NOT "), g.subquery(s, t, d))
	case 9:
		return fmt.Sprintf("%s %s %s", g.expr(s, tText, d), g.pick("LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE", "~~", "!~~", "~~*"), g.pick("'a%'", "'%b%'", "'_'", "'%'", "''", "'A%'", "'%\\_%'", "'x!%y' ESCAPE '!'"))
	case 10:
		return fmt.Sprintf("%s %s %s", g.expr(s, tText, d), g.pick("~", "~*", "!~", "!~*"), g.pick("'^a'", "'b'", "'[0-9]'", "'^$'", "'c$'", "'(a|b)c'"))
	case 11:
		return fmt.Sprintf("%s %sSIMILAR TO %s", g.expr(s, tText, d), g.pick("", "NOT "), g.pick("'a%'", "'%(b|c)%'", "'_'", "'[a-z]*'"))
	case 12:
		return g.pred(s, d) + g.pick(" IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE", " IS UNKNOWN", " IS NOT UNKNOWN")
	case 13:
		return fmt.Sprintf("%s %s ANY (ARRAY[%s, %s])", a(), g.pick("=", "<>", "<", ">="), a(), a())
	case 14:
		return fmt.Sprintf("%s %s ALL (ARRAY[%s, %s])", a(), g.pick("=", "<>", "<", ">="), a(), a())
	case 15:
		return fmt.Sprintf("%s ^@ %s", g.expr(s, tText, d), g.literal(tText))
	case 16:
		return g.bin(g.pred(s, d), g.pick("=", "<>", "IS DISTINCT FROM"), g.pred(s, d))
	case 17:
		// Mixed precedence: a comparison beside arithmetic, unparenthesised.
		n := g.pick("int", "num")
		nt := map[string]colType{"int": tInt, "num": tNum}[n]
		return fmt.Sprintf("%s %s %s %s %s", g.expr(s, nt, d), g.pick("+", "-", "*"), g.expr(s, nt, d), g.pick("<", "=", ">="), g.expr(s, nt, d))
	}
	return g.bin(a(), g.pick("=", "<>", "!=", "<", "<=", ">", ">="), a())
}

// comparable picks a type for comparisons.
func (g *gen) comparable() colType {
	return []colType{tInt, tInt, tBig, tNum, tFloat, tText, tText, tDate, tTs, tBool}[g.r.IntN(10)]
}

// subquery is a one-column subquery of type t over a random table,
// correlated with the enclosing scope half of the time.
func (g *gen) subquery(outer *scope, t colType, depth int) string {
	tb := g.tables[g.r.IntN(len(g.tables))]
	al := g.newAlias()
	s := tableScope(tb, al)
	s.outer = outer
	where := ""
	if g.chance(2) {
		where = " WHERE " + g.pred(s, min(depth, 1))
	}
	return fmt.Sprintf("SELECT %s FROM %s %s%s", g.expr(s, t, min(depth, 1)), tb.name, al, where)
}

// scalarSubquery is a subquery returning at most one row.
func (g *gen) scalarSubquery(outer *scope, t colType, depth int) string {
	tb := g.tables[g.r.IntN(len(g.tables))]
	al := g.newAlias()
	s := tableScope(tb, al)
	s.outer = outer
	where := ""
	if g.chance(2) {
		where = " WHERE " + g.pred(s, min(depth, 1))
	}
	arg := g.expr(s, t, 0)
	switch {
	case t.numeric() && g.chance(2):
		agg := g.pick("max", "min", "sum", "count")
		if agg == "count" {
			return fmt.Sprintf("(SELECT count(%s)::%s FROM %s %s%s)", arg, typeSQL[t], tb.name, al, where)
		}
		if agg == "sum" && t == tInt {
			return fmt.Sprintf("(SELECT sum(%s)::int4 FROM %s %s%s)", arg, tb.name, al, where)
		}
		return fmt.Sprintf("(SELECT %s(%s) FROM %s %s%s)", agg, arg, tb.name, al, where)
	case t != tBool && g.chance(2):
		return fmt.Sprintf("(SELECT %s(%s) FROM %s %s%s)", g.pick("max", "min"), arg, tb.name, al, where)
	}
	return fmt.Sprintf("(SELECT %s FROM %s %s%s ORDER BY %s LIMIT 1)", arg, tb.name, al, where, strings.Join(s.keys, ", "))
}

func tableScope(t *table, alias string) *scope {
	s := &scope{keys: []string{alias + ".k"}}
	for _, c := range t.cols {
		s.cols = append(s.cols, qcol{ref: alias + "." + c.name, typ: c.typ})
	}
	return s
}

// from generates a FROM clause and its scope.
func (g *gen) from(depth int) (string, *scope) {
	t := g.tables[g.r.IntN(len(g.tables))]
	al := g.newAlias()
	sql := t.name + " " + al
	s := tableScope(t, al)
	if g.chance(8) && depth > 0 {
		// A derived table.
		inner, cols := g.simpleSelect(depth - 1)
		al2 := g.newAlias()
		sql = "(" + inner + ") " + al2
		s = &scope{}
		for i, c := range cols {
			s.cols = append(s.cols, qcol{ref: fmt.Sprintf("%s.c%d", al2, i), typ: c})
		}
		s.keys = nil
		for i := range cols {
			s.keys = append(s.keys, fmt.Sprintf("%s.c%d", al2, i))
		}
	}
	joins := g.r.IntN(3)
	for j := 0; j < joins; j++ {
		t2 := g.tables[g.r.IntN(len(g.tables))]
		al2 := g.newAlias()
		s2 := tableScope(t2, al2)
		if g.chance(6) {
			// A table function or VALUES list beside the tables.
			var item string
			switch g.r.IntN(3) {
			case 0:
				item = fmt.Sprintf("generate_series(%d, %d) AS %s(k)", g.r.IntN(3), g.r.IntN(4), al2)
				s2 = &scope{cols: []qcol{{ref: al2 + ".k", typ: tInt}}, keys: []string{al2 + ".k"}}
			case 1:
				item = fmt.Sprintf("(VALUES (1, %s), (2, %s), (3, NULL::text)) AS %s(k, s9)", g.literal(tText), g.literal(tText), al2)
				s2 = &scope{cols: []qcol{{ref: al2 + ".k", typ: tInt}, {ref: al2 + ".s9", typ: tText}}, keys: []string{al2 + ".k"}}
			default:
				// LATERAL: the subquery reads the left side's columns.
				inner := g.newAlias()
				is := tableScope(t2, inner)
				is.outer = s
				item = fmt.Sprintf("LATERAL (SELECT %s.k AS k, %s AS e9 FROM %s %s WHERE %s) AS %s", inner, g.expr(is, tInt, 1), t2.name, inner, g.pred(is, 1), al2)
				s2 = &scope{cols: []qcol{{ref: al2 + ".k", typ: tInt}, {ref: al2 + ".e9", typ: tInt}}, keys: []string{al2 + ".k", al2 + ".e9"}}
			}
			kind := g.pick("CROSS JOIN", "JOIN", "LEFT JOIN")
			merged := &scope{cols: append(append([]qcol(nil), s.cols...), s2.cols...), keys: append(append([]string(nil), s.keys...), s2.keys...)}
			if kind == "CROSS JOIN" {
				sql += " CROSS JOIN " + item
			} else if strings.HasPrefix(item, "LATERAL") {
				sql += " " + kind + " " + item + " ON true"
			} else {
				sql += " " + kind + " " + item + " ON " + g.joinCond(s, s2)
			}
			s = merged
			continue
		}
		kind := g.pick("JOIN", "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT OUTER JOIN", "CROSS JOIN", ",")
		merged := &scope{cols: append(append([]qcol(nil), s.cols...), s2.cols...), keys: append(append([]string(nil), s.keys...), s2.keys...)}
		switch kind {
		case "CROSS JOIN", ",":
			sql += " " + kind + " " + t2.name + " " + al2
			if kind == "," {
				sql = strings.Replace(sql, " , ", ", ", 1)
			}
		default:
			on := g.joinCond(s, s2)
			if g.chance(10) {
				on = g.pred(merged, 1)
			}
			sql += " " + kind + " " + t2.name + " " + al2 + " ON " + on
		}
		s = merged
	}
	return sql, s
}

// joinCond is an equality between columns of the two sides (or a predicate).
func (g *gen) joinCond(l, r *scope) string {
	for tries := 0; tries < 5; tries++ {
		lc := l.cols[g.r.IntN(len(l.cols))]
		rs := r.ofType(lc.typ)
		if len(rs) > 0 {
			rc := rs[g.r.IntN(len(rs))]
			cond := lc.ref + " = " + rc.ref
			if g.chance(4) {
				cond = lc.ref + " IS NOT DISTINCT FROM " + rc.ref
			}
			if g.chance(4) {
				cond += " AND " + g.pred(&scope{cols: append(append([]qcol(nil), l.cols...), r.cols...)}, 0)
			}
			return cond
		}
	}
	return "true"
}

// simpleSelect is a SELECT of a few expressions (for derived tables and
// set operations); it returns the column types.
func (g *gen) simpleSelect(depth int) (string, []colType) {
	from, s := g.from(0)
	n := 1 + g.r.IntN(3)
	var items []string
	var types []colType
	for i := 0; i < n; i++ {
		t := colType(g.r.IntN(int(nTypes)))
		items = append(items, fmt.Sprintf("%s AS c%d", g.expr(s, t, depth), i))
		types = append(types, t)
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(2) {
		sql += " WHERE " + g.pred(s, depth)
	}
	return sql, types
}

// query is one generated query: its text, and its parts for TLP/NoREC.
type query struct {
	sql string
	// For TLP and NoREC: the query without its WHERE (a plain
	// projection over from), and a predicate over from's scope.
	from, items, pred string
	plain             bool
}

// genQuery generates a query of one of several shapes.
func (g *gen) genQuery() query {
	g.alias = 0
	g.flat = g.chance(2)
	switch g.r.IntN(10) {
	case 0, 1:
		return g.aggregateQuery()
	case 2:
		return g.windowQuery()
	case 3:
		return g.setOpQuery()
	case 4:
		q := g.plainQuery()
		return query{sql: "WITH w AS (" + q.sql + ") SELECT * FROM w"}
	}
	return g.plainQuery()
}

// plainQuery: SELECT exprs FROM ... [WHERE p] [ORDER BY all LIMIT].
func (g *gen) plainQuery() query {
	from, s := g.from(1)
	n := 1 + g.r.IntN(4)
	var items []string
	g.noScalarSub = true
	for i := 0; i < n; i++ {
		items = append(items, g.expr(s, colType(g.r.IntN(int(nTypes))), 2))
	}
	g.noScalarSub = false
	p := g.pred(s, 2)
	q := query{from: from, items: strings.Join(items, ", "), pred: p, plain: true}
	distinct := ""
	if g.chance(6) {
		distinct = "DISTINCT "
	}
	if g.chance(10) && len(s.keys) > 0 {
		// DISTINCT ON the first item, first row by a total order.
		on := items[0]
		sql := fmt.Sprintf("SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, %s", on, strings.Join(items, ", "), from, on, strings.Join(s.keys, ", "))
		return query{sql: sql}
	}
	sql := "SELECT " + distinct + q.items + " FROM " + from
	if g.chance(4) {
		return query{sql: sql, from: from, items: q.items, pred: p, plain: distinct == ""}
	}
	sql += " WHERE " + p
	if g.chance(3) {
		sql += g.orderLimit(n)
	}
	q.sql = sql
	q.plain = false
	return q
}

// orderLimit orders by every output column (a total order up to equal
// rows) and limits.
func (g *gen) orderLimit(n int) string {
	var keys []string
	for i := 1; i <= n; i++ {
		keys = append(keys, fmt.Sprintf("%d%s%s", i, g.pick("", " ASC", " DESC"), g.pick("", " NULLS FIRST", " NULLS LAST")))
	}
	s := " ORDER BY " + strings.Join(keys, ", ")
	switch g.r.IntN(4) {
	case 0:
		s += fmt.Sprintf(" LIMIT %d", g.r.IntN(5))
	case 1:
		s += fmt.Sprintf(" LIMIT %d OFFSET %d", g.r.IntN(5), g.r.IntN(3))
	case 2:
		s += fmt.Sprintf(" OFFSET %d", g.r.IntN(3))
	case 3:
		s += fmt.Sprintf(" FETCH FIRST %d ROWS ONLY", 1+g.r.IntN(3))
	}
	return s
}

// aggregateQuery: GROUP BY (plain, GROUPING SETS, ROLLUP, CUBE) with
// aggregates and HAVING.
func (g *gen) aggregateQuery() query {
	from, s := g.from(1)
	var keys []string
	for i := 0; i < g.r.IntN(3); i++ {
		t := colType(g.r.IntN(int(nTypes)))
		if c, ok := g.column(&scope{cols: s.cols}, t); ok && !g.chance(3) {
			keys = append(keys, c)
		} else {
			keys = append(keys, g.expr(&scope{cols: s.cols}, t, 1))
		}
	}
	items := append([]string(nil), keys...)
	for i := 0; i <= g.r.IntN(3); i++ {
		items = append(items, g.aggregate(s))
	}
	var groupBy string
	// Grouping sets over columns only: PostgreSQL matches constant keys
	// with select-list constants in ways of its own.
	allCols := true
	for _, k := range keys {
		if !isColumnRef(k) {
			allCols = false
		}
	}
	if len(keys) > 0 {
		switch {
		case !allCols:
			groupBy = " GROUP BY " + strings.Join(keys, ", ")
		case g.chance(4):
			groupBy = " GROUP BY " + g.pick("ROLLUP", "CUBE") + " (" + strings.Join(keys, ", ") + ")"
			items = append(items, "GROUPING("+keys[0]+")")
		case g.chance(4):
			var sets []string
			for _, k := range keys {
				sets = append(sets, "("+k+")")
			}
			sets = append(sets, "()")
			groupBy = " GROUP BY GROUPING SETS (" + strings.Join(sets, ", ") + ")"
		default:
			groupBy = " GROUP BY " + strings.Join(keys, ", ")
		}
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(2) {
		sql += " WHERE " + g.pred(s, 1)
	}
	sql += groupBy
	if g.chance(3) {
		sql += " HAVING " + g.bin(g.aggregate(s), g.pick("<", ">", "=", "<>", "IS DISTINCT FROM"), g.aggregate(s))
	}
	return query{sql: sql}
}

// isColumnRef reports whether an expression is a plain alias.column.
func isColumnRef(e string) bool {
	if !strings.HasPrefix(e, "a") || !strings.Contains(e, ".") {
		return false
	}
	for _, c := range e {
		if !(c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// aggregate is an aggregate call over the scope.
func (g *gen) aggregate(s *scope) string {
	filter := ""
	if g.chance(5) {
		filter = " FILTER (WHERE " + g.pred(s, 0) + ")"
	}
	ord := strings.Join(s.keys, ", ")
	switch g.r.IntN(11) {
	case 0:
		return "count(*)" + filter
	case 1:
		return fmt.Sprintf("count(%s%s)%s", g.pick("", "DISTINCT "), g.expr(s, colType(g.r.IntN(int(nTypes))), 1), filter)
	case 2:
		return fmt.Sprintf("sum(%s)%s", g.expr(s, g.pickNum(), 1), filter)
	case 3:
		return fmt.Sprintf("avg(%s)%s", g.expr(s, g.pickNum(), 1), filter)
	case 4:
		return fmt.Sprintf("%s(%s)%s", g.pick("min", "max"), g.expr(s, []colType{tInt, tBig, tNum, tFloat, tText, tDate, tTs}[g.r.IntN(7)], 1), filter)
	case 5:
		return fmt.Sprintf("%s(%s)%s", g.pick("bool_and", "bool_or", "every"), g.pred(s, 0), filter)
	case 6:
		return fmt.Sprintf("string_agg(%s, ',' ORDER BY %s)%s", g.expr(s, tText, 1), ord, filter)
	case 7:
		return fmt.Sprintf("array_agg(%s ORDER BY %s)%s", g.expr(s, tInt, 1), ord, filter)
	case 8:
		return fmt.Sprintf("%s(%s)%s", g.pick("stddev", "variance", "stddev_pop", "var_pop"), g.expr(s, tFloat, 1), filter)
	case 9:
		return fmt.Sprintf("count(DISTINCT %s)", g.expr(s, tText, 1))
	}
	return fmt.Sprintf("max(%s) - min(%s)", g.expr(s, tInt, 0), g.expr(s, tInt, 0))
}

func (g *gen) pickNum() colType { return []colType{tInt, tBig, tNum, tFloat}[g.r.IntN(4)] }

// windowQuery: window functions over total orders, with frames.
func (g *gen) windowQuery() query {
	from, s := g.from(0)
	var items []string
	keys := strings.Join(s.keys, ", ")
	for i := 0; i <= g.r.IntN(3); i++ {
		part := ""
		if g.chance(2) {
			part = "PARTITION BY " + g.expr(s, colType(g.r.IntN(int(nTypes))), 0) + " "
		}
		ordCol := g.expr(s, g.pickNum(), 0)
		total := "ORDER BY " + ordCol + g.pick("", " DESC") + g.pick("", " NULLS FIRST", " NULLS LAST") + ", " + keys
		var w string
		switch g.r.IntN(10) {
		case 0:
			w = "row_number() OVER (" + part + total + ")"
		case 1:
			w = g.pick("rank()", "dense_rank()", "percent_rank()", "cume_dist()") + " OVER (" + part + "ORDER BY " + ordCol + ")"
		case 2:
			w = fmt.Sprintf("ntile(%d) OVER (%s%s)", 1+g.r.IntN(4), part, total)
		case 3:
			w = fmt.Sprintf("%s(%s, %d, %s) OVER (%s%s)", g.pick("lag", "lead"), g.expr(s, tInt, 0), g.r.IntN(3), g.literal(tInt), part, total)
		case 4:
			w = fmt.Sprintf("%s(%s) OVER (%s%s)", g.pick("first_value", "last_value"), g.expr(s, tText, 0), part, total)
		case 5:
			w = fmt.Sprintf("sum(%s) OVER (%s%s ROWS BETWEEN %d PRECEDING AND %s)", g.expr(s, tInt, 0), part, total, g.r.IntN(3), g.pick("CURRENT ROW", "1 FOLLOWING", "UNBOUNDED FOLLOWING"))
		case 6:
			w = fmt.Sprintf("count(*) OVER (%sORDER BY %s RANGE BETWEEN %s PRECEDING AND %s FOLLOWING)", part, g.expr(s, tInt, 0), g.pick("1", "2", "UNBOUNDED"), g.pick("0", "1", "UNBOUNDED"))
		case 7:
			w = fmt.Sprintf("%s(%s) OVER (%sORDER BY %s GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW%s)", g.pick("sum", "max", "count"), g.expr(s, tInt, 0), part, ordCol, g.pick("", " EXCLUDE CURRENT ROW", " EXCLUDE TIES", " EXCLUDE GROUP"))
		case 8:
			w = fmt.Sprintf("%s(%s) OVER (%s)", g.pick("sum", "avg", "min", "max", "count"), g.expr(s, g.pickNum(), 0), strings.TrimSpace(part))
		default:
			w = fmt.Sprintf("sum(%s) OVER (%sORDER BY %s RANGE BETWEEN %s PRECEDING AND CURRENT ROW EXCLUDE %s)", g.expr(s, tNum, 0), part, g.expr(s, tNum, 0), g.pick("1.5", "0", "UNBOUNDED"), g.pick("CURRENT ROW", "TIES", "GROUP", "NO OTHERS"))
		}
		items = append(items, w)
	}
	items = append(items, s.keys...)
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(2) {
		sql += " WHERE " + g.pred(s, 1)
	}
	return query{sql: sql}
}

// setOpQuery: UNION / INTERSECT / EXCEPT [ALL] of two selects.
func (g *gen) setOpQuery() query {
	a, types := g.simpleSelect(1)
	from, s := g.from(0)
	var items []string
	for i, t := range types {
		items = append(items, fmt.Sprintf("%s AS c%d", g.expr(s, t, 1), i))
	}
	b := "SELECT " + strings.Join(items, ", ") + " FROM " + from
	if g.chance(2) {
		b += " WHERE " + g.pred(s, 1)
	}
	op := g.pick("UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL")
	sql := "(" + a + ") " + op + " (" + b + ")"
	if g.chance(3) {
		sql += g.orderLimit(len(types))
	}
	return query{sql: sql}
}
