package connectors

import (
	"io"
	"sync"
)

// readAhead decompresses on a goroutine of its own, a few chunks ahead of
// the reader: the parse of one chunk overlaps the decompression of the
// next, so a compressed file keeps two cores busy.
type readAhead struct {
	chunks chan aheadChunk
	free   chan []byte
	stop   chan struct{}
	done   sync.WaitGroup
	cur    aheadChunk
	off    int
	close  func() error
	once   sync.Once
}

type aheadChunk struct {
	b   []byte
	err error
}

const (
	aheadChunkSize = 1 << 20
	aheadChunks    = 3
)

// newReadAhead reads r ahead; close closes what r reads from, once the
// goroutine has stopped.
func newReadAhead(r io.Reader, close func() error) *readAhead {
	a := &readAhead{chunks: make(chan aheadChunk, aheadChunks), free: make(chan []byte, aheadChunks+1), stop: make(chan struct{}), close: close}
	for i := 0; i < aheadChunks+1; i++ {
		a.free <- make([]byte, aheadChunkSize)
	}
	a.done.Add(1)
	go a.run(r)
	return a
}

func (a *readAhead) run(r io.Reader) {
	defer a.done.Done()
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(r, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case a.chunks <- aheadChunk{b: buf[:n], err: err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *readAhead) Read(p []byte) (int, error) {
	for a.off == len(a.cur.b) {
		if a.cur.err != nil {
			return 0, a.cur.err
		}
		if a.cur.b != nil {
			a.free <- a.cur.b[:cap(a.cur.b)]
		}
		a.cur, a.off = <-a.chunks, 0
	}
	n := copy(p, a.cur.b[a.off:])
	a.off += n
	if a.cur.err != nil && a.cur.err != io.EOF {
		// A corrupt stream: what follows the good bytes is not text to
		// parse, so the error comes with them.
		return n, a.cur.err
	}
	return n, nil
}

// Close stops the goroutine and closes the stream under it.
func (a *readAhead) Close() error {
	var err error
	a.once.Do(func() {
		close(a.stop)
		a.done.Wait()
		err = a.close()
	})
	return err
}
