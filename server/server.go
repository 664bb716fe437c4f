// Package server speaks the PostgreSQL wire protocol (v3) on top of an
// engine: startup, simple and extended query, cancellation. It knows
// nothing of files: every statement goes to an engine.Session.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log"
	"net"
	"sync"

	"github.com/lakesql/lakesql/engine"
)

// Server accepts PostgreSQL clients for one engine.
type Server struct {
	Engine *engine.Engine
	// Logf reports connection-level problems (nil: the log package).
	Logf func(format string, args ...any)

	mu      sync.Mutex
	conns   map[uint32]*conn
	nextPID uint32
	wg      sync.WaitGroup
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Serve accepts connections on ln until ctx is done or ln fails. Each
// connection is served by its own goroutine; a failing connection never
// affects the others.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				s.wg.Wait()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c := s.newConn(nc)
			defer s.forget(c)
			c.serve(ctx)
		}()
	}
}

func (s *Server) newConn(nc net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[uint32]*conn{}
	}
	s.nextPID++
	secret := make([]byte, 4)
	rand.Read(secret)
	c := &conn{srv: s, nc: nc, pid: s.nextPID + 1000, secret: secret}
	s.conns[c.pid] = c
	return c
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c.pid)
}

// cancel stops the running query of the connection pid if secret matches.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c != nil && bytes.Equal(c.secret, secret) {
		c.cancelQuery()
	}
}
