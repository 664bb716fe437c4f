package server

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/debug"
)

// DebugHandler serves what an operator (or a soak test) needs to see
// inside a running server, on an address of its own (loopback only):
//
//	/debug/pprof/...   Go's profiles
//	/debug/stats       counters as JSON: goroutines, heap, connections
//	/debug/gc          (POST) a garbage collection that returns freed
//	                   memory to the OS, before measuring RSS
func DebugHandler(s *Server) http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/stats", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := s.Stats()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int64{
			"goroutines":  int64(runtime.NumGoroutine()),
			"heap_alloc":  int64(ms.HeapAlloc),
			"heap_sys":    int64(ms.HeapSys),
			"accepted":    st.Accepted.Load(),
			"open":        st.Open.Load(),
			"sessions":    st.Sessions.Load(),
			"refused":     st.Refused.Load(),
			"statements":  st.Statements.Load(),
			"num_gc":      int64(ms.NumGC),
			"heap_object": int64(ms.HeapObjects),
		})
	})
	mux.HandleFunc("/debug/gc", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		runtime.GC()
		debug.FreeOSMemory()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
