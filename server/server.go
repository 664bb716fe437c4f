// Package server speaks the PostgreSQL wire protocol (v3) on top of an
// engine: TLS, authentication, simple and extended query, cancellation,
// limits and graceful shutdown. It knows nothing of files: every statement
// goes to an engine.Session.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
)

// Server accepts PostgreSQL clients for one engine.
type Server struct {
	Engine *engine.Engine
	Config Config
	// Logger receives the connection and statement log (nil: Logf, or
	// nothing).
	Logger *slog.Logger
	// Logf, when Logger is nil, receives each log record as a line of
	// text (tests pass t.Logf).
	Logf func(format string, args ...any)

	initOnce sync.Once
	cfg      Config // Config with defaults
	log      *slog.Logger

	mu       sync.Mutex
	conns    map[uint32]*conn
	nextPID  uint32
	sessions int  // logged-in sessions, counted against MaxConnections
	stopping bool // shutting down: no new sessions
	wg       sync.WaitGroup

	stats     Stats
	pastGrace atomic.Bool
	rejecting chan struct{} // sockets being refused now (maxRejecting)

	mockOnce sync.Once
	mock     []byte // key for unknown users' mock SCRAM salts
}

// Stats are counters a server keeps, for tests and load tools.
type Stats struct {
	Accepted   atomic.Int64 // connections accepted
	Open       atomic.Int64 // connections open now
	Sessions   atomic.Int64 // sessions logged in now
	Refused    atomic.Int64 // connections refused (limits, auth, TLS)
	Statements atomic.Int64 // statements and Execute messages run
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.cfg = s.Config.withDefaults()
		s.conns = map[uint32]*conn{}
		s.rejecting = make(chan struct{}, maxRejecting)
		switch {
		case s.Logger != nil:
			s.log = s.Logger
		case s.Logf != nil:
			s.log = slog.New(slog.NewTextHandler(logfWriter(s.Logf), nil))
		default:
			s.log = slog.New(slog.DiscardHandler)
		}
	})
}

// logfWriter adapts a printf-style function to the writer a slog handler needs.
type logfWriter func(format string, args ...any)

func (w logfWriter) Write(p []byte) (int, error) {
	w("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Serve accepts connections on ln until ctx is done, then shuts down
// gracefully: no new connections; idle sessions are told 57P01 and closed
// at once; running statements have Config.ShutdownGrace to finish, then
// are canceled and their sessions closed the same way. It returns nil
// once every connection is gone. A failing connection never affects the
// others.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.init()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				s.shutdown()
				return nil
			}
			// Out of file descriptors and the like: wait, as net/http
			// does, rather than spin or stop serving.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.stats.Accepted.Add(1)
		c, ok := s.newConn(nc)
		if !ok {
			// Far past the session limit (sockets still in their startup
			// count too): a short answer, or none when even those pile up.
			s.stats.Refused.Add(1)
			select {
			case s.rejecting <- struct{}{}:
				go func() {
					defer func() { <-s.rejecting }()
					rejectBusy(nc)
				}()
			default:
				nc.Close()
			}
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.forget(c)
			c.serve()
		}()
	}
}

// maxSockets bounds the connections held open at once, sessions and
// those still in startup: past it a socket is told 53300 at once.
func (s *Server) maxSockets() int { return 2*s.cfg.MaxConnections + 64 }

// maxRejecting bounds the sockets being told 53300 at once; past it they
// are closed unanswered.
const maxRejecting = 256

// rejectBusy answers a socket the server has no room for: it reads the
// startup packet (so the client sees the answer, not a reset) and says
// 53300, all within a second.
func rejectBusy(nc net.Conn) {
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(time.Second))
	for {
		msg, err := readStartupPacket(nc)
		if err != nil {
			return
		}
		switch msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := nc.Write([]byte{'N'}); err != nil {
				return
			}
			continue
		case *pgproto3.StartupMessage:
			be := pgproto3.NewBackend(nc, nc)
			be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: sqlerr.TooManyConnections, Message: "sorry, too many clients already"})
			be.Flush()
		}
		return
	}
}

func (s *Server) newConn(nc net.Conn) (*conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= s.maxSockets() {
		return nil, false
	}
	s.nextPID++
	secret := make([]byte, 4)
	rand.Read(secret)
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{srv: s, nc: nc, pid: s.nextPID + 1000, secret: secret, ctx: ctx, stop: cancel, stopping: s.stopping}
	s.conns[c.pid] = c
	s.stats.Open.Add(1)
	return c, true
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c.pid)
	if c.counted {
		s.sessions--
		s.stats.Sessions.Add(-1)
	}
	s.stats.Open.Add(-1)
}

// admit counts a new session against MaxConnections.
func (s *Server) admit(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions >= s.cfg.MaxConnections {
		return false
	}
	s.sessions++
	s.stats.Sessions.Add(1)
	c.counted = true
	return true
}

// graceOver reports whether a shutdown's grace period has passed, after
// which new commands are canceled as they start.
func (s *Server) graceOver() bool { return s.pastGrace.Load() }

// cancel stops the running query of the connection pid if secret matches.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c != nil && bytes.Equal(c.secret, secret) {
		c.cancelQuery(errCancelRequested)
	}
}

func (s *Server) snapshot() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	return out
}

// waitConns waits for every connection to end, or d to pass.
func (s *Server) waitConns(d time.Duration) bool {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// shutdown ends every connection: idle ones at once, busy ones once their
// statement ends or the grace period passes.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	conns := s.snapshot()
	s.log.Info("shutting down", "connections", len(conns), "grace", s.cfg.ShutdownGrace)
	for _, c := range conns {
		c.beginShutdown()
	}
	if s.waitConns(s.cfg.ShutdownGrace) {
		return
	}
	s.pastGrace.Store(true)
	conns = s.snapshot()
	s.log.Warn("grace period over: canceling running statements", "connections", len(conns))
	for _, c := range conns {
		c.terminate()
	}
	if s.waitConns(5 * time.Second) {
		return
	}
	// Clients that read nothing: their sockets close under them.
	for _, c := range s.snapshot() {
		c.nc.Close()
	}
	s.wg.Wait()
}
