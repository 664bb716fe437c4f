package difftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// Config says what to run.
type Config struct {
	Seed uint64
	// Until stops the run at this time; MaxQueries (when > 0) after that
	// many queries.
	Until      time.Time
	MaxQueries int
	Lakesql    DB
	Postgres   DB
	// Logf reports progress and mismatches (nil: quiet).
	Logf func(format string, args ...any)
	// QueriesPerSchema is how many queries run on one set of tables.
	QueriesPerSchema int
}

// Stats counts what a run did.
type Stats struct {
	Queries    int // statements compared (every oracle's queries)
	BothFailed int // both engines refused the statement
	TLP, NoREC int // metamorphic checks made
	Schemas    int
	// DataErrors counts statements one engine refused with a data
	// exception (class 22, or 21000 from a scalar subquery) and the other
	// answered.
	DataErrors int
}

// Mismatch is one disagreement, minimized.
type Mismatch struct {
	Oracle string   // "differential", "tlp", "norec"
	Setup  []string // CREATE TABLE and INSERT statements
	Query  string
	// Original is the query as generated, before minimizing.
	Original string
	PG, LS   Result
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s mismatch\n  setup: %s\n  query: %s\n  postgres: %s\n  lakesql:  %s", m.Oracle,
		strings.Join(m.Setup, "; "), m.Query, summary(m.PG), summary(m.LS))
}

