package shell

import (
	"context"

	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"os"
	"path"
	"strings"

	"github.com/lakesql/lakesql/catalog"
	"github.com/lakesql/lakesql/cmd/lakesql/internal/output"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
)

// metaHelp is \?: the backslash commands, in psql's spelling.
const metaHelp = `General
  \q                  quit (also Ctrl-D, or "quit")
  \?                  show this help

Query buffer
  \g                  run the statement typed so far
  \p                  show the statement typed so far
  \r                  clear it (Ctrl-C at the prompt does too)

Input/Output
  \i FILE             run the statements in FILE
  \o [FILE]           send results to FILE (.parquet with \pset format parquet),
                      or back to the screen
  \echo [TEXT]        print TEXT

Informational
  \d [NAME]           list tables and views, or describe table, view NAME
  \dt [PATTERN]       list tables (PATTERN: name or schema.name, * and ? wildcards)
  \dv [PATTERN]       list views
  \dn                 list schemas (one per sub-folder)

Formatting
  \x [on|off|auto]    expanded output: one line per column (auto: when
                      a table is wider than the terminal)
  \timing [on|off]    show how long each statement takes
  \pset format NAME   table, csv, tsv, json, markdown or parquet
  \pset null TEXT     how NULL shows in tables (default NULL)

Statements end with ';' and may span lines. Ctrl-C cancels a running
statement; Ctrl-R searches the history.
`

// errMeta is a failed backslash command, already reported.
type errMeta struct{ msg string }

func (e errMeta) Error() string { return e.msg }

// metaError reports a failed backslash command.
func (s *Shell) metaError(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.source != "" && (!s.Interactive || s.depth > 0) {
		msg = fmt.Sprintf("lakesql:%s:%d: %s", s.source, s.line, msg)
	}
	fmt.Fprintln(s.Stderr, msg)
	return errMeta{msg}
}

