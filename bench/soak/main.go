// Command soak puts a lakesql server under load and checks that it comes
// back to where it started. It builds and starts `lakesql serve` on the
// TPC-H files (loopback only), then:
//
//  1. load: --clients concurrent clients run a mix of the 22 TPC-H queries
//     and the catalog queries psql and BI tools send, for --duration; any
//     error fails the run; latencies (p50, p99) are reported per kind.
//  2. soak: --cycles connect / query / disconnect cycles; the server's
//     goroutines, open file descriptors and resident memory, measured
//     before and after (after a GC), must come back to their level.
//
// It stops the server with SIGTERM at the end (which must exit 0) and
// stops by itself.
//
//	go run ./bench/soak                         # 64 clients, 60 s, 10,000 cycles
//	go run ./bench/soak --clients 8 --duration 10s --cycles 1000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type options struct {
	lakesql  string
	data     string
	queries  string
	port     int
	clients  int
	duration time.Duration
	cycles   int
	parallel int
	timeout  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.lakesql, "lakesql", "", "lakesql binary (default: built from this checkout)")
	flag.StringVar(&o.data, "data", "", "TPC-H Parquet folder (default: ../shared/data/tpch-sf0.01/parquet)")
	flag.StringVar(&o.queries, "queries", "", "folder of q01.sql..q22.sql (default: ../shared/tools/peer/queries)")
	flag.IntVar(&o.port, "port", 0, "port on 127.0.0.1, the debug pages on the next (default: free ones)")
	flag.IntVar(&o.clients, "clients", 64, "concurrent clients in the load phase")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "length of the load phase")
	flag.IntVar(&o.cycles, "cycles", 10000, "connect/query/disconnect cycles in the soak phase")
	flag.IntVar(&o.parallel, "parallel", 8, "clients cycling at once in the soak phase")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "soak: FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}

func run(o options) error {
	shared := os.Getenv("LAKESQL_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "shared")
	}
	if o.data == "" {
		o.data = filepath.Join(shared, "data", "tpch-sf0.01", "parquet")
	}
	if o.queries == "" {
		o.queries = filepath.Join(shared, "tools", "peer", "queries")
	}
	mix, err := loadMix(o.queries)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	srv, err := startServer(ctx, o)
	if err != nil {
		return err
	}
	defer srv.kill()
	fmt.Printf("server pid %d on %s, debug %s, data %s\n", srv.cmd.Process.Pid, srv.addr, srv.debug, o.data)

	// Warm up: every query once, so caches (schemas, footers) are filled
	// before anything is measured.
	if err := warmUp(ctx, srv.dsn(), mix); err != nil {
		return fmt.Errorf("warm-up: %v", err)
	}
	if err := load(ctx, o, srv, mix); err != nil {
		return err
	}
	if err := soak(ctx, o, srv); err != nil {
		return err
	}
	code, err := srv.stop(30 * time.Second)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("the server exited with status %d after SIGTERM", code)
	}
	fmt.Println("server stopped on SIGTERM with status 0")
	return nil
}

// query is one statement of the mix.
type query struct {
	name, kind, sql string
}

// catalogQueries are what psql (\dt, \d), pgjdbc and BI tools send to list
// and describe tables.
var catalogQueries = []query{
	{"psql-dt", "catalog", `SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 's' THEN 'special' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2`},
	{"psql-d", "catalog", `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
WHERE c.relname = 'lineitem' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`},
	{"info-columns", "catalog", `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`},
	{"info-tables", "catalog", `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`},
	{"namespaces", "catalog", `SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1`},
	{"settings", "catalog", `SELECT version(), current_database(), current_schema(), current_setting('server_version_num')`},
}

func loadMix(dir string) ([]query, error) {
	var mix []query
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		b, err := os.ReadFile(filepath.Join(dir, name+".sql"))
		if err != nil {
			return nil, fmt.Errorf("TPC-H queries: %v (set LAKESQL_SHARED or --queries)", err)
		}
		mix = append(mix, query{name, "tpch", string(b)})
	}
	return append(mix, catalogQueries...), nil
}

