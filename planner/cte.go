package planner

import (
	"sync"

	"github.com/lakesql/lakesql/executor"
)

// A WITH query referenced more than once is computed once, as PostgreSQL
// does (it materializes such CTEs unless told NOT MATERIALIZED): each
// reference is bound as before, wrapped in a CTE node, and all the
// references of one WITH query share one executor.SharedResult. A WITH
// query referenced once stays inlined, so filters still reach its scans.

// sharedCTEs are the results of the shared WITH queries of one query. A
// mutex guards them: per-row subqueries and the readers of a result that
// did not fit lower plans while the query runs, on several goroutines.
type sharedCTEs struct {
	mu sync.Mutex
	m  map[*cteShare]*executor.SharedResult
}

// cteShare is what the references of one WITH query have in common.
type cteShare struct {
	name string
	refs int // the references bound, sharable or not
}

// CTE reads one reference to a WITH query shared by several (see above).
// Rewrites treat it as opaque: no filter is pushed into Input and none of
// its columns is pruned, so every reference's Input computes the same
// rows in the same column positions, and any one of them can stand for
// all.
type CTE struct {
	Share *cteShare
	Input Node
}

func (n *CTE) Cols() []Column { return n.Input.Cols() }
func (n *CTE) Inputs() []Node { return []Node{n.Input} }

// sharable reports whether a bound WITH query may be computed once for
// all its references: it reads no column of an enclosing query (a
// correlated body has no single result) and no work table of a recursive
// query. Volatile functions are no obstacle: PostgreSQL never inlines a
// WITH query that calls one, so all its references see the same values
// (WITH r AS (SELECT random() x) gives one x however often r is read).
func sharable(n Node) bool {
	if len(freeRefs(n)) > 0 {
		return false
	}
	ok := true
	walkPlan(n, func(m Node) {
		if _, w := m.(*WorkTable); w {
			ok = false
		}
	})
	return ok
}

// inlineSingleCTEs replaces the CTE nodes of WITH queries referenced only
// once by their inputs. (The plans of subqueries in expressions get the
// same when optimize runs on them.)
func inlineSingleCTEs(n Node) Node {
	n = mapInputs(n, inlineSingleCTEs)
	if c, ok := n.(*CTE); ok && c.Share.refs < 2 {
		return c.Input
	}
	return n
}

// cte lowers a reference to a shared WITH query: the first reference
// lowered makes the SharedResult from its input, the others read it.
func (lw *lowering) cte(n *CTE) (executor.Operator, error) {
	lw.shared.mu.Lock()
	defer lw.shared.mu.Unlock()
	s, ok := lw.shared.m[n.Share]
	if !ok {
		sub := lw.sub()
		sub.serial = false
		input := n.Input
		s = executor.NewSharedResult(func() (executor.Operator, error) { return sub.lower(input) })
		lw.shared.m[n.Share] = s
	}
	return s.Reader(schemaOf(n.Cols())), nil
}