// meta runs one backslash command line, such as `\d cities`.
func (s *Shell) meta(ctx context.Context, line string) error {
	name, args := splitMeta(line)
	switch strings.TrimSuffix(name, "+") {
	case `\q`, `\quit`:
		s.quit = true
	case `\?`, `\h`, `\help`:
		fmt.Fprint(s.Stdout, metaHelp)
	case `\g`:
		sql := s.scan.pending()
		s.scan.reset()
		if sql == "" {
			return nil
		}
		return s.statement(ctx, sql)
	case `\p`:
		if sql := s.scan.pending(); sql != "" {
			fmt.Fprintln(s.Stdout, sql)
		} else {
			fmt.Fprintln(s.Stdout, "Query buffer is empty.")
		}
	case `\r`:
		s.scan.reset()
		fmt.Fprintln(s.Stdout, "Query buffer reset (cleared).")
	case `\echo`:
		fmt.Fprintln(s.Stdout, strings.Join(args, " "))
	case `\x`:
		return s.expanded(name, args)
	case `\timing`:
		on, err := s.toggle(name, args, s.Timing)
		if err != nil {
			return err
		}
		s.Timing = on
		fmt.Fprintf(s.Stdout, "Timing is %s.\n", onOff(on))
	case `\pset`:
		return s.pset(args)
	case `\o`, `\out`:
		if len(args) > 1 {
			return s.metaError(`\o: one file at most`)
		}
		file := ""
		if len(args) == 1 {
			file = args[0]
		}
		if err := s.setOutput(file); err != nil {
			return s.metaError(`\o: %v`, err)
		}
	case `\i`, `\include`:
		if len(args) != 1 {
			return s.metaError(`\i: missing required argument`)
		}
		return s.include(ctx, args[0])
	case `\d`:
		if len(args) == 0 {
			return s.listRelations(ctx, "", true, true)
		}
		if strings.ContainsAny(args[0], "*?") {
			return s.listRelations(ctx, args[0], true, true)
		}
		return s.describe(ctx, args[0])
	case `\dt`:
		return s.listRelations(ctx, firstArg(args), true, false)
	case `\dv`:
		return s.listRelations(ctx, firstArg(args), false, true)
	case `\dn`:
		return s.listSchemas(ctx, firstArg(args))
	default:
		return s.metaError("invalid command %s\nTry \\? for help.", name)
	}
	return nil
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// toggle reads \x's and \timing's argument: on, off, or none to flip.
func (s *Shell) toggle(name string, args []string, cur bool) (bool, error) {
	if len(args) == 0 {
		return !cur, nil
	}
	switch strings.ToLower(args[0]) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return cur, s.metaError("unrecognized value %q for %s: on or off expected", args[0], name)
}

// expanded is \x [on|off|auto].
func (s *Shell) expanded(name string, args []string) error {
	if len(args) > 0 && strings.ToLower(args[0]) == "auto" {
		s.Output.Expanded, s.Output.ExpandedAuto = false, true
		fmt.Fprintln(s.Stdout, "Expanded display is used automatically.")
		return nil
	}
	on, err := s.toggle(name, args, s.Output.Expanded)
	if err != nil {
		return err
	}
	s.Output.Expanded, s.Output.ExpandedAuto = on, false
	fmt.Fprintf(s.Stdout, "Expanded display is %s.\n", onOff(on))
	return nil
}

// pset sets an output option, as psql's \pset does.
func (s *Shell) pset(args []string) error {
	if len(args) == 0 {
		x := onOff(s.Output.Expanded)
		if s.Output.ExpandedAuto {
			x = "auto"
		}
		fmt.Fprintf(s.Stdout, "expanded %s\nformat   %s\nnull     '%s'\n", x, s.Output.Format, s.Output.Null)
		return nil
	}
	switch args[0] {
	case "format":
		if len(args) < 2 {
			fmt.Fprintf(s.Stdout, "Output format is %s.\n", s.Output.Format)
			return nil
		}
		if !output.IsFormat(args[1]) {
			return s.metaError(`\pset: allowed formats are %s`, strings.Join(output.Formats, ", "))
		}
		s.Output.Format = args[1]
		fmt.Fprintf(s.Stdout, "Output format is %s.\n", args[1])
	case "null":
		if len(args) > 1 {
			s.Output.Null = args[1]
		}
		fmt.Fprintf(s.Stdout, "Null display is \"%s\".\n", s.Output.Null)
	case "expanded", "x":
		return s.expanded(`\pset expanded`, args[1:])
	default:
		return s.metaError(`\pset: unknown option: %s (format, null, expanded)`, args[0])
	}
	return nil
}

// maxInclude bounds \i files including each other.
const maxInclude = 16

// include runs a file's statements with a query buffer of its own.
func (s *Shell) include(ctx context.Context, file string) error {
	if s.depth >= maxInclude {
		return s.metaError(`\i: files include each other more than %d deep`, maxInclude)
	}
	f, err := os.Open(file)
	if err != nil {
		return s.metaError(`%s: %v`, file, errors.Unwrap(err))
	}
	defer f.Close()
	saved := s.scan
	s.scan = scanner{}
	s.depth++
	defer func() { s.scan = saved; s.depth-- }()
	return s.Run(ctx, f, file)
}

// splitMeta splits a backslash command into its name and arguments;
// 'single quotes' group words, "double quotes" stay (they quote names).
func splitMeta(line string) (string, []string) {
	name := line
	rest := ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		name, rest = line[:i], line[i:]
	}
	var args []string
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return name, args
		}
		var sb strings.Builder
		for rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			switch q := rest[0]; q {
			case '\'', '"':
				end := 1
				for end < len(rest) && (rest[end] != q || end+1 < len(rest) && rest[end+1] == q) {
					if rest[end] == q {
						end++
					}
					end++
				}
				body := rest[1:min(end, len(rest))]
				if q == '"' {
					sb.WriteString(`"` + body + `"`)
				} else {
					sb.WriteString(strings.ReplaceAll(body, "''", "'"))
				}
				rest = rest[min(end+1, len(rest)):]
			default:
				sb.WriteByte(rest[0])
				rest = rest[1:]
			}
		}
		args = append(args, sb.String())
	}
}

// userSchemas are the schemas \dn and \d list: not the system ones.
func userSchemas(ctx context.Context, cat *catalog.Catalog) []string {
	var out []string
	for _, name := range cat.Schemas(ctx) {
		if name != "pg_catalog" && name != "information_schema" && !strings.HasPrefix(name, "pg_") {
			out = append(out, name)
		}
	}
	return out
}

