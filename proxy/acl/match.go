package acl

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stick"
)

// matcher is one compiled ACL: a fetch, a match method and its patterns.
type matcher struct {
	name  string
	def   fetchDef
	match matchKind
	icase bool

	arg   string // header or parameter name (lowercase for headers)
	occ   int    // header occurrence (0 = all)
	delim byte   // urlp delimiter (0 = none besides '&' ';')

	// sets are the pattern lists the ACL matches against: one per `-f`
	// file and one for the patterns written on the line, each the live
	// content of a pattern reference (ref.go) the runtime API changes.
	sets  []*patSlot
	stick *stick.Fetch
	expr  Expr // a sample expression criterion (expr.go)

	visits sync.Pool // *visit, for header iteration without allocation
}

// intRange is an integer pattern: min..max, each bound optional.
type intRange struct {
	min, max int64
}

// methPat is a method pattern: a well-known method (compared exactly) or
// another name (compared as a string, honouring -i).
type methPat struct {
	known bool
	name  []byte
}

// manyStrings is the pattern count above which exact strings go in a map.
const manyStrings = 8

// compileACL builds a matcher from an ACL definition, its patterns read
// from the pattern references of refs (private ones when refs is nil).
func compileACL(a *config.ACL, refs *Refs) (*matcher, error) {
	src := a
	if p, ok := predefined[a.Name]; ok && (a.Fetch == "" || a.Fetch == a.Name) {
		src = &p
	} else if p, ok := predefined[a.Fetch]; ok && len(a.Patterns) == 0 {
		src = &p
	}
	m, err := build(src, a.Name)
	if err == nil {
		if src != a {
			refs = nil // a predefined ACL's patterns are not the user's
		}
		err = m.attach(src, refs)
	}
	if err != nil {
		where := ""
		if a.File != "" {
			where = fmt.Sprintf(" at [%s:%d]", a.File, a.Line)
		}
		return nil, fmt.Errorf("acl %q%s: %w", a.Name, where, err)
	}
	return m, nil
}

func build(a *config.ACL, name string) (*matcher, error) {
	if a.Expr != "" {
		return buildExpr(a, name)
	}
	fetch, arg := a.Fetch, a.Arg
	if i := strings.IndexByte(fetch, '('); i >= 0 && strings.HasSuffix(fetch, ")") && arg == "" {
		fetch, arg = fetch[:i], fetch[i+1:len(fetch)-1]
	}
	def, ok := fetches[fetch]
	var sf *stick.Fetch
	if !ok && stick.IsFetch(fetch) {
		var err error
		if sf, err = stick.CompileFetch(fetch, arg); err != nil {
			return nil, err
		}
		def, ok, arg = stickDef(sf), true, ""
	}
	if !ok {
		return nil, fmt.Errorf("unknown fetch method %q", fetch)
	}
	m := &matcher{name: name, def: def, match: def.match, icase: a.IgnoreCase, stick: sf}
	m.visits.New = func() any { v := &visit{}; v.fn, v.cnt, v.first = v.each, v.count, v.keep; return v }
	if arg != "" && !def.arg {
		return nil, fmt.Errorf("fetch method %q takes no argument, got %q", fetch, arg)
	}
	if def.argRequired && arg == "" {
		return nil, fmt.Errorf("fetch method %q needs an argument (header name)", fetch)
	}
	if arg != "" {
		if err := m.parseArg(arg); err != nil {
			return nil, fmt.Errorf("fetch method %q: %w", fetch, err)
		}
	}
	if a.Match != "" {
		mk, ok := matchNames[a.Match]
		if !ok {
			return nil, fmt.Errorf("unknown matching method %q", a.Match)
		}
		if err := compatible(def.typ, mk); err != nil {
			return nil, fmt.Errorf("fetch method %q: %w", fetch, err)
		}
		m.match = mk
	}
	if m.def.typ == tMeth && m.match == mStr {
		m.match = mMeth
	}
	return m, nil
}

// parseArg reads a fetch argument: "name[,occ]" for headers,
// "name[,delim]" for url parameters.
func (m *matcher) parseArg(arg string) error {
	name, rest, hasRest := strings.Cut(arg, ",")
	switch m.def.kind {
	case fHdr, fHdrVal, fHdrCnt:
		m.arg = strings.ToLower(strings.TrimSpace(name))
		if hasRest && m.def.kind != fHdrCnt {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				return fmt.Errorf("invalid occurrence %q", rest)
			}
			m.occ = n
		}
	case fNbsrv, fAuth, fAuthGroup:
		m.arg = arg
	case fURLP, fURLPVal:
		m.arg = name
		if hasRest {
			if len(rest) != 1 {
				return fmt.Errorf("invalid delimiter %q", rest)
			}
			m.delim = rest[0]
		}
	default: // read by the fetch itself (TLSSample: "CN,1")
		m.arg = arg
	}
	return nil
}

