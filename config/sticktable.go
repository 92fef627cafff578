package config

import (
	"strconv"
	"strings"
	"time"
)

// StickTable is a `stick-table` line of a proxy, or a `table` line of a
// peers section: the table's shape, as HAProxy 2.6's parse_stick_table()
// reads it. proxy/stick builds the live table from it.
type StickTable struct {
	// Name is the proxy's name, or "PEERS/NAME" for a peers section's
	// table (the name `show table` prints). PeersName is the NAME part
	// sent on the peers wire (equal to Name for a proxy's table).
	Name      string
	PeersName string
	// Type is the key type: "ip", "ipv6", "integer", "string" or
	// "binary".
	Type string
	// KeySize is HAProxy's key_size in bytes: 4 (ip, integer), 16
	// (ipv6), `len N` for binary (default 32), and for string `len N`
	// plus one for the terminating NUL (default 32: 31 characters).
	KeySize int
	// Size is the maximum number of entries (`size`, k/m/g suffixes).
	Size int
	// Expire is the idle time after which an entry goes (0: never).
	Expire time.Duration
	// NoPurge forbids evicting entries when the table is full: new
	// entries are then refused.
	NoPurge bool
	// Peers is the `peers` section synchronising it (proxy tables only;
	// a peers section's table has its section there).
	Peers string
	// SrvKey is `srvkey name|addr`: what server_key stores ("name" by
	// default).
	SrvKey string
	// Store lists the stored data types in the order of `store`.
	Store []StickStore
	File  string
	Line  int
}

// StickStore is one `store` data type: its name, the element count of
// an array type (gpt, gpc, gpc_rate; else 0), and the period of a rate
// type.
type StickStore struct {
	Name     string
	ArrayLen int
	Period   time.Duration
}

// StickArg says what argument a stored data type takes in `store`.
type StickArg int

// Arguments of stored data types.
const (
	StickArgNone       StickArg = iota // no argument: gpc0
	StickArgDelay                      // a period: conn_rate(10s)
	StickArgArray                      // an element count: gpc(3)
	StickArgArrayDelay                 // both: gpc_rate(3,10s)
)

// StickMaxArray is HAProxy's STKTABLE_MAX_DT_ARRAY_SIZE.
const StickMaxArray = 100

// StickDataTypes are HAProxy 2.6's stored data types in its enum order
// (the order `show table` prints them), with the argument each takes in
// `store`. proxy/stick keeps its own row for each, checked against this
// one by a test.
var StickDataTypes = []struct {
	Name string
	Arg  StickArg
}{
	{"server_id", StickArgNone}, {"gpt0", StickArgNone}, {"gpc0", StickArgNone},
	{"gpc0_rate", StickArgDelay}, {"conn_cnt", StickArgNone}, {"conn_rate", StickArgDelay},
	{"conn_cur", StickArgNone}, {"sess_cnt", StickArgNone}, {"sess_rate", StickArgDelay},
	{"http_req_cnt", StickArgNone}, {"http_req_rate", StickArgDelay}, {"http_err_cnt", StickArgNone},
	{"http_err_rate", StickArgDelay}, {"bytes_in_cnt", StickArgNone}, {"bytes_in_rate", StickArgDelay},
	{"bytes_out_cnt", StickArgNone}, {"bytes_out_rate", StickArgDelay}, {"gpc1", StickArgNone},
	{"gpc1_rate", StickArgDelay}, {"server_key", StickArgNone}, {"http_fail_cnt", StickArgNone},
	{"http_fail_rate", StickArgDelay}, {"gpt", StickArgArray}, {"gpc", StickArgArray},
	{"gpc_rate", StickArgArrayDelay},
}

// stickDataArg returns the argument kind of a stored data type, and
// whether it exists ("server_name" is the old name of server_key).
func stickDataArg(name string) (StickArg, bool) {
	if name == "server_name" {
		name = "server_key"
	}
	for _, d := range StickDataTypes {
		if d.Name == name {
			return d.Arg, true
		}
	}
	return 0, false
}

