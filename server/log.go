package server

import (
	"log/slog"
	"time"

	"github.com/lakesql/lakesql/sqlerr"
)

// logStatement writes the statement log line: its command, duration and
// rows, and on error its SQLSTATE. Neither the statement's text nor the
// error's message is logged at Info: both can quote data from the files.
func (c *conn) logStatement(tag string, began time.Time, rows int64, err error) {
	c.srv.stats.Statements.Add(1)
	log := c.srv.log
	level := slog.LevelInfo
	attrs := []any{"pid", c.pid, "user", c.user, "duration_ms", float64(time.Since(began).Microseconds()) / 1000}
	if tag != "" {
		attrs = append(attrs, "command", tag)
	}
	if err != nil {
		e := sqlerr.As(err)
		attrs = append(attrs, "sqlstate", e.Code)
		if e.Code == sqlerr.InternalError {
			level = slog.LevelError
			attrs = append(attrs, "error", e.Message)
		}
	} else {
		attrs = append(attrs, "rows", rows)
	}
	log.Log(c.ctx, level, "statement", attrs...)
}
