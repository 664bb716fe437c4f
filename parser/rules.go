package parser

import (
	"strconv"
	"strings"

	"github.com/lakesql/lakesql/types/text"
)

// marker begins every name the bridge invents for TiDB (functions,
// aliases, comments): a NUL byte, which user text never holds (the lexer
// rejects it), so no identifier, alias or string a user writes is ever
// decoded as one of the bridge's encodings. Marked names are printed as
// quoted identifiers.
const marker = "\x00"

// Encodings shared with the decoders (decode.go).
const (
	castFunc       = marker + "cast"
	opPrefix       = marker + "op:" // operator calls: "\x00op:power"(a, b)
	nullsFirstFunc = marker + "nulls_first"
	nullsLastFunc  = marker + "nulls_last"
	distinctOnFunc = marker + "distinct_on"
	arrayFunc      = marker + "array"
	fieldFunc      = marker + "field"
	subscriptFunc  = marker + "subscript"
	sliceFunc      = marker + "slice"
	// ordinalitySuffix marks a table function WITH ORDINALITY.
	ordinalitySuffix = " with ordinality"
	tableFuncFunc    = marker + "table_function"
	groupingSets     = marker + "grouping_sets"
	groupingSet      = marker + "set"
	rollupFunc       = marker + "rollup"
	cubeFunc         = marker + "cube"
	concatFunc       = marker + "concat"
	typeComment      = marker + "type:"
	aliasSep         = marker + ","
	aggOrderFunc     = marker + "agg_order"
	aggDistinctFunc  = marker + "agg_distinct"
	aggFilterFunc    = marker + "agg_filter"
	excludeFunc      = marker + "frame_exclude"
	windowFnFunc     = marker + "window_fn"
	arraySubqueryTab = marker + "arr"
)

// mk prints a marked name (a quoted identifier).
func mk(name string) string { return quoteIdent(name) }

// rewrite applies every rule to a sequence of items (one nesting level),
// after rewriting nested groups. top is true for a statement's top level.
func (r *rw) rewrite(its []item, top bool) []item {
	// Inside TRIM(... FROM x), SUBSTRING(x FROM ...), EXTRACT(f FROM x),
	// OVERLAY and POSITION, FROM is a keyword of the call, not a FROM clause.
	inCallFrom, inCast, inPosition := r.callFrom, r.inCast, r.inPosition
	r.callFrom, r.inCast, r.inPosition = false, false, false
	for i := range its {
		if its[i].group {
			named := its[i].open == "(" && len(its[i].name) == 1 && its[i].name[0].text == nil
			r.callFrom = named && fromKeywordCalls[its[i].name[0].tok.text]
			r.inCast = named && its[i].name[0].isWord("cast", "try_cast")
			r.inPosition = named && its[i].name[0].isWord("position")
			if named && its[i].name[0].isWord("overlay") {
				its[i].inner = overlayArgs(its[i].inner)
			}
			end := r.end
			r.end = its[i].end
			its[i].inner = r.rewrite(its[i].inner, false)
			r.end = end
			r.callFrom, r.inCast, r.inPosition = false, false, false
		}
	}
	its = r.ruleWorkspaceNames(its)
	its = r.ruleTableForm(its)
	its = r.ruleValues(its, top)
	its = r.ruleWithinGroup(its)
	its = r.ruleFilter(its)
	its = r.ruleCalls(its)
	its = r.ruleNestedAccess(its)
	its = r.ruleSubscripts(its)
	its = r.ruleTypedLiterals(its)
	its = r.ruleCasts(its)
	its = r.ruleWindowCalls(its)
	its = r.ruleOperator(its)
	its = r.ruleExclude(its)
	its = r.ruleNulls(its)
	its = r.ruleJoins(its)
	if !inCallFrom {
		its = r.ruleAliases(its)
	}
	its = r.ruleLimit(its)
	its = r.ruleDistinctOn(its)
	its = r.ruleGroupingSets(its)
	its = r.ruleDDL(its)
	its = r.ruleMisc(its)
	its = r.ruleNamedArgs(its)
	its = r.ruleQuote(its, top, inCast)
	r.noIn = inPosition
	its = r.ruleExpressions(its)
	r.noIn = false
	return its
}

func (r *rw) text(its []item) string { return r.renderItems(its) }

// overlayArgs turns OVERLAY(s PLACING r FROM n [FOR m]) into the
// arguments of overlay(s, r, n [, m]); the plain call form stays.
func overlayArgs(its []item) []item {
	placing := false
	for _, it := range its {
		placing = placing || it.isWord("placing") || it.group && len(it.name) == 1 && it.name[0].isWord("placing")
	}
	if !placing {
		return its
	}
	var out []item
	want := []string{"placing", "from", "for"}
	for _, it := range its {
		if len(want) > 0 && len(out) > 0 {
			if it.isWord(want[0]) {
				out = append(out, item{tok: token{kind: tkOp, text: ","}, pos: it.pos})
				want = want[1:]
				continue
			}
			if it.group && len(it.name) == 1 && it.name[0].isWord(want[0]) {
				// PLACING (SELECT ...) was read as a call of placing.
				out = append(out, item{tok: token{kind: tkOp, text: ","}, pos: it.pos})
				it.name = nil
				want = want[1:]
			}
		}
		out = append(out, it)
	}
	if len(want) > 1 {
		return its // no FROM: a syntax error
	}
	return out
}

// fromKeywordCalls are the calls whose parentheses may hold FROM.
var fromKeywordCalls = map[string]bool{"trim": true, "substring": true, "extract": true, "overlay": true, "position": true}

func (r *rw) str(s string, pos int) item { return textItem(s, pos) }

// splitTop splits items at top-level commas.
func splitTop(its []item) [][]item {
	var out [][]item
	var cur []item
	for _, it := range its {
		if it.isOp(",") {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, it)
	}
	return append(out, cur)
}

// typeText reads a type name starting at its[i]: words, (n[,m]), [] suffixes.
// It returns the normalised text and the index after it.
func typeText(r *rw, its []item, i int) (string, int) {
	var parts []string
	multi := map[string][]string{
		"double":    {"precision"},
		"character": {"varying"},
		"char":      {"varying"},
		"timestamp": {"with", "without"},
		"time":      {"with", "without"},
		"bit":       {"varying"},
	}
	for i < len(its) {
		it := its[i]
		if it.group && len(it.name) > 0 {
			// numeric(10,2) parsed as a call.
			name := it.name[len(it.name)-1].tok.text
			parts = append(parts, name+"("+strings.ReplaceAll(r.text(it.inner), " ", "")+")")
			i++
			// timestamp(3) with time zone
			if (name == "timestamp" || name == "time") && i < len(its) && its[i].isWord("with", "without") {
				for i < len(its) && its[i].isWord("with", "without", "time", "zone") {
					parts = append(parts, its[i].tok.text)
					i++
				}
			}
			break
		}
		if it.group {
			break
		}
		t := it.tok
		if t.kind == tkQIdent {
			parts = append(parts, strings.ToLower(t.text))
			i++
			break
		}
		if t.kind != tkIdent {
			break
		}
		parts = append(parts, t.text)
		i++
		// "pg_catalog.int4"
		if i+1 < len(its) && its[i].isOp(".") && its[i+1].tok.kind == tkIdent {
			parts = []string{its[i+1].tok.text}
			i += 2
		}
		if t.text == "interval" {
			// A field qualifier (DAY TO SECOND, HOUR, ...) with an
			// optional precision: the value keeps its own fields.
			fields := []string{"year", "month", "day", "hour", "minute", "second"}
			for i < len(its) && (its[i].isWord(fields...) || its[i].isWord("to")) {
				i++
			}
			if i < len(its) && its[i].group && len(its[i].name) == 1 && its[i].name[0].isWord("second") {
				i++ // SECOND(3)
			}
			if i < len(its) && its[i].group && len(its[i].name) == 0 && its[i].open == "(" {
				i++
			}
			break
		}
		next, ok := multi[t.text]
		if !ok || i >= len(its) {
			break
		}
		if its[i].group && len(its[i].name) == 1 && its[i].name[0].isWord(next...) {
			// character varying(10), bit varying(5): the second word
			// took the length as a call.
			g := its[i]
			parts = append(parts, g.name[0].tok.text+"("+strings.ReplaceAll(r.text(g.inner), " ", "")+")")
			i++
			break
		}
		if its[i].group && !strings.HasPrefix(t.text, "time") {
			break
		}
		if its[i].group && len(its[i].name) == 0 {
			// timestamp(3) with time zone
			parts[len(parts)-1] += "(" + r.text(its[i].inner) + ")"
			i++
		}
		if i < len(its) && its[i].isWord(next...) {
			w := its[i].tok.text
			parts = append(parts, w)
			i++
			if w == "with" || w == "without" {
				for i < len(its) && its[i].isWord("time", "zone") {
					parts = append(parts, its[i].tok.text)
					i++
				}
			}
		}
		break
	}
	// (n) after a multi-word name: character varying(10)
	if i < len(its) && its[i].group && its[i].open == "(" && len(its[i].name) == 0 && len(parts) > 0 {
		parts[len(parts)-1] += "(" + strings.ReplaceAll(r.text(its[i].inner), " ", "") + ")"
		i++
	}
	s := strings.Join(parts, " ")
	for i < len(its) && its[i].group && its[i].open == "[" && len(its[i].name) == 0 {
		s += "[]"
		i++
	}
	return s, i
}

