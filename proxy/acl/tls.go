package acl

// TLSSample is an optional ability of a Sample: the client connection's
// TLS facts, for the ssl_fc_* and ssl_c_* ACL fetches beyond ssl_fc and
// ssl_fc_sni. TLSFetch returns fetch name's value (a string, or an
// integer for the integer and boolean fetches) with its argument (a DN
// entry and occurrence: "CN", "OU,2"); ok is false when there is none,
// on a plain connection for instance. Without it those fetches find
// nothing.
type TLSSample interface {
	TLSFetch(name, arg string) (str []byte, n int64, ok bool)
}

// fTLSFirst is the kind of the first TLS fetch below; each has a kind
// of its own, so that its evaluator knows its name.
const fTLSFirst fetchKind = 50

// TLSFetches are the TLS ACL fetches a TLSSample answers, with their
// types and whether they take an argument.
var TLSFetches = []struct {
	Name string
	typ  sampleType
	arg  bool
}{
	{"ssl_c_used", tBool, false}, {"ssl_fc_has_crt", tBool, false}, {"ssl_fc_has_sni", tBool, false},
	{"ssl_fc_session_reused", tBool, false}, {"ssl_c_verify", tInt, false}, {"ssl_c_err", tInt, false},
	{"ssl_c_ca_err", tInt, false}, {"ssl_c_version", tInt, false}, {"ssl_fc_protocol", tStr, false},
	{"ssl_fc_cipher", tStr, false}, {"ssl_fc_alpn", tStr, false}, {"ssl_c_s_dn", tStr, true},
	{"ssl_c_i_dn", tStr, true}, {"ssl_c_notafter", tStr, false}, {"ssl_c_notbefore", tStr, false},
}

func init() {
	defaults := map[sampleType]matchKind{tBool: mBool, tInt: mInt, tStr: mStr}
	for i, f := range TLSFetches {
		k := fTLSFirst + fetchKind(i)
		fetches[f.Name] = fetchDef{kind: k, typ: f.typ, match: defaults[f.typ], arg: f.arg}
		evaluators[k] = tlsEvaluator(f.Name, f.typ)
	}
}

// tlsEvaluator matches TLS fetch name of type typ.
func tlsEvaluator(name string, typ sampleType) evalFunc {
	return func(m *matcher, s Sample) bool {
		ts, ok := s.(TLSSample)
		if !ok {
			return false
		}
		str, n, ok := ts.TLSFetch(name, m.arg)
		switch {
		case !ok:
			return false
		case typ == tStr:
			return m.matchStr(str)
		case typ == tBool:
			return m.matchBool(n != 0)
		}
		return m.matchInt(n)
	}
}