// server is the lakesql process under test.
type server struct {
	cmd          *exec.Cmd
	addr, debug  string
	exited       chan struct{}
	exitErr      error
	stderrTail   *tail
	killed, done bool
}

func (s *server) dsn() string {
	return "postgres://soak@" + s.addr + "/lake?sslmode=disable"
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startServer(ctx context.Context, o options) (*server, error) {
	bin := o.lakesql
	if bin == "" {
		bin = filepath.Join(os.TempDir(), "lakesql-soak")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/lakesql")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("building lakesql (run from the repository root): %v", err)
		}
	}
	port := o.port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	dport := port + 1 // with --port, the debug pages take the next one
	if o.port == 0 {
		var err error
		if dport, err = freePort(); err != nil {
			return nil, err
		}
	}
	s := &server{addr: fmt.Sprintf("127.0.0.1:%d", port), debug: fmt.Sprintf("127.0.0.1:%d", dport), exited: make(chan struct{}), stderrTail: &tail{}}
	s.cmd = exec.Command(bin, "serve", "--root", o.data, "--listen", s.addr, "--debug-listen", s.debug,
		"--max-connections", strconv.Itoa(max(100, o.clients+o.parallel+8)), "--log-level", "warn")
	s.cmd.Stderr = s.stderrTail
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			c.Close()
			break
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("the server exited: %v\n%s", s.exitErr, s.stderrTail)
		default:
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("the server did not listen on %s", s.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s, nil
}

func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// stop sends SIGTERM and returns the exit status.
func (s *server) stop(d time.Duration) (int, error) {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(d):
		s.kill()
		return -1, fmt.Errorf("the server did not stop within %v of SIGTERM", d)
	}
	var ee *exec.ExitError
	if errors.As(s.exitErr, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, s.exitErr
}

// tail keeps the last lines a process wrote.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		t.lines = append(t.lines, l)
		if len(t.lines) > 50 {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

func warmUp(ctx context.Context, dsn string, mix []query) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range mix {
		if err := runQuery(ctx, conn, q.sql); err != nil {
			return fmt.Errorf("%s: %v", q.name, err)
		}
	}
	return nil
}

// runQuery runs sql and reads every row.
func runQuery(ctx context.Context, conn *pgx.Conn, sql string) error {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

// load runs the mix from o.clients clients for o.duration.
func load(ctx context.Context, o options, srv *server, mix []query) error {
	fmt.Printf("\n== load: %d clients, %v, %d TPC-H + %d catalog queries in the mix\n", o.clients, o.duration, 22, len(catalogQueries))
	type sample struct {
		kind string
		d    time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	var errs []string
	end := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	for c := 0; c < o.clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, srv.dsn())
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("client %d: connect: %v", c, err))
				mu.Unlock()
				return
			}
			defer conn.Close(context.Background())
			rng := rand.New(rand.NewSource(int64(c)))
			var local []sample
			for time.Now().Before(end) && ctx.Err() == nil {
				q := mix[rng.Intn(len(mix))]
				start := time.Now()
				err := runQuery(ctx, conn, q.sql)
				d := time.Since(start)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("client %d %s: %v", c, q.name, err))
					mu.Unlock()
					if conn.IsClosed() {
						return
					}
					continue
				}
				local = append(local, sample{q.kind, d}, sample{"all", d})
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	byKind := map[string][]time.Duration{}
	for _, s := range samples {
		byKind[s.kind] = append(byKind[s.kind], s.d)
	}
	for _, kind := range []string{"tpch", "catalog", "all"} {
		ds := byKind[kind]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		if len(ds) == 0 {
			continue
		}
		fmt.Printf("%-8s %7d queries  %6.1f/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", kind, len(ds),
			float64(len(ds))/o.duration.Seconds(), ms(pct(ds, 50)), ms(pct(ds, 99)), ms(ds[len(ds)-1]))
	}
	fmt.Printf("errors: %d\n", len(errs))
	if len(errs) > 0 {
		for i, e := range errs {
			if i == 10 {
				fmt.Printf("... and %d more\n", len(errs)-10)
				break
			}
			fmt.Println("  " + e)
		}
		return fmt.Errorf("%d errors under load", len(errs))
	}
	return nil
}

