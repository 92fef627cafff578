package config

import (
	"net/netip"
	"time"
)

// Config is a whole parsed configuration: every file given with -f, in
// order. It is plain data: the master, the workers and the data plane read
// it, nobody mutates it after Parse returns.
type Config struct {
	// Files lists the configuration files that were read, in order.
	Files []string
	// Global holds the settings of every `global` section, merged.
	Global Global
	// Defaults lists the `defaults` sections in order of appearance,
	// named or not. Proxies refer to the one they inherited from.
	Defaults []*Proxy
	// Proxies lists frontends, backends and listen sections in order of
	// appearance; their ID (HAProxy's iid) follows that order from 1
	// (HAProxy numbers internal proxies first; goha keeps user proxies
	// at 2.. so `show stat` iids look familiar: see Proxy.ID).
	Proxies []*Proxy
	// Userlists lists the `userlist` sections.
	Userlists []*Userlist
	// HTTPErrors are the `http-errors` sections: name to status code to
	// raw HTTP response (read at parse time).
	HTTPErrors map[string]map[int][]byte
	// Resolvers and Peers are the `resolvers` and `peers` sections,
	// parsed for validation only (goha resolves names once at start-up
	// and has no stick tables to synchronise).
	Resolvers []*Resolvers
	Peers     []*Peers
	// Caches are the `cache` sections.
	Caches []*Cache
	// FCGIApps are the `fcgi-app` sections.
	FCGIApps []*FCGIApp `json:",omitempty"`
	// Programs are the `program` sections (master-worker mode only).
	Programs []*Program `json:",omitempty"`
	// Warnings are non-fatal diagnostics, already formatted in HAProxy's
	// words (`parsing [file:line] : ...`).
	Warnings []Diag
	// Notices are `.notice` lines met while parsing.
	Notices []Diag
	// Log is every notice and warning in the order HAProxy prints them
	// (what `goha -c` shows on stderr for a valid configuration).
	Log []Message
	// MapFiles holds the contents of the map files that sample
	// converters (map, map_str, map_beg...) name, keyed by the file name
	// as written in the configuration; read at parse time, before the
	// worker chroots.
	MapFiles map[string][]byte
}

// Diag is one diagnostic tied to a place in a file.
type Diag struct {
	File string
	Line int
	Msg  string
}

// Global is the `global` section.
//
// Zero values mean "not set": the consumer applies HAProxy's default
// (documented on each field).
type Global struct {
	// Privs are what the worker may do beyond proxying: run programs,
	// bind foreign addresses (traffic.go).
	Privs        GlobalPrivs `json:",omitzero"`
	Daemon       bool
	MasterWorker bool
	// NoExitOnFailure is `master-worker no-exit-on-failure`.
	NoExitOnFailure bool
	// SetVars are the global set-var and set-var-fmt lines, in order.
	SetVars []GlobalSetVar `json:",omitempty"`
	// Maxconn is the process-wide connection limit; 0 means computed from
	// the file descriptor limit as HAProxy does.
	Maxconn int
	// UlimitN is `ulimit-n`; 0 means computed from maxconn.
	UlimitN int
	Logs    []LogTarget
	// LogTag is `log-tag` (default "haproxy"; goha keeps HAProxy's
	// default so existing syslog filters match).
	LogTag string
	// UID and GID are numeric ids (-1 when unset). User and Group are
	// names still to resolve (empty when unset).
	UID, GID    int
	User, Group string
	Chroot      string
	Pidfile     string
	// Nbproc is the number of worker processes (0 = 1).
	Nbproc int
	// Nbthread is each worker's GOMAXPROCS (0 = number of CPUs).
	Nbthread     int
	StatsSockets []Bind
	// StatsTimeout is the CLI idle timeout (0 = 10s).
	StatsTimeout time.Duration
	// MaxConnRate is `maxconnrate`: connections accepted per second at
	// most, process-wide (0 = no limit).
	MaxConnRate int
	// MaxCompRate is `maxcomprate` in kB/s: no new response is
	// compressed while the compressor's input rate is above it (0 = no
	// limit). CompMinIdle is 100 - `maxcompcpuusage`: none either while
	// the process's idle percentage is below it (0 = no limit).
	MaxCompRate, CompMinIdle int
	// StatsMaxconn is `stats maxconn` (0 = 10).
	StatsMaxconn int
	// HardStopAfter bounds a soft stop (0 = unbounded).
	HardStopAfter        time.Duration
	InsecureSetuidWanted bool
	Node                 string
	Description          string
	// TuneBufsize is `tune.bufsize` in bytes (0 = 16384).
	TuneBufsize int
	// TuneMaxrewrite is `tune.maxrewrite` (0 = 1024).
	TuneMaxrewrite int
	// TuneMaxHdr is `tune.http.maxhdr` (0 = 101): a head with that many
	// header fields or more is refused.
	TuneMaxHdr int
	// TuneH2HeaderTableSize, TuneH2InitialWindowSize,
	// TuneH2MaxConcurrentStreams and TuneH2MaxFrameSize are the
	// tune.h2.* settings of every HTTP/2 connection (0 = HAProxy's
	// defaults: 4096, 65535, 100, 16384).
	TuneH2HeaderTableSize      int `json:",omitzero"`
	TuneH2InitialWindowSize    int `json:",omitzero"`
	TuneH2MaxConcurrentStreams int `json:",omitzero"`
	TuneH2MaxFrameSize         int `json:",omitzero"`
	// ServerStateFile is `server-state-file`; ServerStateBase its base dir.
	ServerStateFile string
	ServerStateBase string
	// MworkerMaxReloads is `mworker-max-reloads` (0 = unlimited).
	MworkerMaxReloads int
	// Setenv records setenv/presetenv effects applied while parsing, in
	// order, so the process can export them to what it starts.
	Setenv [][2]string
	// TLS is the global TLS settings (crt-base, ssl-default-*...).
	TLS GlobalTLS `json:",omitzero"`
}

