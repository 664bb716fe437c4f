package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakesql/lakesql/demo"
)

// TestPythonClients runs psycopg2, SQLAlchemy's inspector and pandas
// against the server (skipped when python3 lacks the modules; .ci/run
// installs them).
func TestPythonClients(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	for _, cand := range []string{"/usr/bin/python3", py} {
		if exec.Command(cand, "-c", "import psycopg2, sqlalchemy, pandas").Run() == nil {
			py = cand
			goto found
		}
	}
	t.Skip("psycopg2/sqlalchemy/pandas not installed: skipping")
found:
	host, port := serve(t, demo.FS)
	out, err := exec.Command(py, filepath.Join("clients", "python_check.py"), host, port).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all python checks passed") {
		t.Fatalf("python clients: %v\n%s", err, out)
	}
}

// TestNodeClient runs node-postgres with $1 parameters and a pool (skipped
// unless node and the pg package are installed; .ci/run installs them).
func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir := filepath.Join("clients", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Skip("node-postgres not installed (npm install in e2e/clients/node): skipping")
	}
	host, port := serve(t, demo.FS)
	out, err := exec.Command(node, filepath.Join(dir, "check.js"), host, port).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all node checks passed") {
		t.Fatalf("node-postgres: %v\n%s", err, out)
	}
}

// TestJDBC runs pgjdbc's DatabaseMetaData and server-side prepared
// statements (skipped unless java, javac and the driver jar are present).
func TestJDBC(t *testing.T) {
	javac, err1 := exec.LookPath("javac")
	java, err2 := exec.LookPath("java")
	jar := "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err1 != nil || err2 != nil || err != nil {
		t.Skip("java, javac or the pgjdbc jar (libpostgresql-jdbc-java) missing: skipping")
	}
	dir := t.TempDir()
	src, _ := filepath.Abs(filepath.Join("clients", "jdbc", "Check.java"))
	if out, err := exec.Command(javac, "-cp", jar, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	host, port := serve(t, demo.FS)
	out, err := exec.Command(java, "-cp", jar+":"+dir, "Check", host, port).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all jdbc checks passed") {
		t.Fatalf("jdbc: %v\n%s", err, out)
	}
}
