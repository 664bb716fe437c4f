package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// Nested values (objects and arrays read from files) are reached as in
// Drill:
//
//	t.addr.city, addr.geo.lat     dotted paths into objects, to any depth (the
//	                              bridge writes steps past the third as field calls)
//	t.tags[0], t.orders[1].sku    subscripts of nested arrays count from 0, as
//	                              PostgreSQL's jsonb subscripts do; arrays built in
//	                              SQL keep PostgreSQL's 1-based subscripts
//	t.obj['key']                  a field by name
//	FLATTEN(t.tags)               one row per element (unnest)
//
// Objects too deep to have a type of their own, and JSON text, are
// reached the same way, through the -> operator.

// columnPath resolves a dotted name that is not a column reference as a
// path into a nested value: a.b.c as column b of table a then field c,
// or column a then fields b and c; a.b as column a then field b. When a
// column is found but a field is not, the error says which.
func (eb *exprBinder) columnPath(n *ast.ColumnName) (expr.Expr, bool, error) {
	var parts []string
	for _, p := range []string{n.Schema.O, n.Table.O, n.Name.O} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 2 {
		return nil, false, nil
	}
	var fieldErr error
	try := func(table, col string, fields []string) (expr.Expr, bool) {
		c, ok, err := eb.s.resolve(table, col)
		if err != nil || !ok {
			return nil, false
		}
		// JSON text is reached by path only when the path cannot be a
		// mistyped table name (t.col.key, col.a.b).
		if !types.IsNested(c.Type) && !(types.IsString(c.Type) && (table != "" || len(fields) > 1)) {
			return nil, false
		}
		var e expr.Expr = newColRef(c)
		for _, f := range fields {
			if e, err = eb.field(e, f); err != nil {
				if fieldErr == nil {
					fieldErr = err
				}
				return nil, false
			}
		}
		return e, true
	}
	if len(parts) == 3 {
		if e, ok := try(parts[0], parts[1], parts[2:]); ok {
			return e, true, nil
		}
	}
	if e, ok := try("", parts[0], parts[1:]); ok {
		return e, true, nil
	}
	return nil, false, fieldErr
}

// field selects a field of a nested value.
func (eb *exprBinder) field(e expr.Expr, name string) (expr.Expr, error) {
	key := expr.NewLiteral(scalar.NewStringScalar(name))
	if types.IsString(e.Type()) {
		return eb.b.env.Funcs.Bind("->", []expr.Expr{e, key})
	}
	return eb.b.env.Funcs.Bind("field_select", []expr.Expr{e, key})
}

// nestedCall binds the calls that mean something else on nested values:
// subscripts (0-based, by -> ), field selection from JSON text, FLATTEN.
func (eb *exprBinder) nestedCall(name string, args []expr.Expr) (expr.Expr, bool, error) {
	switch name {
	case "array_subscript":
		if len(args) != 2 {
			return nil, false, nil
		}
		t := args[0].Type()
		if types.IsNested(t) || types.IsString(t) || t.ID() == arrow.STRUCT {
			e, err := eb.b.env.Funcs.Bind("->", args)
			return e, true, err
		}
	case "field_select":
		if len(args) == 2 && types.IsString(args[0].Type()) {
			e, err := eb.b.env.Funcs.Bind("->", args)
			return e, true, err
		}
	case "flatten":
		e, err := eb.setCall("unnest", args)
		return e, true, err
	}
	return nil, false, nil
}
