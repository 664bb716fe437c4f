package server

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A verifier made by PostgreSQL 15 (CREATE ROLE ada PASSWORD 'pg pass é'
// with password_encryption = scram-sha-256): ours must accept it, and
// ours must be what PostgreSQL would make for the same salt.
const pgVerifier = "SCRAM-SHA-256$4096:93MJPQEurF9h9I7/Ff26mQ==$N9fAZ4bqj/egsn0Bu6H5FfvVKSyrq40XhCgonSfDu/U=:dNdwwo6F8UJ1K2VX+VsvFoASEtSziYBpM/GJJvjb2p8="

func TestVerifierFormat(t *testing.T) {
	v, err := parseVerifier(pgVerifier)
	if err != nil {
		t.Fatal(err)
	}
	again, err := makeVerifier("pg pass é", v.salt, v.iter)
	if err != nil || again.String() != pgVerifier {
		t.Errorf("verifier for PostgreSQL's salt:\n got %v\nwant %s (%v)", again, pgVerifier, err)
	}
	made, err := Verifier("x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseVerifier(made); err != nil {
		t.Errorf("%s: %v", made, err)
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$4096:c2FsdA==$short:short", "SCRAM-SHA-256$x:c2FsdA==$" + strings.Repeat("A", 44) + ":" + strings.Repeat("A", 44)} {
		if _, err := parseVerifier(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := LoadUsers(strings.NewReader("ada:" + pgVerifier + "\nada:" + pgVerifier + "\n")); err == nil {
		t.Error("a user listed twice was accepted")
	}
	if _, err := LoadUsers(strings.NewReader("ada\n")); err == nil {
		t.Error("a line without a verifier was accepted")
	}
}

func authServer(t *testing.T, cfg Config) *testServer {
	cfg.Users = map[string]string{"ada": pgVerifier}
	return startWith(t, peopleFS, cfg, 0)
}

// SCRAM-SHA-256 and cleartext password logins: the right password gets
// in, a wrong one or an unknown user gets 28P01 and a closed connection.
func TestPasswordLogins(t *testing.T) {
	for _, method := range []string{AuthSCRAM, AuthPassword} {
		ts := authServer(t, Config{Auth: method})
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, "postgres://ada:pg%20pass%20%C3%A9@"+ts.addr+"/lake?sslmode=disable")
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		var user string
		if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil || user != "ada" {
			t.Errorf("%s: %v %q", method, err, user)
		}
		conn.Close(ctx)
		for _, dsn := range []string{"ada:wrong", "ada", "bob:pg%20pass%20%C3%A9"} {
			_, err := pgx.Connect(ctx, "postgres://"+dsn+"@"+ts.addr+"/lake?sslmode=disable")
			var pe *pgconn.PgError
			name := strings.SplitN(dsn, ":", 2)[0]
			if !errors.As(err, &pe) || pe.Code != "28P01" || pe.Severity != "FATAL" || pe.Message != `password authentication failed for user "`+name+`"` {
				t.Errorf("%s %s: want FATAL 28P01, got %v", method, dsn, err)
			}
		}
		alive(t, "postgres://ada:pg%20pass%20%C3%A9@"+ts.addr+"/lake?sslmode=disable")
	}
}

// TLS: SSLRequest is answered 'S'; sslmode=require works, with SCRAM
// channel binding (SCRAM-SHA-256-PLUS) when asked for; --tls-required
// refuses a plaintext startup with 28000.
func TestTLS(t *testing.T) {
	tc, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	ts := authServer(t, Config{Auth: AuthSCRAM, TLS: tc, TLSRequired: true})
	ctx := context.Background()
	// The raw answer to SSLRequest.
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	req := make([]byte, 8)
	binary.BigEndian.PutUint32(req, 8)
	binary.BigEndian.PutUint32(req[4:], 80877103)
	raw.Write(req)
	answer := make([]byte, 1)
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(raw, answer); err != nil || answer[0] != 'S' {
		t.Errorf("SSLRequest answered %q %v", answer, err)
	}
	tconn := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	if err := tconn.Handshake(); err != nil {
		t.Errorf("handshake: %v", err)
	}
	tconn.Close()

	pw := "ada:pg%20pass%20%C3%A9@"
	for _, extra := range []string{"sslmode=require", "sslmode=require&channel_binding=require", "sslmode=require&channel_binding=disable"} {
		conn, err := pgx.Connect(ctx, "postgres://"+pw+ts.addr+"/lake?"+extra)
		if err != nil {
			t.Errorf("%s: %v", extra, err)
			continue
		}
		if !conn.PgConn().Conn().(*tls.Conn).ConnectionState().HandshakeComplete {
			t.Errorf("%s: not TLS", extra)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM people").Scan(&n); err != nil || n != 3 {
			t.Errorf("%s: %v %d", extra, err, n)
		}
		conn.Close(ctx)
	}
	// Wrong password over TLS.
	_, err = pgx.Connect(ctx, "postgres://ada:nope@"+ts.addr+"/lake?sslmode=require")
	if pgCode(err) != "28P01" {
		t.Errorf("wrong password over TLS: %v", err)
	}
	// Plaintext is refused.
	_, err = pgx.Connect(ctx, "postgres://"+pw+ts.addr+"/lake?sslmode=disable")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28000" || pe.Severity != "FATAL" {
		t.Errorf("plaintext with --tls-required: want FATAL 28000, got %v", err)
	}
	alive(t, "postgres://"+pw+ts.addr+"/lake?sslmode=require")
}

// Without TLS configured, SSLRequest is declined ('N') and sslmode=prefer
// goes on in plain text; sslmode=require fails.
func TestTLSDeclined(t *testing.T) {
	ts := startWith(t, peopleFS, Config{}, 0)
	ctx := context.Background()
	dsn := strings.Replace(ts.dsn("tester"), "sslmode=disable", "sslmode=prefer", 1)
	alive(t, dsn)
	if _, err := pgx.Connect(ctx, strings.Replace(dsn, "prefer", "require", 1)); err == nil {
		t.Error("sslmode=require connected to a server without TLS")
	}
}

// Bytes sent after SSLRequest before the handshake are not taken as the
// client's (CVE-2021-23214): the TLS handshake fails and the connection
// closes.
func TestNoBufferStuffing(t *testing.T) {
	tc, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	ts := startWith(t, peopleFS, Config{TLS: tc}, 0)
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	req := make([]byte, 8)
	binary.BigEndian.PutUint32(req, 8)
	binary.BigEndian.PutUint32(req[4:], 80877103)
	startup := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	startup = append(startup, "user\x00evil\x00\x00"...)
	startup[3] = byte(len(startup))
	raw.Write(append(req, startup...)) // SSLRequest and a plaintext startup at once
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1)
	if _, err := io.ReadFull(raw, buf); err != nil || buf[0] != 'S' {
		t.Fatalf("%q %v", buf, err)
	}
	rest, _ := io.ReadAll(raw)
	if strings.Contains(string(rest), "ReadyForQuery") || len(rest) > 0 && rest[0] == 'R' {
		t.Errorf("the server answered the stuffed startup: %q", rest)
	}
	alive(t, ts.dsn("tester"))
}