// Run generates tables and queries until the deadline and returns what it
// found. Mismatches with the same minimized query are reported once.
func Run(ctx context.Context, cfg Config) (Stats, []Mismatch, error) {
	if cfg.QueriesPerSchema == 0 {
		cfg.QueriesPerSchema = 40
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	var st Stats
	var found []Mismatch
	seen := map[string]bool{}
	done := func() bool {
		return time.Now().After(cfg.Until) || cfg.MaxQueries > 0 && st.Queries >= cfg.MaxQueries || ctx.Err() != nil
	}
	for !done() {
		tables := genTables(r)
		setup := setupSQL(tables, nil)
		if err := cfg.Lakesql.Reset(ctx, setup); err != nil {
			return st, found, err
		}
		if err := cfg.Postgres.Reset(ctx, setup); err != nil {
			return st, found, err
		}
		st.Schemas++
		g := &gen{r: r, tables: tables}
		for i := 0; i < cfg.QueriesPerSchema && !done(); i++ {
			q := g.genQuery()
			var mm []Mismatch
			mm = append(mm, differential(ctx, cfg, &st, q.sql)...)
			if q.plain && r.IntN(2) == 0 {
				mm = append(mm, tlp(ctx, cfg, &st, q)...)
			}
			if q.plain && r.IntN(3) == 0 {
				mm = append(mm, norec(ctx, cfg, &st, q)...)
			}
			for _, m := range mm {
				m.Setup = setup
				m = minimize(ctx, cfg, tables, m)
				key := m.Oracle + "\x00" + m.Query
				if seen[key] {
					continue
				}
				seen[key] = true
				found = append(found, m)
				logf("%v", m)
				// Minimizing reset the databases to other tables.
				if err := cfg.Lakesql.Reset(ctx, setup); err != nil {
					return st, found, err
				}
				if err := cfg.Postgres.Reset(ctx, setup); err != nil {
					return st, found, err
				}
			}
		}
		if st.Schemas%25 == 0 {
			logf("difftest: %d queries, %d schemas, %d mismatches, %d refused by both, %d data exceptions on one side", st.Queries, st.Schemas, len(found), st.BothFailed, st.DataErrors)
		}
	}
	return st, found, nil
}

// dataException reports a data exception (class 22) or a scalar subquery
// that returned more than one row (21000): errors of the rows an engine
// evaluates, which its plan decides (PostgreSQL folds NULL IN (SELECT
// (SELECT ...)) away without running the inner subquery).
func dataException(r Result) bool {
	return r.Err != nil && (strings.HasPrefix(r.Code, "22") || r.Code == "21000")
}

// differential runs sql on both engines.
func differential(ctx context.Context, cfg Config, st *Stats, sql string) []Mismatch {
	st.Queries++
	ls := cfg.Lakesql.Query(ctx, sql)
	pg := cfg.Postgres.Query(ctx, sql)
	if pg.Code == "57014" || pg.Code == "0A000" {
		// PostgreSQL's statement timeout or one of its own limits (FULL
		// JOIN on a condition it cannot hash or merge): no answer.
		return nil
	}
	if ls.Err != nil && pg.Err != nil {
		st.BothFailed++
		return nil
	}
	if agree(ls, pg) {
		return nil
	}
	if dataException(ls) || dataException(pg) {
		// One engine raised a data exception (overflow, division by zero,
		// bad input) the other never met: which rows and constants an
		// engine evaluates before filtering is its plan's business, and
		// PostgreSQL's own answer changes with its plan.
		st.DataErrors++
		return nil
	}
	return []Mismatch{{Oracle: "differential", Query: sql, Original: sql, PG: pg, LS: ls}}
}

// tlp checks ternary logic partitioning on lakesql: SELECT items FROM f
// equals the union of its rows WHERE p, WHERE NOT p and WHERE p IS NULL.
// Each partition is compared with PostgreSQL as well.
func tlp(ctx context.Context, cfg Config, st *Stats, q query) []Mismatch {
	st.TLP++
	base := "SELECT " + q.items + " FROM " + q.from
	parts := []string{
		base + " WHERE " + q.pred,
		base + " WHERE NOT (" + q.pred + ")",
		base + " WHERE (" + q.pred + ") IS NULL",
	}
	var out []Mismatch
	var results []Result
	for _, p := range parts {
		if m := differential(ctx, cfg, st, p); m != nil {
			out = append(out, m...)
		}
		results = append(results, cfg.Lakesql.Query(ctx, p))
	}
	whole := cfg.Lakesql.Query(ctx, base)
	for _, r := range results {
		if r.Err != nil {
			return out // a partition the engines refuse: nothing to check
		}
	}
	if len(out) == 0 && whole.Err == nil && !agree(union(results...), whole) {
		pg := cfg.Postgres.Query(ctx, base)
		out = append(out, Mismatch{Oracle: "tlp", Query: strings.Join(append([]string{base}, parts...), ";\n"), Original: base, PG: pg, LS: union(results...)})
	}
	return out
}

// norec compares SELECT count(*) ... WHERE p with the count of rows for
// which CASE WHEN p is true, which no optimizer rewrites.
func norec(ctx context.Context, cfg Config, st *Stats, q query) []Mismatch {
	st.NoREC++
	opt := "SELECT count(*) FROM " + q.from + " WHERE " + q.pred
	unopt := "SELECT sum(CASE WHEN " + q.pred + " THEN 1 ELSE 0 END) FROM " + q.from
	out := differential(ctx, cfg, st, opt)
	a := cfg.Lakesql.Query(ctx, opt)
	b := cfg.Lakesql.Query(ctx, unopt)
	if len(out) > 0 || a.Err != nil || b.Err != nil || len(a.Rows) != 1 || len(b.Rows) != 1 {
		return out
	}
	av, bv := a.Rows[0][0], b.Rows[0][0]
	if bv == nil {
		zero := "0"
		bv = &zero
	}
	if av == nil || *av != *bv {
		pg := cfg.Postgres.Query(ctx, opt)
		out = append(out, Mismatch{Oracle: "norec", Query: opt + ";\n" + unopt, Original: opt, PG: pg, LS: a})
	}
	return out
}

// minimize shrinks a differential mismatch: tokens of the query removed
// while the engines still disagree the same way, then table rows and
// tables the query does not need. Other oracles' mismatches are kept as
// they are.
func minimize(ctx context.Context, cfg Config, tables []*table, m Mismatch) Mismatch {
	if m.Oracle != "differential" {
		return m
	}
	same := func(setup []string, sql string) (Result, Result, bool) {
		ls := cfg.Lakesql.Query(ctx, sql)
		pg := cfg.Postgres.Query(ctx, sql)
		if agree(ls, pg) || pg.Code == "57014" || pg.Code == "0A000" || (ls.Err != nil) != (m.LS.Err != nil) || (pg.Err != nil) != (m.PG.Err != nil) {
			return ls, pg, false
		}
		// The same failure: the same error, not another one the shrinking
		// ran into.
		if ls.Err != nil && (ls.Code != m.LS.Code || firstWords(errorText(ls)) != firstWords(errorText(m.LS))) {
			return ls, pg, false
		}
		if pg.Err != nil && pg.Code != m.PG.Code {
			return ls, pg, false
		}
		return ls, pg, true
	}
	// Tokens. ORDER BY stays: without it, LIMIT, OFFSET and DISTINCT ON
	// pick rows at random and the engines disagree for no fault.
	toks := tokenize(m.Query)
	orders := func(toks []string) int {
		n := 0
		for _, t := range toks {
			if strings.EqualFold(t, "order") {
				n++
			}
		}
		return n
	}
	for chunk := len(toks) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i+chunk <= len(toks); {
			cand := append(append([]string(nil), toks[:i]...), toks[i+chunk:]...)
			sql := strings.Join(cand, " ")
			if orders(cand) < orders(toks) {
				i++
				continue
			}
			if ls, pg, ok := same(m.Setup, sql); ok {
				toks, m.Query, m.LS, m.PG = cand, sql, ls, pg
				continue
			}
			i++
		}
	}
	// Rows, one at a time.
	keep := make([][]bool, len(tables))
	for i, t := range tables {
		keep[i] = make([]bool, len(t.rows))
		for k := range keep[i] {
			keep[i][k] = true
		}
	}
	reset := func(setup []string) bool {
		return cfg.Lakesql.Reset(ctx, setup) == nil && cfg.Postgres.Reset(ctx, setup) == nil
	}
	for i, t := range tables {
		if !mentions(m.Query, t.name) {
			continue
		}
		for k := range t.rows {
			keep[i][k] = false
			setup := setupSQL(tables, keep)
			if reset(setup) {
				if ls, pg, ok := same(setup, m.Query); ok {
					m.LS, m.PG = ls, pg
					continue
				}
			}
			keep[i][k] = true
		}
	}
	// Tables the query does not read.
	var used []*table
	var usedKeep [][]bool
	for i, t := range tables {
		if mentions(m.Query, t.name) {
			used = append(used, t)
			usedKeep = append(usedKeep, keep[i])
		}
	}
	m.Setup = setupSQL(used, usedKeep)
	if reset(m.Setup) {
		if ls, pg, ok := same(m.Setup, m.Query); ok {
			m.LS, m.PG = ls, pg
		}
	}
	return m
}

// firstWords is the start of an error message (without the names in it).
func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 4 {
		f = f[:4]
	}
	return strings.Join(f, " ")
}

var wordRE = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9]*`)

func mentions(sql, name string) bool {
	for _, w := range wordRE.FindAllString(sql, -1) {
		if w == name {
			return true
		}
	}
	return false
}

// tokenize splits SQL into tokens, keeping quoted strings whole.
func tokenize(sql string) []string {
	var out []string
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t':
			i++
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			out = append(out, sql[i:min(j+1, len(sql))])
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(sql) && (isWordByte(sql[j]) || sql[j] == '.') {
				j++
			}
			out = append(out, sql[i:j])
			i = j
		default:
			j := i + 1
			for j < len(sql) && strings.IndexByte("+-*/<>=~!@#%^&|`?:", sql[j]) >= 0 && strings.IndexByte("+-*/<>=~!@#%^&|`?:", c) >= 0 {
				j++
			}
			out = append(out, sql[i:j])
			i = j
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