// Has reports whether the table stores the data type name.
func (t *StickTable) Has(name string) bool {
	for _, s := range t.Store {
		if s.Name == name {
			return true
		}
	}
	return false
}

// stickKeyTypes are the key types with their default key size and
// whether `len N` may follow.
var stickKeyTypes = []struct {
	name   string
	size   int
	custom bool
}{
	{"integer", 4, false}, {"ip", 4, false}, {"ipv6", 16, false}, {"string", 32, true}, {"binary", 32, true},
}

// stickParser reads the words of one stick-table line.
type stickParser struct {
	p    *parser
	kw   string // args[0]: "stick-table" or "table"
	args []string
	i    int
	t    *StickTable
}

// stickArgFuncs are the words of a stick-table line, each reading its
// arguments from sp.i (just past the word); false means an error was
// reported.
var stickArgFuncs = map[string]func(sp *stickParser) bool{
	"size":    (*stickParser).size,
	"peers":   (*stickParser).peers,
	"expire":  (*stickParser).expire,
	"nopurge": func(sp *stickParser) bool { sp.t.NoPurge = true; return true },
	"type":    (*stickParser).keyType,
	"store":   (*stickParser).store,
	"srvkey":  (*stickParser).srvkey,
}

// parseStickTable parses the words of a stick-table line from args[from]
// for a table called name (peersName on the wire); inPeers says the line
// is a peers section's `table` (where `peers` is not a keyword). It
// returns nil after reporting an error in HAProxy's words.
func (p *parser) parseStickTable(args []string, from int, name, peersName string, inPeers bool) *StickTable {
	sp := &stickParser{p: p, kw: args[0], args: args, i: from,
		t: &StickTable{Name: name, PeersName: peersName, File: p.file, Line: p.line}}
	for sp.i < len(args) && args[sp.i] != "" {
		w := args[sp.i]
		f := stickArgFuncs[w]
		if f == nil || (inPeers && w == "peers") {
			p.alertf("%s: unknown argument '%s'.", sp.kw, w)
			return nil
		}
		sp.i++
		if !f(sp) {
			return nil
		}
	}
	switch {
	case sp.t.Size == 0:
		p.alertf("%s: missing size.", sp.kw)
	case sp.t.Type == "":
		p.alertf("%s: missing type.", sp.kw)
	default:
		return sp.t
	}
	return nil
}

// value returns the argument after the keyword at sp.i-1, or reports
// it missing.
func (sp *stickParser) value() (string, bool) {
	v := arg(sp.args, sp.i)
	if v == "" {
		sp.p.alertf("%s: missing argument after '%s'.", sp.kw, sp.args[sp.i-1])
		return "", false
	}
	sp.i++
	return v, true
}

func (sp *stickParser) size() bool {
	v, ok := sp.value()
	if !ok {
		return false
	}
	n, bad, ok := parseSize(v)
	if !ok {
		sp.p.alertf("%s: unexpected character '%c' in argument of '%s'.", sp.kw, bad, sp.args[sp.i-2])
		return false
	}
	sp.t.Size = int(n)
	return true
}

func (sp *stickParser) peers() bool {
	v, ok := sp.value()
	sp.t.Peers = v
	return ok
}

func (sp *stickParser) expire() bool {
	v, ok := sp.value()
	if !ok {
		return false
	}
	d, res, bad, _ := parseTime(v, time.Millisecond)
	pre := "parsing [" + sp.p.file + ":" + strconv.Itoa(sp.p.line) + "]: " + sp.kw
	switch res {
	case timeOver:
		sp.p.alertRaw(pre + ": timer overflow in argument <" + v + "> to <expire>, maximum value is 2147483647 ms (~24.8 days).")
	case timeUnder:
		sp.p.alertRaw(pre + ": timer underflow in argument <" + v + "> to <expire>, minimum non-null value is 1 ms.")
	case timeBadChar:
		sp.p.alertf("%s: unexpected character '%c' in argument of 'expire'.", sp.kw, bad)
	default:
		sp.t.Expire = d
		return true
	}
	return false
}

