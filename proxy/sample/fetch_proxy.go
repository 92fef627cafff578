package sample

// The frontend and the backend of the stream.
var proxyFetches = []fetchKw{
	{"fe_name", fixed(fetchFeName)},
	{"be_name", fixed(fetchBeName)},
	{"nbsrv", compileNbsrv},
}

func init() { registerFetches(proxyFetches) }

func fetchFeName(x *Ctx, _ *fetchArgs, v *smpVal) bool {
	if x.Frontend == nil {
		return false
	}
	x.setStr(v, append(x.scratch(), x.Frontend.ProxyName()...))
	return true
}

func fetchBeName(x *Ctx, _ *fetchArgs, v *smpVal) bool {
	if x.Backend == nil {
		return false
	}
	x.setStr(v, append(x.scratch(), x.Backend.ProxyName()...))
	return true
}

// compileNbsrv compiles nbsrv([backend]): the usable servers of the
// named backend, or of the stream's.
func compileNbsrv(e *sampleExpr, args []string, _ *Options) error {
	if len(args) > 0 {
		e.fa.s = args[0]
	}
	e.fetch = fetchNbsrv
	return nil
}

func fetchNbsrv(x *Ctx, a *fetchArgs, v *smpVal) bool {
	var n int
	switch {
	case a.s != "" && x.Frontend != nil:
		var ok bool
		if n, ok = x.Frontend.UsableServersOf(a.s); !ok {
			return false
		}
	case x.Backend != nil:
		n = x.Backend.UsableServers()
	default:
		return false
	}
	v.t, v.i = stInt, int64(n)
	return true
}