func pct(ds []time.Duration, p int) time.Duration {
	i := (len(ds)*p + 99) / 100
	return ds[min(max(i-1, 0), len(ds)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// level is what the server holds: goroutines, open descriptors, memory.
type level struct {
	goroutines, fds, sessions int64
	rssKB, heapKB             int64
}

func (l level) String() string {
	return fmt.Sprintf("goroutines %d, open fds %d, sessions %d, RSS %d kB, heap %d kB", l.goroutines, l.fds, l.sessions, l.rssKB, l.heapKB)
}

// measure collects the server's level after a GC that returns freed
// memory to the OS, once its sessions have gone.
func measure(srv *server) (level, error) {
	var l level
	for i := 0; i < 100; i++ {
		st, err := debugStats(srv)
		if err != nil {
			return l, err
		}
		if st["sessions"] == 0 && st["open"] == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post("http://"+srv.debug+"/debug/gc", "text/plain", nil)
	if err != nil {
		return l, err
	}
	resp.Body.Close()
	time.Sleep(200 * time.Millisecond)
	st, err := debugStats(srv)
	if err != nil {
		return l, err
	}
	l.goroutines, l.sessions, l.heapKB = st["goroutines"], st["sessions"], st["heap_alloc"]/1024
	pid := srv.cmd.Process.Pid
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return l, fmt.Errorf("reading the server's descriptors: %v", err)
	}
	l.fds = int64(len(fds))
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return l, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			l.rssKB, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return l, nil
}

func debugStats(srv *server) (map[string]int64, error) {
	resp, err := http.Get("http://" + srv.debug + "/debug/stats")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st map[string]int64
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// soak runs o.cycles connect/query/disconnect cycles and compares the
// server's level before and after.
func soak(ctx context.Context, o options, srv *server) error {
	fmt.Printf("\n== soak: %d connect/query/disconnect cycles, %d at a time\n", o.cycles, o.parallel)
	before, err := measure(srv)
	if err != nil {
		return err
	}
	fmt.Printf("before: %v\n", before)
	queries := []string{"SELECT count(*) FROM nation", "SELECT n_name FROM nation WHERE n_nationkey = 7", catalogQueries[0].sql, "SELECT 1"}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < o.cycles; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var errs []string
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < o.parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				err := func() error {
					conn, err := pgx.Connect(ctx, srv.dsn())
					if err != nil {
						return err
					}
					defer conn.Close(ctx)
					return runQuery(ctx, conn, queries[i%len(queries)])
				}()
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("cycle %d: %v", i, err))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("%d cycles in %v (%.0f/s), errors: %d\n", o.cycles, elapsed.Round(time.Millisecond), float64(o.cycles)/elapsed.Seconds(), len(errs))
	if len(errs) > 0 {
		for i, e := range errs {
			if i == 10 {
				break
			}
			fmt.Println("  " + e)
		}
		return fmt.Errorf("%d errors in the soak", len(errs))
	}
	after, err := measure(srv)
	if err != nil {
		return err
	}
	fmt.Printf("after:  %v\n", after)
	var problems []string
	if after.goroutines > before.goroutines+2 {
		problems = append(problems, fmt.Sprintf("goroutines %d -> %d", before.goroutines, after.goroutines))
	}
	if after.fds > before.fds+2 {
		problems = append(problems, fmt.Sprintf("open fds %d -> %d", before.fds, after.fds))
	}
	// Memory: within 10% (or 16 MB) of where it was.
	if slack := max(before.rssKB/10, 16*1024); after.rssKB > before.rssKB+slack {
		problems = append(problems, fmt.Sprintf("RSS %d kB -> %d kB", before.rssKB, after.rssKB))
	}
	if after.sessions != 0 {
		problems = append(problems, fmt.Sprintf("%d sessions left", after.sessions))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the server did not come back to its level: %s", strings.Join(problems, "; "))
	}
	fmt.Println("back to the starting level: goroutines, fds and RSS")
	return nil
}