// compatible reports whether match method mk applies to samples of type t
// (configuration.txt 7.1's matrix).
func compatible(t sampleType, mk matchKind) error {
	ok := true
	switch t {
	case tBool:
		ok = mk == mFound || mk == mBool || mk == mInt
	case tInt:
		ok = mk == mFound || mk == mBool || mk == mInt
	case tIP:
		ok = mk == mFound || mk == mIP
	case tMeth:
		ok = mk == mFound || mk == mStr
	case tStr:
		ok = mk != mIP
	}
	if !ok {
		return fmt.Errorf("matching method %q is not supported for this fetch", matchName(mk))
	}
	return nil
}

func matchName(mk matchKind) string {
	for n, k := range matchNames {
		if k == mk {
			return n
		}
	}
	return "?"
}

// compilePatterns parses patterns according to the match method.
func (m *matcher) compilePatterns(pats []string) (*patterns, error) {
	p := &patterns{}
	op := ""
	for _, pat := range pats {
		switch m.match {
		case mFound, mBool:
			// Patterns are ignored.
		case mInt, mLen:
			if isOp(pat) {
				op = pat
				continue
			}
			r, err := parseIntPattern(pat, op)
			if err != nil {
				return nil, err
			}
			p.ints = append(p.ints, r)
		case mIP:
			if err := p.ips.add(pat); err != nil {
				return nil, err
			}
		case mBin:
			b, err := hex.DecodeString(pat)
			if err != nil {
				return nil, fmt.Errorf("invalid hexadecimal pattern %q", pat)
			}
			p.strs = append(p.strs, b)
		case mReg:
			expr := pat
			if m.icase {
				expr = "(?i)" + pat
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("invalid regex %q: %w", pat, err)
			}
			p.regs = append(p.regs, re)
		case mMeth:
			known := slices.Contains(knownMethods, pat)
			p.meths = append(p.meths, methPat{known: known, name: []byte(pat)})
		default: // string methods
			b := []byte(pat)
			if m.icase {
				b = lower(b)
			}
			p.strs = append(p.strs, b)
		}
	}
	if m.def.kind == fAuthGroup {
		p.groups = pats
	}
	if m.match != mBin && len(p.strs) > manyStrings {
		p.strSet = make(map[string]struct{}, len(p.strs))
		for _, s := range p.strs {
			p.strSet[string(s)] = struct{}{}
		}
	}
	return p, nil
}

// knownMethods are the methods HAProxy knows by number; others are
// compared as strings.
var knownMethods = []string{"GET", "HEAD", "POST", "CONNECT", "PUT", "OPTIONS", "DELETE", "TRACE"}

func isOp(s string) bool {
	switch s {
	case "eq", "ge", "gt", "le", "lt":
		return true
	}
	return false
}

// parseIntPattern parses "N", "N:M", ":M", "N:" (a range), after an
// optional operator (eq, ge, gt, le, lt) that applies to a plain value.
func parseIntPattern(p, op string) (intRange, error) {
	r := intRange{min: math.MinInt64, max: math.MaxInt64}
	num := func(s string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid integer pattern %q", p)
		}
		return n, nil
	}
	if lo, hi, ok := strings.Cut(p, ":"); ok {
		var err error
		if lo != "" {
			if r.min, err = num(lo); err != nil {
				return r, err
			}
		}
		if hi != "" {
			if r.max, err = num(hi); err != nil {
				return r, err
			}
		}
		if lo == "" && hi == "" {
			return r, fmt.Errorf("invalid integer range %q", p)
		}
		return r, nil
	}
	n, err := num(p)
	if err != nil {
		return r, err
	}
	switch op {
	case "", "eq":
		r.min, r.max = n, n
	case "ge":
		r.min = n
	case "gt":
		if n == math.MaxInt64 {
			r.min, r.max = 1, 0 // empty
		} else {
			r.min = n + 1
		}
	case "le":
		r.max = n
	case "lt":
		if n == math.MinInt64 {
			r.min, r.max = 1, 0
		} else {
			r.max = n - 1
		}
	}
	return r, nil
}

