package difftest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types/text"
)

// Result is what one engine answered: an error (Code its SQLSTATE) or
// rows of text values (nil for NULL) with the columns' kinds.
type Result struct {
	Err   error
	Code  string
	Kinds []kind
	Rows  [][]*string
}

// kind is what a column's values are, for comparing them.
type kind int

const (
	kText kind = iota
	kNumber
	kBool
)

// DB runs statements on one engine.
type DB interface {
	// Reset starts from an empty database and runs the setup statements.
	Reset(ctx context.Context, setup []string) error
	Query(ctx context.Context, sql string) Result
	Close()
}

// Lakesql is an in-process lakesql engine.
type Lakesql struct {
	sess *engine.Session
}

func (l *Lakesql) Reset(ctx context.Context, setup []string) error {
	eng, err := engine.New(engine.Config{Root: fstest.MapFS{}, RootName: "empty"})
	if err != nil {
		return err
	}
	l.sess = eng.NewSession()
	for _, s := range setup {
		if r := l.Query(ctx, s); r.Err != nil {
			return fmt.Errorf("lakesql setup %q: %w", s, r.Err)
		}
	}
	return nil
}

func (l *Lakesql) Close() {}

func (l *Lakesql) Query(ctx context.Context, sql string) Result {
	var res Result
	err := l.sess.Execute(ctx, sql, func(r *engine.Result) error {
		res = Result{}
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		for _, f := range r.Schema.Fields() {
			res.Kinds = append(res.Kinds, arrowKind(f.Type))
		}
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil {
				return nil
			}
			for i := 0; i < int(b.NumRows()); i++ {
				row := make([]*string, b.NumCols())
				for c := range row {
					col := b.Column(c)
					if col.IsNull(i) {
						continue
					}
					s := string(text.Append(nil, col, i, time.UTC))
					row[c] = &s
				}
				res.Rows = append(res.Rows, row)
			}
		}
	})
	if err != nil {
		e := sqlerr.As(err)
		return Result{Err: err, Code: e.Code}
	}
	return res
}

func arrowKind(t arrow.DataType) kind {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return kNumber
	case arrow.BOOL:
		return kBool
	}
	return kText
}

// Postgres is a PostgreSQL server; each Reset recreates its own schema
// (one per connection, so that runs can share a server).
type Postgres struct {
	conn   *pgconn.PgConn
	schema string
}

// ConnectPostgres connects to dsn.
func ConnectPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &Postgres{conn: conn, schema: fmt.Sprintf("difftest_%d", conn.PID())}, nil
}

func (p *Postgres) Close() {
	p.Query(context.Background(), "DROP SCHEMA IF EXISTS "+p.schema+" CASCADE")
	p.conn.Close(context.Background())
}

func (p *Postgres) Reset(ctx context.Context, setup []string) error {
	all := append([]string{"DROP SCHEMA IF EXISTS " + p.schema + " CASCADE", "CREATE SCHEMA " + p.schema, "SET search_path TO " + p.schema,
		"SET TIME ZONE 'UTC'", "SET extra_float_digits = 1", "SET statement_timeout = '10s'"}, setup...)
	for _, s := range all {
		if r := p.Query(ctx, s); r.Err != nil {
			return fmt.Errorf("postgres setup %q: %w", s, r.Err)
		}
	}
	return nil
}

func (p *Postgres) Query(ctx context.Context, sql string) Result {
	var res Result
	mrr := p.conn.Exec(ctx, sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		cur := Result{}
		for _, fd := range rr.FieldDescriptions() {
			cur.Kinds = append(cur.Kinds, oidKind(fd.DataTypeOID))
		}
		for rr.NextRow() {
			vals := rr.Values()
			row := make([]*string, len(vals))
			for i, v := range vals {
				if v != nil {
					s := string(v)
					row[i] = &s
				}
			}
			cur.Rows = append(cur.Rows, row)
		}
		if _, err := rr.Close(); err != nil && res.Err == nil {
			res.Err = err
		}
		if len(cur.Kinds) > 0 {
			res.Kinds, res.Rows = cur.Kinds, cur.Rows
		}
	}
	if err := mrr.Close(); err != nil && res.Err == nil {
		res.Err = err
	}
	if res.Err != nil {
		var pe *pgconn.PgError
		code := "?"
		if errors.As(res.Err, &pe) {
			code = pe.Code
		}
		return Result{Err: res.Err, Code: code}
	}
	return res
}

func oidKind(oid uint32) kind {
	switch oid {
	case 20, 21, 23, 26, 700, 701, 1700:
		return kNumber
	case 16:
		return kBool
	}
	return kText
}

// errorText is a one-line description of a result's error.
func errorText(r Result) string {
	if r.Err == nil {
		return ""
	}
	return strings.ReplaceAll(r.Err.Error(), "\n", " ")
}
