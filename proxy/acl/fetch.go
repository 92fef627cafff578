package acl

// fetchKind names the sample an ACL reads.
type fetchKind int

const (
	fPath fetchKind = iota + 1
	fURL
	fQuery
	fHdr     // values of a header (string)
	fHdrCnt  // number of values of a header (int)
	fHdrVal  // values of a header as integers
	fURLP    // values of a query-string parameter
	fURLPVal // values of a query-string parameter as integers
	fMethod
	fVer
	fProtoHTTP
	fSrc
	fSrcPort
	fDstPort
	fSSLFC
	fSNI
	fTrue
	fFalse
	fWaitEnd
	fBase // first Host value + path
	fDst
	fNbsrv
	fAuth
	fAuthGroup
	fStick // a stick counter fetch (sc_*, src_*: stick.go)
)

// sampleType is the type of what a fetch returns.
type sampleType int

const (
	tStr sampleType = iota
	tInt
	tIP
	tBool
	tMeth // method: integer + string
)

// matchKind is a pattern matching method (`-m`).
type matchKind int

const (
	mFound matchKind = iota + 1
	mBool
	mInt
	mIP
	mBin
	mLen
	mStr
	mSub
	mReg
	mBeg
	mEnd
	mDir
	mDom
	mMeth // HAProxy's method match
)

// matchNames maps `-m` words to match methods.
var matchNames = map[string]matchKind{
	"found": mFound, "bool": mBool, "int": mInt, "ip": mIP, "bin": mBin,
	"len": mLen, "str": mStr, "sub": mSub, "reg": mReg, "beg": mBeg,
	"end": mEnd, "dir": mDir, "dom": mDom,
}

// fetchDef describes an ACL keyword: the sample it reads, the sample's type
// and the default match method.
type fetchDef struct {
	kind  fetchKind
	typ   sampleType
	match matchKind
	// arg: the fetch takes an argument in parentheses (a header or
	// parameter name); argRequired: it must have one.
	arg, argRequired bool
	// http: the fetch reads the HTTP request.
	http bool
}

// fetches maps ACL keywords (sample fetches and their ACL derivatives such
// as path_beg) to their definition. Built once; read-only.
var fetches = buildFetches()

func buildFetches() map[string]fetchDef {
	f := map[string]fetchDef{}
	// String fetches and their derivatives <name>_beg, _dir, ...
	derive := func(names []string, d fetchDef) {
		for _, n := range names {
			f[n] = d
		}
		for _, sfx := range []struct {
			s string
			m matchKind
		}{{"_beg", mBeg}, {"_dir", mDir}, {"_dom", mDom}, {"_end", mEnd}, {"_len", mLen}, {"_reg", mReg}, {"_sub", mSub}} {
			dd := d
			dd.match = sfx.m
			f[names[0]+sfx.s] = dd
		}
	}
	derive([]string{"path"}, fetchDef{kind: fPath, typ: tStr, match: mStr, http: true})
	derive([]string{"url"}, fetchDef{kind: fURL, typ: tStr, match: mStr, http: true})
	derive([]string{"hdr", "req.hdr", "req.fhdr"}, fetchDef{kind: fHdr, typ: tStr, match: mStr, arg: true, argRequired: true, http: true})
	derive([]string{"urlp", "url_param"}, fetchDef{kind: fURLP, typ: tStr, match: mStr, arg: true, http: true})
	derive([]string{"base"}, fetchDef{kind: fBase, typ: tStr, match: mStr, http: true})
	f["query"] = fetchDef{kind: fQuery, typ: tStr, match: mStr, http: true}
	for _, n := range []string{"hdr_cnt", "req.hdr_cnt", "req.fhdr_cnt"} {
		f[n] = fetchDef{kind: fHdrCnt, typ: tInt, match: mInt, arg: true, argRequired: true, http: true}
	}
	for _, n := range []string{"hdr_val", "req.hdr_val"} {
		f[n] = fetchDef{kind: fHdrVal, typ: tInt, match: mInt, arg: true, argRequired: true, http: true}
	}
	f["urlp_val"] = fetchDef{kind: fURLPVal, typ: tInt, match: mInt, arg: true, http: true}
	f["method"] = fetchDef{kind: fMethod, typ: tMeth, match: mMeth, http: true}
	for _, n := range []string{"req.ver", "req_ver"} {
		f[n] = fetchDef{kind: fVer, typ: tStr, match: mStr, http: true}
	}
	for _, n := range []string{"req.proto_http", "req_proto_http"} {
		f[n] = fetchDef{kind: fProtoHTTP, typ: tBool, match: mBool}
	}
	f["src"] = fetchDef{kind: fSrc, typ: tIP, match: mIP}
	f["dst"] = fetchDef{kind: fDst, typ: tIP, match: mIP}
	f["nbsrv"] = fetchDef{kind: fNbsrv, typ: tInt, match: mInt, arg: true}
	f["http_auth"] = fetchDef{kind: fAuth, typ: tBool, match: mBool, arg: true, argRequired: true, http: true}
	f["http_auth_group"] = fetchDef{kind: fAuthGroup, typ: tStr, match: mStr, arg: true, argRequired: true, http: true}
	f["src_port"] = fetchDef{kind: fSrcPort, typ: tInt, match: mInt}
	f["dst_port"] = fetchDef{kind: fDstPort, typ: tInt, match: mInt}
	f["ssl_fc"] = fetchDef{kind: fSSLFC, typ: tBool, match: mBool}
	f["ssl_fc_sni"] = fetchDef{kind: fSNI, typ: tStr, match: mStr}
	f["ssl_fc_sni_end"] = fetchDef{kind: fSNI, typ: tStr, match: mEnd}
	f["ssl_fc_sni_reg"] = fetchDef{kind: fSNI, typ: tStr, match: mReg}
	for _, n := range []string{"req.ssl_sni", "req_ssl_sni"} {
		f[n] = fetchDef{kind: fSNI, typ: tStr, match: mStr}
	}
	f["always_true"] = fetchDef{kind: fTrue, typ: tBool, match: mBool}
	f["always_false"] = fetchDef{kind: fFalse, typ: tBool, match: mBool}
	f["wait_end"] = fetchDef{kind: fWaitEnd, typ: tBool, match: mBool}
	return f
}

// Supported reports whether fetch (an ACL keyword without its argument,
// e.g. "hdr_beg") is one Compile knows. The config parser keeps its own
// list (config may not import this package); a test in the proxy package
// can check both agree.
func Supported(fetch string) bool {
	_, ok := fetches[fetch]
	return ok
}

// SupportedFetches lists the ACL keywords Compile knows.
func SupportedFetches() []string {
	out := make([]string, 0, len(fetches))
	for n := range fetches {
		out = append(out, n)
	}
	return out
}
