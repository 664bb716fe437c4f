package connectors

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Page buffers. The Parquet library's column readers take their page
// buffers (compressed bytes, decompressed pages, dictionaries, levels)
// from the allocator of the reader properties, and give them back through
// Free when a column chunk is done. With Go's allocator every column chunk
// of every row group got fresh buffers of up to a page each, and the
// runtime cleared each of them: 5% of the CPU of the 22 TPC-H queries. A
// pageAllocator keeps freed buffers by power-of-two size and hands them
// out again, so the memory is warm and its pages are mapped.
//
// A recycled buffer of at least dirtyMin bytes is not cleared: buffers
// that large are the pages themselves (one page holds a whole row group's
// column in files DuckDB writes), which the reader fills entirely, with
// the bytes read or as many as the page header says decompress (the
// library checks the count). Smaller ones (levels, bitmaps, a batch's
// scratch) are cleared, as Go's allocator would: clearing the pages was
// another 2.5% of the CPU.
//
// Only the readers' own buffers come from it: arrays handed to the engine
// are built with the default allocator (pqarrow's) or copied (the late
// reader), so nothing the engine holds aliases a recycled buffer.

const (
	minPooledShift = 12 // smaller buffers come from Go's allocator
	maxPooledShift = 26 // larger ones too; pages are at most a few MiB
	pageAlign      = 64
	dirtyMin       = 64 << 10
)

// pageAllocator is a memory.Allocator that recycles buffers (see above).
// It is safe for concurrent use.
type pageAllocator struct {
	classes [maxPooledShift + 1]sync.Pool // of *[]byte with cap 1<<shift
}

// pageBuffers is shared by every Parquet reader of the process, so that
// buffers freed by one query's row groups serve the next.
var pageBuffers = new(pageAllocator)

func shiftFor(size int) int {
	if size <= 1 {
		return 0
	}
	return bits.Len(uint(size - 1))
}

func (p *pageAllocator) Allocate(size int) []byte {
	s := shiftFor(size)
	if s < minPooledShift || s > maxPooledShift {
		return memory.DefaultAllocator.Allocate(size)
	}
	if v, ok := p.classes[s].Get().(*[]byte); ok {
		b := (*v)[:size]
		if size < dirtyMin {
			clear(b)
		}
		return b
	}
	// One allocation of the class size plus room to align the start to
	// 64 bytes, as arrow's Go allocator does; the capacity is the class
	// size, which Free recognises.
	buf := make([]byte, 1<<s+pageAlign)
	shift := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) & (pageAlign - 1))
	return buf[shift : shift+size : shift+1<<s]
}

func (p *pageAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		// A recycled buffer's room past its length was not cleared by
		// Allocate: clear what this grows into, below dirtyMin.
		if size > len(b) && cap(b) < dirtyMin {
			clear(b[len(b):size])
		}
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *pageAllocator) Free(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not one of ours
	}
	s := bits.TrailingZeros(uint(c))
	if s < minPooledShift || s > maxPooledShift {
		return
	}
	b = b[:0]
	p.classes[s].Put(&b)
}

var _ memory.Allocator = (*pageAllocator)(nil)
