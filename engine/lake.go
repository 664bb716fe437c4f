package engine

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// Drill's statements for browsing and managing a lake: SHOW SCHEMAS,
// SHOW TABLES, SHOW FILES, DESCRIBE, USE, REFRESH TABLE METADATA and
// CREATE TABLE ... AS into the dfs.tmp workspace.

func (s *Session) lake(ctx context.Context, l *parser.LakeStatement) (*Result, error) {
	ec := s.evalContext(ctx)
	ctx = s.queryContext(ctx, ec)
	ctx = catalog.WithSnapshot(ctx)
	switch l.Kind {
	case parser.LakeShowSchemas:
		var rows [][]string
		for _, sc := range s.cat.Schemas(ctx) {
			rows = append(rows, []string{sc})
		}
		return tableResult([]string{"schema_name"}, rows), nil
	case parser.LakeShowTables:
		return s.showTables(ctx, l)
	case parser.LakeShowFiles:
		return s.showFiles(ctx, l)
	case parser.LakeDescribe:
		return s.describe(ctx, l)
	case parser.LakeUse:
		schema := strings.Join(l.Name, ".")
		switch catalog.WorkspaceOf(schema) {
		case catalog.RootWorkspace:
			schema = catalog.DefaultSchema // the root's files are public's tables
		case catalog.TmpWorkspace:
			schema = catalog.TmpSchema
		}
		if !s.cat.SchemaExists(schema) {
			return nil, sqlerr.New(sqlerr.UndefinedSchema, "schema \"%s\" does not exist", schema)
		}
		if _, err := s.SetSetting("search_path", quoteSchema(schema)); err != nil {
			return nil, err
		}
		return &Result{Tag: "SET", Notices: []Notice{notice(sqlerr.SuccessfulCompletion, "default schema changed to %s", schema)}}, nil
	case parser.LakeRefresh:
		return s.refresh(ctx, l)
	case parser.LakeCreateTable:
		return s.createLakeTable(ctx, ec, l)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement not supported")
}

func quoteSchema(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqlName renders a name's parts as SQL the bridge reads back: a
// workspace name as "dfs.root"."path".
func sqlName(parts []string) string {
	schema, name := catalog.SplitName(parts)
	if schema == "" {
		return quoteSchema(name)
	}
	return quoteSchema(schema) + "." + quoteSchema(name)
}

func (s *Session) showTables(ctx context.Context, l *parser.LakeStatement) (*Result, error) {
	schema := ""
	if len(l.Name) > 0 {
		schema = strings.Join(l.Name, ".")
	} else if len(s.set.searchPath) > 0 {
		schema = s.set.searchPath[0]
	}
	if catalog.WorkspaceOf(schema) == catalog.RootWorkspace {
		schema = catalog.DefaultSchema
	}
	if catalog.WorkspaceOf(schema) == catalog.TmpWorkspace {
		schema = catalog.TmpSchema
	}
	if !s.cat.SchemaExists(schema) {
		return nil, sqlerr.New(sqlerr.UndefinedSchema, "schema \"%s\" does not exist", schema)
	}
	var rows [][]string
	for _, r := range s.cat.Relations(ctx, schema) {
		rows = append(rows, []string{r.Schema, r.Name})
	}
	return tableResult([]string{"table_schema", "table_name"}, rows), nil
}

func (s *Session) showFiles(ctx context.Context, l *parser.LakeStatement) (*Result, error) {
	schema, p := "dfs", "."
	switch {
	case len(l.Name) == 0:
	case catalog.WorkspaceOf(strings.Join(l.Name, ".")) != catalog.NoWorkspace:
		schema = strings.Join(l.Name, ".") // SHOW FILES IN dfs.tmp
	default:
		schema, p = catalog.SplitName(l.Name)
		if schema == "" {
			schema = "dfs"
		}
		if catalog.WorkspaceOf(schema) == catalog.NoWorkspace {
			// SHOW FILES IN tpch: a schema's folder.
			schema, p = "dfs", strings.Join(l.Name, "/")
		}
	}
	files, err := s.cat.ListFiles(ctx, schema, p)
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	names := array.NewStringBuilder(mem)
	dirs := array.NewBooleanBuilder(mem)
	lengths := array.NewInt64Builder(mem)
	mod := array.NewTimestampBuilder(mem, types.TimestampTZ.(*arrow.TimestampType))
	for _, f := range files {
		names.Append(f.Name)
		dirs.Append(f.IsDir)
		lengths.Append(f.Length)
		mod.Append(arrow.Timestamp(f.Modified.UnixMicro()))
	}
	schemaOut := showFilesSchema
	b := array.NewRecordBatch(schemaOut, []arrow.Array{names.NewArray(), dirs.NewArray(), lengths.NewArray(), mod.NewArray()}, int64(len(files)))
	return &Result{Tag: "SHOW", Schema: schemaOut, Rows: &batchRows{batches: []arrow.RecordBatch{b}}}, nil
}

// describe lists the columns SELECT * of a table, view or path gives,
// with their types as PostgreSQL names them.
func (s *Session) describe(ctx context.Context, l *parser.LakeStatement) (*Result, error) {
	q, err := s.planText(ctx, "SELECT * FROM "+sqlName(l.Name))
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, f := range q.Schema.Fields() {
		rows = append(rows, []string{f.Name, typeName(f.Type), "YES"})
	}
	return tableResult([]string{"column_name", "data_type", "is_nullable"}, rows), nil
}

// typeName is a column type as the catalogs name it: nested values are json.
func typeName(t arrow.DataType) string {
	if types.IsNested(t) {
		return "json"
	}
	return types.Name(t)
}

// planText plans one query given as text.
func (s *Session) planText(ctx context.Context, sql string) (*planner.Query, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].AST == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "expected one query")
	}
	q, ok := stmts[0].AST.(ast.ResultSetNode)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "expected a query")
	}
	return planner.PlanQuery(ctx, s.env(), s.evalContext(ctx), q)
}

