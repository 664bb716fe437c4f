package engine

import (
	"context"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// CREATE TABLE dfs.tmp.name [(format => 'parquet'|'csv'|'json')] AS query
// writes the query's rows as a folder of files in the writable workspace
// (Parquet unless said otherwise), atomically (see
// catalog.CreateTmpTable). The root itself is read-only.

// ctasFormats are CREATE TABLE's options in dfs.tmp.
var ctasOptions = []string{"format"}

func (s *Session) createLakeTable(ctx context.Context, ec *expr.Context, l *parser.LakeStatement) (*Result, error) {
	schema, name := catalog.SplitName(l.Name)
	format := connectors.Parquet
	for _, o := range l.Options {
		switch o.Name {
		case "format", "type":
			switch strings.ToLower(o.Value) {
			case "parquet":
				format = connectors.Parquet
			case "csv", "text":
				format = connectors.CSV
			case "json":
				format = connectors.JSON
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid format %q: one of parquet, csv, json", o.Value)
			}
		default:
			list := append([]string(nil), ctasOptions...)
			sort.Strings(list)
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unknown option \"%s\" for CREATE TABLE; valid options: %s", o.Name, strings.Join(list, ", "))
		}
	}
	if schema == "" && len(s.set.searchPath) > 0 {
		schema = s.set.searchPath[0]
	}
	switch catalog.WorkspaceOf(schema) {
	case catalog.TmpWorkspace:
	case catalog.RootWorkspace:
		return nil, sqlerr.New(sqlerr.InsufficientPrivilege, "cannot create table \"%s\": the root is read-only; write to dfs.tmp", name)
	default:
		if len(l.Options) > 0 {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "format options are for tables in dfs.tmp")
		}
	}
	stmts, err := parser.Parse(l.Query)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].AST == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE TABLE ... AS needs one query")
	}
	q, ok := stmts[0].AST.(ast.ResultSetNode)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE TABLE ... AS needs a query")
	}
	if catalog.WorkspaceOf(schema) != catalog.TmpWorkspace {
		// CREATE TABLE schema.t AS query of another schema: in memory.
		return s.createTable(ctx, ec, &ast.CreateTableStmt{Table: &ast.TableName{Schema: ast.NewCIStr(schema), Name: ast.NewCIStr(name)},
			Select: q, IfNotExists: l.IfNotExists})
	}
	return s.writeTmpTable(ctx, ec, name, q, nil, format, l.IfNotExists)
}

// writeTmpTable runs q and writes its rows as table name of dfs.tmp.
func (s *Session) writeTmpTable(ctx context.Context, ec *expr.Context, name string, q ast.ResultSetNode, colNames []string, format connectors.Format, ifNotExists bool) (*Result, error) {
	p, err := planner.PlanQuery(ctx, s.env(), ec, q)
	if err != nil {
		return nil, err
	}
	fields := p.Schema.Fields()
	seen := map[string]bool{}
	for i := range fields {
		if i < len(colNames) {
			fields[i].Name = colNames[i]
		}
		if fields[i].Type.ID() == arrow.NULL {
			fields[i].Type = types.String
		}
		k := strings.ToLower(fields[i].Name)
		if seen[k] {
			// Files match columns by name: two of one name cannot be read back.
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", fields[i].Name)
		}
		seen[k] = true
	}
	schema := arrow.NewSchema(fields, nil)
	var rows int64
	created, err := s.cat.CreateTmpTable(ctx, name, ifNotExists, func(create connectors.FileCreator) error {
		r, err := openRows(ctx, p.Root)
		if err != nil {
			return err
		}
		defer r.Close()
		r.ec = ec
		rows, err = connectors.WriteTable(ctx, renamed{r, schema}, schema, format, create)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !created {
		return &Result{Tag: "CREATE TABLE AS", Notices: []Notice{notice(sqlerr.SuccessfulCompletion, "relation \"%s\" already exists, skipping", name)}}, nil
	}
	return &Result{Tag: "SELECT", RowsAffected: rows}, nil
}

// renamed gives a reader's batches the table's column names.
type renamed struct {
	batch.Reader
	schema *arrow.Schema
}

func (r renamed) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := r.Reader.Next(ctx)
	if err != nil || b == nil {
		return b, err
	}
	return array.NewRecordBatch(r.schema, b.Columns(), b.NumRows()), nil
}
