package connectors

import (
	"testing"
	"unsafe"
)

func TestPageAllocatorRecyclesBuffers(t *testing.T) {
	p := new(pageAllocator)
	for _, size := range []int{1, 100, 4096, 5000, dirtyMin - 1, dirtyMin, 1 << 20, 3<<20 + 7} {
		b := p.Allocate(size)
		if len(b) != size {
			t.Fatalf("Allocate(%d): len %d", size, len(b))
		}
		if uintptr(unsafe.Pointer(unsafe.SliceData(b)))%pageAlign != 0 {
			t.Fatalf("Allocate(%d): not aligned to %d bytes", size, pageAlign)
		}
		for i := range b {
			b[i] = 0xff
		}
		p.Free(b)
		c := p.Allocate(size)
		if len(c) != size {
			t.Fatalf("second Allocate(%d): len %d", size, len(c))
		}
		if size >= dirtyMin {
			continue // pages are not cleared: their reader fills them
		}
		for i, v := range c {
			if v != 0 {
				t.Fatalf("Allocate(%d) after Free: byte %d is %#x, want 0", size, i, v)
			}
		}
	}
	// Growing within a recycled buffer's class clears what it grows into
	// (Allocate cleared only the length asked for).
	b0 := p.Allocate(8000)
	for i := range b0 {
		b0[i] = 0xff
	}
	p.Free(b0)
	b1 := p.Allocate(5000)
	b1 = p.Reallocate(8000, b1)
	for i, v := range b1 {
		if v != 0 {
			t.Fatalf("Reallocate(8000) within the class: byte %d is %#x, want 0", i, v)
		}
	}
	// Reallocate keeps the contents when it grows a buffer.
	b := p.Allocate(5000)
	b[4999] = 7
	b = p.Reallocate(1<<16, b)
	if len(b) != 1<<16 || b[4999] != 7 {
		t.Fatalf("Reallocate: len %d, b[4999] = %d", len(b), b[4999])
	}
}
