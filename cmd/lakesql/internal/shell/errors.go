package shell

import (
	"fmt"
	"strings"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/mattn/go-runewidth"
)

// printError prints err as psql does in its verbose form: severity and
// SQLSTATE, then, when the error points into the statement, the line with
// a caret under the spot; in a script, the file and line come first.
func (s *Shell) printError(sql string, err error) {
	var sb strings.Builder
	if s.source != "" && (!s.Interactive || s.depth > 0) {
		fmt.Fprintf(&sb, "lakesql:%s:%d: ", s.source, s.line)
	}
	sb.WriteString(FormatError(err, sql))
	fmt.Fprint(s.Stderr, sb.String())
}

// FormatError renders err in psql's verbose form:
//
//	ERROR:  42703: column "nope" does not exist
//	LINE 1: SELECT nope FROM cities
//	               ^
func FormatError(err error, sql string) string {
	e := sqlerr.As(err)
	var sb strings.Builder
	fmt.Fprintf(&sb, "ERROR:  %s: %s\n", e.Code, e.Message)
	if e.Position > 0 {
		sb.WriteString(caret(sql, e.Position))
	}
	if e.Detail != "" {
		fmt.Fprintf(&sb, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&sb, "HINT:  %s\n", e.Hint)
	}
	return sb.String()
}

// cells measures text in terminal cells, whatever the locale.
var cells = &runewidth.Condition{}

// displayWidth is how much of a long line libpq shows around the error.
const displayWidth = 60

// caret shows the line of sql holding the 1-based character position pos,
// and a caret under it, as libpq does: "LINE 2: ...".
func caret(sql string, pos int) string {
	runes := []rune(strings.ReplaceAll(sql, "\t", " "))
	if pos > len(runes)+1 {
		return ""
	}
	at := pos - 1 // index of the character pointed at
	lineNo, lineStart := 1, 0
	for i := 0; i < at && i < len(runes); i++ {
		if runes[i] == '\n' {
			lineNo++
			lineStart = i + 1
		}
	}
	lineEnd := len(runes)
	for i := lineStart; i < len(runes); i++ {
		if runes[i] == '\n' || runes[i] == '\r' {
			lineEnd = i
			break
		}
	}
	line := runes[lineStart:lineEnd]
	col := at - lineStart
	prefix, suffix := "", ""
	if len(line) > displayWidth {
		// Keep the caret in view with at least 10 characters after it.
		from := 0
		if col > displayWidth-10 {
			from = min(col+10, len(line)) - displayWidth
			prefix = "..."
		}
		to := min(from+displayWidth, len(line))
		if len(line)-to <= 3 {
			to = len(line) // "..." would hide no more than it takes
		}
		if to < len(line) {
			suffix = "..."
		}
		line = line[from:to]
		col -= from
	}
	head := fmt.Sprintf("LINE %d: %s", lineNo, prefix)
	return head + string(line) + suffix + "\n" + strings.Repeat(" ", cells.StringWidth(head)+cells.StringWidth(string(line[:col]))) + "^\n"
}
