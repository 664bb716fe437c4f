package shell

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"

	"github.com/peterh/liner"
)

// ErrInterrupted is what a LineReader returns when Ctrl-C is pressed at the
// prompt: the shell drops the statement typed so far.
var ErrInterrupted = errors.New("interrupted")

// LineReader reads the shell's input a line at a time.
type LineReader interface {
	// ReadLine shows prompt and returns a line without its line break;
	// io.EOF at the end (Ctrl-D), ErrInterrupted on Ctrl-C.
	ReadLine(prompt string) (string, error)
	// AddHistory records an entry (a whole statement) in the history.
	AddHistory(entry string)
}

// Terminal is a LineReader on the process's terminal (standard input and
// output), with line editing, tab completion and a history kept in a file.
type Terminal struct {
	state   *liner.State
	history string
}

// OpenTerminal puts the terminal in line-editing mode and loads the
// history from historyFile ("" keeps none); complete, if set, lists the
// completions of a word. Close restores the terminal.
func OpenTerminal(historyFile string, complete func(word string) []string) *Terminal {
	t := &Terminal{state: liner.NewLiner(), history: historyFile}
	t.state.SetCtrlCAborts(true)
	t.state.SetMultiLineMode(true)
	if complete != nil {
		t.state.SetWordCompleter(func(line string, pos int) (string, []string, string) {
			start := pos
			for start > 0 && isWordByte(line[start-1]) {
				start--
			}
			return line[:start], complete(line[start:pos]), line[pos:]
		})
	}
	if historyFile != "" {
		if f, err := os.Open(historyFile); err == nil {
			t.state.ReadHistory(f)
			f.Close()
		}
	}
	return t
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '\\' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// ReadLine implements LineReader.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	line, err := t.state.Prompt(prompt)
	if errors.Is(err, liner.ErrPromptAborted) {
		return "", ErrInterrupted
	}
	return line, err
}

// AddHistory implements LineReader; the file is rewritten at once, so a
// killed shell loses nothing.
func (t *Terminal) AddHistory(entry string) {
	t.state.AppendHistory(entry)
	if t.history == "" {
		return
	}
	var buf bytes.Buffer
	t.state.WriteHistory(&buf)
	if err := os.MkdirAll(filepath.Dir(t.history), 0o700); err != nil {
		return
	}
	tmp := t.history + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err == nil {
		os.Rename(tmp, t.history)
	}
}

// Close restores the terminal's mode.
func (t *Terminal) Close() error { return t.state.Close() }

// HistoryFile is where the shell keeps its history: $LAKESQL_HISTORY if
// set (empty for none), else lakesql/history in the user's state directory
// ($XDG_STATE_HOME, by default ~/.local/state; the configuration directory
// on macOS and Windows).
func HistoryFile() string {
	if f, ok := os.LookupEnv("LAKESQL_HISTORY"); ok {
		return f
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "lakesql", "history")
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		if d, err := os.UserConfigDir(); err == nil {
			return filepath.Join(d, "lakesql", "history")
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "lakesql", "history")
	}
	return ""
}
