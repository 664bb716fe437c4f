package engine

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/connectors"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/planner"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

func (s *Session) schemaFor(tn *ast.TableName) string {
	if tn.Schema.O != "" {
		return tn.Schema.O
	}
	if len(s.set.searchPath) > 0 {
		return s.set.searchPath[0]
	}
	return catalog.DefaultSchema
}

func (s *Session) createTable(ctx context.Context, ec *expr.Context, n *ast.CreateTableStmt) (*Result, error) {
	if n.ReferTable != nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE ... LIKE is not supported")
	}
	schemaName := s.schemaFor(n.Table)
	switch catalog.WorkspaceOf(schemaName) {
	case catalog.TmpWorkspace:
		// A table of files in the writable workspace.
		q, ok := n.Select.(ast.ResultSetNode)
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "tables in dfs.tmp are made by CREATE TABLE ... AS query")
		}
		var cols []string
		for _, c := range n.Cols {
			cols = append(cols, c.Name.Name.O)
		}
		return s.writeTmpTable(ctx, ec, n.Table.Name.O, q, cols, connectors.Parquet, n.IfNotExists)
	case catalog.RootWorkspace:
		return nil, sqlerr.New(sqlerr.InsufficientPrivilege, "cannot create table \"%s\": the root is read-only; write to dfs.tmp", n.Table.Name.O)
	}
	if n.Select != nil {
		q, err := planner.PlanQuery(ctx, s.env(), ec, n.Select)
		if err != nil {
			return nil, err
		}
		fields := q.Schema.Fields()
		for i := range fields {
			if i < len(n.Cols) {
				fields[i].Name = n.Cols[i].Name.Name.O
			}
			if fields[i].Type.ID() == arrow.NULL {
				fields[i].Type = types.String
			}
		}
		schema := arrow.NewSchema(fields, nil)
		batches, err := drain(ctx, q.Root)
		if err != nil {
			return nil, err
		}
		t := catalog.NewMemTable(schema, nil)
		var rows, size int64
		for _, b := range batches {
			size += catalog.BatchBytes(b)
		}
		if err := s.checkTableMemory(size); err != nil {
			return nil, err
		}
		for _, b := range batches {
			nb := array.NewRecordBatch(schema, b.Columns(), b.NumRows())
			t.Append(nb)
			rows += b.NumRows()
		}
		ok, err := s.cat.Create(ctx, &catalog.Relation{Schema: schemaName, Name: n.Table.Name.O, Kind: catalog.MemoryTable, Mem: t}, n.IfNotExists)
		if err != nil {
			return nil, err
		}
		if !ok {
			return &Result{Tag: "CREATE TABLE AS"}, nil
		}
		return &Result{Tag: "SELECT", RowsAffected: rows}, nil
	}
	var fields []arrow.Field
	notNull := make([]bool, 0, len(n.Cols))
	var defaults []expr.Expr
	seen := map[string]bool{}
	for _, c := range n.Cols {
		name := c.Name.Name.O
		if seen[strings.ToLower(name)] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", name)
		}
		seen[strings.ToLower(name)] = true
		t, err := types.Parse(parser.ColumnType(c))
		if err != nil {
			return nil, err
		}
		nn := false
		var def expr.Expr
		for _, o := range c.Options {
			switch o.Tp {
			case ast.ColumnOptionNotNull, ast.ColumnOptionPrimaryKey:
				nn = true
			case ast.ColumnOptionDefaultValue:
				d, err := planner.BindExpr(ctx, s.env(), ec, o.Expr)
				if err != nil {
					return nil, err
				}
				if !types.Equal(d.Type(), t) || expr.IsUnknownLiteral(d) {
					if d, err = expr.NewCast(d, t); err != nil {
						return nil, err
					}
				}
				def = d
			}
		}
		fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: !nn})
		notNull = append(notNull, nn)
		defaults = append(defaults, def)
	}
	for _, con := range n.Constraints {
		if con.Tp == ast.ConstraintPrimaryKey {
			for _, k := range con.Keys {
				for i, f := range fields {
					if k.Column != nil && strings.EqualFold(f.Name, k.Column.Name.O) {
						notNull[i] = true
					}
				}
			}
		}
	}
	t := catalog.NewMemTable(arrow.NewSchema(fields, nil), notNull)
	t.Defaults = defaults
	if _, err := s.cat.Create(ctx, &catalog.Relation{Schema: schemaName, Name: n.Table.Name.O, Kind: catalog.MemoryTable, Mem: t}, n.IfNotExists); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE TABLE"}, nil
}