// Mode is a proxy's mode.
type Mode int

// Proxy modes.
const (
	ModeTCP Mode = iota
	ModeHTTP
)

func (m Mode) String() string {
	if m == ModeHTTP {
		return "http"
	}
	return "tcp"
}

// Cap is what a proxy can do: frontend, backend or both (listen).
type Cap int

// Proxy capabilities. Defaults sections have CapDefaults.
const (
	CapFrontend Cap = 1 << iota
	CapBackend
	CapDefaults
	CapListen = CapFrontend | CapBackend
)

// Proxy is a frontend, backend, listen or defaults section, with the
// settings inherited from its defaults section already applied.
type Proxy struct {
	Name string
	Cap  Cap
	// ID is HAProxy's proxy iid: the position among proxies, from 2
	// (HAProxy reserves low ids for internal proxies; tools only need
	// them stable and unique). An explicit `id N` overrides it.
	ID int
	// From is the name of the defaults section it inherits from ("" for
	// the last unnamed one).
	From string
	File string
	Line int
	Mode Mode
	// Disabled is the `disabled` keyword.
	Disabled bool
	// Traffic are dispatch, source and external checks (traffic.go).
	Traffic ProxyTraffic `json:",omitzero"`

	Binds []Bind
	// Maxconn is the frontend's limit (0 = the global default, see -N).
	Maxconn int
	// Fullconn is `fullconn` (backend).
	Fullconn int
	Timeouts Timeouts
	Retries  int // -1 = unset (HAProxy default 3)
	Options  Options

	// FCGIApp is `use-fcgi-app NAME` ("" = none): the servers with
	// proto fcgi speak FastCGI to that application.
	FCGIApp string `json:",omitempty"`

	DefaultBackend string
	UseBackends    []UseBackend
	ACLs           []*ACL
	// HTTPRequest, HTTPResponse and TCPRequestConnection/Content are rule
	// lists in order of appearance.
	HTTPRequest          []*Rule
	HTTPResponse         []*Rule
	TCPRequestConnection []*Rule
	TCPRequestContent    []*Rule
	// TCPRequestSession are the `tcp-request session` rules.
	TCPRequestSession []*Rule
	// Sticks are the `stick on|match|store-*` rules of a backend.
	Sticks []*StickRule
	// RateLimitSessions is `rate-limit sessions N` (0 = no limit).
	RateLimitSessions int
	// Redirects are the legacy `redirect` keyword's rules (Action
	// "redirect"), evaluated after the http-request rules as HAProxy does.
	Redirects []*Rule
	// TCPRequestInspectDelay is `tcp-request inspect-delay`.
	TCPRequestInspectDelay time.Duration

	Balance       Balance
	Servers       []*Server
	DefaultServer Server
	// HTTPReuse is `http-reuse never|safe|aggressive|always` ("" = safe).
	HTTPReuse string

	// LogGlobal is `log global`; Logs are the proxy's own targets.
	LogGlobal bool
	Logs      []LogTarget
	// NoLog is `no log`.
	NoLog bool
	// LogFormat is `log-format` (or the format implied by option
	// httplog/tcplog; empty = none).
	LogFormat string
	// Rewrite holds unique-id-format, unique-id-header and declare
	// capture (proxy_rewrite.go).
	Rewrite ProxyRewrite
	// CaptureRequestHeaders / CaptureResponseHeaders: `capture request
	// header NAME len N`.
	CaptureRequestHeaders  []Capture
	CaptureResponseHeaders []Capture

	// ErrorFiles maps a status code to the raw HTTP response read from
	// the errorfile (read at parse time: workers are chrooted later).
	ErrorFiles map[int][]byte

	Stats     Stats
	HealthChk HealthCheck

	// MonitorURI is `monitor-uri`: requests for exactly this path get a
	// 200 from the proxy itself (HTTP frontends only; "" = none).
	MonitorURI string
	// MonitorFail are the `monitor fail if|unless` conditions: when one
	// holds, the monitor-uri answers 503.
	MonitorFail []*Cond `json:",omitempty"`
	// ErrorLocs maps a status code to an `errorloc`/`errorloc302`/
	// `errorloc303` redirect sent instead of the error.
	ErrorLocs map[int]ErrorLoc
	// ErrorFilesRefs are `errorfiles NAME [CODE...]` lines, resolved
	// into ErrorFiles once the whole configuration is read.
	ErrorFilesRefs []ErrorFilesRef
	// HTTPAfterResponse are `http-after-response` rules: like
	// http-response rules, but also applied to responses HAProxy
	// generates itself (redirects, errors, stats, return).
	HTTPAfterResponse []*Rule
	// Cookie is the `cookie` persistence setting (nil = none).
	Cookie *CookiePersist
	// Compression is the `compression` setting (nil = none).
	Compression *Compression
	// StickTable is the proxy's `stick-table` (nil = none).
	StickTable *StickTable
}

