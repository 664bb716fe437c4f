package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// Auth methods, as pg_hba.conf names them.
const (
	AuthTrust    = "trust"         // anyone who connects, under any name
	AuthPassword = "password"      // a cleartext password, checked against the verifier
	AuthSCRAM    = "scram-sha-256" // SCRAM-SHA-256 (and -PLUS over TLS)
)

// Config is how a Server treats its clients: who may log in, over what,
// and how much each may ask of it. The zero value is the default: trust,
// no TLS, the limits below.
type Config struct {
	// Auth is AuthTrust (default), AuthPassword or AuthSCRAM. The latter
	// two need Users.
	Auth string
	// Users maps a user name to its SCRAM-SHA-256 verifier, as
	// PostgreSQL stores it (see LoadUsers and Verifier).
	Users map[string]string

	// TLS, when set, answers SSLRequest with 'S' and TLS; nil declines it.
	TLS *tls.Config
	// TLSRequired refuses (28000) clients that start without TLS.
	TLSRequired bool

	// MaxConnections bounds the sessions served at once; the next one is
	// refused with 53300 (default 100).
	MaxConnections int
	// MaxMessageSize bounds one client message: a client announcing a
	// larger one is disconnected before anything is allocated for it
	// (default 64 MiB).
	MaxMessageSize int
	// StartupTimeout bounds the time from connect to a completed login
	// (default 30s).
	StartupTimeout time.Duration
	// ShutdownGrace is how long running statements may go on once the
	// server stops before they are canceled (default 10s).
	ShutdownGrace time.Duration

	// TableMemoryLimit bounds the bytes each session's in-memory tables
	// (CREATE TABLE, INSERT) may hold (53400 past it); 0 leaves the
	// engine's own limit, < 0 means none.
	TableMemoryLimit int64

	// Session defaults (each session may change its own with SET or the
	// startup options). 0 means none, as in PostgreSQL.
	StatementTimeout                time.Duration
	IdleSessionTimeout              time.Duration
	IdleInTransactionSessionTimeout time.Duration
}

// Defaults for the zero values of Config.
const (
	DefaultMaxConnections = 100
	DefaultMaxMessageSize = 64 << 20
	DefaultStartupTimeout = 30 * time.Second
	DefaultShutdownGrace  = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Auth == "" {
		c.Auth = AuthTrust
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.StartupTimeout <= 0 {
		c.StartupTimeout = DefaultStartupTimeout
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	return c
}

// Validate reports a configuration the server cannot run with.
func (c Config) Validate() error {
	switch c.Auth {
	case "", AuthTrust:
	case AuthPassword, AuthSCRAM:
		if len(c.Users) == 0 {
			return fmt.Errorf("--auth %s needs users (--users FILE, lines made by `lakesql passwd NAME`)", c.Auth)
		}
		for name, v := range c.Users {
			if _, err := parseVerifier(v); err != nil {
				return fmt.Errorf("user %q: %v", name, err)
			}
		}
	default:
		return fmt.Errorf("unknown auth method %q (trust, password, scram-sha-256)", c.Auth)
	}
	if c.TLSRequired && c.TLS == nil {
		return fmt.Errorf("TLS is required but no certificate is configured (--tls-cert/--tls-key or --tls-self-signed)")
	}
	return nil
}

// CheckListen refuses to serve a non-loopback address without
// authentication: with trust, anyone who can reach the port is in.
// insecure overrides it.
func (c Config) CheckListen(addr net.Addr, insecure bool) error {
	if insecure || (c.Auth != "" && c.Auth != AuthTrust) {
		return nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s with --auth trust: anyone who can reach it could query every file under the root; "+
		"use --auth scram-sha-256 --users FILE, or listen on 127.0.0.1, or pass --insecure-listen if this network is trusted", addr)
}