func lower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = toLower(c)
	}
	return out
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold compares ASCII case-insensitively; p is already lowercase.
func equalFold(s, p []byte) bool {
	if len(s) != len(p) {
		return false
	}
	for i, c := range s {
		if toLower(c) != p[i] {
			return false
		}
	}
	return true
}

// indexFold finds lowercase p in s ignoring ASCII case.
func indexFold(s, p []byte) int {
	for i := 0; i+len(p) <= len(s); i++ {
		if equalFold(s[i:i+len(p)], p) {
			return i
		}
	}
	return -1
}

// matchStr applies the match method to a string sample.
func (m *matcher) matchStr(b []byte) bool {
	switch m.match {
	case mFound:
		return true
	case mBool:
		return atoi(b) != 0
	case mInt:
		return m.matchInt(atoi(b))
	case mLen:
		return m.matchInt(int64(len(b)))
	}
	for _, sl := range m.sets {
		if m.strIn(sl.p.Load(), b) {
			return true
		}
	}
	return false
}

// strIn matches a string sample against one pattern list.
func (m *matcher) strIn(p *patterns, b []byte) bool {
	switch m.match {
	case mReg:
		for _, re := range p.regs {
			if re.Match(b) {
				return true
			}
		}
		return false
	case mBin:
		for _, p := range p.strs {
			if bytes.Equal(b, p) {
				return true
			}
		}
		return false
	case mStr:
		if p.strSet != nil {
			if !m.icase {
				_, ok := p.strSet[string(b)]
				return ok
			}
			var buf [256]byte
			if len(b) <= len(buf) {
				for i, c := range b {
					buf[i] = toLower(c)
				}
				_, ok := p.strSet[string(buf[:len(b)])]
				return ok
			}
		}
		for _, p := range p.strs {
			if m.icase && equalFold(b, p) || !m.icase && bytes.Equal(b, p) {
				return true
			}
		}
		return false
	case mBeg:
		for _, p := range p.strs {
			if len(b) >= len(p) && (m.icase && equalFold(b[:len(p)], p) || !m.icase && bytes.Equal(b[:len(p)], p)) {
				return true
			}
		}
		return false
	case mEnd:
		for _, p := range p.strs {
			if len(b) >= len(p) {
				t := b[len(b)-len(p):]
				if m.icase && equalFold(t, p) || !m.icase && bytes.Equal(t, p) {
					return true
				}
			}
		}
		return false
	case mSub:
		for _, p := range p.strs {
			if m.icase && indexFold(b, p) >= 0 || !m.icase && bytes.Contains(b, p) {
				return true
			}
		}
		return false
	case mDir:
		for _, p := range p.strs {
			if matchWord(b, p, m.icase, isDirDelim) {
				return true
			}
		}
		return false
	case mDom:
		for _, p := range p.strs {
			if matchWord(b, p, m.icase, isDomDelim) {
				return true
			}
		}
		return false
	}
	return false
}

func isDirDelim(c byte) bool { return c == '/' || c == '?' }
func isDomDelim(c byte) bool { return c == '/' || c == '?' || c == '.' || c == ':' }

// matchWord reports whether pattern p (delimiters trimmed from its ends)
// appears in s enclosed by delimiters or the ends of s, as HAProxy's
// dir and dom matches do.
func matchWord(s, p []byte, icase bool, delim func(byte) bool) bool {
	for len(p) > 0 && delim(p[0]) {
		p = p[1:]
	}
	for len(p) > 0 && delim(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		// HAProxy: an empty word matches an empty sample or one that ends
		// with a delimiter.
		return len(s) == 0 || delim(s[len(s)-1])
	}
	may := true
	for i := 0; i+len(p) <= len(s); i++ {
		c := s[i]
		if delim(c) {
			may = true
			continue
		}
		if !may {
			continue
		}
		may = false
		w := s[i : i+len(p)]
		if (icase && equalFold(w, p) || !icase && bytes.Equal(w, p)) && (i+len(p) == len(s) || delim(s[i+len(p)])) {
			return true
		}
	}
	return false
}

// matchInt applies integer patterns; bool and found also accept ints.
func (m *matcher) matchInt(n int64) bool {
	switch m.match {
	case mFound:
		return true
	case mBool:
		return n != 0
	}
	for _, sl := range m.sets {
		for _, r := range sl.p.Load().ints {
			if r.min <= n && n <= r.max {
				return true
			}
		}
	}
	return false
}

// atoi converts like HAProxy's strl2ic: an optional sign then digits,
// stopping at the first other character; 0 if none.
func atoi(b []byte) int64 {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
