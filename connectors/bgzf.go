package connectors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// A blocked gzip file (BGZF, what bgzip writes) is a series of gzip
// members of at most 64 KB, each saying its size in its header: they are
// decompressed in parallel, on up to one goroutine per core, and passed
// on in order.

// isBGZF reports whether the stream starts with a BGZF member: a gzip
// header whose extra field holds the "BC" subfield.
func isBGZF(head []byte) bool {
	if len(head) < 18 || head[0] != 0x1f || head[1] != 0x8b || head[2] != 8 || head[3]&4 == 0 {
		return false
	}
	_, ok := bgzfBlockSize(head)
	return ok
}

// bgzfBlockSize reads a member's total size from its header.
func bgzfBlockSize(h []byte) (int, bool) {
	if len(h) < 12 {
		return 0, false
	}
	xlen := int(binary.LittleEndian.Uint16(h[10:12]))
	if len(h) < 12+xlen {
		return 0, false
	}
	extra := h[12 : 12+xlen]
	for len(extra) >= 4 {
		slen := int(binary.LittleEndian.Uint16(extra[2:4]))
		if extra[0] == 'B' && extra[1] == 'C' && slen == 2 && len(extra) >= 6 {
			return int(binary.LittleEndian.Uint16(extra[4:6])) + 1, true
		}
		if len(extra) < 4+slen {
			break
		}
		extra = extra[4+slen:]
	}
	return 0, false
}

var errBGZF = errors.New("invalid BGZF block")

// bgzfReader decompresses a BGZF stream with a pool of goroutines.
type bgzfReader struct {
	results chan chan aheadChunk // in block order
	stop    chan struct{}
	done    sync.WaitGroup
	cur     aheadChunk
	off     int
	closeFn func() error
	once    sync.Once
}

// newBGZFStream reads the BGZF stream r of file p, a corrupt block
// failing the read with XX001 naming the file.
func newBGZFStream(r io.Reader, p string, closeFn func() error) io.ReadCloser {
	z := newBGZFReader(r, closeFn)
	return &decompressor{Reader: &streamErrReader{r: z, path: p, comp: Gzip}, close: z.Close}
}

// bgzfBatch is how many blocks one job decompresses.
const bgzfBatch = 16

func newBGZFReader(r io.Reader, closeFn func() error) *bgzfReader {
	workers := max(1, runtime.GOMAXPROCS(0))
	z := &bgzfReader{results: make(chan chan aheadChunk, 2*workers), stop: make(chan struct{}), closeFn: closeFn}
	jobs := make(chan bgzfJob)
	z.done.Add(1 + workers)
	for i := 0; i < workers; i++ {
		go func() {
			defer z.done.Done()
			for j := range jobs {
				b, err := inflateBlocks(j.blocks)
				j.out <- aheadChunk{b: b, err: err}
			}
		}()
	}
	go func() {
		defer z.done.Done()
		defer close(jobs)
		br := bufio.NewReaderSize(r, 1<<20)
		for {
			var blocks [][]byte
			var err error
			for len(blocks) < bgzfBatch {
				var blk []byte
				blk, err = readBGZFBlock(br)
				if err != nil {
					break
				}
				blocks = append(blocks, blk)
			}
			out := make(chan aheadChunk, 1)
			if len(blocks) > 0 {
				select {
				case jobs <- bgzfJob{blocks: blocks, out: out}:
				case <-z.stop:
					return
				}
			} else {
				out <- aheadChunk{err: err}
			}
			select {
			case z.results <- out:
			case <-z.stop:
				return
			}
			if err != nil {
				if len(blocks) > 0 {
					last := make(chan aheadChunk, 1)
					last <- aheadChunk{err: err}
					select {
					case z.results <- last:
					case <-z.stop:
					}
				}
				return
			}
		}
	}()
	return z
}

type bgzfJob struct {
	blocks [][]byte
	out    chan aheadChunk
}

// readBGZFBlock reads one whole member; io.EOF at the end of the stream.
func readBGZFBlock(br *bufio.Reader) ([]byte, error) {
	head, err := br.Peek(18)
	if err == io.EOF && len(head) == 0 {
		return nil, io.EOF
	}
	if len(head) < 12 || head[0] != 0x1f || head[1] != 0x8b {
		return nil, errBGZF
	}
	xlen := int(binary.LittleEndian.Uint16(head[10:12]))
	head, err = br.Peek(12 + xlen)
	if err != nil {
		return nil, errBGZF
	}
	size, ok := bgzfBlockSize(head)
	if !ok || size < 12+xlen+8 {
		return nil, errBGZF
	}
	blk := make([]byte, size)
	if _, err := io.ReadFull(br, blk); err != nil {
		return nil, errBGZF
	}
	return blk, nil
}

// inflateBlocks decompresses members, checking their CRC and size.
func inflateBlocks(blocks [][]byte) ([]byte, error) {
	var out bytes.Buffer
	fr := flate.NewReader(nil)
	for _, blk := range blocks {
		xlen := int(binary.LittleEndian.Uint16(blk[10:12]))
		data := blk[12+xlen : len(blk)-8]
		crc := binary.LittleEndian.Uint32(blk[len(blk)-8:])
		isize := int(binary.LittleEndian.Uint32(blk[len(blk)-4:]))
		start := out.Len()
		fr.(flate.Resetter).Reset(bytes.NewReader(data), nil)
		if _, err := io.Copy(&out, fr); err != nil {
			return nil, errBGZF
		}
		got := out.Bytes()[start:]
		if len(got) != isize || crc32.ChecksumIEEE(got) != crc {
			return nil, errBGZF
		}
	}
	return out.Bytes(), nil
}

func (z *bgzfReader) Read(p []byte) (int, error) {
	for z.off == len(z.cur.b) {
		if z.cur.err != nil {
			return 0, z.cur.err
		}
		ch, ok := <-z.results
		if !ok {
			return 0, io.EOF
		}
		z.cur, z.off = <-ch, 0
	}
	n := copy(p, z.cur.b[z.off:])
	z.off += n
	if z.off == len(z.cur.b) && z.cur.err != nil && z.cur.err != io.EOF {
		return n, z.cur.err
	}
	return n, nil
}

// Close stops the goroutines and closes the file.
func (z *bgzfReader) Close() error {
	var err error
	z.once.Do(func() {
		close(z.stop)
		// Workers may be waiting to hand a result no one reads: results
		// are buffered one per job, so they finish.
		z.done.Wait()
		err = z.closeFn()
	})
	return err
}