// ErrorLoc is an `errorloc` redirect: Code is 302 or 303.
type ErrorLoc struct {
	Code int
	URL  string
}

// ErrorFilesRef is `errorfiles NAME [CODE...]` (no codes = all).
type ErrorFilesRef struct {
	Name  string
	Codes []int
	File  string
	Line  int
}

// CookiePersist is `cookie NAME [rewrite|insert|prefix] [options]`.
type CookiePersist struct {
	Name string
	// Mode is "rewrite", "insert", "prefix" or "" (passive).
	Mode                                           string
	Indirect, NoCache, PostOnly, Preserve, Dynamic bool
	HTTPOnly, Secure                               bool
	Domains                                        []string
	MaxIdle, MaxLife                               time.Duration
	Attrs                                          []string
}

// Compression is `compression algo ... | type ... | offload`.
type Compression struct {
	Algos   []string
	Types   []string
	Offload bool
}

// IsFrontend reports whether the proxy accepts connections.
func (p *Proxy) IsFrontend() bool { return p.Cap&CapFrontend != 0 }

// IsBackend reports whether the proxy has servers to balance on.
func (p *Proxy) IsBackend() bool { return p.Cap&CapBackend != 0 }

// Timeouts are a proxy's timeouts; zero means unset.
type Timeouts struct {
	Client, Server, Connect             time.Duration
	HTTPRequest, HTTPKeepAlive, Queue   time.Duration
	Tunnel, ClientFin, ServerFin, Check time.Duration
	Tarpit                              time.Duration
}

