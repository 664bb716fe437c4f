package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// Table functions that read files with format options:
//
//	read_csv('path', delim => '|', header => true)      DuckDB's forms
//	read_json('path'), read_parquet('path')
//	table(dfs.`path`(type => 'text', fieldDelimiter => '|', extractHeader => true))
//	                                                      Drill's, which the bridge
//	                                                      writes as lakesql_file(...)
//
// Paths are under the root (or dfs.tmp for Drill's dfs.tmp.`path`), and
// may be folders or globs.
var fileFunctions = map[string]string{"read_csv": "read_csv", "read_csv_auto": "read_csv", "read_json": "read_json",
	"read_json_auto": "read_json", "read_ndjson": "read_json", "read_parquet": "read_parquet", parser.FileFunction: "table"}

func (b *binder) bindFileFunction(tf parser.TableFunction, outer *scope) (Node, []Column, error) {
	fn := fileFunctions[tf.Name]
	var positional []ast.ExprNode
	var opts [][2]string
	for _, a := range tf.Args {
		if name, v, ok := parser.NamedArgOf(a); ok {
			val, err := b.constText(v)
			if err != nil {
				return nil, nil, err
			}
			opts = append(opts, [2]string{name, val})
			continue
		}
		positional = append(positional, a)
	}
	schema := "dfs"
	if fn == "table" {
		if len(positional) != 2 {
			return nil, nil, sqlerr.New(sqlerr.SyntaxError, "table(...) takes one file, folder or glob with its options")
		}
		ws, err := b.constText(positional[0])
		if err != nil {
			return nil, nil, err
		}
		if ws != "" {
			schema = ws
		}
		positional = positional[1:]
	}
	if len(positional) != 1 {
		return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s takes one path (a file, folder or glob) and named options", tf.Name)
	}
	p, err := b.constText(positional[0])
	if err != nil {
		return nil, nil, err
	}
	fo, err := connectors.ParseFormatOptions(fn, opts)
	if err != nil {
		return nil, nil, err
	}
	rel, err := b.env.Catalog.LookupWorkspaceWith(b.ctx, schema, p, fo)
	if err != nil {
		return nil, nil, err
	}
	return b.scanRelation(rel)
}

// constText evaluates a constant argument to its text.
func (b *binder) constText(n ast.ExprNode) (string, error) {
	eb := &exprBinder{b: b, s: newScope(nil, nil), what: "a table function's arguments"}
	e, err := eb.bind(n)
	if err != nil {
		return "", err
	}
	l, ok := b.fold(e).(*expr.Literal)
	if !ok || l.Value == nil {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "a table function's path and options must be constants")
	}
	if !l.Value.IsValid() {
		return "", sqlerr.New(sqlerr.NullValueNotAllowed, "a table function's path and options cannot be NULL")
	}
	if l.Value.DataType().ID() == arrow.BOOL {
		return l.Value.String(), nil
	}
	arr, err := scalar.MakeArrayFromScalar(l.Value, 1, memory.DefaultAllocator)
	if err != nil {
		return "", sqlerr.Wrap(err, sqlerr.InternalError, "constant")
	}
	return text.Format(arr, 0, nil), nil
}
