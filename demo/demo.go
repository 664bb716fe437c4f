// Package demo holds the small data set lakesql serves when no --root is
// given: a few tables in each format, embedded in the binary so the first
// command a newcomer runs works from any directory.
package demo

import (
	"embed"
	"io/fs"
)

//go:embed data
var data embed.FS

// FS is the demo data folder: cities.csv, sales.parquet, events.json and a
// schema folder tpch/ with nation.parquet and region.csv.
var FS fs.FS = mustSub(data, "data")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
