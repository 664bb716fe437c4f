package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
)

// engineOptions are the flags every command that runs queries takes (serve,
// query and the shell): where the data is and how the engine runs. A flag
// added here reaches all three.
type engineOptions struct {
	root    string
	threads int
	tmp     string
}

func (o *engineOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.root, "root", "", "data `dir`ectory, also given as an argument (default: the bundled demo data)")
	fs.IntVar(&o.threads, "threads", 0, "run each query on `N` worker threads (default: one per core)")
	fs.StringVar(&o.tmp, "tmp", engine.DefaultTmp(), "the writable workspace dfs.tmp: `dir`ectory CREATE TABLE AS and CREATE VIEW write to")
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
	return engine.New(engine.Config{Root: fsys, RootName: name, Database: database, Threads: o.threads, Tmp: o.tmp})
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
