package server

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// Startup packet codes (the first word after the length).
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
)

// readStartupPacket reads one startup-phase packet from r, exactly: no
// byte past it is read, so nothing a client sends before a TLS handshake
// can be mistaken for what it sends inside it.
func readStartupPacket(r io.Reader) (pgproto3.FrontendMessage, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:]))) - 4
	if n < 4 || n > maxStartupPacket {
		return nil, fmt.Errorf("invalid length of startup packet: %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	switch code := binary.BigEndian.Uint32(body); code {
	case sslRequestCode:
		return &pgproto3.SSLRequest{}, nil
	case gssEncRequestCode:
		return &pgproto3.GSSEncRequest{}, nil
	case cancelRequestCode:
		m := &pgproto3.CancelRequest{}
		return m, m.Decode(body)
	case pgproto3.ProtocolVersion30, pgproto3.ProtocolVersion32:
		m := &pgproto3.StartupMessage{}
		return m, m.Decode(body)
	default:
		if code>>16 == 3 {
			// A later 3.x: answered with NegotiateProtocolVersion.
			m := &pgproto3.StartupMessage{}
			binary.BigEndian.PutUint32(body, pgproto3.ProtocolVersion30)
			err := m.Decode(body)
			m.ProtocolVersion = code
			return m, err
		}
		return nil, fmt.Errorf("unsupported frontend protocol %d.%d", code>>16, code&0xffff)
	}
}

// startup negotiates TLS (GSS is declined), reads the startup message,
// authenticates the user and opens the session. false closes the connection.
func (c *conn) startup() bool {
	cfg := &c.srv.cfg
	c.nc.SetDeadline(time.Now().Add(cfg.StartupTimeout))
	c.mu.Lock()
	c.idle = true // a shutdown interrupts a login in progress
	stopping := c.stopping
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.idle = false
		c.mu.Unlock()
		c.nc.SetDeadline(time.Time{})
	}()
	if stopping {
		return false
	}
	for {
		msg, err := readStartupPacket(c.rw)
		if err != nil {
			if !isTimeoutOrEOF(err) {
				c.srv.log.Debug("bad startup packet", "addr", c.nc.RemoteAddr().String(), "err", err)
			}
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if cfg.TLS == nil || c.tls {
				if _, err := c.rw.Write([]byte{'N'}); err != nil {
					return false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return false
			}
			tc := tls.Server(c.nc, cfg.TLS)
			if err := tc.Handshake(); err != nil {
				c.srv.log.Info("TLS handshake failed", "addr", c.nc.RemoteAddr().String(), "err", err)
				return false
			}
			c.rw, c.tls, c.tlsConn = tc, true, tc
			continue
		case *pgproto3.GSSEncRequest:
			if _, err := c.rw.Write([]byte{'N'}); err != nil {
				return false
			}
			continue
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return false
		case *pgproto3.StartupMessage:
			c.be = pgproto3.NewBackend(c.rw, c.rw)
			c.be.SetMaxBodyLen(cfg.MaxMessageSize)
			return c.login(m)
		}
	}
}

