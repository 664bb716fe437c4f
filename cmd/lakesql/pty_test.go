//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/jackc/pgx/v5"
	"github.com/mattn/go-runewidth"
)

// TestMain lets the tests run this test binary as the lakesql command, on
// a pseudo-terminal.
func TestMain(m *testing.M) {
	if os.Getenv("LAKESQL_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// screen is a lakesql process on a pseudo-terminal: keys typed in, what it
// shows read back without the terminal's control sequences.
type screen struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // of out, already matched by expect
	done chan struct{}
}

func startScreen(t *testing.T, stateDir string, cols uint16, args ...string) *screen {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "LAKESQL_TEST_MAIN=1", "TERM=xterm", "XDG_STATE_HOME="+stateDir)
	cmd.Env = slicesDelete(cmd.Env, "LAKESQL_HISTORY=")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	s := &screen{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	})
	return s
}

func slicesDelete(env []string, prefix string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, prefix) {
			out = append(out, e)
		}
	}
	return out
}

var controls = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

// text is everything shown so far, control sequences removed.
func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return controls.ReplaceAllString(s.out.String(), "")
}

// expect waits until the screen shows want after what earlier calls matched.
func (s *screen) expect(want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		text := s.text()
		if i := strings.Index(text[min(s.seen, len(text)):], want); i >= 0 {
			s.seen += i + len(want)
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q; it shows:\n%s", want, text[min(s.seen, len(text)):])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *screen) typeKeys(keys string) {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
}

// TestShellOnTerminal drives `lakesql` as a user would: multi-line
// statements, an error with its caret, \x, Ctrl-C during a query and at
// the prompt, the terminal's width, history across sessions, Ctrl-D.
func TestShellOnTerminal(t *testing.T) {
	state := t.TempDir()
	s := startScreen(t, state, 60)
	s.expect("on the bundled demo data. Type \\? for help")
	s.expect("demo=> ")

	s.typeKeys("SELECT name, population\r")
	s.expect("demo-> ")
	s.typeKeys("FROM cities WHERE name = 'Osaka';\r")
	s.expect(" name  | population \n-------+------------\n Osaka |    2753862\n(1 row)\n\nTime: ")
	s.expect(" ms\ndemo=> ")

	// Tab completes table names.
	s.typeKeys("SELECT count(*) AS n FROM citi\t;\r")
	s.expect(" n \n---\n 8\n(1 row)")
	s.expect("demo=> ")

	s.typeKeys("SELECT nope;\r")
	s.expect("ERROR:  42703: column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n")
	s.expect("demo=> ")

	// NULL shows as NULL; values wider than the terminal end in "…".
	s.typeKeys("SELECT founded, repeat('x', 100) AS wide FROM cities WHERE name = 'Osaka';\r")
	s.expect(" NULL    | xxxxx")
	s.expect("(1 row)")
	for _, line := range strings.Split(s.text(), "\n") {
		if strings.Contains(line, "xxxxx") && (!strings.HasSuffix(line, "x…") || runewidth.StringWidth(line) > 60 || runewidth.StringWidth(line) < 58) {
			t.Errorf("line not fitted to 60 columns: %q", line)
		}
	}

	s.typeKeys("\\x\r")
	s.expect("Expanded display is on.")
	s.typeKeys("SELECT r_name FROM tpch.region ORDER BY r_name LIMIT 1;\r")
	s.expect("-[ RECORD 1 ]--\nr_name | AFRICA\n")
	s.typeKeys("\\x off\r")
	s.expect("Expanded display is off.")
	s.typeKeys("\\x auto\r")
	s.expect("Expanded display is used automatically.")
	s.typeKeys("SELECT 1 AS n, repeat('w', 70) AS wide;\r")
	s.expect("-[ RECORD 1 ]")
	s.expect("\nn    | 1\nwide | wwwww")
	s.typeKeys("SELECT 1 AS n;\r")
	s.expect(" n \n---\n 1\n(1 row)")
	s.typeKeys("\\x off\r")
	s.expect("Expanded display is off.")

	// Ctrl-C cancels a long query and the shell goes on.
	s.typeKeys("SELECT count(*) FROM generate_series(1, 100000000000) a;\r")
	time.Sleep(100 * time.Millisecond) // the query starts
	cancel := time.NewTicker(300 * time.Millisecond)
	stop := make(chan struct{})
	go func() {
		// Again, in case the first Ctrl-C came before the query did.
		for {
			s.typeKeys("\x03")
			select {
			case <-cancel.C:
			case <-stop:
				return
			}
		}
	}()
	s.expect("ERROR:  57014: canceling statement due to user request\n")
	close(stop)
	cancel.Stop()
	s.expect("demo=> ")

	// Ctrl-C at the prompt drops what was typed, even inside a quote.
	s.typeKeys("SELECT 'unfinished\r")
	s.expect("demo'> ")
	s.typeKeys("\x03")
	s.expect("demo=> ")
	s.typeKeys("SELECT 42 AS answer;\r")
	s.expect(" answer \n--------\n     42\n(1 row)")

	s.typeKeys("\x04") // Ctrl-D
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl-D did not end the shell")
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	hist, err := os.ReadFile(filepath.Join(state, "lakesql", "history"))
	if err != nil || !strings.Contains(string(hist), "SELECT name, population FROM cities WHERE name = 'Osaka';\n") || !strings.HasSuffix(string(hist), "SELECT 42 AS answer;\n") {
		t.Errorf("history file (%v):\n%s", err, hist)
	}

	// A new session recalls the last statement with the up arrow.
	s = startScreen(t, state, 80)
	s.expect("demo=> ")
	s.typeKeys("\x1b[A\r")
	s.expect("     42\n(1 row)")
	s.typeKeys("\\q\r")
	<-s.done
}

// A folder as the argument opens the shell on that folder.
func TestShellOnTerminalFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "t.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644)
	s := startScreen(t, t.TempDir(), 80, dir)
	s.expect("lake=> ")
	s.typeKeys("\\dt\r")
	s.expect(" public | t    | table | t.csv\n(1 row)")
	s.typeKeys("SELECT sum(a) FROM t;\r")
	s.expect("   3\n(1 row)")
	s.typeKeys("quit\r")
	<-s.done
}

// `lakesql serve DIR` serves the folder given as an argument, flags after it.
func TestServeFolderArgument(t *testing.T) {
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "serve", lakeDir(t), "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "LAKESQL_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr := regexp.MustCompile(`on (127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if err != nil || addr == nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://lakesql@"+addr[1]+"/lake?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	err = conn.QueryRow(ctx, "SELECT sum(a) FROM t").Scan(&sum)
	conn.Close(ctx)
	if err != nil || sum != 3 {
		t.Errorf("sum %d, %v", sum, err)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after interrupt: %v", err)
	}
}
