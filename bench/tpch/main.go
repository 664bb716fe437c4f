// Command tpch measures lakesql against DuckDB on TPC-H, side by side, on
// the same files: it generates the data once (cached), times DuckDB over the
// files in place (peer run), starts `lakesql serve` over the same folder and
// runs the 22 queries against it over the wire (peer pg), checking every
// answer. It prints, per query, both times, their ratio and whether the
// answer was right; then the geometric mean of the ratios and both engines'
// peak resident memory.
//
//	go run ./bench/tpch --sf 1 --format parquet --cache ~/tpch
//
// The peer tool (../shared/tools/peer, which links DuckDB) is built on
// first use. Answers come from DuckDB over the Parquet files (exact
// decimals), computed once per scale factor.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "tpch: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	sf          string
	format      string
	cache       string
	shared      string
	threads     int
	reps        int
	queries     string
	lakesql     string
	serveArgs   string
	timeout     time.Duration
	reuseDuckDB bool
	skipDuckDB  bool
	port        int
}

func run() error {
	var o options
	flag.StringVar(&o.sf, "sf", "1", "TPC-H scale factor")
	flag.StringVar(&o.format, "format", "parquet", "file format: parquet, csv or json")
	flag.StringVar(&o.cache, "cache", "", "folder that keeps generated data, answers and tools across runs (required)")
	flag.StringVar(&o.shared, "shared", "", "the shared folder with tools/peer (default: ../shared beside the repository)")
	flag.IntVar(&o.threads, "threads", runtime.NumCPU(), "worker threads for both engines")
	flag.IntVar(&o.reps, "reps", 1, "timed repetitions per query (the median counts)")
	flag.StringVar(&o.queries, "queries", "", "queries to run, e.g. 1,3,6 or 1-5 (default: all 22)")
	flag.StringVar(&o.lakesql, "lakesql", "", "lakesql binary to measure (default: build ./cmd/lakesql)")
	flag.StringVar(&o.serveArgs, "serve-args", "", "extra arguments for `lakesql serve`, e.g. \"--memory-limit 4GB\"")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "time limit for one query")
	flag.BoolVar(&o.reuseDuckDB, "reuse-duckdb", false, "reuse DuckDB's times from the last run with the same scale, format and threads")
	flag.BoolVar(&o.skipDuckDB, "skip-duckdb", false, "measure lakesql only")
	flag.IntVar(&o.port, "port", 55499, "loopback port for the lakesql server")
	flag.Parse()
	if o.cache == "" {
		flag.Usage()
		return errors.New("--cache is required")
	}
	if _, ok := map[string]bool{"parquet": true, "csv": true, "json": true}[o.format]; !ok {
		return fmt.Errorf("unknown format %q", o.format)
	}
	if o.shared == "" {
		o.shared = filepath.Join("..", "shared")
	}
	cache, err := filepath.Abs(o.cache)
	if err != nil {
		return err
	}
	o.cache = cache
	ctx := context.Background()

	bin := filepath.Join(o.cache, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	peer := filepath.Join(bin, "peer")
	if err := step("build peer", exec.Command("go", "build", "-C", filepath.Join(o.shared, "tools", "peer"), "-o", peer, ".")); err != nil {
		return err
	}
	data := filepath.Join(o.cache, "sf"+o.sf)
	for _, f := range uniq([]string{"parquet", o.format}) {
		if _, err := os.Stat(filepath.Join(data, f, "lineitem."+ext(f))); err == nil {
			continue
		}
		if err := step("generate "+f, exec.Command(peer, "gen", "--sf", o.sf, "--out", data, "--formats", f)); err != nil {
			return err
		}
	}
	answers := filepath.Join(data, "answers")
	if _, err := os.Stat(filepath.Join(answers, "q22.csv")); err != nil {
		cmd := exec.Command(peer, "run", "--data", data, "--format", "parquet", "--threads", strconv.Itoa(o.threads), "--reps", "1", "--answers", answers)
		if err := step("answers (DuckDB over Parquet)", cmd); err != nil {
			return err
		}
	}

	duck := map[string]float64{}
	duckRSS := math.NaN()
	if !o.skipDuckDB {
		saved := filepath.Join(data, fmt.Sprintf("duckdb-%s-t%d.txt", o.format, o.threads))
		var out []byte
		if o.reuseDuckDB {
			out, _ = os.ReadFile(saved)
		}
		if out == nil {
			args := []string{"run", "--data", data, "--format", o.format, "--threads", strconv.Itoa(o.threads), "--reps", strconv.Itoa(o.reps)}
			if o.queries != "" {
				args = append(args, "--queries", o.queries)
			}
			fmt.Fprintf(os.Stderr, "== DuckDB: peer %s\n", strings.Join(args, " "))
			if out, err = exec.Command(peer, args...).Output(); err != nil {
				return fmt.Errorf("peer run: %w\n%s", err, out)
			}
			if err := os.WriteFile(saved, out, 0o644); err != nil {
				return err
			}
		}
		duck, duckRSS = parseDuckDB(string(out))
	}

	lakesql := o.lakesql
	if lakesql == "" {
		lakesql = filepath.Join(bin, "lakesql")
		if err := step("build lakesql", exec.Command("go", "build", "-o", lakesql, "./cmd/lakesql")); err != nil {
			return err
		}
	}
	res, lakeRSS, err := runLakesql(ctx, o, lakesql, peer, filepath.Join(data, o.format), answers)
	if err != nil {
		return err
	}
	report(os.Stdout, o, duck, duckRSS, res, lakeRSS)
	return nil
}

