package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lakesql/lakesql/catalog"
)

// Intro is what `help` prints at the prompt.
const Intro = `You are using lakesql, SQL over the files in a folder.
Each data file is a table named by its file stem; each sub-folder a schema.
  \dt          list the tables           \d NAME   describe one
  \?           the backslash commands    \q        quit
  SELECT * FROM cities LIMIT 5;          statements end with ';'
`

// Interact runs the shell on in until \q, quit or end of input. Errors are
// reported and the shell goes on; Ctrl-C at the prompt drops the
// statement typed so far.
func (s *Shell) Interact(ctx context.Context, in LineReader) error {
	s.Interactive = true
	var lines []string // of the statement being typed, for the history
	for !s.quit {
		line, err := in.ReadLine(s.prompt())
		switch {
		case errors.Is(err, ErrInterrupted):
			s.scan.reset()
			lines = nil
			continue
		case err == io.EOF:
			fmt.Fprintln(s.Stdout)
			return nil
		case err != nil:
			return err
		}
		if s.scan.state() == '=' {
			switch strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ";"))) {
			case "quit", "exit":
				in.AddHistory(strings.TrimSpace(line))
				return nil
			case "help":
				in.AddHistory(strings.TrimSpace(line))
				fmt.Fprint(s.Stdout, Intro)
				continue
			}
		}
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
		s.feed(ctx, line)
		if s.scan.state() == '=' && len(lines) > 0 {
			in.AddHistory(historyEntry(lines))
			lines = nil
		}
	}
	return nil
}

// historyEntry makes the lines of a statement one history entry; lines
// that hold a -- comment (which would swallow the rest) stay apart.
func historyEntry(lines []string) string {
	for _, l := range lines {
		if strings.Contains(l, "--") {
			return strings.Join(lines, "\n")
		}
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}

// prompt is psql's: "demo=> " for a new statement, "demo-> " for a
// continued one, "demo'> " inside a string, and so on.
func (s *Shell) prompt() string {
	return s.Name + string(s.scan.state()) + "> "
}

// keywords are completed at the prompt, in the case the word is typed in.
var keywords = strings.Fields(`SELECT FROM WHERE GROUP BY ORDER HAVING LIMIT OFFSET JOIN LEFT RIGHT FULL
INNER OUTER CROSS LATERAL ON USING AS AND OR NOT NULL IS IN EXISTS BETWEEN LIKE ILIKE CASE WHEN THEN ELSE
END DISTINCT UNION ALL INTERSECT EXCEPT WITH RECURSIVE ASC DESC NULLS FIRST LAST OVER PARTITION WINDOW
ROWS RANGE CREATE TABLE VIEW DROP INSERT INTO VALUES EXPLAIN SET SHOW SCHEMA CAST TRUE FALSE
count sum avg min max coalesce`)

var metaCommands = strings.Fields(`\q \? \g \p \r \i \o \echo \d \dt \dv \dn \x \timing \pset`)

// Complete lists the completions of word: backslash commands, keywords,
// and the tables and schemas of the catalog.
func (s *Shell) Complete(word string) []string {
	if strings.HasPrefix(word, `\`) {
		return withPrefix(metaCommands, word)
	}
	var names []string
	if s.Session != nil {
		ctx := context.Background()
		cat := s.Session.Catalog()
		for _, schema := range userSchemas(ctx, cat) {
			if schema != catalog.DefaultSchema {
				names = append(names, schema)
			}
			for _, r := range cat.Relations(ctx, schema) {
				if schema == catalog.DefaultSchema {
					names = append(names, r.Name)
				} else {
					names = append(names, schema+"."+r.Name)
				}
			}
		}
	}
	out := withPrefix(names, word)
	for _, k := range withPrefix(keywords, word) {
		if word != "" && word == strings.ToLower(word) {
			k = strings.ToLower(k)
		}
		out = append(out, k)
	}
	return out
}

func withPrefix(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if len(w) >= len(prefix) && strings.EqualFold(w[:len(prefix)], prefix) {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}
