package planner

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/sqlerr"
)

// scope is the set of columns a name can resolve to at one point of a
// query, with a link to the enclosing query's scope for correlated
// references.
type scope struct {
	cols   []Column
	parent *scope
	// correlated collects the outer columns referenced from inside this
	// scope (or scopes nested in it) that belong to an ancestor.
	correlated map[int]Column
	// agg, when set, resolves expressions after GROUP BY (see aggregate.go).
	agg *aggState
	// aliases are the select-list output names visible to GROUP BY/ORDER BY.
	aliases map[string]*Column
	// windows maps window function calls to their Window output columns.
	windows map[ast.Node]Column
	// lateralOnly marks FROM items to the left that only a LATERAL item
	// (or a function in FROM) may read: other derived tables skip it.
	lateralOnly bool
}

// pastLateralOnly returns s without its leading lateralOnly scopes: what a
// join's ON clause or a plain derived table may read.
func (s *scope) pastLateralOnly() *scope {
	for s != nil && s.lateralOnly {
		s = s.parent
	}
	return s
}

func newScope(cols []Column, parent *scope) *scope {
	return &scope{cols: cols, parent: parent, correlated: map[int]Column{}}
}

// resolve finds a column by optional qualifier and name.
func (s *scope) resolve(table, name string) (Column, bool, error) {
	c, ok, err := s.find(table, name)
	if ok || err != nil {
		return c, ok, err
	}
	// Outer scopes: a correlated reference.
	var chain []*scope
	for p := s.parent; p != nil; p = p.parent {
		chain = append(chain, p)
		c, ok, err := p.find(table, name)
		if err != nil {
			return Column{}, false, err
		}
		if ok {
			// Every scope between the reference and its owner is correlated.
			s.correlated[c.ID] = c
			for _, q := range chain[:len(chain)-1] {
				q.correlated[c.ID] = c
			}
			return c, true, nil
		}
	}
	return Column{}, false, nil
}

func (s *scope) find(table, name string) (Column, bool, error) {
	match := func(fold, implicit bool) ([]Column, error) {
		var out []Column
		for _, c := range s.cols {
			if c.Implicit != implicit {
				continue
			}
			if table != "" {
				if !(c.Table == table || (fold && strings.EqualFold(c.Table, table))) {
					continue
				}
			} else if c.Hidden {
				continue
			}
			if c.Name == name || (fold && strings.EqualFold(c.Name, name)) {
				out = append(out, c)
			}
		}
		return out, nil
	}
	for _, pass := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		fold := pass[0]
		cands, _ := match(fold, pass[1])
		if len(cands) == 1 {
			return cands[0], true, nil
		}
		if len(cands) > 1 {
			// The same column reachable twice (e.g. through USING) is one column.
			same := true
			for _, c := range cands[1:] {
				if c.ID != cands[0].ID {
					same = false
				}
			}
			if same {
				return cands[0], true, nil
			}
			ref := name
			if table != "" {
				ref = table + "." + name
			}
			return Column{}, false, sqlerr.New(sqlerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", ref)
		}
	}
	return Column{}, false, nil
}

// hasTable reports whether a qualifier names a relation of this scope.
func (s *scope) hasTable(table string) bool {
	for _, c := range s.cols {
		if strings.EqualFold(c.Table, table) {
			return true
		}
	}
	return false
}
