package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
)

// engineOptions are the flags every command that runs queries takes (serve,
// query and the shell): where the data is and how the engine runs. A flag
// added here reaches all three.
type engineOptions struct {
	root        string
	threads     int
	memoryLimit string
	tmp         string
	cacheDir    string
	noCache     bool
}

func (o *engineOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.root, "root", "", "data `dir`ectory, also given as an argument (default: the bundled demo data)")
	fs.IntVar(&o.threads, "threads", 0, "run each query on `N` worker threads (default: one per core)")
	fs.StringVar(&o.memoryLimit, "memory-limit", "", "memory the queries' operators may hold together, e.g. 4GB; past it they spill to disk or fail with 53200 (default: 60% of RAM)")
	fs.StringVar(&o.tmp, "tmp", engine.DefaultTmp(), "the writable workspace dfs.tmp: `dir`ectory CREATE TABLE AS and CREATE VIEW write to")
	fs.StringVar(&o.cacheDir, "cache-dir", engine.DefaultCacheDir(), "keep the columns parsed from CSV and JSON files in this `dir`ectory, for later scans")
	fs.BoolVar(&o.noCache, "no-cache", false, "parse CSV and JSON files at every scan (no column cache)")
}

// takeFolder sets the root from a positional argument; a folder given both
// ways is an error.
func (o *engineOptions) takeFolder(dir string) error {
	if o.root != "" && o.root != dir {
		return fmt.Errorf("two data folders given: --root %s and %s", o.root, dir)
	}
	if !isDir(dir) {
		return fmt.Errorf("%s: not a folder", dir)
	}
	o.root = dir
	return nil
}

// open builds the engine over the data folder; database is the name
// clients see ("" for the default).
func (o *engineOptions) open(database string) (*engine.Engine, error) {
	fsys, name, err := openRoot(o.root)
	if err != nil {
		return nil, err
	}
	limit, err := memoryLimit(o.memoryLimit)
	if err != nil {
		return nil, err
	}
	// The Go heap's soft limit is the memory limit: the collector works
	// harder as the process nears it. Operators' tables and buffers may
	// hold 70% of it; the rest is for batches in flight, readers' buffers
	// and the collector's headroom.
	debug.SetMemoryLimit(limit)
	cache := o.cacheDir
	if o.noCache {
		cache = ""
	}
	return engine.New(engine.Config{Root: fsys, RootName: name, Database: database, Threads: o.threads, MemoryLimit: limit * 7 / 10, Tmp: o.tmp, CacheDir: cache})
}

// openRoot opens the data folder; nothing outside it is reachable.
func openRoot(dir string) (fs.FS, string, error) {
	if dir == "" {
		return demo.FS, "demo", nil
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	return r.FS(), dir, nil
}

// memoryLimit parses --memory-limit (a size such as 4GB; empty: 60% of the
// machine's memory).
func memoryLimit(v string) (int64, error) {
	if v == "" {
		return physicalMemory() * 6 / 10, nil
	}
	n, err := engine.ParseMemory(v)
	if err != nil || n < 16<<20 {
		return 0, fmt.Errorf("--memory-limit %q: want a size of at least 16MB, such as 512MB or 4GB", v)
	}
	return n, nil
}

// physicalMemory is the machine's RAM in bytes (8 GB when unknown).
func physicalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 8 << 30
}
