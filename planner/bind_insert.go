package planner

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// PlanInsert plans the rows of an INSERT into a table of schema target:
// the result has exactly target's columns, each cast to its type
// (PostgreSQL's assignment casts), with NULL (or the column default) for
// columns the statement does not name.
func PlanInsert(ctx context.Context, env *Env, ec *expr.Context, stmt *ast.InsertStmt, target *arrow.Schema, defaults []expr.Expr) (*Query, error) {
	b := &binder{ctx: ctx, env: env, ec: ec}
	// Which target column each source column fills.
	var idx []int
	if len(stmt.Columns) > 0 {
		seen := map[int]bool{}
		for _, c := range stmt.Columns {
			i := fieldIndex(target, c.Name.O)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation does not exist", c.Name.O)
			}
			if seen[i] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c.Name.O)
			}
			seen[i] = true
			idx = append(idx, i)
		}
	} else {
		for i := 0; i < target.NumFields(); i++ {
			idx = append(idx, i)
		}
	}
	var src Node
	var err error
	switch {
	case stmt.Select != nil:
		src, err = b.bindQuery(stmt.Select, nil)
		if err != nil {
			return nil, err
		}
		if len(src.Cols()) > len(idx) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
		}
	case len(stmt.Lists) > 0:
		rows := make([][]expr.Expr, len(stmt.Lists))
		for r, l := range stmt.Lists {
			if len(l) > len(idx) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
			}
			row := make([]expr.Expr, len(l))
			eb := &exprBinder{b: b, s: newScope(nil, nil), what: "VALUES"}
			for i, n := range l {
				if _, ok := n.(*ast.DefaultExpr); ok {
					row[i] = defaultFor(defaults, target, idx[i])
					continue
				}
				e, err := eb.bind(n)
				if err != nil {
					return nil, err
				}
				if e, err = assignCast(e, target.Field(idx[i])); err != nil {
					return nil, err
				}
				row[i] = e
			}
			rows[r] = row
		}
		v := &Values{Rows: rows}
		width := len(stmt.Lists[0])
		for i := 0; i < width; i++ {
			v.Out = append(v.Out, b.newCol(target.Field(idx[i]).Name, "", target.Field(idx[i]).Type))
		}
		for _, r := range rows {
			if len(r) != width {
				return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length")
			}
		}
		src = v
	default:
		// DEFAULT VALUES
		src = &Values{Rows: [][]expr.Expr{{}}}
	}
	cols := src.Cols()
	p := &Project{Input: src}
	for t := 0; t < target.NumFields(); t++ {
		f := target.Field(t)
		var e expr.Expr = defaultFor(defaults, target, t)
		for i, ti := range idx {
			if ti == t && i < len(cols) {
				if e, err = assignCast(newColRef(cols[i]), f); err != nil {
					return nil, err
				}
			}
		}
		p.Exprs = append(p.Exprs, e)
		p.Out = append(p.Out, b.newCol(f.Name, "", f.Type))
	}
	return b.finish(p)
}

func defaultFor(defaults []expr.Expr, target *arrow.Schema, i int) expr.Expr {
	if i < len(defaults) && defaults[i] != nil {
		return defaults[i]
	}
	return expr.NewNullLiteral(target.Field(i).Type)
}

func assignCast(e expr.Expr, f arrow.Field) (expr.Expr, error) {
	if types.Equal(e.Type(), f.Type) && !expr.IsUnknownLiteral(e) {
		return e, nil
	}
	c, err := expr.NewCast(e, f.Type)
	if err != nil {
		if se, ok := err.(*sqlerr.Error); ok && se.Code == sqlerr.CannotCoerce {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", f.Name, types.Name(f.Type), types.Name(e.Type()))
		}
		return nil, err
	}
	return c, nil
}

func fieldIndex(s *arrow.Schema, name string) int {
	for i, f := range s.Fields() {
		if f.Name == name {
			return i
		}
	}
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}