// restrictInterval applies an INTERVAL literal's field qualifier as
// PostgreSQL does: INTERVAL '1.5' MINUTE keeps whole minutes (00:01:00),
// '1.5' YEAR whole years. The result is the interval's text; the input
// is returned as is when it does not parse (the cast reports it).
func restrictInterval(val, unit string) string {
	months, days, us, err := text.ParseInterval(val)
	if err != nil {
		return val
	}
	const hour, minute = int64(3600e6), int64(60e6)
	switch strings.TrimSuffix(unit, "s") {
	case "year":
		months, days, us = months/12*12, 0, 0
	case "month":
		days, us = 0, 0
	case "day":
		us = 0
	case "hour":
		us = us / hour * hour
	case "minute":
		us = us / minute * minute
	}
	return string(text.AppendInterval(nil, months, days, us))
}

func castText(arg, typ string) string {
	return mk(castFunc) + "(" + arg + ", " + quoteString(typ) + ")"
}

// castOperand is the start in out of the operand of a postfix :: at the
// end of out: the last primary with its dotted qualifiers, a whole
// CASE ... END, or a window call f(x) OVER (...).
func castOperand(out []item) int {
	k := len(out) - 1
	if out[k].isWord("end") {
		depth := 0
		for j := k; j >= 0; j-- {
			switch {
			case out[j].isWord("end"):
				depth++
			case out[j].isWord("case"):
				depth--
				if depth == 0 {
					return j
				}
			}
		}
		return k
	}
	if k >= 2 && out[k-1].isWord("over") && (out[k].group && len(out[k].name) == 0 || out[k].tok.kind == tkIdent || out[k].tok.kind == tkQIdent) &&
		(out[k-2].group && len(out[k-2].name) > 0 || out[k-2].text != nil && out[k-2].raw == rawNone) {
		return k - 2
	}
	for k >= 2 && out[k-1].isOp(".") && !out[k-2].group && out[k-2].text == nil && (out[k-2].tok.kind == tkIdent || out[k-2].tok.kind == tkQIdent) {
		k -= 2
	}
	return k
}

// ruleCasts rewrites x::type (postfix, any chain) into lakesql_cast(x, 'type').
func (r *rw) ruleCasts(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.isOp("::") && len(out) > 0 {
			typ, j := typeText(r, its, i+1)
			if typ == "" {
				r.err = syntaxErrAt(it.pos, "syntax error at or near \"::\"")
				return its
			}
			k := castOperand(out)
			operand := r.renderDotted(out[k:])
			if len(out[k:]) > 1 && !out[k+1].isOp(".") {
				operand = "(" + r.text(r.ruleExpressions(append([]item(nil), out[k:]...))) + ")"
			}
			if j < len(its) && its[j].isWord("preceding", "following") && len(out[k:]) == 1 && out[k].tok.kind == tkNumber && out[k].text == nil {
				// A frame offset (5::int8 PRECEDING): TiDB takes only the
				// number there, and the frame types it anyway.
				i = j - 1
				continue
			}
			if j < len(its) && its[j].isWord("preceding", "following") && typ == "interval" && len(out[k:]) == 1 && out[k].tok.kind == tkString && out[k].text == nil {
				// '1 year'::interval PRECEDING (see ruleTypedLiterals).
				out = append(out[:k], rawItem("interval "+quoteString(out[k].tok.text)+" microsecond", out[k].pos))
				i = j - 1
				continue
			}
			out = append(out[:k], r.str(castText(operand, typ), out[k].pos))
			i = j - 1
			continue
		}
		out = append(out, it)
	}
	return out
}

// ruleCalls rewrites function-call forms: CAST(x AS t), EXTRACT(f FROM x),
// ARRAY[...], concat(...), generate_series in FROM, string_agg(... ORDER BY).
func (r *rw) ruleCalls(its []item) []item {
	for i, it := range its {
		if !it.group || len(it.name) == 0 {
			continue
		}
		name := it.name[len(it.name)-1].tok.text
		if it.name[len(it.name)-1].tok.kind == tkQIdent {
			continue
		}
		switch {
		case it.open == "[" && name == "array":
			// Kept as a call of the marker so that = ANY (ARRAY[...]) can
			// read the elements.
			its[i] = r.arrayItem(it)
		case it.open == "(" && name == "array" && len(it.inner) > 0 && it.inner[0].isWord("select", "with", "values"):
			// ARRAY(subquery): an array of the subquery's rows. Options
			// lists (pg_options_to_table) are always empty here.
			if containsWord(it.inner, "pg_options_to_table") {
				its[i] = r.str(castText("null", "text[]"), it.pos)
			} else {
				// An empty result is an empty array, not NULL.
				its[i] = r.str("(select coalesce(array_agg("+mk(arraySubqueryTab)+".x), '{}') as \"array\" from ("+r.text(it.inner)+") as "+mk(arraySubqueryTab+aliasSep+"x")+")", it.pos)
			}
		case name == "cast" || name == "try_cast":
			// CAST(expr AS type)
			depthAs := -1
			for k := len(it.inner) - 1; k >= 0; k-- {
				if it.inner[k].isWord("as") {
					depthAs = k
					break
				}
			}
			if depthAs < 0 {
				r.err = syntaxErrAt(it.pos, "syntax error at or near \"cast\"")
				return its
			}
			typ, end := typeText(r, it.inner, depthAs+1)
			if typ == "" || end != len(it.inner) || depthAs == 0 {
				if end >= len(it.inner) || depthAs == 0 {
					r.err = &posError{pos: it.end, near: true}
				} else {
					r.err = &posError{pos: it.inner[end].pos, near: true}
				}
				return its
			}
			its[i] = r.str(castText(r.text(it.inner[:depthAs]), typ), it.pos)
		case name == "extract" && len(it.inner) >= 3 && it.inner[1].isWord("from"):
			f := it.inner[0]
			field := f.tok.text
			if f.tok.kind == tkString || f.tok.kind == tkQIdent {
				field = strings.ToLower(f.tok.text)
			}
			its[i] = r.str("date_part("+quoteString(field)+", "+r.text(it.inner[2:])+")", it.pos)
		case name == "trim" && len(it.name) == 1 && len(splitTop(it.inner)) > 1 && !containsWord(it.inner, "from"):
			// trim(s, chars) is btrim(s, chars) (TiDB's TRIM takes no list).
			its[i].name = []item{r.str("btrim", it.pos)}
		case name == "concat" && len(it.name) == 1:
			its[i].name = []item{r.str(mk(concatFunc), it.pos)}
		case renamedFuncs[name] && len(it.name) == 1:
			its[i].name = []item{r.str(mk(fnPrefix+name), it.pos)}
		case name == "string_agg" || name == "array_agg" || name == "json_agg" || name == "jsonb_agg":
			// agg(DISTINCT x, d ORDER BY k) -> agg(x, d, lakesql_agg_order(k...)) etc.
			inner := it.inner
			filter := ""
			if len(inner) > 1 && inner[0].text != nil && strings.HasPrefix(*inner[0].text, mk(aggFilterFunc)) {
				filter, inner = *inner[0].text+", ", inner[2:]
			}
			distinct := false
			if len(inner) > 0 && inner[0].isWord("distinct") {
				distinct = true
				inner = inner[1:]
			}
			var order []item
			for k := range inner {
				if inner[k].isWord("order") && k+1 < len(inner) && inner[k+1].isWord("by") {
					order = inner[k+2:]
					inner = inner[:k]
					break
				}
			}
			txt := r.text(inner)
			if distinct {
				txt = mk(aggDistinctFunc) + "(), " + txt
			}
			if order != nil {
				txt += ", " + mk(aggOrderFunc) + "(" + r.orderArgs(order) + ")"
			}
			if distinct || order != nil || filter != "" {
				its[i].inner = []item{r.str(filter+txt, it.pos)}
			}
		}
	}
	return its
}

