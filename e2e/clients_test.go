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