// Options are the `option` flags of a proxy. The HTTP connection mode is
// one of "http-keep-alive" (default), "http-server-close", "httpclose".
type Options struct {
	HTTPLog           bool
	HTTPLogCLF        bool
	TCPLog            bool
	DontLogNull       bool
	LogSeparateErrors bool
	LogHealthChecks   bool
	Redispatch        bool
	// Persist is `option persist`: a persistence cookie naming a server
	// that is down still sends the request there.
	Persist bool
	// AllBackups is `option allbackups`: with no active server up, every
	// usable backup server takes traffic, not only the first.
	AllBackups bool `json:",omitempty"`
	// Forwardfor is `option forwardfor [except NET] [header NAME] [if-none]`.
	Forwardfor       bool
	ForwardforHeader string // "" = x-forwarded-for
	ForwardforExcept string
	ForwardforIfNone bool
	HTTPConnMode     string
	HTTPChk          bool
	// AbortOnClose, SplitTCP... are other accepted flags.
	AbortOnClose      bool
	Tcpka             bool
	Clitcpka          bool
	Srvtcpka          bool
	LogASAP           bool
	HTTPBufferRequest bool
	// SocketStats is `option socket-stats`.
	SocketStats bool
}

// Balance is the `balance` algorithm and its argument.
type Balance struct {
	// AllBackups is the backend's `option allbackups` (Options), copied
	// here for the balancer.
	AllBackups bool `json:",omitempty"`
	// Algo is one of roundrobin (default), static-rr, leastconn, first,
	// source, uri, url_param, hdr, random.
	Algo string
	// Param is the url_param name or the hdr() header name.
	Param string
	// URIWhole, URILen, URIDepth are `balance uri` options.
	URIWhole bool
	URILen   int
	URIDepth int
	// Args keeps the raw words after the algorithm.
	Args []string
	// Hash is set by `hash-type` and `hash-balance-factor`; `balance`
	// leaves it as it was.
	Hash HashType
}

// HashType is how the hash algorithms (source, uri, url_param, hdr) map a
// hash onto the servers (`hash-type` and `hash-balance-factor`).
type HashType struct {
	// Consistent is `hash-type consistent` (a ring of server points);
	// false is map-based, HAProxy's default.
	Consistent bool
	// Func is the hash function: "sdbm" (also when empty), "djb2", "wt6"
	// or "crc32".
	Func string
	// Avalanche applies HAProxy's avalanche modifier to the hash. A bare
	// `hash-type consistent` sets it, as in HAProxy.
	Avalanche bool
	// BalanceFactor is `hash-balance-factor`: 0 (off) or more than 100,
	// the percentage of the average load a server may take before
	// consistent hashing moves on to the next server.
	BalanceFactor int
}

// Server is a `server` line (or `default-server` when Name is "").
type Server struct {
	Name string
	// Track is `track [BACKEND/]SERVER`: the server whose state this one
	// follows ("" = none).
	Track string `json:",omitempty"`
	// Source is the server's `source [usesrc]` (traffic.go); nil: the
	// backend's.
	Source *ConnSource `json:",omitempty"`
	// ID is the server's sid: `id N`, or the number HAProxy would give it
	// (see numberServers).
	ID   int
	File string
	Line int
	// Addr is the host part as written (IP, or a name resolved at parse
	// time into IP); Port 0 means "the client's destination port".
	Addr string
	Port int
	// Unix is set for `unix@/path` or `/path` addresses.
	Unix string
	// Agent is the agent check (agent-check, agent-port...).
	Agent ServerAgent `json:",omitzero"`

	Check       bool
	Inter       time.Duration // 0 = 2s
	FastInter   time.Duration // 0 = Inter
	DownInter   time.Duration // 0 = Inter
	Rise        int           // 0 = 2
	Fall        int           // 0 = 3
	Weight      int           // -1 = unset (default 1)
	Backup      bool
	Maxconn     int
	Maxqueue    int
	Disabled    bool
	CheckPort   int
	CheckAddr   string
	SendProxy   bool
	SendProxyV2 bool
	// Proto is `proto h1|h2` ("" = HTTP/1.1): h2 speaks HTTP/2 to the
	// server with prior knowledge.
	Proto string `json:",omitzero"`
	// Cookie is the `cookie` value the backend's persistence cookie
	// names this server by.
	Cookie string
	// InitAddr is `init-addr` (e.g. "last,libc,none"); with "none" a
	// name that does not resolve leaves the server without an address
	// (NoAddr) instead of failing the start.
	InitAddr string
	// NoAddr is set when init-addr's "none" method left the server
	// without an address (Addr ""): it starts in resolution maintenance
	// (HAProxy's RMAINT) until its resolvers give it one.
	NoAddr bool `json:",omitzero"`
	// SSL, CheckSSL, Verify ("none"|"required"), CAFile and SNI are the
	// server's TLS settings, only ever set with ParseOptions.AllowTLS.
	SSL, CheckSSL bool
	Verify        string
	CAFile        string
	// SNI is the `sni` sample expression as written (evaluated per
	// connection by the stream).
	SNI string
	// TLS holds the server's other TLS settings.
	TLS ServerTLS `json:",omitzero"`
	// Resolvers is `resolvers NAME`: the section that keeps FQDN
	// resolved at run time (proxy/resolve).
	Resolvers string
	// FQDN is the host name as written when the address is a name (""
	// for an IP address or a unix socket): what the resolvers query. An
	// SRV name (`_service._proto.name`) has no port and no address until
	// the resolvers answer.
	FQDN string
	// ResolvePrefer is `resolve-prefer ipv4|ipv6` ("" = ipv6, HAProxy's
	// default).
	ResolvePrefer string
	// ResolveOpts is `resolve-opts`: allow-dup-ip, ignore-weight,
	// prevent-dup-ip, in the order written.
	ResolveOpts []string
	// ResolveNets is `resolve-net`: the networks whose addresses are
	// preferred.
	ResolveNets []netip.Prefix
	// Template is set on servers created by `server-template`;
	// TemplatePrefix and TemplateIndex are its PREFIX and this server's
	// number (the server is named PREFIX<index>). The servers of one
	// server-template line share File and Line.
	Template       bool
	TemplatePrefix string
	TemplateIndex  int
	// Set records which keywords appeared, so default-server values are
	// only applied where a server line did not set its own.
	Set map[string]bool
}