// arrayItem prints ARRAY[...] as a call of the array marker; inside it, a
// bracketed element [a, b] is a sub-array (ARRAY[[1,2],[3,4]]).
func (r *rw) arrayItem(it item) item {
	for k, e := range it.inner {
		if e.group && e.open == "[" && len(e.name) == 0 && (k == 0 || it.inner[k-1].isOp(",")) && (k+1 == len(it.inner) || it.inner[k+1].isOp(",")) {
			it.inner[k] = r.arrayItem(e)
		}
	}
	return item{group: true, open: "(", name: []item{r.str(mk(arrayFunc), it.pos)}, inner: it.inner, pos: it.pos, end: it.end}
}

// ruleWithinGroup rewrites the ordered-set aggregates
// f(args) WITHIN GROUP (ORDER BY x [DESC]) (percentile_cont,
// percentile_disc, mode) into f(x, args, lakesql_agg_order(x, ...)): the
// aggregate sees x in the requested order.
func (r *rw) ruleWithinGroup(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.group && len(it.name) == 1 && i+3 < len(its) && its[i+1].isWord("within") && its[i+2].isWord("group") &&
			its[i+3].group && len(its[i+3].name) == 0 && len(its[i+3].inner) > 2 &&
			its[i+3].inner[0].isWord("order") && its[i+3].inner[1].isWord("by") {
			order := its[i+3].inner[2:]
			key := splitTop(order)[0]
			for len(key) > 1 && key[len(key)-1].isWord("asc", "desc", "first", "last", "nulls") {
				key = key[:len(key)-1]
			}
			args := r.text(key)
			if len(it.inner) > 0 {
				args += ", " + r.text(it.inner)
			}
			args += ", " + mk(aggOrderFunc) + "(" + r.orderArgs(order) + ")"
			g := it
			g.inner = []item{r.str(args, it.pos)}
			out = append(out, g)
			i += 3
			continue
		}
		out = append(out, it)
	}
	return out
}

// orderArgs encodes ORDER BY items (expr [ASC|DESC] [NULLS ...]) as call
// arguments: expr, 'asc'|'desc', 'nulls first'|'nulls last'|”.
func (r *rw) orderArgs(order []item) string {
	var parts []string
	for _, o := range splitTop(order) {
		dir, nulls := "asc", ""
		for len(o) > 0 {
			last := o[len(o)-1]
			switch {
			case last.isWord("asc", "desc"):
				dir = last.tok.text
				o = o[:len(o)-1]
				continue
			case last.isWord("first", "last") && len(o) > 1 && o[len(o)-2].isWord("nulls"):
				nulls = "nulls " + last.tok.text
				o = o[:len(o)-2]
				continue
			}
			break
		}
		parts = append(parts, r.text(o), quoteString(dir), quoteString(nulls))
	}
	return strings.Join(parts, ", ")
}

// ruleTypedLiterals rewrites DATE '...', TIMESTAMP '...', INTERVAL ... and
// TRUE/FALSE into casts.
func (r *rw) ruleTypedLiterals(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		prevIs := len(out) > 0 && (out[len(out)-1].isWord("is") || (out[len(out)-1].isWord("not") && len(out) > 1 && out[len(out)-2].isWord("is")))
		if it.isWord("true", "false") && !prevIs {
			// A third argument tells the constant TRUE from 'true'::boolean
			// (GROUP BY TRUE is an error, GROUP BY 'true'::boolean is not).
			out = append(out, r.str(mk(castFunc)+"("+quoteString(it.tok.text)+", 'boolean', 'constant')", it.pos))
			continue
		}
		if it.isWord("date", "time", "timestamp", "timestamptz", "interval") && !(len(out) > 0 && out[len(out)-1].isOp(".")) {
			typ, j := typeText(r, its, i)
			if it.tok.text == "interval" {
				typ, j = "interval", i+1
			}
			if j < len(its) && !its[j].group && its[j].text == nil && its[j].tok.kind == tkString {
				val := its[j].tok.text
				j++
				if typ == "interval" {
					// INTERVAL '90' DAY [TO SECOND] [(p)]
					if j < len(its) && its[j].isWord("year", "month", "day", "hour", "minute", "second", "years", "months", "days", "hours", "minutes", "seconds") {
						unit := its[j].tok.text
						j++
						if j < len(its) && its[j].isWord("to") && j+1 < len(its) {
							j += 2 // 'Y-M' YEAR TO MONTH: PostgreSQL reads the text itself
						} else if !strings.ContainsAny(val, " :") {
							val = restrictInterval(val+" "+unit, unit)
						}
						if j < len(its) && its[j].group && len(its[j].name) == 0 {
							j++
						}
					}
				}
				if typ == "interval" && j < len(its) && its[j].isWord("preceding", "following") {
					// A frame offset: TiDB takes INTERVAL expr unit there;
					// the MICROSECOND unit marks PostgreSQL's interval
					// text (read by FrameInterval).
					out = append(out, rawItem("interval "+quoteString(val)+" microsecond", it.pos))
					i = j - 1
					continue
				}
				out = append(out, r.str(castText(quoteString(val), typ), it.pos))
				i = j - 1
				continue
			}
			if it.tok.text == "interval" && j < len(its) && (its[j].tok.kind == tkNumber && !its[j].group) && j+1 < len(its) && its[j+1].tok.kind == tkIdent {
				// MySQL style INTERVAL 3 DAY
				out = append(out, r.str(castText(quoteString(its[j].tok.text+" "+its[j+1].tok.text), "interval"), it.pos))
				i = j + 1
				continue
			}
		}
		// type 'literal' for other types: int4 '5', numeric '1.5', bool 't'.
		if it.tok.kind == tkIdent && it.text == nil && literalTypes[it.tok.text] &&
			!(len(out) > 0 && (out[len(out)-1].isOp(".", "::") || out[len(out)-1].isWord("as"))) {
			if typ, j := typeText(r, its, i); typ != "" && j < len(its) && !its[j].group && its[j].text == nil && its[j].tok.kind == tkString {
				out = append(out, r.str(castText(quoteString(its[j].tok.text), typ), it.pos))
				i = j
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

// literalTypes are the type names that may precede a string to type it
// (PostgreSQL's "type 'string'" constants).
var literalTypes = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`int2 int4 int8 smallint integer int bigint float4 float8 real double numeric decimal
		bool boolean text varchar char character bpchar name json jsonb uuid oid regclass regtype regproc
		regprocedure regnamespace bytea timetz`) {
		literalTypes[w] = true
	}
}

// ruleFilter rewrites agg(args) FILTER (WHERE cond) into
// agg(CASE WHEN cond THEN arg END).
func (r *rw) ruleFilter(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.group && len(it.name) > 0 && i+2 < len(its) && its[i+1].isWord("filter") && its[i+2].group && len(its[i+2].inner) > 0 && its[i+2].inner[0].isWord("where") {
			cond := r.text(its[i+2].inner[1:])
			// An ORDER BY inside the call (string_agg(x, ',' ORDER BY y))
			// stays for ruleCalls, after the arguments.
			inner, order := it.inner, []item(nil)
			for k := range inner {
				if inner[k].isWord("order") && k+1 < len(inner) && inner[k+1].isWord("by") {
					inner, order = inner[:k], inner[k:]
					break
				}
			}
			if fname := it.name[len(it.name)-1]; fname.text == nil && keepsNulls[fname.tok.text] {
				// array_agg and the JSON aggregates keep NULLs: a CASE
				// would add them. The condition goes first, as a marker
				// (decoded by AggregateArgs).
				g := it
				g.inner = append([]item{r.str(mk(aggFilterFunc)+"("+cond+")", it.pos), {tok: token{kind: tkOp, text: ","}, pos: it.pos}}, it.inner...)
				out = append(out, g)
				i += 2
				continue
			}
			args := splitTop(inner)
			first := args[0]
			var out2 []item
			if len(first) > 0 && first[0].isWord("distinct") {
				out2 = append(out2, first[0])
				first = first[1:]
			}
			val := "1"
			if !(len(first) == 1 && first[0].isOp("*") || len(first) == 0) {
				val = r.text(first)
			}
			out2 = append(out2, r.str("case when "+cond+" then "+val+" end", it.pos))
			for _, a := range args[1:] {
				out2 = append(out2, item{tok: token{kind: tkOp, text: ","}, pos: it.pos})
				out2 = append(out2, a...)
			}
			g := it
			g.inner = append(out2, order...)
			out = append(out, g)
			i += 2
			continue
		}
		out = append(out, it)
	}
	return out
}

