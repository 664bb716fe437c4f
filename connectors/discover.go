package connectors

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/lakesql/lakesql/sqlerr"
)

// A file table reads a selection of files: one file, every data file under
// a folder (recursively), or the files a glob matches. Listing takes a
// snapshot of each file's size and modification time; the table reads
// each file only up to that size (see snapshot.go), so a query sees one
// consistent version of a folder that writers keep feeding.

// fileEntry is one file of a selection, as listed.
type fileEntry struct {
	path  string // in the table's file system
	rel   string // relative to the selection's root folder
	size  int64
	mtime time.Time
}

// IgnoredName reports whether a file or folder is left out of listings:
// names starting with "." or "_" (hidden files, _SUCCESS markers,
// _temporary/ folders, .crc files), and the names writers give files in
// progress: "*.tmp" and "+tmp" folders. Drill and Hive skip the same.
func IgnoredName(name string) bool {
	if name == "" {
		return false
	}
	switch {
	case name[0] == '.' || name[0] == '_':
		return true
	case strings.HasPrefix(name, "+tmp"):
		return true
	case strings.HasSuffix(strings.ToLower(name), ".tmp"):
		return true
	}
	return false
}

// HasGlob reports whether a path holds glob characters (* ? [).
func HasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// listSelection lists the data files p names in fsys: a file, a folder
// (recursively) or a glob. root is the folder partition columns are
// counted from: the folder itself, a glob's literal prefix, or a single
// file's folder.
func listSelection(ctx context.Context, fsys fs.FS, p string, accept func(name string) bool) (root string, files []fileEntry, err error) {
	if HasGlob(p) {
		return listGlob(ctx, fsys, p, accept)
	}
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return "", nil, fileErr(p, err)
	}
	if !st.IsDir() {
		return path.Dir(p), []fileEntry{{path: p, rel: path.Base(p), size: st.Size(), mtime: st.ModTime()}}, nil
	}
	files, err = walkData(ctx, fsys, p, nil, accept)
	if err != nil {
		return "", nil, err
	}
	return p, files, nil
}

// walkData lists the data files under dir (recursively, in path order):
// those accept takes, skipping ignored names; keep, when set, filters the
// paths relative to dir (for globs) and says whether a folder may hold
// matches.
func walkData(ctx context.Context, fsys fs.FS, dir string, keep *globMatcher, accept func(name string) bool) ([]fileEntry, error) {
	var out []fileEntry
	// An explicit stack instead of recursion: folder depth is not bounded.
	stack := []string{dir}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, sqlerr.Canceled(err)
		}
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		entries, err := fs.ReadDir(fsys, d)
		if err != nil {
			return nil, fileErr(d, err)
		}
		var subdirs []string
		for _, e := range entries {
			name := e.Name()
			if IgnoredName(name) {
				continue
			}
			p := path.Join(d, name)
			rel := relPath(dir, p)
			if e.IsDir() {
				if keep == nil || keep.mayHold(rel) {
					subdirs = append(subdirs, p)
				}
				continue
			}
			if !accept(name) {
				continue
			}
			if keep != nil && !keep.matchFile(rel) {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // removed since listed
			}
			if !info.Mode().IsRegular() {
				continue
			}
			out = append(out, fileEntry{path: p, rel: rel, size: info.Size(), mtime: info.ModTime()})
		}
		// Push in reverse so folders are visited in name order.
		for i := len(subdirs) - 1; i >= 0; i-- {
			stack = append(stack, subdirs[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// relPath is p relative to dir ("." is the file system's root).
func relPath(dir, p string) string {
	if dir == "." {
		return p
	}
	return strings.TrimPrefix(p, dir+"/")
}

// listGlob lists the data files a glob matches: * and ? within one path
// segment, [...] classes, ** for any number of folders. A folder the glob
// matches contributes every data file under it.
func listGlob(ctx context.Context, fsys fs.FS, pattern string, accept func(name string) bool) (string, []fileEntry, error) {
	segs := strings.Split(pattern, "/")
	for _, s := range segs {
		if s != "**" && strings.Contains(s, "**") {
			return "", nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid glob \"%s\": ** must be a whole path segment", pattern)
		}
		if _, err := path.Match(s, ""); err != nil {
			return "", nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid glob \"%s\": %v", pattern, err)
		}
	}
	// The root is the literal prefix before the first segment with a glob.
	n := 0
	for n < len(segs) && !HasGlob(segs[n]) {
		n++
	}
	root := path.Join(segs[:n]...)
	if root == "" {
		root = "."
	}
	if st, err := fs.Stat(fsys, root); err != nil || !st.IsDir() {
		return "", nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"dfs.%s\" does not exist: no folder \"%s\"", pattern, root)
	}
	m := &globMatcher{segs: segs[n:]}
	files, err := walkData(ctx, fsys, root, m, accept)
	if err != nil {
		return "", nil, err
	}
	if len(files) == 0 {
		return "", nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"dfs.%s\" does not exist: the glob matches no data files", pattern)
	}
	return root, files, nil
}

// globMatcher matches paths relative to a glob's root against the rest of
// the glob's segments.
type globMatcher struct{ segs []string }

// matchFile reports whether a file matches: the glob matches the file
// itself or one of the folders it is under.
func (m *globMatcher) matchFile(rel string) bool {
	parts := strings.Split(rel, "/")
	for k := 1; k <= len(parts); k++ {
		if matchSegs(m.segs, parts[:k]) {
			return true
		}
	}
	return false
}

// mayHold reports whether the folder rel may hold matching files: some
// prefix of it matches the glob (everything below a matched folder is
// read), or it matches a prefix of the glob.
func (m *globMatcher) mayHold(rel string) bool {
	parts := strings.Split(rel, "/")
	for k := 1; k <= len(parts); k++ {
		if matchSegs(m.segs, parts[:k]) {
			return true
		}
	}
	return matchPrefix(m.segs, parts)
}

// matchSegs matches path segments against glob segments.
func matchSegs(glob, parts []string) bool { return globRun(glob, parts)[len(glob)] }

// matchPrefix reports whether parts can be the start of a path the glob
// matches.
func matchPrefix(glob, parts []string) bool {
	for i := range globRun(glob, parts) {
		if i < len(glob) {
			return true
		}
	}
	return false
}

// globRun feeds path segments to the glob as an automaton: the result is
// the set of glob positions reachable after them (len(glob) means a full
// match). Iterating over a set of positions makes ** cost no recursion.
func globRun(glob, parts []string) map[int]bool {
	states := globClose(glob, map[int]bool{0: true})
	for _, p := range parts {
		next := map[int]bool{}
		for i := range states {
			if i >= len(glob) {
				continue
			}
			if glob[i] == "**" {
				next[i] = true // ** consumes p and may go on
				continue
			}
			if ok, _ := path.Match(glob[i], p); ok {
				next[i+1] = true
			}
		}
		if len(next) == 0 {
			return next
		}
		states = globClose(glob, next)
	}
	return states
}

// globClose adds the positions after each ** reachable in s (** may match
// no segment at all).
func globClose(glob []string, s map[int]bool) map[int]bool {
	for i := 0; i < len(glob); i++ {
		if s[i] && glob[i] == "**" {
			s[i+1] = true
		}
	}
	return s
}
