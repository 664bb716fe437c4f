package server

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

func (c *conn) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, exists := c.stmts[m.Name]; exists {
			return sqlerr.New("42P05", "prepared statement \"%s\" already exists", m.Name)
		}
	}
	declared := make([]arrow.DataType, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		declared[i] = typeOfOID(oid)
	}
	// Planning is part of the statement: statement_timeout and cancels
	// reach it.
	qctx, done := c.queryContext(true, time.Now())
	defer done()
	p, err := c.sess.Prepare(qctx, m.Query, declared)
	if err != nil {
		return err
	}
	c.stmts[m.Name] = p
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", m.PreparedStatement)
	}
	if len(m.Parameters) != len(p.ParamTypes) {
		return sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", len(m.Parameters), m.PreparedStatement, len(p.ParamTypes))
	}
	params := make([]*string, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		format := int16(0)
		switch len(m.ParameterFormatCodes) {
		case 0:
		case 1:
			format = m.ParameterFormatCodes[0]
		default:
			if i < len(m.ParameterFormatCodes) {
				format = m.ParameterFormatCodes[i]
			}
		}
		var s string
		if format == 1 {
			oid, _, _ := typeInfo(p.ParamTypes[i])
			v, err := decodeBinaryParam(oid, raw)
			if err != nil {
				return err
			}
			s = v
		} else {
			s = string(raw)
		}
		params[i] = &s
	}
	c.closePortal(m.DestinationPortal)
	c.portals[m.DestinationPortal] = &portal{stmt: p, params: params, formats: m.ResultFormatCodes}
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'S' {
		p, ok := c.stmts[m.Name]
		if !ok {
			return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", m.Name)
		}
		pd := &pgproto3.ParameterDescription{}
		for _, t := range p.ParamTypes {
			oid, _, _ := typeInfo(t)
			pd.ParameterOIDs = append(pd.ParameterOIDs, oid)
		}
		c.be.Send(pd)
		if p.Schema == nil {
			c.be.Send(&pgproto3.NoData{})
		} else {
			c.be.Send(rowDescription(p.Schema, nil))
		}
		return nil
	}
	pt, ok := c.portals[m.Name]
	if !ok {
		return sqlerr.New(sqlerr.InvalidCursorName, "portal \"%s\" does not exist", m.Name)
	}
	if pt.stmt.Schema == nil {
		c.be.Send(&pgproto3.NoData{})
	} else {
		c.be.Send(rowDescription(pt.stmt.Schema, pt.formats))
	}
	return nil
}

// execute runs (or resumes) a portal, sending at most MaxRows rows. The
// portal's rows run under the portal's own context, so a suspended portal
// resumes; this Execute's cancel or statement_timeout cancels it.
func (c *conn) execute(m *pgproto3.Execute) (err error) {
	pt, ok := c.portals[m.Portal]
	if !ok {
		return sqlerr.New(sqlerr.InvalidCursorName, "portal \"%s\" does not exist", m.Portal)
	}
	if pt.stmt.Empty() {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if pt.done {
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(pt.res, pt.sent))})
		return nil
	}
	began := time.Now()
	qctx, done := c.queryContext(true, began)
	defer done()
	if pt.ctx == nil {
		pt.ctx, pt.cancel = context.WithCancelCause(c.ctx)
	}
	unlink := context.AfterFunc(qctx, func() { pt.cancel(context.Cause(qctx)) })
	defer unlink()
	ctx := pt.ctx
	var sentNow int64
	defer func() {
		// One log line per statement: when it ends, not per fetch.
		if err != nil || pt.done {
			tag, rows := "", pt.sent
			if pt.res != nil {
				tag = pt.res.Tag
				if pt.res.Rows == nil {
					rows = pt.res.RowsAffected
				}
			}
			c.logStatement(tag, began, rows, err)
		}
	}()
	if pt.res == nil {
		res, err := c.sess.ExecutePrepared(ctx, pt.stmt, pt.params)
		if err != nil {
			pt.done = true
			return err
		}
		pt.res = res
		c.sendNotices(res)
		if res.Rows == nil {
			pt.done = true
			_, err := c.sendResult(ctx, res, pt.formats, false)
			return err
		}
	}
	limit := int64(m.MaxRows)
	for limit <= 0 || sentNow < limit {
		if pt.pending == nil || pt.offset >= int(pt.pending.NumRows()) {
			b, err := pt.res.Rows.Next(ctx)
			if err != nil {
				pt.res.Rows.Close()
				pt.done = true
				return err
			}
			if b == nil {
				pt.done = true
				pt.res.Rows.Close()
				c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(pt.res, pt.sent))})
				return nil
			}
			pt.pending, pt.offset = b, 0
		}
		n := int(pt.pending.NumRows()) - pt.offset
		if limit > 0 && int64(n) > limit-sentNow {
			n = int(limit - sentNow)
		}
		if err := c.sendRows(pt.pending, pt.offset, pt.offset+n, pt.formats); err != nil {
			return err
		}
		pt.offset += n
		pt.sent += int64(n)
		sentNow += int64(n)
	}
	c.be.Send(&pgproto3.PortalSuspended{})
	return nil
}

func (c *conn) closePortal(name string) {
	if pt, ok := c.portals[name]; ok {
		if pt.res != nil && pt.res.Rows != nil && !pt.done {
			pt.res.Rows.Close()
		}
		if pt.cancel != nil {
			pt.cancel(context.Canceled)
		}
		delete(c.portals, name)
	}
}

var _ = engine.Version
