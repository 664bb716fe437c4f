package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakesql/lakesql/demo"
	"github.com/lakesql/lakesql/engine"
	"github.com/lakesql/lakesql/server"
)

const (
	secureUser     = "ada"
	securePassword = "correct horse"
)

// serveSecure starts a server on the demo data that wants SCRAM-SHA-256
// (password `correct horse` for ada) and offers TLS with a self-signed
// certificate; tlsRequired refuses plaintext.
func serveSecure(t *testing.T, tlsRequired bool) (host, port string) {
	t.Helper()
	eng, err := engine.New(engine.Config{Root: demo.FS, RootName: "demo", Database: "lake"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := server.Verifier(securePassword)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := server.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Auth: server.AuthSCRAM, Users: map[string]string{secureUser: v}, TLS: tc, TLSRequired: tlsRequired}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { (&server.Server{Engine: eng, Config: cfg, Logf: t.Logf}).Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	return h, p
}

// psql logs in with SCRAM over TLS (with channel binding), is refused
// with a wrong password, and in plaintext when TLS is required.
func TestSecurePsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	host, port := serveSecure(t, true)
	conninfo := func(extra string) string {
		return "host=" + host + " port=" + port + " user=" + secureUser + " dbname=lake " + extra
	}
	run := func(password, info string) (string, error) {
		cmd := exec.Command(psql, "-X", "-At", "-c", "SELECT count(*) FROM cities", conninfo(info))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	for _, info := range []string{"sslmode=require", "sslmode=require channel_binding=require"} {
		if out, err := run(securePassword, info); err != nil || out != "8" {
			t.Errorf("%s: %v %s", info, err, out)
		}
	}
	if out, err := run("wrong", "sslmode=require"); err == nil || !strings.Contains(out, `password authentication failed for user "ada"`) {
		t.Errorf("wrong password: %v %s", err, out)
	}
	if out, err := run(securePassword, "sslmode=disable"); err == nil || !strings.Contains(out, "requires an encrypted connection") {
		t.Errorf("plaintext: %v %s", err, out)
	}
}

// psycopg2 with sslmode=require and a password.
func TestSecurePsycopg2(t *testing.T) {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import psycopg2").Run() != nil {
		t.Skip("psycopg2 not installed")
	}
	host, port := serveSecure(t, true)
	script := `
import sys, psycopg2
host, port, pw = sys.argv[1:4]
c = psycopg2.connect(host=host, port=port, user="ada", password=pw, dbname="lake", sslmode="require")
cur = c.cursor()
cur.execute("SELECT name FROM cities WHERE country = %s ORDER BY name", ("Japan",))
print("rows", [r[0] for r in cur.fetchall()])
try:
    psycopg2.connect(host=host, port=port, user="ada", password="nope", dbname="lake", sslmode="require")
    print("wrong password accepted")
except psycopg2.OperationalError as e:
    print("refused", "password authentication failed" in str(e))
`
	out, err := exec.Command(py, "-c", script, host, port, securePassword).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "rows ['Osaka']") || !strings.Contains(string(out), "refused True") {
		t.Errorf("psycopg2: %v\n%s", err, out)
	}
}

// node-postgres with ssl and a password.
func TestSecureNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir, _ := filepath.Abs(filepath.Join("clients", "node"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Skip("node-postgres not installed (npm install in e2e/clients/node): skipping")
	}
	host, port := serveSecure(t, true)
	script := `
const { Client } = require('pg');
const [host, port, password] = process.argv.slice(1);
(async () => {
  const c = new Client({ host, port: Number(port), user: 'ada', password, database: 'lake', ssl: { rejectUnauthorized: false } });
  await c.connect();
  const r = await c.query('SELECT count(*)::int AS n FROM cities WHERE population > $1', [1000000]);
  console.log('n', r.rows[0].n);
  await c.end();
  const bad = new Client({ host, port: Number(port), user: 'ada', password: 'nope', database: 'lake', ssl: { rejectUnauthorized: false } });
  try { await bad.connect(); console.log('wrong password accepted'); } catch (e) { console.log('refused', e.code); }
})().catch((e) => { console.log('error', e.message); process.exit(1); });
`
	cmd := exec.Command(node, "-e", script, host, port, securePassword)
	cmd.Dir = dir // require('pg') from e2e/clients/node
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "n ") || !strings.Contains(string(out), "refused 28P01") {
		t.Errorf("node-postgres: %v\n%s", err, out)
	}
}

// pgjdbc with ssl=true (no verification of the self-signed certificate).
func TestSecureJDBC(t *testing.T) {
	javac, err1 := exec.LookPath("javac")
	java, err2 := exec.LookPath("java")
	jar := "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err1 != nil || err2 != nil || err != nil {
		t.Skip("java, javac or the pgjdbc jar (libpostgresql-jdbc-java) missing: skipping")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "Secure.java")
	os.WriteFile(src, []byte(`import java.sql.*;
public class Secure {
    public static void main(String[] a) throws Exception {
        String url = "jdbc:postgresql://" + a[0] + ":" + a[1] + "/lake?sslmode=require";
        try (Connection c = DriverManager.getConnection(url, "ada", a[2]);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM cities WHERE country = ?")) {
            ps.setString(1, "Japan");
            try (ResultSet rs = ps.executeQuery()) { rs.next(); System.out.println("count " + rs.getInt(1)); }
        }
        try {
            DriverManager.getConnection(url, "ada", "nope");
            System.out.println("wrong password accepted");
        } catch (SQLException e) {
            System.out.println("refused " + e.getSQLState());
        }
    }
}
`), 0o644)
	if out, err := exec.Command(javac, "-cp", jar, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	host, port := serveSecure(t, true)
	out, err := exec.Command(java, "-cp", jar+":"+dir, "Secure", host, port, securePassword).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "count 1") || !strings.Contains(string(out), "refused 28P01") {
		t.Errorf("jdbc: %v\n%s", err, out)
	}
}