func isTimeoutOrEOF(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// refuse ends a login with a FATAL error.
func (c *conn) refuse(user, why string, err *sqlerr.Error) bool {
	c.srv.stats.Refused.Add(1)
	c.srv.log.Info("connection refused", "pid", c.pid, "addr", c.nc.RemoteAddr().String(), "user", user, "tls", c.tls, "reason", why, "sqlstate", err.Code)
	c.fatal(err)
	return false
}

// login checks the startup message, authenticates and opens the session.
func (c *conn) login(m *pgproto3.StartupMessage) bool {
	cfg := &c.srv.cfg
	user := m.Parameters["user"]
	if user == "" {
		user = "lakesql"
	}
	c.user = user
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 {
		// We speak 3.0; options we do not know (_pq_.*) are named back.
		var unknown []string
		for k := range m.Parameters {
			if strings.HasPrefix(k, "_pq_.") {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknown})
	}
	if cfg.TLSRequired && !c.tls {
		return c.refuse(user, "no TLS", sqlerr.New(sqlerr.InvalidAuthorization,
			"connection without TLS refused for user \"%s\": this server requires an encrypted connection (sslmode=require)", user))
	}
	c.mu.Lock()
	stopping := c.stopping
	c.mu.Unlock()
	if stopping {
		return c.refuse(user, "shutting down", sqlerr.New(sqlerr.CannotConnectNow, "the database system is shutting down"))
	}
	if !c.srv.admit(c) {
		return c.refuse(user, "too many connections", sqlerr.New(sqlerr.TooManyConnections, "sorry, too many clients already"))
	}
	if err := c.authenticate(user); err != nil {
		if err == errClientGone {
			return false
		}
		return c.refuse(user, "authentication failed", err)
	}
	c.sess = c.srv.Engine.NewSession()
	c.sess.SetUser(user, int(c.pid))
	if cfg.TableMemoryLimit != 0 {
		c.sess.SetTableMemoryLimit(cfg.TableMemoryLimit)
	}
	if err := c.applySettings(m.Parameters); err != nil {
		return c.refuse(user, "bad startup options", sqlerr.As(err))
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	params := c.sess.ReportedSettings()
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c.be.Send(&pgproto3.ParameterStatus{Name: k, Value: params[k]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
	c.stmts = map[string]*engine.Prepared{}
	c.portals = map[string]*portal{}
	c.srv.log.Info("connected", "pid", c.pid, "addr", c.nc.RemoteAddr().String(), "user", user,
		"database", m.Parameters["database"], "application", m.Parameters["application_name"], "tls", c.tls, "auth", cfg.Auth)
	return c.be.Flush() == nil
}

// applySettings gives the session the server's defaults, then the
// client's startup parameters (unknown ones are ignored, as drivers send
// a few lakesql has no use for), then the settings in its options
// (-c name=value), which must all be valid, as in PostgreSQL.
func (c *conn) applySettings(params map[string]string) error {
	cfg := &c.srv.cfg
	for name, d := range map[string]time.Duration{
		"statement_timeout":                   cfg.StatementTimeout,
		"idle_session_timeout":                cfg.IdleSessionTimeout,
		"idle_in_transaction_session_timeout": cfg.IdleInTransactionSessionTimeout,
	} {
		if d > 0 {
			if _, err := c.sess.SetSetting(name, fmt.Sprint(d.Milliseconds())); err != nil {
				return err
			}
		}
	}
	for k, v := range params {
		switch k {
		case "user", "database", "options", "replication":
			continue
		}
		if strings.HasPrefix(k, "_pq_.") {
			continue
		}
		c.sess.SetSetting(k, v)
	}
	opts, err := parseOptions(params["options"])
	if err != nil {
		return err
	}
	for _, o := range opts {
		if _, err := c.sess.SetSetting(o[0], o[1]); err != nil {
			return err
		}
	}
	return nil
}

// parseOptions reads the startup parameter "options" as PostgreSQL does:
// words split at spaces (a backslash keeps the next character), each
// setting written "-c name=value", "-cname=value" or "--name=value".
func parseOptions(s string) ([][2]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	var out [][2]string
	for i := 0; i < len(words); i++ {
		w := words[i]
		var kv string
		switch {
		case w == "-c":
			if i+1 >= len(words) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "invalid command-line argument for server process: %s", w)
			}
			i++
			kv = words[i]
		case strings.HasPrefix(w, "-c"):
			kv = w[2:]
		case strings.HasPrefix(w, "--"):
			kv = w[2:]
		default:
			e := sqlerr.New(sqlerr.SyntaxError, "invalid command-line argument for server process: %s", w)
			e.Hint = "Settings are given as -c name=value."
			return nil, e
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, sqlerr.New(sqlerr.SyntaxError, "-c %s requires a value", kv)
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}