// result is one query's outcome on lakesql.
type result struct {
	ms     float64
	status string // ok, FAIL or ERROR
	detail string
}

// runLakesql serves dir with lakesql and runs peer pg against it,
// returning per-query results and the server's peak RSS in MiB.
func runLakesql(ctx context.Context, o options, lakesql, peer, dir, answers string) (map[string]result, float64, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", o.port)
	args := []string{"serve", "--root", dir, "--listen", addr, "--threads", strconv.Itoa(o.threads)}
	args = append(args, strings.Fields(o.serveArgs)...)
	fmt.Fprintf(os.Stderr, "== lakesql: %s %s\n", lakesql, strings.Join(args, " "))
	srv := exec.Command(lakesql, args...)
	logPath := filepath.Join(o.cache, "lakesql-serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, 0, err
	}
	defer logf.Close()
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return nil, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			srv.Process.Kill()
			<-exited
		}
	}()
	if err := waitListening(addr, exited, 30*time.Second); err != nil {
		return nil, 0, fmt.Errorf("%w (server log: %s)", err, logPath)
	}
	pgArgs := []string{"pg", "--dsn", "postgres://lakesql@" + addr + "/lake?sslmode=disable", "--answers", answers,
		"--reps", strconv.Itoa(o.reps), "--timeout", o.timeout.String()}
	if o.queries != "" {
		pgArgs = append(pgArgs, "--queries", o.queries)
	}
	cmd := exec.CommandContext(ctx, peer, pgArgs...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	res := map[string]result{}
	line := regexp.MustCompile(`^(q\d\d)\s+(ok|FAIL|ERROR)\s+(\S+)\s*(.*)$`)
	peak := 0.0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fmt.Fprintln(os.Stderr, "   ", sc.Text())
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			ms, _ := strconv.ParseFloat(m[3], 64)
			res[m[1]] = result{ms: ms, status: m[2], detail: m[4]}
		}
		peak = math.Max(peak, peakRSS(srv.Process.Pid))
	}
	cmd.Wait() // peer exits 1 when a query fails; the table says which
	peak = math.Max(peak, peakRSS(srv.Process.Pid))
	select {
	case err := <-exited:
		exited <- err
		fmt.Fprintf(os.Stderr, "lakesql server exited during the run: %v (log: %s)\n", err, logPath)
	default:
	}
	return res, peak, nil
}

func waitListening(addr string, exited chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("lakesql serve exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("lakesql serve did not listen on %s", addr)
}

// peakRSS is the process's high-water resident set (VmHWM) in MiB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// parseDuckDB reads peer run's output: per-query medians and peak RSS.
func parseDuckDB(out string) (map[string]float64, float64) {
	times := map[string]float64{}
	rss := math.NaN()
	line := regexp.MustCompile(`^(q\d\d)\s+([\d.]+)\s+\d+`)
	total := regexp.MustCompile(`peak_rss_mib=([\d.]+)`)
	for _, l := range strings.Split(out, "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			times[m[1]], _ = strconv.ParseFloat(m[2], 64)
		}
		if m := total.FindStringSubmatch(l); m != nil {
			rss, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return times, rss
}

func report(w io.Writer, o options, duck map[string]float64, duckRSS float64, res map[string]result, lakeRSS float64) {
	fmt.Fprintf(w, "# TPC-H sf=%s format=%s threads=%d reps=%d %s\n", o.sf, o.format, o.threads, o.reps, time.Now().Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "%-5s %10s %10s %8s  %s\n", "query", "duckdb_ms", "lakesql_ms", "ratio", "answer")
	var names []string
	for q := range res {
		names = append(names, q)
	}
	sort.Strings(names)
	logSum, n, ok := 0.0, 0, 0
	var sumDuck, sumLake float64
	for _, q := range names {
		r := res[q]
		d, hasDuck := duck[q]
		ratio := "-"
		if r.status != "ERROR" {
			sumLake += r.ms
		}
		if hasDuck {
			sumDuck += d
		}
		if hasDuck && r.status != "ERROR" && d > 0 {
			x := r.ms / d
			ratio = fmt.Sprintf("%.2f", x)
			logSum += math.Log(x)
			n++
		}
		ds := "-"
		if hasDuck {
			ds = fmt.Sprintf("%.1f", d)
		}
		ls := "-"
		if r.status != "ERROR" {
			ls = fmt.Sprintf("%.1f", r.ms)
		}
		answer := r.status
		if r.status == "ok" {
			ok++
		} else {
			answer += " " + r.detail
		}
		fmt.Fprintf(w, "%-5s %10s %10s %8s  %s\n", q, ds, ls, ratio, answer)
	}
	geo := "-"
	if n > 0 {
		geo = fmt.Sprintf("%.2f", math.Exp(logSum/float64(n)))
	}
	fmt.Fprintf(w, "answers: %d/%d ok; geomean ratio %s; sum duckdb %.0f ms, lakesql %.0f ms\n", ok, len(names), geo, sumDuck, sumLake)
	fmt.Fprintf(w, "peak RSS: duckdb %.0f MiB, lakesql %.0f MiB\n", duckRSS, lakeRSS)
}

func step(what string, cmd *exec.Cmd) error {
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", what, err, out)
	}
	fmt.Fprintf(os.Stderr, "== %s (%.1fs)\n", what, time.Since(start).Seconds())
	return nil
}

func ext(format string) string {
	if format == "json" {
		return "json"
	}
	return format
}

func uniq(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