// keepsNulls are the aggregates whose FILTER cannot be a CASE.
var keepsNulls = map[string]bool{"array_agg": true, "json_agg": true, "jsonb_agg": true, "json_object_agg": true, "jsonb_object_agg": true}

// ruleNulls rewrites NULLS FIRST|LAST after an ORDER BY item into a marker
// item that follows it.
func (r *rw) ruleNulls(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.isWord("nulls") && i+1 < len(its) && its[i+1].isWord("first", "last") {
			fn := nullsFirstFunc
			if its[i+1].tok.text == "last" {
				fn = nullsLastFunc
			}
			out = append(out, rawItem(", "+mk(fn)+"()", it.pos))
			i++
			continue
		}
		out = append(out, it)
	}
	return out
}

// checkJoinConditions reports a JOIN without ON or USING (other than CROSS
// and NATURAL joins) as PostgreSQL's syntax error where the FROM clause
// ends; TiDB would read it as a cross join.
func (r *rw) checkJoinConditions(its []item) {
	from := -1
	for i, it := range its {
		if it.isWord("from") && !(i > 0 && its[i-1].isWord("distinct")) {
			from = i
			break
		}
	}
	if from < 0 {
		return
	}
	joins, conds := 0, 0
	end := len(its)
	for i := from + 1; i < len(its); i++ {
		it := its[i]
		if it.isWord("where", "group", "having", "order", "limit", "offset", "fetch", "window", "union", "intersect", "except", "for") {
			end = i
			break
		}
		switch {
		case it.isWord("join"):
			k := i - 1
			for k > from && its[k].isWord("inner", "left", "right", "full", "outer") {
				k--
			}
			if !its[k].isWord("cross", "natural") {
				joins++
			}
		case it.isWord("on", "using"):
			conds++
		}
	}
	if joins > conds && r.err == nil {
		if end < len(its) {
			r.err = &posError{pos: its[end].pos, near: true}
		} else {
			r.err = &posError{pos: r.end, near: true}
		}
	}
}

// ruleJoins rewrites FULL [OUTER] JOIN into STRAIGHT_JOIN (decoded by
// IsFullJoin) and drops LATERAL-free noise words TiDB rejects.
func (r *rw) ruleJoins(its []item) []item {
	r.checkJoinConditions(its)
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.isWord("full") && i+1 < len(its) && (its[i+1].isWord("join") || its[i+1].isWord("outer") && i+2 < len(its) && its[i+2].isWord("join")) {
			out = append(out, rawItem("straight_join", it.pos))
			if its[i+1].isWord("outer") {
				i++
			}
			i++
			continue
		}
		out = append(out, it)
	}
	return out
}

