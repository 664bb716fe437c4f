package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/lakesql/lakesql/server"
)

// runPasswd implements `lakesql passwd NAME`: it reads a password from
// stdin (its first line) and prints the users-file line for NAME, with the
// password's SCRAM-SHA-256 verifier as PostgreSQL stores it. The password
// itself is never printed.
func runPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || strings.ContainsAny(args[0], ": \t\n") {
		fmt.Fprint(stderr, "usage: lakesql passwd NAME < password-file\n(NAME without ':' or spaces; the password is the first line of standard input)\n")
		return 2
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprint(stderr, "lakesql: empty password\n")
		return 1
	}
	v, err := server.Verifier(password)
	if err != nil {
		fmt.Fprintf(stderr, "lakesql: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s:%s\n", args[0], v)
	return 0
}
