package engine

import (
	"context"

	"github.com/lakesql/lakesql/sqlerr"
)

// New returns an engine over cfg.Root.
func New(cfg Config) (*Engine, error) { return &Engine{cfg: cfg}, nil }

func execute(ctx context.Context, s *Session, sql string, emit func(*Result) error) error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "not implemented yet")
}
