package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

type arrowType = arrow.DataType

var boolType = types.Bool

const nullTypeID = arrow.NULL

func lower(s string) string { return strings.ToLower(s) }

func typeName(t arrow.DataType) string {
	if t == nil {
		return "unknown"
	}
	return types.Name(t)
}

// isCall reports whether e is a call of the named function or operator.
func isCall(e expr.Expr, name string) bool {
	c, ok := e.(interface{ FuncName() string })
	return ok && c.FuncName() == name
}

// evalConst evaluates a constant expression to a one-element array.
func (b *binder) evalConst(e expr.Expr) (arrow.Array, error) {
	if len(refs(e)) > 0 || hasSubquery(e) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "argument must be a constant")
	}
	batch := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	return e.Eval(b.ec, batch)
}

// constInt evaluates a constant integer expression (LIMIT, OFFSET).
func (b *binder) constInt(e expr.Expr) (int64, bool, error) {
	if expr.IsUnknownLiteral(e) || !types.IsInteger(e.Type()) {
		ce, err := expr.NewCast(e, types.Int64)
		if err != nil {
			return 0, false, err
		}
		e = ce
	} else if !types.Equal(e.Type(), types.Int64) {
		ce, err := expr.NewCast(e, types.Int64)
		if err != nil {
			return 0, false, err
		}
		e = ce
	}
	arr, err := b.evalConst(e)
	if err != nil {
		return 0, false, err
	}
	if arr.IsNull(0) {
		return 0, true, nil
	}
	return arr.(*array.Int64).Value(0), false, nil
}

var _ = memory.DefaultAllocator
