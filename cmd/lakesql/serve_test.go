//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/server"
)

// child is `lakesql serve ARGS...` running in its own process.
type child struct {
	cmd    *exec.Cmd
	addr   string
	stderr *lockedBuffer
	exited chan error
}

// lockedBuffer is the child's stderr, written by exec's copying goroutine
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor is whether the child's stderr comes to hold s within 5 seconds:
// the server logs a connection's end after the client has seen it.
func (c *child) waitFor(s string) bool {
	for i := 0; i < 250; i++ {
		if strings.Contains(c.stderr.String(), s) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func startServe(t *testing.T, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// TestMain (pty_test.go) runs main() when LAKESQL_TEST_MAIN is set.
	cmd := exec.Command(exe, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "LAKESQL_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); <-c.exited })
	lines := bufio.NewScanner(out)
	re := regexp.MustCompile(` on (127\.0\.0\.1:\d+)`)
	for lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			c.addr = m[1]
			break
		}
	}
	go func() {
		for lines.Scan() {
		}
		c.exited <- cmd.Wait()
	}()
	if c.addr == "" {
		t.Fatalf("the server did not start: %s", c.stderr)
	}
	return c
}

func (c *child) dsn(user string) string {
	return "postgres://" + user + "@" + c.addr + "/lake?sslmode=disable"
}

// wait returns the child's exit status once it exits (within d).
func (c *child) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case err := <-c.exited:
		c.exited <- err // for the cleanup
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(d):
		t.Fatalf("the server did not exit within %v; stderr:\n%s", d, c.stderr)
	}
	return -1
}

// SIGTERM: idle clients are told 57P01, the process exits 0.
func TestServeSIGTERM(t *testing.T) {
	c := startServe(t, "--shutdown-grace", "5s", "--log-format", "json")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn("lakesql"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM cities").Scan(&n); err != nil || n == 0 {
		t.Fatalf("%v %d", err, n)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	conn.PgConn().Conn().SetReadDeadline(time.Now().Add(5 * time.Second))
	m, err := conn.PgConn().Frontend().Receive()
	if e, ok := m.(*pgproto3.ErrorResponse); err != nil || !ok || e.Code != "57P01" || e.Severity != "FATAL" {
		t.Errorf("idle client: want FATAL 57P01, got %#v %v", m, err)
	}
	if code := c.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d; stderr:\n%s", code, c.stderr)
	}
	if !strings.Contains(c.stderr.String(), "shutting down") || !strings.Contains(c.stderr.String(), `"msg":"connected"`) {
		t.Errorf("stderr:\n%s", c.stderr)
	}
}

// A second signal stops the server at once, even with a statement running.
func TestServeSecondSignal(t *testing.T) {
	c := startServe(t, "--shutdown-grace", "60s")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn("lakesql"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	go conn.Exec(ctx, "SELECT count(*) FROM generate_series(1, 100000000000) g(x)")
	time.Sleep(300 * time.Millisecond)
	c.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	c.cmd.Process.Signal(syscall.SIGINT)
	if code := c.wait(t, 5*time.Second); code != 1 {
		t.Errorf("exit status %d; stderr:\n%s", code, c.stderr)
	}
}

// With --auth trust the server listens on loopback only, unless told.
func TestServeRefusesOpenTrust(t *testing.T) {
	var out, errb bytes.Buffer
	std := stdio{strings.NewReader(""), &out, &errb}
	if code := run([]string{"serve", "--listen", "0.0.0.0:0"}, std); code != 1 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(errb.String(), "refusing to listen on") || !strings.Contains(errb.String(), "--insecure-listen") {
		t.Errorf("stderr: %s", errb.String())
	}
	for _, args := range [][]string{
		{"serve", "--auth", "scram-sha-256"},           // no users
		{"serve", "--auth", "md5"},                     // unknown method
		{"serve", "--tls-required"},                    // no certificate
		{"serve", "--tls-cert", "x.pem"},               // no key
		{"serve", "--max-message-size", "12 parsecs"},  // bad size
		{"serve", "--log-format", "xml"},               // bad format
		{"serve", "--users", "/nonexistent/users.txt"}, // no file
	} {
		errb.Reset()
		if code := run(args, std); code == 0 {
			t.Errorf("%v: exit 0", args)
		} else if errb.Len() == 0 {
			t.Errorf("%v: no message", args)
		}
	}
}

// lakesql passwd prints a users-file line whose verifier is PostgreSQL's
// format; the server started with it lets that password in (SCRAM and
// cleartext) and nothing else.
func TestPasswdAndAuth(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runPasswd(stdio{strings.NewReader("s3cret pass\n"), &out, &errb}, []string{"ada"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	line := strings.TrimSpace(out.String())
	if !regexp.MustCompile(`^ada:SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$`).MatchString(line) {
		t.Fatalf("line %q", line)
	}
	if strings.Contains(line, "s3cret") {
		t.Fatal("the password is in the output")
	}
	users, err := server.LoadUsers(strings.NewReader("# users\n\n" + line + "\n"))
	if err != nil || len(users) != 1 {
		t.Fatalf("%v %v", users, err)
	}
	file := filepath.Join(t.TempDir(), "users")
	os.WriteFile(file, []byte(line+"\n"), 0o600)
	for _, method := range []string{"scram-sha-256", "password"} {
		c := startServe(t, "--auth", method, "--users", file)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, "postgres://ada:s3cret%20pass@"+c.addr+"/lake?sslmode=disable")
		if err != nil {
			t.Fatalf("%s: right password: %v", method, err)
		}
		conn.Close(ctx)
		_, err = pgx.Connect(ctx, "postgres://ada:wrong@"+c.addr+"/lake?sslmode=disable")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" || pe.Message != `password authentication failed for user "ada"` {
			t.Errorf("%s: wrong password: %v", method, err)
		}
		if strings.Contains(c.stderr.String(), "s3cret") || strings.Contains(c.stderr.String(), "wrong") {
			t.Errorf("%s: a password is in the log:\n%s", method, c.stderr)
		}
		if !c.waitFor("authentication failed") {
			t.Errorf("%s: no log line for the failed login:\n%s", method, c.stderr)
		}
	}
	for _, bad := range []string{"", "a:b", "a b"} {
		if code := runPasswd(stdio{strings.NewReader("x\n"), &out, &errb}, []string{bad}); code != 2 {
			t.Errorf("name %q: exit %d", bad, code)
		}
	}
	if code := runPasswd(stdio{strings.NewReader("\n"), &out, &errb}, []string{"bob"}); code != 1 {
		t.Errorf("empty password: exit %d", code)
	}
}

// The server restarts itself (same process) with GODEBUG=madvdontneed=0,
// keeping any other GODEBUG setting; one that names madvdontneed is left
// as the user set it.
func TestServeMadvFree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	environ := func(c *child) string {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if strings.HasPrefix(kv, "GODEBUG=") {
				return kv
			}
		}
		return ""
	}
	t.Setenv("GODEBUG", "")
	if got := environ(startServe(t)); got != "GODEBUG=madvdontneed=0" {
		t.Errorf("environment has %q", got)
	}
	t.Setenv("GODEBUG", "gctrace=0")
	if got := environ(startServe(t)); got != "GODEBUG=gctrace=0,madvdontneed=0" {
		t.Errorf("environment has %q", got)
	}
	t.Setenv("GODEBUG", "madvdontneed=1")
	if got := environ(startServe(t)); got != "GODEBUG=madvdontneed=1" {
		t.Errorf("environment has %q", got)
	}
}
