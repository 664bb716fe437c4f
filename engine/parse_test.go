package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakesql/lakesql/sqlerr"
)

// statement_timeout holds while a huge statement is still being parsed:
// the client hears 57014 when it runs out, not when the parse ends.
func TestTimeoutWhileParsing(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "SET statement_timeout = 50"); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("SELECT count(*) FROM t1 WHERE a IN (")
	for i := 0; i < 400000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(i))
	}
	sb.WriteString(")")
	start := time.Now()
	_, err := run(t, s, sb.String())
	if sqlerr.Code(err) != sqlerr.QueryCanceled {
		t.Fatalf("want 57014, got %v", err)
	}
	// The parse alone takes seconds; the answer comes at the timeout.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("57014 after %v", d)
	}
	if got, err := run(t, s, "RESET statement_timeout; SELECT count(*) FROM t1"); err != nil || len(got) == 0 || got[len(got)-1] != "4" {
		t.Errorf("the session goes on: %v %v", got, err)
	}
}