// keyType reads `type T [len N]`; like HAProxy, a `len` of 0 (or not a
// number) reports the word after `len` as the unknown type.
func (sp *stickParser) keyType() bool {
	w := arg(sp.args, sp.i)
	for _, kt := range stickKeyTypes {
		if kt.name != w {
			continue
		}
		sp.i++
		sp.t.Type, sp.t.KeySize = w, kt.size
		if kt.custom && arg(sp.args, sp.i) == "len" {
			sp.i++
			n := atolC(arg(sp.args, sp.i))
			if n <= 0 {
				break
			}
			if w == "string" {
				n++
			}
			sp.t.KeySize = int(n)
			sp.i++
		}
		return true
	}
	sp.p.alertf("%s: unknown type '%s'.", sp.kw, arg(sp.args, sp.i))
	return false
}

// atolC is C's atol: leading blanks and sign, then digits; 0 when none.
func atolC(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	var n int64
	for i := 0; i < len(s) && isDigit(s[i]) && n < 1<<40; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

func (sp *stickParser) srvkey() bool {
	w := arg(sp.args, sp.i)
	if w != "name" && w != "addr" {
		sp.p.alertf("%s : unknown server key type '%s'.", sp.kw, w)
		return false
	}
	sp.t.SrvKey = w
	sp.i++
	return true
}

// store reads `store NAME[(ARGS)][,...]`.
func (sp *stickParser) store() bool {
	list := arg(sp.args, sp.i)
	sp.i++
	for list != "" {
		item, rest, ok := sp.cutStoreItem(list)
		if !ok {
			return false
		}
		list = rest
		if !sp.storeOne(item) {
			return false
		}
	}
	for _, c := range stickOverrides {
		if sp.t.Has(c.array) && (sp.t.Has(c.single[0]) || sp.t.Has(c.single[1])) {
			sp.p.alertf("%s: simultaneous usage of '%s' and '%s' in a same table is not permitted as '%s' overrides '%s'.",
				sp.kw, c.array, c.shown, c.array, c.shown)
			return false
		}
	}
	return true
}

// stickOverrides are the array types that may not be stored together
// with their numbered ancestors.
var stickOverrides = []struct {
	array  string
	single [2]string
	shown  string
}{
	{"gpt", [2]string{"gpt0", "gpt0"}, "gpt0"},
	{"gpc", [2]string{"gpc0", "gpc1"}, "gpc[0/1]"},
	{"gpc_rate", [2]string{"gpc0_rate", "gpc1_rate"}, "gpc[0/1]_rate"},
}

// storeItem is one element of a store list: its name and up to two
// arguments between parentheses.
type storeItem struct {
	name     string
	args     []string
	hasParen bool
}

// cutStoreItem splits the first element off a store list, as HAProxy
// does: a comma ends it unless within parentheses, where commas split
// the arguments.
func (sp *stickParser) cutStoreItem(list string) (storeItem, string, bool) {
	var it storeItem
	i := 0
	for i < len(list) && list[i] != ',' && list[i] != '(' {
		i++
	}
	it.name = list[:i]
	if i < len(list) && list[i] == '(' {
		end := strings.IndexByte(list[i:], ')')
		if end < 0 {
			sp.p.alertf("%s: missing closing parenthesis after store option '%s'.", sp.kw, it.name)
			return it, "", false
		}
		it.hasParen = true
		inner := list[i+1 : i+end]
		if a, b, two := strings.Cut(inner, ","); two {
			it.args = []string{a, b}
		} else {
			it.args = []string{inner}
		}
		i += end + 1
		for i < len(list) && list[i] != ',' {
			i++
		}
	}
	if i < len(list) {
		i++
	}
	return it, list[i:], true
}

// storeOne adds one stored data type, with HAProxy's errors.
func (sp *stickParser) storeOne(it storeItem) bool {
	kind, ok := stickDataArg(it.name)
	if !ok {
		sp.p.alertf("%s: unknown store option '%s'.", sp.kw, it.name)
		return false
	}
	name := it.name
	if name == "server_name" {
		name = "server_key"
	}
	if sp.t.Has(name) {
		sp.p.rec.warn(sp.p.file, sp.p.line, "parsing ["+sp.p.file+":"+strconv.Itoa(sp.p.line)+"]: "+sp.kw+
			": store option '"+it.name+"' already enabled, ignored.")
		return true
	}
	st := StickStore{Name: name}
	args := it.args
	if kind == StickArgArray || kind == StickArgArrayDelay {
		if len(args) == 0 {
			sp.p.alertf("%s: missing argument to store option '%s'.", sp.kw, it.name)
			return false
		}
		st.ArrayLen = int(atolC(args[0]))
		if st.ArrayLen <= 0 || st.ArrayLen > StickMaxArray {
			sp.p.alertf("%s: array size is out of allowed range (1-%d) for store option '%s'.", sp.kw, StickMaxArray, it.name)
			return false
		}
		args = args[1:]
	}
	switch {
	case (kind == StickArgNone || kind == StickArgArray) && len(args) > 0:
		sp.p.alertf("%s: unexpected argument to store option '%s'.", sp.kw, it.name)
		return false
	case (kind == StickArgDelay || kind == StickArgArrayDelay) && len(args) == 0:
		sp.p.alertf("%s: missing argument to store option '%s'.", sp.kw, it.name)
		return false
	case kind == StickArgDelay || kind == StickArgArrayDelay:
		d, res, _, trailing := parseTime(args[0], time.Millisecond)
		if res != timeOK || trailing != "" {
			sp.p.alertf("%s: error when processing store option '%s'.", sp.kw, it.name)
			return false
		}
		st.Period = d
	}
	sp.t.Store = append(sp.t.Store, st)
	return true
}

// parseProxyStickTable handles a proxy's `stick-table` line: the table
// takes the proxy's name.
func (p *parser) parseProxyStickTable(px *Proxy, args []string) {
	if px.Cap&CapDefaults != 0 {
		p.alertf("'stick-table' is not supported in 'defaults' section.")
		return
	}
	if p.stickNameTaken(px.Name) {
		return
	}
	px.StickTable = p.parseStickTable(args, 1, px.Name, px.Name, false)
}

// parsePeersTable handles a peers section's `table NAME ...` line.
func (p *parser) parsePeersTable(pr *Peers, args []string) {
	name := arg(args, 1)
	if p.stickNameTaken(name) {
		return
	}
	if t := p.parseStickTable(args, 2, pr.Name+"/"+name, name, true); t != nil {
		pr.Tables = append(pr.Tables, t)
	}
}

// stickNameTaken reports (with HAProxy's error) a table name already
// used by a proxy's or a peers section's table.
func (p *parser) stickNameTaken(name string) bool {
	report := func(kind, owner string, t *StickTable) bool {
		p.alertf("stick-table name '%s' conflicts with table declared in %s '%s' at %s:%d.", name, kind, owner, t.File, t.Line)
		return true
	}
	for _, px := range p.cfg.Proxies {
		if t := px.StickTable; t != nil && t.Name == name {
			return report(capString(px.Cap), px.Name, t)
		}
	}
	for _, pr := range p.cfg.Peers {
		for _, t := range pr.Tables {
			if t.Name == name {
				return report("peers", pr.Name, t)
			}
		}
	}
	return false
}

// checkStickPeers reports a proxy's table naming a peers section that
// does not exist (HAProxy's check_config_validity()).
func (p *parser) checkStickPeers(px *Proxy) {
	t := px.StickTable
	if t == nil || t.Peers == "" {
		return
	}
	for _, pr := range p.cfg.Peers {
		if pr.Name == t.Peers {
			return
		}
	}
	p.checkAlert(px.File, px.Line, "Proxy '"+px.Name+"': unable to find sync peers '"+t.Peers+"'.")
}