func (s *Session) createView(ctx context.Context, ec *expr.Context, n *ast.CreateViewStmt, st parser.Statement) (*Result, error) {
	q, ok := n.Select.(ast.ResultSetNode)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW needs a query")
	}
	// Bind once now, so errors surface at CREATE time.
	p, err := planner.PlanQuery(ctx, s.env(), ec, q)
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, c := range n.Cols {
		cols = append(cols, c.O)
	}
	if len(cols) > p.Schema.NumFields() {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	switch catalog.WorkspaceOf(s.schemaFor(n.ViewName)) {
	case catalog.TmpWorkspace:
		// A view stored as a file, as Drill's .view.drill.
		fields := p.Schema.Fields()
		for i := range cols {
			fields[i].Name = cols[i]
		}
		if err := s.cat.WriteView(ctx, n.ViewName.Name.O, parser.ViewBody(st), arrow.NewSchema(fields, nil), n.OrReplace); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE VIEW"}, nil
	case catalog.RootWorkspace:
		return nil, sqlerr.New(sqlerr.InsufficientPrivilege, "cannot create view \"%s\": the root is read-only; write to dfs.tmp", n.ViewName.Name.O)
	}
	rel := &catalog.Relation{Schema: s.schemaFor(n.ViewName), Name: n.ViewName.Name.O, Kind: catalog.View,
		View: &catalog.ViewDef{SQL: parser.ViewQueryText(st, n), Query: q, Columns: cols}}
	if n.OrReplace {
		_ = s.cat.Drop(ctx, rel.Schema, rel.Name, catalog.View, nil, true)
	}
	if _, err := s.cat.Create(ctx, rel, false); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE VIEW"}, nil
}

func (s *Session) insert(ctx context.Context, ec *expr.Context, n *ast.InsertStmt) (*Result, error) {
	if n.Table == nil || n.Table.TableRefs == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT needs a table")
	}
	ts, ok := n.Table.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT needs a table")
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT needs a table")
	}
	rel, err := s.cat.Lookup(ctx, tn.Schema.O, tn.Name.O, s.set.searchPath)
	if err != nil {
		return nil, err
	}
	if rel.Kind != catalog.MemoryTable {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "cannot insert into \"%s\": files under the root are read-only", rel.Name)
	}
	q, err := planner.PlanInsert(ctx, s.env(), ec, n, rel.Mem.Schema(), rel.Mem.Defaults)
	if err != nil {
		return nil, err
	}
	batches, err := drain(ctx, q.Root)
	if err != nil {
		return nil, err
	}
	schema := rel.Mem.Schema()
	var rows int64
	var out []arrow.RecordBatch
	for _, b := range batches {
		for i, nn := range rel.Mem.NotNull {
			if nn && b.Column(i).NullN() > 0 {
				return nil, sqlerr.New(sqlerr.NotNullViolation, "null value in column \"%s\" of relation \"%s\" violates not-null constraint", schema.Field(i).Name, rel.Name)
			}
		}
		out = append(out, array.NewRecordBatch(schema, b.Columns(), b.NumRows()))
		rows += b.NumRows()
	}
	var size int64
	for _, b := range out {
		size += catalog.BatchBytes(b)
	}
	if err := s.checkTableMemory(size); err != nil {
		return nil, err
	}
	rel.Mem.Append(out...)
	return &Result{Tag: "INSERT", RowsAffected: rows}, nil
}

// checkTableMemory fails (53400) when adding more bytes to the session's
// in-memory tables would pass its limit (Config.TableMemoryLimit, or
// SetTableMemoryLimit).
func (s *Session) checkTableMemory(more int64) error {
	limit := s.eng.cfg.TableMemoryLimit
	if s.tableLimit != 0 {
		limit = s.tableLimit
	}
	if limit <= 0 {
		return nil
	}
	var used int64
	for _, t := range s.cat.MemoryTables() {
		used += t.Bytes()
	}
	if used+more > limit {
		e := sqlerr.New(sqlerr.ConfigurationLimit, "in-memory tables of this session would hold %d bytes, over the limit of %d", used+more, limit)
		e.Hint = "Drop tables this session no longer needs, or raise the server's --table-memory-limit."
		return e
	}
	return nil
}

// textResult is a one-column text result (EXPLAIN).
func textResult(col string, lines []string) *Result {
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = []string{l}
	}
	return tableResult([]string{col}, rows)
}

// tableResult is a result of text columns (SHOW, EXPLAIN).
func tableResult(cols []string, rows [][]string) *Result {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for c, name := range cols {
		fields[c] = arrow.Field{Name: name, Type: types.String, Nullable: true}
		b := array.NewStringBuilder(memory.DefaultAllocator)
		for _, r := range rows {
			b.Append(r[c])
		}
		arrs[c] = b.NewArray()
	}
	schema := arrow.NewSchema(fields, nil)
	batch := array.NewRecordBatch(schema, arrs, int64(len(rows)))
	return &Result{Tag: "SHOW", Schema: schema, Rows: &batchRows{batches: []arrow.RecordBatch{batch}}}
}

type batchRows struct{ batches []arrow.RecordBatch }

func (r *batchRows) Next(context.Context) (arrow.RecordBatch, error) {
	if len(r.batches) == 0 {
		return nil, nil
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	return b, nil
}
func (r *batchRows) Close() error { return nil }
