package sample

import (
	"fmt"
	"net/netip"

	"github.com/goha/goha/proxy/http1"
)

// fetchKw is one row of the fetch table: a keyword and how to compile
// a call to it (HAProxy's sample_fetch_kw_list).
type fetchKw struct {
	name    string
	compile fetchCompiler
}

// fetchCompiler checks a fetch's arguments and sets e.fetch and e.fa.
type fetchCompiler func(e *sampleExpr, args []string, o *Options) error

// fetchTable maps the fetches rule values support to their compiler;
// the files fetch_*.go register their rows. Keep in step with
// config.SupportedSampleFetches (TestSampleTables).
var fetchTable = map[string]fetchCompiler{}

// registerFetches adds rows to the fetch table. A keyword registered
// twice is a programming error.
func registerFetches(rows []fetchKw) {
	for _, r := range rows {
		if _, dup := fetchTable[r.name]; dup {
			panic("sample: fetch " + r.name + " registered twice")
		}
		fetchTable[r.name] = r.compile
	}
}

func compileFetch(e *sampleExpr, name string, args []string, o *Options) error {
	mk, ok := fetchTable[name]
	if !ok {
		return fmt.Errorf("fetch %q is not supported", name)
	}
	return mk(e, args, o)
}

// fixed compiles a fetch that takes no argument.
func fixed(fn fetchFn) fetchCompiler {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 0 {
			return fmt.Errorf("no argument expected")
		}
		e.fetch = fn
		return nil
	}
}

// strFetch is a fetch without arguments returning a string (none when f
// returns nil).
func strFetch(f func(x *Ctx) []byte) fetchCompiler {
	return fixed(func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
		b := f(x)
		if b == nil {
			return false
		}
		v.t, v.s = stStr, b
		return true
	})
}

// reqStrFetch is strFetch on the request (none outside HTTP).
func reqStrFetch(f func(r *http1.Request) []byte) fetchCompiler {
	return strFetch(func(x *Ctx) []byte {
		if x.Req == nil {
			return nil
		}
		return f(x.Req)
	})
}

// intFetch is a fetch without arguments returning an integer, or with
// t == stBool a boolean (0 or 1).
func intFetch(f func(x *Ctx) (int64, bool), t smpType) fetchCompiler {
	return fixed(func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
		n, ok := f(x)
		if !ok {
			return false
		}
		v.t, v.i = t, n
		return true
	})
}

// addrFetch is a fetch without arguments returning an address of the
// connection, or with port its port.
func addrFetch(f func(c *Conn) netip.AddrPort, port bool) fetchCompiler {
	return fixed(func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
		if x.Conn == nil {
			return false
		}
		ap := f(x.Conn)
		if !ap.IsValid() {
			return false
		}
		if port {
			v.t, v.i = stInt, int64(ap.Port())
		} else {
			v.t, v.ip = stIP, ap.Addr()
		}
		return true
	})
}
