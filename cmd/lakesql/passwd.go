package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lakesql/lakesql/server"
	"golang.org/x/term"
)

var passwdCommand = &command{
	name:     "passwd",
	synopsis: "NAME",
	summary:  "print a users-file line for serve --users (password from stdin)",
	help: `Reads a password from standard input (its first line; typed without echo
on a terminal) and prints the line for NAME in a users file:

  NAME:SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>

the SCRAM-SHA-256 verifier exactly as PostgreSQL stores it, with a fresh
random salt. The password itself is not printed or kept.

Examples:
  lakesql passwd ada >> users.txt
  lakesql serve ./lake --auth scram-sha-256 --users users.txt
`,
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		return runPasswd
	},
}

// runPasswd implements `lakesql passwd NAME`.
func runPasswd(std stdio, args []string) int {
	if len(args) != 1 || args[0] == "" || strings.ContainsAny(args[0], ": \t\n") {
		return usageError(std, "passwd", "want one user NAME, without ':' or spaces")
	}
	var password string
	if f, ok := std.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(std.err, "Password for %s: ", args[0])
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(std.err)
		if err != nil {
			return fail(std, err)
		}
		password = string(b)
	} else {
		line, err := bufio.NewReader(std.in).ReadString('\n')
		if err != nil && err != io.EOF {
			return fail(std, err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return fail(std, fmt.Errorf("empty password"))
	}
	v, err := server.Verifier(password)
	if err != nil {
		return fail(std, err)
	}
	fmt.Fprintf(std.out, "%s:%s\n", args[0], v)
	return 0
}
