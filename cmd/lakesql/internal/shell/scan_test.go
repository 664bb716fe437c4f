package shell

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanner(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  []piece
		state byte // after the last line
	}{
		{"select 1; select 2;", []piece{{sql: "select 1"}, {sql: "select 2"}}, '='},
		{"select 1;select 2", []piece{{sql: "select 1"}}, '-'},
		{"select\n  1\n;", []piece{{sql: "select\n  1"}}, '='},
		{"select ';' as x;", []piece{{sql: "select ';' as x"}}, '='},
		{"select 'it''s;\nstill';", []piece{{sql: "select 'it''s;\nstill'"}}, '='},
		{"select E'a\\';b';", []piece{{sql: "select E'a\\';b'"}}, '='},
		{"select 'a\\';b';", []piece{{sql: "select 'a\\'"}}, '\''},
		{`select "a;b" from t;`, []piece{{sql: `select "a;b" from t`}}, '='},
		{"select $$a;\nb$$, $x$;$x$;", []piece{{sql: "select $$a;\nb$$, $x$;$x$"}}, '='},
		{"select $1;", []piece{{sql: "select $1"}}, '='},
		{"select 1 -- not the end;\n;", []piece{{sql: "select 1 -- not the end;"}}, '='},
		{"select /* a; /* nested; */ b; */ 1;", []piece{{sql: "select /* a; /* nested; */ b; */ 1"}}, '='},
		{"select (1;\n2);", []piece{{sql: "select (1;\n2)"}}, '='},
		{"select (1", nil, '('},
		{"select 'x", nil, '\''},
		{"select \"x", nil, '"'},
		{"/* x", nil, '*'},
		{"select $q$ x", nil, '$'},
		{`\dt`, []piece{{meta: `\dt`}}, '='},
		{"select 1; \\x on", []piece{{sql: "select 1"}, {meta: `\x on`}}, '='},
		{"select 1 \\g", []piece{{meta: `\g`}}, '-'},
		{`select '\x';`, []piece{{sql: `select '\x'`}}, '='},
		{";;", nil, '='},
		{"select 1; -- done", []piece{{sql: "select 1"}}, '='},
		{"-- a script\nselect 1;", []piece{{sql: "select 1"}}, '='},
	} {
		var s scanner
		var got []piece
		for _, line := range strings.Split(tc.in, "\n") {
			got = append(got, s.feed(line)...)
		}
		if !reflect.DeepEqual(got, tc.want) || s.state() != tc.state {
			t.Errorf("%q: got %q state %c, want %q state %c", tc.in, got, s.state(), tc.want, tc.state)
		}
	}
}