// Bind is a `bind` line, a `stats socket` line, or a `-S` master CLI
// address.
type Bind struct {
	// Network is "tcp", "tcp4", "tcp6", "unix", NetAbns or NetFD.
	Network string
	// Addr is host:port for TCP ("" host = all addresses), the path for
	// unix, the name for abns, the file descriptor number for fd.
	Addr string
	// PortEnd is set (> port) for a port range `1000-1010`; each port of
	// the range is its own listener.
	PortEnd int
	Name    string
	// Mode, UID, GID: unix socket file permissions (Mode 0 = umask).
	Mode     uint32
	UID, GID int // -1 = unset
	User     string
	Group    string
	// Level is the CLI level for stats sockets / master CLI: "user",
	// "operator" or "admin" ("" = the default of the socket kind).
	Level string
	// ExposeFD is `expose-fd listeners`.
	ExposeFD bool
	// SSL is `ssl`; Crt lists the `crt` and `crt-list` arguments as
	// written. TLS holds the typed settings (with ParseOptions.AllowTLS).
	SSL     bool
	Crt     []string
	TLS     BindTLS `json:",omitzero"`
	Accept  bool    // accept-proxy
	Backlog int
	Maxconn int
	// Proto is `proto h1|h2` ("" = by the mode, and ALPN on TLS): h2
	// serves HTTP/2 with prior knowledge.
	Proto string `json:",omitzero"`
	// Options keeps the raw words after the address, for diagnostics.
	Options []string
	File    string
	Line    int
}

// Key returns a stable identity for the listening socket, used to match
// sockets across reloads: network and address (and nothing else, so a
// changed `maxconn` keeps the same socket).
func (b Bind) Key() string { return b.Network + ":" + b.Addr }

// UseBackend is a `use_backend NAME [if|unless COND]` line.
type UseBackend struct {
	Backend string
	Cond    *Cond
	Line    int
}

// ACL is an `acl NAME FETCH [FLAGS] PATTERN...` line, or the body of an
// anonymous `{ FETCH ... }` condition (Name "").
type ACL struct {
	Name string
	// Fetch is the sample fetch/criterion as written without its
	// argument, e.g. "path_beg", "hdr", "src", "method".
	Fetch string
	// Arg is the fetch argument inside parentheses: "host" in hdr(host).
	Arg string
	// IgnoreCase is -i; Match is -m METHOD ("" = the fetch's default).
	IgnoreCase bool
	Match      string
	// Patterns are the literal patterns, plus the lines of each -f file
	// (read at parse time).
	Patterns []string
	// PatternFiles lists the -f files that were read.
	PatternFiles []string
	// FilePatterns are the lines of each PatternFiles entry, in order;
	// Patterns starts with them, then has the patterns written on the
	// line.
	FilePatterns [][]string
	// Converters are the `,lower` / `,upper` converters written after
	// the fetch. goha only accepts them where they are equivalent to
	// IgnoreCase (which the parser then sets): no pattern has a letter
	// of the other case and the match is not a regex.
	Converters []string
	// Expr is the whole sample expression (fetch and converters) when
	// the ACL reads a sample fetch rather than an ACL criterion (var(),
	// status, res.hdr() ...): the data plane evaluates it through the
	// sample layer (acl_expr.go).
	Expr string
	File string
	Line int
}

