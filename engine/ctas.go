package engine

import (
	"context"

	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/parser"
	"github.com/lakesql/lakesql/sqlerr"
)

func (s *Session) createLakeTable(ctx context.Context, ec *expr.Context, l *parser.LakeStatement) (*Result, error) {
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE in dfs.tmp is not supported yet")
}
