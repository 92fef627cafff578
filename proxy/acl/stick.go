package acl

import "github.com/goha/goha/proxy/stick"

// StickSample is an optional ability of a Sample: the connection's stick
// counters, for the sc_*, sc0_*..sc2_* and src_* fetches. Without it
// those fetches find nothing.
type StickSample interface {
	StickCounters() *stick.Counters
}

// stickDef is the definition of a stick fetch: an integer (sc_tracked a
// boolean) read through the sample's counters.
func stickDef(f *stick.Fetch) fetchDef {
	if f.Bool() {
		return fetchDef{kind: fStick, typ: tBool, match: mBool}
	}
	return fetchDef{kind: fStick, typ: tInt, match: mInt}
}

// evalStick matches a stick fetch's value; nothing matches when the
// sample has no counters or the fetch finds nothing.
func evalStick(m *matcher, s Sample) bool {
	ss, ok := s.(StickSample)
	if !ok {
		return false
	}
	v, found := m.stick.Eval(ss.StickCounters(), s.Src())
	if !found {
		return false
	}
	return m.matchInt(v)
}