// Cond is an `if`/`unless` condition: an OR of AND-terms.
type Cond struct {
	Unless bool
	// Or holds alternatives; each is a list of terms that must all hold.
	Or [][]CondTerm
	// Source is the condition as written, for messages.
	Source string
}

// CondTerm is one ACL reference in a condition, possibly negated; ACL
// points at the named or anonymous definition.
type CondTerm struct {
	Neg bool
	ACL *ACL
	// ACLs holds every definition sharing the name (HAProxy ORs them):
	// the term holds when any of them matches. ACLs[0] == ACL.
	ACLs []*ACL
	// Predefined names HAProxy's built-in ACLs (TRUE, FALSE, METH_GET,
	// HTTP, ...), resolved to an ACL with Fetch set accordingly.
	Predefined string
}

// Rule is an http-request, http-response or tcp-request rule.
type Rule struct {
	// Action is the keyword: allow, deny, reject, redirect, return,
	// set-header, add-header, del-header, set-path, auth, accept, ...
	Action string
	// Status is the deny/return/redirect code (0 = the action's default).
	Status int
	// Name and Value are the header name and its value (a log-format
	// string as written) for set/add/del-header, the path for set-path.
	Name  string
	Value string
	// Realm is the auth realm.
	Realm string
	// Redirect: Kind is location|prefix|scheme, Value the target.
	RedirectKind string
	// Options: drop-query, append-slash (redirect); content-type etc.
	ContentType string
	// Body is the `return` payload: string, lf-string, or file contents.
	Body    []byte
	BodyLF  bool // the body is a log-format string
	Headers [][2]string
	// Flags keeps the action's option words (drop-query, append-slash,
	// code/deny_status values are in Status).
	Flags []string
	// Track is a stick counter action's detail (track-sc, sc-inc-gpc,
	// sc-set-gpt); nil for other actions.
	Track *TrackAction
	// Rewrite is the detail of a rewrite or variable action
	// (http_actions_rewrite.go); nil for other actions.
	Rewrite *RewriteAction
	Cond    *Cond
	File    string
	Line    int
}

// Capture is `capture request|response header NAME len N`.
type Capture struct {
	Name string
	Len  int
}

// Stats is the stats page configuration of a proxy.
type Stats struct {
	Enabled     bool
	URI         string // default "/haproxy?stats"
	Realm       string // default "HAProxy Statistics"
	Auth        []UserPass
	Refresh     time.Duration
	Admin       *Cond // nil = no admin
	HideVersion bool
	ShowNode    bool
	NodeName    string
	ShowLegends bool
	ShowDesc    string
	Scope       []string
	// HTTPRequest is the `stats http-request ACTION [if|unless COND]`
	// rules, in order (parsed as http-request rules).
	HTTPRequest []*Rule `json:",omitempty"`
}

// UserPass is one `stats auth` or userlist credential.
type UserPass struct {
	User     string
	Password string
	// Insecure: plain text password (`insecure-password`); otherwise a
	// crypt(3) hash (`password`).
	Insecure bool
}

// Userlist is a `userlist` section.
type Userlist struct {
	Name   string
	Users  []UserPass
	Groups map[string][]string
}