// ruleAliases encodes column aliases of FROM items, "AS t (a, b)", into the
// alias name (decoded by DerivedColumns), and turns table functions in
// FROM into derived tables.
func (r *rw) ruleAliases(its []item) []item {
	// A parenthesised join, ((SELECT 1) a(x) JOIN b ON ...), is in FROM
	// from its start.
	inFrom := len(its) > 0 && !its[0].isWord("select", "with", "values", "table") && hasWord(its, "join")
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.isWord("from", "join") && !(it.isWord("from") && i > 0 && its[i-1].isWord("distinct")) || it.text != nil && *it.text == "straight_join" || (it.isOp(",") && inFrom) {
			inFrom = true
			out = append(out, it)
			// A table function: FROM f(args) -> FROM (SELECT lakesql_table_function('f', args))
			if i+1 < len(its) && its[i+1].group && len(its[i+1].name) >= 1 && its[i+1].name[len(its[i+1].name)-1].tok.kind == tkIdent && !its[i+1].name[0].isWord("lateral") {
				f := its[i+1]
				fname := f.name[len(f.name)-1].tok.text
				args := r.text(f.inner)
				if args != "" {
					args = ", " + args
				}
				// f(...) WITH ORDINALITY: a numbering column after f's.
				ordinality := i+3 < len(its) && its[i+2].isWord("with") && its[i+3].isWord("ordinality")
				name := fname
				if ordinality {
					name += ordinalitySuffix
				}
				out = append(out, r.str("(select "+mk(tableFuncFunc)+"("+quoteString(name)+args+"))", f.pos))
				i++
				if ordinality {
					i += 2
				}
				if !(i+1 < len(its) && (its[i+1].isWord("as") || its[i+1].tok.kind == tkIdent && !sqlKeywords[its[i+1].tok.text] || its[i+1].tok.kind == tkQIdent)) {
					out = append(out, rawItem("as "+quoteIdent(fname), f.pos))
				}
			}
			continue
		}
		if it.isWord("where", "group", "order", "having", "limit", "union", "except", "intersect", "on", "using", "window", "offset", "fetch", "select") {
			inFrom = false
		}
		if inFrom && len(out) > 0 {
			// [AS] alias (cols)
			j := i
			if it.isWord("as") {
				j++
			}
			if j+1 < len(its) && (its[j].tok.kind == tkIdent && !sqlKeywords[its[j].tok.text] || its[j].tok.kind == tkQIdent) && !its[j].group && its[j].text == nil &&
				its[j+1].group && its[j+1].open == "(" && len(its[j+1].name) == 0 && isNameList(its[j+1].inner) {
				name := its[j].tok.text
				var cols []string
				for _, c := range splitTop(its[j+1].inner) {
					cols = append(cols, c[0].tok.text)
				}
				out = append(out, rawItem("as "+quoteIdent(name+aliasSep+strings.Join(cols, aliasSep)), it.pos))
				i = j + 1
				continue
			}
			// Same with the name folded into a call item: alias(cols).
			if j < len(its) && its[j].group && len(its[j].name) == 1 && isNameList(its[j].inner) && (it.isWord("as") || len(out) > 0 && (out[len(out)-1].group || out[len(out)-1].text != nil || out[len(out)-1].tok.kind == tkIdent || out[len(out)-1].tok.kind == tkQIdent)) && j == i+btoi(it.isWord("as")) {
				name := its[j].name[0].tok.text
				var cols []string
				for _, c := range splitTop(its[j].inner) {
					cols = append(cols, c[0].tok.text)
				}
				out = append(out, rawItem("as "+quoteIdent(name+aliasSep+strings.Join(cols, aliasSep)), it.pos))
				i = j
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

// hasWord reports whether the level holds the keyword w.
func hasWord(its []item, w string) bool {
	for _, it := range its {
		if it.isWord(w) {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isNameList(its []item) bool {
	if len(its) == 0 {
		return false
	}
	for _, c := range splitTop(its) {
		if len(c) != 1 || c[0].group || c[0].text != nil || (c[0].tok.kind != tkIdent && c[0].tok.kind != tkQIdent) {
			return false
		}
	}
	return true
}

// ruleLimit normalises LIMIT/OFFSET/FETCH into MySQL's LIMIT n OFFSET m.
func (r *rw) ruleLimit(its []item) []item {
	var limit, offset []item
	start := -1
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		switch {
		case it.isWord("limit"):
			if start < 0 {
				start = len(out)
			}
			j := i + 1
			for j < len(its) && !its[j].isWord("offset", "fetch", "for", "union", "except", "intersect") && !its[j].isOp(";") {
				j++
			}
			limit = its[i+1 : j]
			if len(limit) == 1 && limit[0].isWord("all", "null") {
				limit = nil // LIMIT ALL, LIMIT NULL: no limit
			}
			i = j - 1
		case it.isWord("offset"):
			if start < 0 {
				start = len(out)
			}
			j := i + 1
			for j < len(its) && !its[j].isWord("limit", "fetch", "row", "rows", "for", "union", "except", "intersect") {
				j++
			}
			offset = its[i+1 : j]
			if j < len(its) && its[j].isWord("row", "rows") {
				j++
			}
			i = j - 1
		case it.isWord("fetch") && i+1 < len(its) && its[i+1].isWord("first", "next"):
			if start < 0 {
				start = len(out)
			}
			j := i + 2
			var n []item
			for j < len(its) && !its[j].isWord("row", "rows") {
				n = append(n, its[j])
				j++
			}
			if len(n) == 0 {
				n = []item{r.str("1", it.pos)}
			}
			limit = n
			// ROW|ROWS ONLY must follow (PostgreSQL's grammar).
			if j >= len(its) || !its[j].isWord("row", "rows") || j+1 >= len(its) || !its[j+1].isWord("only") {
				k := min(j+btoi(j < len(its) && its[j].isWord("row", "rows")), len(its))
				r.err = &posError{pos: -1, near: true}
				if k < len(its) {
					r.err = &posError{pos: its[k].pos, near: true}
				}
				return its
			}
			j += 2
			i = j - 1
		default:
			out = append(out, it)
		}
	}
	if start < 0 {
		return its
	}
	var tail []item
	// TiDB takes only a number or a parameter here: fold constant
	// integer arithmetic (FETCH FIRST (1 + 1) ROWS ONLY).
	if v, ok := foldInt(limit); ok {
		limit = []item{r.str(strconv.FormatInt(v, 10), posOf(limit))}
	}
	if v, ok := foldInt(offset); ok {
		offset = []item{r.str(strconv.FormatInt(v, 10), posOf(offset))}
	}
	if limit != nil {
		tail = append(tail, rawItem("limit "+r.text(r.exprItems(limit)), posOf(limit)))
	} else if offset != nil {
		tail = append(tail, rawItem("limit 9223372036854775807", posOf(offset))) // all rows (see planner's bindLimit)
	}
	if offset != nil {
		tail = append(tail, rawItem("offset "+r.text(r.exprItems(offset)), posOf(offset)))
	}
	res := append([]item(nil), out[:start]...)
	res = append(res, tail...)
	return append(res, out[start:]...)
}

// posOf is the source offset of the first of its (0 when empty).
func posOf(its []item) int {
	if len(its) == 0 {
		return 0
	}
	return its[0].pos
}

// foldInt evaluates integer arithmetic over literals (+ - * /, unary
// minus, parentheses); ok is false for anything else.
func foldInt(its []item) (int64, bool) {
	if len(its) == 0 {
		return 0, false
	}
	p := &intFolder{its: its}
	v, ok := p.sum()
	return v, ok && p.i == len(its)
}

type intFolder struct {
	its []item
	i   int
}

func (p *intFolder) sum() (int64, bool) {
	v, ok := p.product()
	for ok && p.i < len(p.its) && p.its[p.i].isOp("+", "-") {
		op := p.its[p.i].tok.text
		p.i++
		var w int64
		if w, ok = p.product(); ok {
			if op == "+" {
				v += w
			} else {
				v -= w
			}
		}
	}
	return v, ok
}

func (p *intFolder) product() (int64, bool) {
	v, ok := p.unary()
	for ok && p.i < len(p.its) && p.its[p.i].isOp("*", "/") {
		op := p.its[p.i].tok.text
		p.i++
		var w int64
		if w, ok = p.unary(); ok {
			if op == "*" {
				v *= w
			} else if w != 0 {
				v /= w
			} else {
				return 0, false
			}
		}
	}
	return v, ok
}

func (p *intFolder) unary() (int64, bool) {
	if p.i >= len(p.its) {
		return 0, false
	}
	it := p.its[p.i]
	p.i++
	switch {
	case it.isOp("-"):
		v, ok := p.unary()
		return -v, ok
	case it.isOp("+"):
		return p.unary()
	case it.group && it.open == "(" && len(it.name) == 0:
		return foldInt(it.inner)
	case !it.group && it.text == nil && it.tok.kind == tkNumber:
		v, err := strconv.ParseInt(it.tok.text, 10, 64)
		return v, err == nil
	}
	return 0, false
}

// ruleDistinctOn encodes SELECT DISTINCT ON (a, b) as a leading marker item.
func (r *rw) ruleDistinctOn(its []item) []item {
	for i := 0; i+2 < len(its); i++ {
		if its[i].isWord("distinct") && its[i+1].isWord("on") && its[i+2].group && len(its[i+2].name) == 0 {
			g := its[i+2]
			its[i+1] = item{text: ptr(mk(distinctOnFunc) + "(" + r.text(g.inner) + "),"), raw: rawStartAfter, pos: g.pos}
			its = append(its[:i+2], its[i+3:]...)
		}
	}
	return its
}

// ruleGroupingSets encodes GROUPING SETS / ROLLUP / CUBE in GROUP BY.
func (r *rw) ruleGroupingSets(its []item) []item {
	for i := 0; i < len(its); i++ {
		it := its[i]
		if it.group && len(it.name) == 1 && it.name[0].isWord("rollup", "cube") {
			fn := rollupFunc
			if it.name[0].tok.text == "cube" {
				fn = cubeFunc
			}
			its[i] = r.str(mk(fn)+"("+r.setArgs(it.inner, it.end)+")", it.pos)
		}
		if it.isWord("grouping") && i+1 < len(its) && its[i+1].group && len(its[i+1].name) == 1 && its[i+1].name[0].isWord("sets") {
			its[i] = r.str(mk(groupingSets)+"("+r.setArgs(its[i+1].inner, its[i+1].end)+")", it.pos)
			its = append(its[:i+1], its[i+2:]...)
		}
		// GROUPING SETS (...): "sets" is no function name, so its list is
		// the next item.
		if it.isWord("grouping") && i+2 < len(its) && its[i+1].isWord("sets") && its[i+2].group && len(its[i+2].name) == 0 && its[i+2].open == "(" {
			its[i] = r.str(mk(groupingSets)+"("+r.setArgs(its[i+2].inner, its[i+2].end)+")", it.pos)
			its = append(its[:i+1], its[i+3:]...)
		}
	}
	// In GROUP BY's list, () is the empty grouping set and (a, b) one set
	// of several expressions.
	for i := 1; i < len(its); i++ {
		if !its[i].isWord("by") || !its[i-1].isWord("group") {
			continue
		}
		for k := i + 1; k < len(its) && !its[k].isWord("having", "order", "limit", "offset", "window", "union", "intersect", "except", "fetch", "for"); k++ {
			g := its[k]
			if g.group && g.open == "(" && len(g.name) == 0 && (len(g.inner) == 0 || len(splitTop(g.inner)) > 1) && (its[k-1].isOp(",") || its[k-1].isWord("by")) {
				its[k] = r.str(mk(groupingSet)+"("+r.text(g.inner)+")", g.pos)
			}
		}
	}
	return its
}

// setArgs encodes a list of grouping elements: (a, b) -> lakesql_set(a, b).
func (r *rw) setArgs(inner []item, end int) string {
	var parts []string
	for k, e := range splitTop(inner) {
		if len(e) == 0 {
			// GROUPING SETS () or a list with a trailing comma: the
			// element PostgreSQL's grammar wanted is missing.
			if r.err == nil {
				r.err = &posError{pos: end, near: true}
				if k*2 < len(inner) {
					r.err = &posError{pos: inner[max(0, 2*k-1)].pos, near: true}
				}
			}
			return ""
		}
		if len(e) == 1 && e[0].group && len(e[0].name) == 0 && !(len(e[0].inner) > 0 && e[0].inner[0].isWord("select", "with", "values")) {
			parts = append(parts, mk(groupingSet)+"("+r.text(e[0].inner)+")")
		} else if len(e) == 1 && e[0].text != nil && (strings.HasPrefix(*e[0].text, mk(rollupFunc)) || strings.HasPrefix(*e[0].text, mk(cubeFunc)) || strings.HasPrefix(*e[0].text, mk(groupingSets))) {
			parts = append(parts, *e[0].text)
		} else {
			parts = append(parts, mk(groupingSet)+"("+r.text(e)+")")
		}
	}
	return strings.Join(parts, ", ")
}

// ruleValues turns VALUES lists used as a query into SELECT ... UNION ALL.
func (r *rw) ruleValues(its []item, top bool) []item {
	// CREATE VIEW v AS VALUES ...: convert the tail.
	if len(its) > 2 && its[0].isWord("create") {
		for k := 1; k < len(its); k++ {
			if its[k].isWord("values") && its[k-1].isWord("as") {
				return append(its[:k:k], r.ruleValues(its[k:], false)...)
			}
		}
	}
	// ... UNION [ALL] VALUES (...): convert the operand after the operator.
	for k := 1; k < len(its); k++ {
		if its[k].isWord("values") && its[k-1].isWord("union", "all", "distinct", "except", "intersect") {
			end := k + 1
			for end < len(its) && !its[end].isWord("union", "except", "intersect") {
				end++
			}
			conv := r.ruleValues(append([]item(nil), its[k:end]...), false)
			its = append(append(its[:k:k], conv...), r.ruleValues(its[end:], false)...)
			break
		}
	}
	if len(its) == 0 || !its[0].isWord("values") {
		return its
	}
	var rows []string
	j := 1
	for j < len(its) {
		if its[j].group && len(its[j].name) == 0 {
			rows = append(rows, r.text(its[j].inner))
			j++
			if j < len(its) && its[j].isOp(",") {
				j++
				continue
			}
		}
		break
	}
	if len(rows) == 0 {
		return its
	}
	var sb strings.Builder
	for k, row := range rows {
		if k > 0 {
			sb.WriteString(" union all ")
		}
		sb.WriteString("select ")
		if k == 0 {
			for c, v := range splitTopText(row) {
				if c > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(v + " as column" + itoa(c+1))
			}
		} else {
			sb.WriteString(row)
		}
	}
	rest := its[j:]
	if len(rest) > 0 {
		// VALUES ... ORDER BY/LIMIT apply to the whole union.
		return append([]item{rawItem("select * from ("+sb.String()+") as \"*VALUES*\"", its[0].pos)}, rest...)
	}
	return []item{rawItem(sb.String(), its[0].pos)}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return fmtInt(i/10) + digits[i%10:i%10+1]
}

// splitTopText splits rendered SQL at top-level commas (outside quotes and
// parentheses).
func splitTopText(s string) []string {
	var out []string
	depth, start := 0, 0
	inStr, inIdent := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			if c == '\'' {
				inStr = false
			}
		case inIdent:
			if c == '"' {
				inIdent = false
			}
		case c == '\'':
			inStr = true
		case c == '"':
			inIdent = true
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// ruleDDL rewrites column types in CREATE TABLE into TEXT with the
// PostgreSQL type kept in a comment (decoded by ColumnType).
func (r *rw) ruleDDL(its []item) []item {
	// DROP SCHEMA x CASCADE: TiDB's DROP DATABASE takes no CASCADE (the
	// catalog always drops a schema's in-memory tables with it).
	if len(its) > 2 && its[0].isWord("drop") && its[1].isWord("schema", "database") {
		out := its[:0:0]
		for _, it := range its {
			if !it.isWord("cascade", "restrict") {
				out = append(out, it)
			}
		}
		return out
	}
	if len(its) < 3 || !its[0].isWord("create") {
		return its
	}
	// CREATE [OR REPLACE] TEMP VIEW: views live as long as the process anyway.
	for k := 1; k+1 < len(its); k++ {
		if its[k].isWord("temp", "temporary") && its[k+1].isWord("view", "recursive") {
			its = append(its[:k], its[k+1:]...)
			break
		}
	}
	// ... AS (SELECT ...): TiDB wants the query without parentheses.
	for k := 1; k+1 < len(its); k++ {
		if its[k].isWord("as") && its[k+1].group && len(its[k+1].name) == 0 && len(its[k+1].inner) > 0 && its[k+1].inner[0].isWord("select", "with", "values") && k+2 == len(its) {
			its = append(its[:k+1], its[k+1].inner...)
			break
		}
	}
	k := 1
	for k < len(its) && its[k].isWord("temp", "temporary", "unlogged", "global", "local") {
		if its[k].isWord("temp") {
			its[k] = rawItem("temporary", its[k].pos)
		}
		k++
	}
	if k >= len(its) || !its[k].isWord("table") {
		return its
	}
	nameAt := k + 1
	for nameAt < len(its) && its[nameAt].isWord("if", "not", "exists") {
		nameAt++
	}
	for i := nameAt; i < len(its) && i <= nameAt+3; i++ {
		g := its[i]
		if g.isWord("as") {
			break // CREATE TABLE t AS query: no column definitions
		}
		if !g.group || g.open != "(" {
			continue
		}
		if i > nameAt && len(g.name) == 0 && !(i == nameAt+1 || i == nameAt+3) {
			break
		}
		var defs []string
		for _, def := range splitTop(g.inner) {
			if len(def) == 0 {
				continue
			}
			first := def[0]
			if first.isWord("primary", "unique", "foreign", "check", "constraint", "exclude") || first.group {
				defs = append(defs, r.text(def))
				continue
			}
			if len(def) == 1 {
				defs = append(defs, r.text(def)+" text")
				continue
			}
			typ, j := typeText(r, def, 1)
			rest := def[j:]
			var restText []string
			for q := 0; q < len(rest); q++ {
				if rest[q].isWord("collate") && q+1 < len(rest) {
					q++
					continue
				}
				restText = append(restText, r.text(rest[q:q+1]))
			}
			defs = append(defs, r.text(def[:1])+" text "+strings.Join(restText, " ")+" comment "+quoteString(typeComment+typ))
		}
		name := ""
		if len(g.name) > 0 {
			name = r.text(g.name) + " "
			g.name = nil
		}
		its[i] = rawItem(name+"("+strings.Join(defs, ", ")+")", g.pos)
		break
	}
	return its
}

// ruleMisc handles small PostgreSQL spellings: [NOT] MATERIALIZED.
func (r *rw) ruleMisc(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		switch {
		case it.group && len(it.name) == 1 && it.name[0].isWord("materialized") && len(out) > 0 && (out[len(out)-1].isWord("as") || out[len(out)-1].isWord("not")):
			// WITH x AS [NOT] MATERIALIZED (...): a planning hint; dropped.
			if out[len(out)-1].isWord("not") {
				out = out[:len(out)-1]
			}
			out = append(out, item{group: true, open: "(", inner: it.inner, pos: it.pos})
			continue
		}
		out = append(out, it)
	}
	return out
}

// fnPrefix marks function names renamed because TiDB's grammar treats
// them as keywords (decoded by BuiltinName).
const fnPrefix = marker + "fn_"

func ptr(s string) *string { return &s }

var renamedFuncs = map[string]bool{"mod": true, "div": true, "match": true, "xor": true, "regexp": true, "rlike": true,
	"long": true, "read": true, "release": true, "require": true, "usage": true, "option": true, "sql": true, "ssl": true,
	"key": true, "keys": true, "index": true, "status": true, "row": false, "both": true, "leading": true, "trailing": true,
	"lines": true, "load": true, "lock": true, "int1": true, "int2": true, "int4": true, "int8": true, "float4": true, "float8": true,
	"array": false, "range": true, "groups": true, "rows": true, "cardinality": true, "mode": true,
	// TiDB reads these as MySQL's population variance; PostgreSQL's are
	// the sample's.
	"variance": true, "stddev": true}

// endsLabel reports whether the item at i ends a column label: a word
// after AS followed by this is a name even if it is a keyword (AS select,).
func endsLabel(its []item, i int) bool {
	return i >= len(its) || its[i].isOp(",", ")", ";") || its[i].isWord("from")
}

// ruleQuote quotes words TiDB reserves but PostgreSQL lets you use as
// names, where they stand as names.
func (r *rw) ruleQuote(its []item, top, inCast bool) []item {
	for i, it := range its {
		// Any word may label a column after AS (SELECT ... AS default);
		// in CAST(x AS type) the word is a type.
		if !inCast && i > 0 && its[i-1].isWord("as") && !it.group && it.text == nil && it.tok.kind == tkIdent &&
			(sqlKeywords[it.tok.text] || tidbOnlyReserved[it.tok.text] || pgSyntaxWords[it.tok.text] || endsLabel(its, i+1)) &&
			(!it.isWord("select", "with", "values", "table", "not", "materialized") || endsLabel(its, i+1)) && !typeWords[it.tok.text] {
			its[i] = r.str(quoteIdent(it.tok.text), it.pos)
			continue
		}
		if it.group || it.text != nil || it.tok.kind != tkIdent || !tidbOnlyReserved[it.tok.text] {
			continue
		}
		w := it.tok.text
		next := item{tok: token{kind: tkEOF}}
		if i+1 < len(its) {
			next = its[i+1]
		}
		prev := item{tok: token{kind: tkEOF}}
		if i > 0 {
			prev = its[i-1]
		}
		keep := false
		switch w {
		case "key":
			keep = prev.isWord("primary", "foreign")
		case "rows", "range", "groups":
			keep = next.isWord("between", "unbounded", "current") || next.tok.kind == tkNumber || next.tok.kind == tkString || next.text != nil && next.raw == rawNone
		case "row":
			keep = next.group || prev.isWord("current")
		case "values", "cascade", "restrict", "to", "of", "interval", "over", "partition", "recursive", "double", "precision", "varying", "character", "char", "binary", "real", "float", "numeric", "decimal", "integer", "int", "smallint", "bigint", "varchar", "xor", "regexp", "rlike", "div", "mod", "use", "if", "explain", "show", "describe", "set", "delete", "update", "replace", "drop", "lock", "unlock", "analyze", "call", "kill", "load", "grant", "revoke", "rename", "optimize", "insert", "create", "alter", "exists", "by", "dual", "generated", "stored", "virtual", "match", "convert", "unsigned", "zerofill", "tinyint", "mediumint", "int1", "int2", "int3", "int4", "int8", "float4", "float8", "long", "blob", "tinyblob", "mediumblob", "longblob", "tinytext", "mediumtext", "longtext", "varbinary", "varcharacter", "middleint":
			keep = true
		}
		contextual := w == "key" || w == "rows" || w == "range" || w == "groups" || w == "row"
		if !keep && ((i == 0 && top) || (!contextual && (sqlKeywords[w] || pgSyntaxWords[w]))) {
			keep = true // a statement's first word is its verb; keywords stay keywords
		}
		if !keep {
			its[i] = r.str(quoteIdent(w), it.pos)
		}
	}
	return its
}

// pgSyntaxWords are PostgreSQL keywords (not reserved there) that still
// form syntax, so they must reach TiDB unquoted.
var pgSyntaxWords = map[string]bool{"between": true, "exists": true, "both": true, "leading": true,
	"trailing": true, "natural": true, "cross": true, "inner": true, "outer": true, "left": true, "right": true,
	"join": true, "like": true, "ilike": true, "is": true, "not": true, "null": true, "in": true, "union": true,
	"except": true, "intersect": true, "distinct": true, "all": true, "and": true, "or": true, "true": true, "false": true}

// pgReservedWords are the words PostgreSQL reserves (not usable as names
// without quotes).
var pgReservedWords = map[string]bool{}

// tidbOnlyReserved are words TiDB reserves that PostgreSQL does not.
var tidbOnlyReserved = map[string]bool{}

func init() {
	pgReserved := pgReservedWords
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check collate column
		constraint create current_catalog current_date current_role current_time current_timestamp current_user default
		deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect
		into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references
		returning select session_user some symmetric system_user table then to trailing true union unique user using
		variadic when where window with authorization binary collation concurrently cross current_schema freeze full
		ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose`) {
		pgReserved[w] = true
	}
	for _, w := range strings.Fields(`add all alter analyze and array as asc between bigint binary blob both by call cascade case change char
		character check collate column constraint continue convert create cross cume_dist current_date current_role current_time
		current_timestamp current_user cursor database databases day_hour day_microsecond day_minute day_second decimal default
		delayed delete dense_rank desc describe distinct distinctrow div double drop dual else elseif enclosed escaped except
		exists exit explain false fetch first_value float float4 float8 for force foreign from fulltext generated grant group
		groups having high_priority hour_microsecond hour_minute hour_second if ignore ilike in index infile inner inout insert
		int int1 int2 int3 int4 int8 integer intersect interval into is iterate join key keys kill lag last_value lateral lead
		leading leave left like limit linear lines load localtime localtimestamp lock long longblob longtext low_priority match
		maxvalue mediumblob mediumint mediumtext middleint minute_microsecond minute_second mod natural not no_write_to_binlog
		nth_value ntile null numeric of on optimize option optionally or order out outer outfile over partition percent_rank
		precision primary procedure range rank read real recursive references regexp release rename repeat replace require
		restrict revoke right rlike row rows row_number second_microsecond select set show smallint spatial sql sqlexception
		sqlstate sqlwarning sql_big_result sql_calc_found_rows sql_small_result ssl starting stored straight_join table
		tablesample terminated then tidb_current_tso tinyblob tinyint tinytext to trailing trigger true union unique unlock
		unsigned until update usage use using utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying
		virtual when where while window with write xor year_month zerofill`) {
		if !pgReserved[w] {
			tidbOnlyReserved[w] = true
		}
	}
}

// ruleExclude rewrites a frame's EXCLUDE clause (TiDB has none) into a
// marker item at the end of the window's ORDER BY (decoded by
// FrameExclude and dropped by OrderItems).
func (r *rw) ruleExclude(its []item) []item {
	for i := 0; i < len(its); i++ {
		if !its[i].isWord("exclude") || i+1 >= len(its) {
			continue
		}
		var kind string
		n := 2
		switch {
		case its[i+1].isWord("current") && i+2 < len(its) && its[i+2].isWord("row"):
			kind, n = "current row", 3
		case its[i+1].isWord("group"):
			kind = "group"
		case its[i+1].isWord("ties"):
			kind = "ties"
		case its[i+1].isWord("no") && i+2 < len(its) && its[i+2].isWord("others"):
			kind, n = "no others", 3
		default:
			continue
		}
		marker := mk(excludeFunc) + "(" + quoteString(kind) + ")"
		// Find the frame keyword; the ORDER BY list ends right before it.
		f := -1
		for k := 0; k < i; k++ {
			if its[k].isWord("rows", "range", "groups") {
				f = k
			}
		}
		rest := append([]item(nil), its[i+n:]...)
		its = its[:i]
		if f < 0 {
			its = append(its, rest...)
			continue
		}
		hasOrder := false
		for k := 0; k < f; k++ {
			if its[k].isWord("order") {
				hasOrder = true
			}
		}
		ins := ", " + marker
		if !hasOrder {
			ins = "order by " + marker
		}
		its = append(append(append(append([]item(nil), its[:f]...), rawItem(ins, its[f].pos)), its[f:]...), rest...)
		i = f + 1
	}
	return its
}

// ruleOperator reads OPERATOR(pg_catalog.~) as the operator itself.
func (r *rw) ruleOperator(its []item) []item {
	for i, it := range its {
		if it.group && len(it.name) == 1 && it.name[0].isWord("operator") && len(it.inner) > 0 {
			its[i] = it.inner[len(it.inner)-1]
		}
	}
	return its
}

// renderDotted prints a dotted name (a . b . c) without spaces.
func (r *rw) renderDotted(its []item) string {
	var sb strings.Builder
	for _, it := range its {
		if !it.group && it.text == nil && it.tok.kind == tkIdent && tidbOnlyReserved[it.tok.text] {
			// An operand named like a word TiDB reserves (range::text):
			// these items skip ruleQuote once rendered into a call.
			sb.WriteString(quoteIdent(it.tok.text))
			continue
		}
		sb.WriteString(r.text([]item{it}))
	}
	return sb.String()
}

func containsWord(its []item, w string) bool {
	for _, it := range its {
		if it.isWord(w) || (it.group && len(it.name) > 0 && it.name[len(it.name)-1].isWord(w)) || (it.group && containsWord(it.inner, w)) {
			return true
		}
		if it.text != nil && strings.Contains(*it.text, w) {
			return true
		}
	}
	return false
}

// ruleSubscripts rewrites arr[i] into lakesql_subscript(arr, i).
func (r *rw) ruleSubscripts(its []item) []item {
	var out []item
	for i := 0; i < len(its); i++ {
		it := its[i]
		// (expr).field selects a field of a composite value.
		if it.group && it.open == "(" && len(it.name) == 0 && len(it.inner) > 0 && i+2 < len(its) && its[i+1].isOp(".") &&
			!its[i+2].group && its[i+2].text == nil && (its[i+2].tok.kind == tkIdent || its[i+2].tok.kind == tkQIdent) {
			out = append(out, r.str(mk(fieldFunc)+"(("+r.text(it.inner)+"), "+quoteString(its[i+2].tok.text)+")", it.pos))
			i += 2
			continue
		}
		if it.group && it.open == "[" && len(it.name) == 0 && len(it.inner) > 0 && len(out) > 0 && out[len(out)-1].isPrimary() {
			k := len(out) - 1
			for k >= 2 && out[k-1].isOp(".") && !out[k-2].group && out[k-2].text == nil && (out[k-2].tok.kind == tkIdent || out[k-2].tok.kind == tkQIdent) {
				k -= 2
			}
			operand := r.renderDotted(out[k:])
			// a[lo:hi] is a slice (either bound may be left out).
			var colon int
			for colon = 0; colon < len(it.inner) && !it.inner[colon].isOp(":"); colon++ {
			}
			if colon < len(it.inner) {
				lo, hi := "null", "null"
				if colon > 0 {
					lo = r.text(it.inner[:colon])
				}
				if colon+1 < len(it.inner) {
					hi = r.text(it.inner[colon+1:])
				}
				out = append(out[:k], r.str(mk(sliceFunc)+"("+operand+", "+lo+", "+hi+")", out[k].pos))
				continue
			}
			// a[i][j]: one call with all the subscripts, as a
			// multi-dimensional array needs them together.
			if k == len(out)-1 && out[k].subscript != nil {
				args := append(append([]string(nil), out[k].subscript...), r.text(it.inner))
				x := r.str(mk(subscriptFunc)+"("+strings.Join(args, ", ")+")", out[k].pos)
				x.subscript = args
				out[k] = x
				continue
			}
			args := []string{operand, r.text(it.inner)}
			x := r.str(mk(subscriptFunc)+"("+strings.Join(args, ", ")+")", out[k].pos)
			x.subscript = args
			out = append(out[:k], x)
			continue
		}
		out = append(out, it)
	}
	return out
}

// typeWords start type names (kept as words after AS in CAST(x AS ...)).
var typeWords = map[string]bool{"double": true, "precision": true, "int": true, "integer": true, "bigint": true,
	"smallint": true, "real": true, "float": true, "numeric": true, "decimal": true, "char": true, "character": true,
	"varchar": true, "varying": true, "interval": true, "date": true, "time": true, "timestamp": true, "text": true,
	"boolean": true, "bool": true, "binary": true, "int1": true, "int2": true, "int3": true, "int4": true, "int8": true,
	"float4": true, "float8": true, "tinyint": true, "mediumint": true, "long": true, "blob": true, "varbinary": true,
	"unsigned": true, "signed": true, "json": true, "year": true}

// tidbWindowable are the functions TiDB's grammar accepts before OVER.
var tidbWindowable = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bit_and": true, "bit_or": true, "bit_xor": true, "group_concat": true, "std": true,
	"stddev_pop": true, "stddev_samp": true, "var_pop": true, "var_samp": true,
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true, "ntile": true,
	"lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true}

// literalOffset reports whether lag/lead's arguments have the plain
// number (or parameter) TiDB's grammar requires as the offset.
func literalOffset(inner []item) bool {
	args := splitTop(inner)
	if len(args) < 2 {
		return true
	}
	a := args[1]
	return len(a) == 1 && !a[0].group && a[0].text == nil && (a[0].tok.kind == tkNumber || a[0].tok.kind == tkParam)
}

// ruleWindowCalls wraps f(args) OVER (...) for functions TiDB does not
// allow before OVER (string_agg, bool_and, regr_slope, ...) as
// max(lakesql_window_fn('f', args)) OVER (...), decoded by WindowCall.
func (r *rw) ruleWindowCalls(its []item) []item {
	for i := 0; i+1 < len(its); i++ {
		it := its[i]
		if !it.group || len(it.name) != 1 || !its[i+1].isWord("over") {
			continue
		}
		var name string
		switch n := it.name[0]; {
		case n.text != nil && strings.HasPrefix(*n.text, mk(fnPrefix)[:len(mk(fnPrefix))-1]):
			name = strings.TrimSuffix(strings.TrimPrefix(*n.text, mk(fnPrefix)[:len(mk(fnPrefix))-1]), `"`)
		case n.text == nil && n.tok.kind == tkIdent:
			name = n.tok.text
		default:
			continue
		}
		if tidbWindowable[name] && !((name == "lag" || name == "lead") && !literalOffset(it.inner)) {
			continue
		}
		args := r.text(it.inner)
		if args != "" {
			args = ", " + args
		}
		its[i] = r.str("max("+mk(windowFnFunc)+"("+quoteString(name)+args+"))", it.pos)
	}
	return its
}
