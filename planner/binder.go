package planner

import (
	"context"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Env is what planning needs from the session.
type Env struct {
	Catalog *catalog.Catalog
	// Funcs resolves function calls by name.
	Funcs *expr.Registry
	// Threads is how many workers a query's pipelines may run on.
	Threads int
	// Analyze plans for EXPLAIN ANALYZE: operators count what they do.
	Analyze    bool
	SearchPath []string
	Location   *time.Location
	// Param returns the expression for parameter i ($1 is 0).
	Param func(i int) (expr.Expr, error)
	// ParamOrder maps the i-th '?' marker in the AST to parameter number-1.
	ParamOrder []int
	// SessionFunc binds functions whose value comes from the session
	// (version(), current_setting(), ...); ok false when name is not one.
	SessionFunc func(name string, args []expr.Expr) (e expr.Expr, ok bool, err error)
	// Position maps an AST node's offset to the 1-based character position
	// in the statement text, for errors (nil: errors carry no position).
	Position func(offset int) int
	// NamePosition finds where a name (of a missing table) is written.
	NamePosition func(name string) int
}

// binder holds the state of binding one statement.
type binder struct {
	ctx    context.Context
	env    *Env
	ec     *expr.Context
	nextID int
	ctes   *cteScope
	// work tables of recursive CTEs being bound, by name.
	markers int
	// claimedAggs are aggregates inside subqueries that an enclosing
	// query computes (see outer_aggregate.go).
	claimedAggs map[ast.Node]bool
	// views are the views being expanded, outermost first: a view met
	// again inside itself (CREATE OR REPLACE can make one refer to
	// itself) is an error, not an endless expansion.
	views []*catalog.Relation
}

type cteScope struct {
	defs   map[string]*cteDef
	parent *cteScope
}

type cteDef struct {
	name    string
	query   ast.ResultSetNode
	cols    []string
	scope   *cteScope // the scope the CTE body is bound in
	workID  int       // >0 while binding a recursive CTE's recursive term
	workOut []Column
	binding bool
	share   *cteShare // what its references have in common (see cte.go)
}

func (b *binder) newID() int {
	b.nextID++
	return b.nextID
}

func (b *binder) newCol(name, table string, t arrow.DataType) Column {
	return Column{ID: b.newID(), Name: name, Table: table, Type: t}
}

func (b *binder) lookupCTE(name string) *cteDef {
	for s := b.ctes; s != nil; s = s.parent {
		if d, ok := s.defs[name]; ok {
			return d
		}
		for k, d := range s.defs {
			if strings.EqualFold(k, name) {
				return d
			}
		}
	}
	return nil
}
