package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/engine"
)

// scriptConn is a client connection that sends a fixed byte stream, then
// EOF, and swallows whatever the server writes: one fuzz input is one
// whole client, run synchronously.
type scriptConn struct {
	r   *bytes.Reader
	out *bytes.Buffer // what the server wrote, when kept
}

func (c *scriptConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error) {
	if c.out != nil {
		c.out.Write(p)
	}
	return len(p), nil
}
func (c *scriptConn) Close() error { return nil }
func (c *scriptConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5433}
}
func (c *scriptConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *scriptConn) SetDeadline(t time.Time) error     { return nil }
func (c *scriptConn) SetReadDeadline(t time.Time) error { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error  { return nil }

// panicCounter is a log handler that counts panic records.
type panicCounter struct {
	n atomic.Int64
	slog.Handler
}

func (h *panicCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "panic" {
		h.n.Add(1)
	}
	return nil
}

var fuzzServer = sync.OnceValues(func() (*Server, *panicCounter) {
	root := fstest.MapFS{
		"people.csv":  {Data: []byte("id,name,born,score\n1,ann,1990-05-01,10.5\n2,bob,1985-12-24,7\n3,cid,,\n")},
		"events.json": {Data: []byte(`{"id": 1, "tags": ["a", "b"], "user": {"name": "x"}}` + "\n")},
	}
	eng, err := engine.New(engine.Config{Root: root, RootName: "fuzz", Database: "lake", TableMemoryLimit: 1 << 20})
	if err != nil {
		panic(err)
	}
	pc := &panicCounter{Handler: slog.DiscardHandler}
	srv := &Server{Engine: eng, Logger: slog.New(pc), Config: Config{
		StatementTimeout: 2 * time.Second,
		MaxMessageSize:   1 << 20,
	}}
	srv.init()
	return srv, pc
})

// msg frames a typed message.
func msg(typ byte, body []byte) []byte {
	out := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(out[1:], uint32(len(body)+4))
	return append(out, body...)
}

func startupBytes(user string) []byte {
	body := []byte{0, 3, 0, 0}
	body = append(body, "user\x00"+user+"\x00database\x00lake\x00\x00"...)
	out := make([]byte, 4)
	binary.BigEndian.PutUint32(out, uint32(len(body)+4))
	return append(out, body...)
}

func encode(t testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var out []byte
	for _, m := range msgs {
		var err error
		if out, err = m.Encode(out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// FuzzSession feeds a fuzzed byte stream to one session, from the startup
// packet on (inputs that start with a valid startup message reach the
// query protocol). The server must not panic, hang, or affect others.
func FuzzSession(f *testing.F) {
	start := startupBytes("fuzz")
	for _, seed := range [][]byte{
		append(start, encode(f, &pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{})...),
		append(start, encode(f, &pgproto3.Query{String: "SELECT name, score FROM people WHERE id > 1 ORDER BY 1; SHOW TimeZone"})...),
		append(start, encode(f,
			&pgproto3.Parse{Name: "s", Query: "SELECT $1::int + id FROM people WHERE name = $2", ParameterOIDs: []uint32{23, 25}},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 5}, []byte("bob")}, ResultFormatCodes: []int16{1}},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Execute{},
			&pgproto3.Close{ObjectType: 'S', Name: "s"},
			&pgproto3.Sync{})...),
		append(start, encode(f, &pgproto3.Query{String: "BEGIN; DECLARE c CURSOR FOR SELECT * FROM events; FETCH 1 FROM c; COMMIT"})...),
		append(start, encode(f, &pgproto3.Query{String: "CREATE TABLE t AS SELECT x FROM generate_series(1, 10) g(x); SELECT sum(x) FROM t"})...),
		append(start, encode(f, &pgproto3.Query{String: "COPY (SELECT * FROM people) TO STDOUT WITH (FORMAT csv, HEADER)"})...),
		append(start, encode(f, &pgproto3.Parse{Query: "select $0"}, &pgproto3.Sync{})...),
		append(start, msg('Q', []byte("SELECT 1"))...), // no terminating NUL
		append(start, msg('B', []byte{0, 0, 0xff, 0xff})...),
		append(start, msg('X', nil)...),
		append([]byte{0, 0, 0, 8, 4, 210, 22, 47}, start...),    // SSLRequest first
		{0, 0, 0, 16, 4, 210, 22, 46, 0, 0, 3, 233, 1, 2, 3, 4}, // CancelRequest
		{0, 0, 0, 8, 0, 3, 0, 0},
		[]byte("GET / HTTP/1.1\r\n\r\n"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		srv, panics := fuzzServer()
		before := panics.n.Load()
		nc := &scriptConn{r: bytes.NewReader(data)}
		c, ok := srv.newConn(nc)
		if !ok {
			t.Skip("server full")
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer srv.forget(c)
			c.serve()
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("the session did not end 30 s after its input did")
		}
		if p := panics.n.Load() - before; p > 0 {
			t.Fatalf("%d panics while serving %q", p, data)
		}
	})
}

// The fuzz harness reaches the query protocol: a scripted client gets its
// rows.
func TestScriptedSession(t *testing.T) {
	srv, _ := fuzzServer()
	nc := &scriptConn{r: bytes.NewReader(append(startupBytes("fuzz"), encode(t, &pgproto3.Query{String: "SELECT name FROM people WHERE id = 2"}, &pgproto3.Terminate{})...)), out: &bytes.Buffer{}}
	c, ok := srv.newConn(nc)
	if !ok {
		t.Fatal("server full")
	}
	c.serve()
	srv.forget(c)
	fe := pgproto3.NewFrontend(bytes.NewReader(nc.out.Bytes()), nil)
	var got []string
	for {
		m, err := fe.Receive()
		if err != nil {
			break
		}
		if d, ok := m.(*pgproto3.DataRow); ok {
			got = append(got, string(d.Values[0]))
		}
	}
	if len(got) != 1 || got[0] != "bob" {
		t.Errorf("rows %q", got)
	}
}