// match tells whether name fits a \d pattern word (lower-cased unless
// quoted; * and ? are wildcards).
func match(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	if strings.HasPrefix(pattern, `"`) && strings.HasSuffix(pattern, `"`) && len(pattern) > 1 {
		pattern = pattern[1 : len(pattern)-1]
	} else {
		pattern, name = strings.ToLower(pattern), strings.ToLower(name)
	}
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// splitPattern splits "schema.name" (either part may be absent).
func splitPattern(p string) (schema, name string) {
	if i := strings.LastIndexByte(p, '.'); i >= 0 && !strings.HasSuffix(p[:i], `\`) {
		return p[:i], p[i+1:]
	}
	return "", p
}

// listRelations is \d, \dt and \dv: the tables and views of every schema,
// with the file or folder each table reads.
func (s *Shell) listRelations(ctx context.Context, pattern string, tables, views bool) error {
	cat := s.Session.Catalog()
	schemaPat, namePat := splitPattern(pattern)
	var rows [][]string
	for _, schema := range userSchemas(ctx, cat) {
		if !match(schemaPat, schema) {
			continue
		}
		for _, r := range cat.Relations(ctx, schema) {
			if !match(namePat, r.Name) {
				continue
			}
			switch r.Kind {
			case catalog.FileTable:
				if tables {
					rows = append(rows, []string{schema, r.Name, "table", r.Path})
				}
			case catalog.MemoryTable:
				if tables {
					rows = append(rows, []string{schema, r.Name, "table", "(in memory)"})
				}
			case catalog.View:
				if views {
					rows = append(rows, []string{schema, r.Name, "view", ""})
				}
			}
		}
	}
	if len(rows) == 0 {
		if pattern != "" {
			return s.metaError("Did not find any relation named %q.", pattern)
		}
		fmt.Fprintln(s.Stdout, "Did not find any relations.")
		return nil
	}
	return output.Rows(s.Stdout, "List of relations", []string{"Schema", "Name", "Type", "Source"}, make([]bool, 4), rows, s.width())
}

// listSchemas is \dn.
func (s *Shell) listSchemas(ctx context.Context, pattern string) error {
	var rows [][]string
	for _, name := range userSchemas(ctx, s.Session.Catalog()) {
		if match(pattern, name) {
			rows = append(rows, []string{name})
		}
	}
	return output.Rows(s.Stdout, "List of schemas", []string{"Name"}, []bool{false}, rows, s.width())
}

// describe is \d NAME: a table's or view's columns and types, and the
// file or folder it reads.
func (s *Shell) describe(ctx context.Context, name string) error {
	var schema *arrow.Schema
	sql := "SELECT * FROM " + name + " LIMIT 0"
	err := s.Session.Execute(ctx, sql, func(r *engine.Result) error {
		if r.Rows != nil {
			r.Rows.Close()
		}
		schema = r.Schema
		return nil
	})
	if err != nil {
		if sqlerr.Code(err) == sqlerr.UndefinedTable || sqlerr.Code(err) == sqlerr.SyntaxError {
			return s.metaError("Did not find any relation named %q.", name)
		}
		s.printError("", err)
		return err
	}
	kind, title, source := "Table", name, ""
	rel := s.lookup(ctx, name)
	if rel != nil {
		title = rel.Schema + "." + rel.Name
		switch rel.Kind {
		case catalog.View:
			kind = "View"
		case catalog.FileTable:
			source = "Source: " + rel.Path
		case catalog.MemoryTable:
			source = "Source: (in memory)"
		}
	}
	var notNull []bool
	if rel != nil && rel.Kind == catalog.MemoryTable && len(rel.Mem.NotNull) == schema.NumFields() {
		notNull = rel.Mem.NotNull
	}
	var rows [][]string
	for i, f := range schema.Fields() {
		nullable := ""
		if !f.Nullable || notNull != nil && notNull[i] {
			nullable = "not null"
		}
		rows = append(rows, []string{f.Name, types.Name(f.Type), nullable})
	}
	var sb strings.Builder
	if err := output.Rows(&sb, fmt.Sprintf("%s \"%s\"", kind, title), []string{"Column", "Type", "Nullable"}, make([]bool, 3), rows, s.width()); err != nil {
		return err
	}
	// psql closes \d with its footers, not a row count.
	text := strings.TrimSuffix(sb.String(), output.RowCountLine(len(rows)))
	if source != "" {
		text += source + "\n"
	}
	fmt.Fprint(s.Stdout, text+"\n")
	return nil
}

// lookup finds the relation \d names, through the session's search path.
func (s *Shell) lookup(ctx context.Context, name string) *catalog.Relation {
	schema, rel := splitPattern(name)
	unquote := func(p string) string {
		if strings.HasPrefix(p, `"`) && strings.HasSuffix(p, `"`) && len(p) > 1 {
			return strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		return strings.ToLower(p)
	}
	var path []string
	if sp, ok := s.Session.Setting("search_path"); ok {
		for _, p := range strings.Split(sp, ",") {
			if p = strings.TrimSpace(p); p != `"$user"` && p != "" {
				path = append(path, unquote(p))
			}
		}
	}
	if len(path) == 0 {
		path = []string{catalog.DefaultSchema}
	}
	r, err := s.Session.Catalog().Lookup(ctx, unquote(schema), unquote(rel), path)
	if err != nil {
		return nil
	}
	return r
}

// width is the terminal width tables fit, 0 when not on a terminal.
func (s *Shell) width() int {
	if s.TermWidth != nil {
		return s.TermWidth()
	}
	return 0
}
