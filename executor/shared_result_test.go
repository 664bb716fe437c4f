package executor

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/types"
)

// The subplan runs once for all readers, each reading every row under its
// own column names; a run stopped by its reader's context is not kept, so
// a later reader still gets the rows.
func TestSharedResult(t *testing.T) {
	runs := 0
	s := NewSharedResult(func() (Operator, error) {
		runs++
		return cancelable{intTable([]string{"a"}, [][]any{{1}, {2}, {3}})}, nil
	})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.compute(canceled); err == nil {
		t.Fatal("a run under a canceled context succeeded")
	}
	for _, name := range []string{"x", "y"} {
		r := s.Reader(arrow.NewSchema([]arrow.Field{{Name: name, Type: types.Int64}}, nil))
		if got := strings.Join(collect(t, r), ","); got != "1,2,3" {
			t.Errorf("reader %s: %s", name, got)
		}
		if r.Schema().Field(0).Name != name {
			t.Errorf("reader %s has schema %v", name, r.Schema())
		}
	}
	if runs != 2 {
		t.Errorf("the subplan ran %d times, want 2 (the canceled run, then one for both readers)", runs)
	}
}

// cancelable is an operator whose Next notices a canceled context.
type cancelable struct{ Operator }

func (c cancelable) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := batch.CheckCancel(ctx); err != nil {
		return nil, err
	}
	return c.Operator.Next(ctx)
}
