package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lakesql/lakesql/server"
)

// serverFlags are the serve flags that configure the server: who may log
// in, over what, how much one client may ask, how it stops, what it logs.
// They map one to one onto server.Config.
type serverFlags struct {
	auth, users                string
	insecureListen             bool
	tlsCert, tlsKey            string
	tlsSelfSigned, tlsRequired bool
	maxConnections             int
	maxMessage, tableMemory    string
	statementTimeout           time.Duration
	idleSession, idleInTx      time.Duration
	shutdownGrace              time.Duration
	logFormat, logLevel        string
	debugListen                string
}

func (f *serverFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.auth, "auth", server.AuthTrust, "`method` clients log in with: trust, password or scram-sha-256")
	fs.StringVar(&f.users, "users", "", "`file` of users, one name:verifier per line (see lakesql passwd)")
	fs.BoolVar(&f.insecureListen, "insecure-listen", false, "allow --auth trust on a non-loopback address")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.BoolVar(&f.tlsSelfSigned, "tls-self-signed", false, "serve TLS with a throwaway self-signed certificate")
	fs.BoolVar(&f.tlsRequired, "tls-required", false, "refuse clients that do not use TLS (28000)")
	fs.IntVar(&f.maxConnections, "max-connections", server.DefaultMaxConnections, "sessions served at once (53300 past it)")
	fs.StringVar(&f.maxMessage, "max-message-size", "64MB", "largest client message accepted, a `size` such as 64MB")
	fs.StringVar(&f.tableMemory, "table-memory-limit", "256MB", "`size` one session's CREATE TABLE tables may hold (0: no limit)")
	fs.DurationVar(&f.statementTimeout, "statement-timeout", 0, "default statement_timeout of sessions (0: none)")
	fs.DurationVar(&f.idleSession, "idle-session-timeout", 0, "default idle_session_timeout of sessions (0: none)")
	fs.DurationVar(&f.idleInTx, "idle-in-transaction-session-timeout", 0, "default idle_in_transaction_session_timeout (0: none)")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", server.DefaultShutdownGrace, "on SIGTERM/SIGINT, how long running statements may finish")
	fs.StringVar(&f.logFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.debugListen, "debug-listen", "", "loopback `address` serving /debug/pprof, /debug/stats and /debug/gc (off by default)")
}

// config builds the server's configuration from the flags.
func (f *serverFlags) config() (server.Config, error) {
	cfg := server.Config{
		Auth:                            f.auth,
		TLSRequired:                     f.tlsRequired,
		MaxConnections:                  f.maxConnections,
		StatementTimeout:                f.statementTimeout,
		IdleSessionTimeout:              f.idleSession,
		IdleInTransactionSessionTimeout: f.idleInTx,
		ShutdownGrace:                   f.shutdownGrace,
	}
	if f.maxConnections < 1 {
		return cfg, fmt.Errorf("--max-connections must be at least 1")
	}
	n, err := parseSize(f.maxMessage)
	if err != nil || n < 1024 || n > 1<<30 {
		return cfg, fmt.Errorf("--max-message-size %q: want a size from 1kB to 1GB", f.maxMessage)
	}
	cfg.MaxMessageSize = int(n)
	if cfg.TableMemoryLimit, err = parseSize(f.tableMemory); err != nil {
		return cfg, fmt.Errorf("--table-memory-limit: %v", err)
	}
	if cfg.TableMemoryLimit == 0 {
		cfg.TableMemoryLimit = -1 // no limit
	}
	if f.users != "" {
		file, err := os.Open(f.users)
		if err != nil {
			return cfg, err
		}
		cfg.Users, err = server.LoadUsers(file)
		file.Close()
		if err != nil {
			return cfg, fmt.Errorf("%s: %v", f.users, err)
		}
	}
	switch {
	case f.tlsSelfSigned && (f.tlsCert != "" || f.tlsKey != ""):
		return cfg, fmt.Errorf("--tls-self-signed and --tls-cert/--tls-key exclude each other")
	case f.tlsSelfSigned:
		if cfg.TLS, err = server.SelfSignedTLS(); err != nil {
			return cfg, err
		}
	case f.tlsCert != "" || f.tlsKey != "":
		if f.tlsCert == "" || f.tlsKey == "" {
			return cfg, fmt.Errorf("--tls-cert and --tls-key go together")
		}
		if cfg.TLS, err = server.LoadTLS(f.tlsCert, f.tlsKey); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Validate()
}

// logger makes the server's log on w.
func (f *serverFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: debug, info, warn or error", f.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: text or json", f.logFormat)
}

// parseSize reads a byte count: 1048576, 64kB, 64MB, 1GB (powers of 1024,
// as PostgreSQL's memory units are).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q (e.g. 256MB)", s)
	}
	return n * mult, nil
}

// serveSignals runs srv on ln until SIGTERM or SIGINT, then shuts it down
// gracefully; a second signal exits at once (status 1). With debugListen
// it also serves the debug pages there (loopback only).
func serveSignals(srv *server.Server, ln net.Listener, debugListen string, stderr io.Writer) error {
	if debugListen != "" {
		dl, err := net.Listen("tcp", debugListen)
		if err != nil {
			return fmt.Errorf("--debug-listen: %v", err)
		}
		if a, ok := dl.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			dl.Close()
			return fmt.Errorf("--debug-listen %s: the debug pages are served on loopback only", debugListen)
		}
		fmt.Fprintf(stderr, "lakesql: debug pages on http://%s/debug/\n", dl.Addr())
		hs := &http.Server{Handler: server.DebugHandler(srv), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(dl)
		defer hs.Close()
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "lakesql: shutting down (a second signal stops at once)\n")
		stop()
		select {
		case <-sigs:
			fmt.Fprintf(stderr, "lakesql: stopped at once\n")
			os.Exit(1)
		case <-done:
		}
	}()
	err := srv.Serve(ctx, ln)
	close(done)
	return err
}

// listenSecurely opens the listener and refuses what the configuration
// makes unsafe (trust on a non-loopback address).
func listenSecurely(addr string, cfg server.Config, insecure bool) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckListen(ln.Addr(), insecure); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// connectHint is the psql command line the server prints at start (psql
// uses TLS on its own when the server offers it).
func connectHint(host, port, database string, cfg server.Config) string {
	user := "lakesql"
	if cfg.Auth != server.AuthTrust {
		for name := range cfg.Users {
			if name < user || user == "lakesql" {
				user = name
			}
		}
	}
	return fmt.Sprintf("-h %s -p %s -U %s %s", host, port, user, database)
}
