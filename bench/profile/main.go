// Command profile runs queries in-process over a folder and writes CPU and
// heap profiles, to see where a query's time and memory go:
//
//	go run ./bench/profile --root ~/tpch/sf1/parquet --cpu /tmp/q01.cpu ../shared/tools/peer/queries/q01.sql
//	go tool pprof -top /tmp/q01.cpu
//
// Each file is run --reps times; the time of each run is printed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/lakesql/lakesql/engine"
)

func main() {
	root := flag.String("root", "", "folder of data files")
	cpu := flag.String("cpu", "", "write a CPU profile here")
	heap := flag.String("heap", "", "write an allocation profile here")
	reps := flag.Int("reps", 1, "runs per query")
	threads := flag.Int("threads", 0, "worker threads (0: one per core)")
	cacheDir := flag.String("cache-dir", "", "column cache for CSV and JSON files (default: none)")
	flag.Parse()
	if err := run(*root, *cpu, *heap, *reps, *threads, *cacheDir, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "profile: %v\n", err)
		os.Exit(1)
	}
}

func run(root, cpu, heap string, reps, threads int, cacheDir string, files []string) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	eng, err := engine.New(engine.Config{Root: r.FS(), RootName: root, Threads: threads, CacheDir: cacheDir})
	if err != nil {
		return err
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	for _, file := range files {
		sql, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		for i := 0; i < reps; i++ {
			start, cpu0 := time.Now(), cpuTime()
			rows, err := runOne(ctx, eng, string(sql))
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			fmt.Printf("%s\t%d rows\t%.1f ms\t%.1f ms cpu\n", filepath.Base(file), rows,
				float64(time.Since(start).Microseconds())/1000, float64((cpuTime()-cpu0).Microseconds())/1000)
		}
	}
	if heap != "" {
		f, err := os.Create(heap)
		if err != nil {
			return err
		}
		defer f.Close()
		runtime.GC()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}

// cpuTime is the process's user and system time so far: on a busy
// machine it moves less than the wall clock with what else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runOne runs every statement of sql and drains the rows of each.
func runOne(ctx context.Context, eng *engine.Engine, sql string) (int64, error) {
	var n int64
	err := eng.NewSession().Execute(ctx, sql, func(res *engine.Result) error {
		if res.Rows == nil {
			return nil
		}
		defer res.Rows.Close()
		for {
			b, err := res.Rows.Next(ctx)
			if err != nil || b == nil {
				return err
			}
			n += b.NumRows()
		}
	})
	return n, err
}