// HealthCheck is `option httpchk` and `http-check` settings.
type HealthCheck struct {
	// Method, URI, Version of the check request (default OPTIONS / HTTP/1.0).
	Method, URI, Version string
	// Headers sent with `http-check send hdr NAME VALUE`.
	Headers [][2]string
	Body    string
	// Expect is `http-check expect [!] status|rstatus|string|rstring VALUE`.
	ExpectKind  string
	ExpectValue string
	ExpectNeg   bool
	// Type is the check protocol chosen by the last check option: ""
	// (a TCP connect, or HTTP when Options.HTTPChk is set), or one of
	// "tcp-check", "mysql-check", "pgsql-check", "redis-check",
	// "smtpchk", "ldap-check", "ssl-hello-chk", "spop-check". goha's
	// checker does a TCP connect for the protocols it does not speak
	// (the parser warns about it).
	Type string
	// TypeArgs are the option's arguments (`user haproxy`, `EHLO x`).
	TypeArgs []string
	// TCPRules and HTTPRules are the `tcp-check` / `http-check` rule
	// lines in order, as the words after the keyword (`connect port
	// 6379`, `send PING\r\n`, `expect string +PONG`); the `send`
	// and `expect` forms goha understands are also in the fields above.
	TCPRules  [][]string
	HTTPRules [][]string
	// SendState is `http-check send-state`; DisableOn404 is
	// `http-check disable-on-404`.
	SendState    bool
	DisableOn404 bool
}

// LogTarget is a `log` line.
type LogTarget struct {
	// Addr is "udp:host:port", "unix:/path", "stdout", "stderr" or
	// "fd@N" as normalised by the parser.
	Addr string
	// Len is the max line length (0 = 1024).
	Len int
	// Format is local (default), rfc3164, rfc5424, priority, short,
	// timed, iso, raw.
	Format   string
	Facility int // 0..23
	// Level is the max level sent (0 emerg .. 7 debug; default 7);
	// MinLevel the min (default 0).
	Level    int
	MinLevel int
}

// Resolvers is a `resolvers` section, with HAProxy 2.6's defaults
// already filled in for what the section does not set.
type Resolvers struct {
	Name        string
	Nameservers []Nameserver
	// AcceptedPayloadSize is `accepted_payload_size` (default 512): the
	// EDNS0 payload size announced, and the largest answer accepted.
	AcceptedPayloadSize int
	// ResolveRetries is `resolve_retries` (default 3): how many times a
	// query is sent before the resolution gives up.
	ResolveRetries int
	// TimeoutResolve is `timeout resolve` (default 1s); TimeoutRetry is
	// `timeout retry` (default 1s), the wait for an answer before a query
	// is sent again.
	TimeoutResolve time.Duration
	TimeoutRetry   time.Duration
	// Hold is the `hold` periods.
	Hold Hold
	File string
	Line int
}

// Hold is a resolvers section's `hold STATUS PERIOD` settings, as
// HAProxy 2.6 documents them (configuration.txt 5.3.2).
type Hold struct {
	// Valid (default 10s) is how long a valid answer is used before the
	// name is queried again.
	Valid time.Duration
	// NX, Timeout, Refused and Other (default 30s each) are how long the
	// last valid answer is kept after a resolution ends in that status;
	// past it, the servers that rely on the name go to maintenance.
	NX, Timeout, Refused, Other time.Duration
	// Obsolete (default 0) is how long a record missing from the answers
	// keeps its server before that server is released.
	Obsolete time.Duration
}

// Nameserver is one `nameserver NAME ADDR:PORT` line, or one nameserver
// that `parse-resolv-conf` read (named after its address, as HAProxy
// does).
type Nameserver struct {
	Name string
	// Addr is IP:port (host names are resolved at parse time).
	Addr string
	// TCP is set for a stream address (`tcp@`, `tcp4@`, `tcp6@`): every
	// query goes over TCP. Datagram nameservers retry over TCP when an
	// answer is truncated.
	TCP  bool
	File string
	Line int
}

// Peers is a `peers` section: Local is set when one peer is this host
// (its name is -L or the host name), which makes HAProxy listen on
// Listen. Removed is set by the check when no peer is local (HAProxy
// then drops the section with a warning).
type Peers struct {
	Name     string
	Peers    []Peer
	Local    bool
	Disabled bool
	Removed  bool
	// Listen is the local peer's listening address: its `peer` line's,
	// or the section's `bind` line.
	Listen *Bind
	// Tables are the section's `table` lines, named "PEERS/NAME".
	Tables []*StickTable
	File   string
	Line   int

	fe                 *Proxy // HAProxy's peers frontend, for messages
	bindLine, peerLine bool   // which form the section uses
}

type Peer struct {
	Name string
	// Addr is IP:port (host names are resolved at parse time); for the
	// local peer, its listening address. Empty for a peer given none.
	Addr  string
	Local bool
	File  string
	Line  int
}
