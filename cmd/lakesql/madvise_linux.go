package main

import (
	"os"
	"strings"
	"syscall"
)

// useMadvFree restarts the process (same PID, same arguments) with the Go
// runtime set to return memory to the kernel with MADV_FREE instead of
// MADV_DONTNEED (GODEBUG=madvdontneed=0). With MADV_DONTNEED every page the
// collector's scavenger gave back faulted again when the next query
// touched it: a server re-faulted most of its heap on each query (50,000
// faults for one TPC-H q09 at scale 1; a third of q18's CPU time was the
// kernel's). With MADV_FREE the kernel takes the pages only when it needs
// them, and a reused page costs nothing; RSS then falls only under memory
// pressure. The setting can only be read at start-up (a //go:debug line
// does not accept it), hence the exec. A GODEBUG that already names
// madvdontneed is left as the user set it; if the exec fails the process
// simply goes on as it is.
func useMadvFree() {
	debug := os.Getenv("GODEBUG")
	if strings.Contains(debug, "madvdontneed") {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	if debug != "" {
		debug += ","
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GODEBUG="+debug+"madvdontneed=0")
	_ = syscall.Exec(exe, os.Args, env)
}