// refresh forgets what the metadata cache holds for a table's files and
// reads them again.
func (s *Session) refresh(ctx context.Context, l *parser.LakeStatement) (*Result, error) {
	schema, name := catalog.SplitName(l.Name)
	rel, err := s.cat.Lookup(ctx, schema, name, s.set.searchPath)
	if err != nil {
		return nil, err
	}
	if rel.Kind != catalog.FileTable {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table of files", rel.Name)
	}
	n, err := s.cat.Refresh(ctx, rel)
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "REFRESH", Notices: []Notice{notice(sqlerr.SuccessfulCompletion, "metadata of %d files of \"%s\" read again", n, rel.Name)}}, nil
}

var showFilesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: types.String, Nullable: true},
	{Name: "is_directory", Type: types.Bool, Nullable: true},
	{Name: "length", Type: types.Int64, Nullable: true},
	{Name: "modified", Type: types.TimestampTZ, Nullable: true},
}, nil)

// lakeResultSchema is the result schema of a lake statement, for Describe
// before Execute (nil: no rows).
func lakeResultSchema(l *parser.LakeStatement) *arrow.Schema {
	text := func(names ...string) *arrow.Schema {
		fields := make([]arrow.Field, len(names))
		for i, n := range names {
			fields[i] = arrow.Field{Name: n, Type: types.String, Nullable: true}
		}
		return arrow.NewSchema(fields, nil)
	}
	switch l.Kind {
	case parser.LakeShowSchemas:
		return text("schema_name")
	case parser.LakeShowTables:
		return text("table_schema", "table_name")
	case parser.LakeShowFiles:
		return showFilesSchema
	case parser.LakeDescribe:
		return text("column_name", "data_type", "is_nullable")
	}
	return nil
}
