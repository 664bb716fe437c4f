//go:build !linux

package main

// useMadvFree matters on Linux only (see madvise_linux.go).
func useMadvFree() {}
