package tlog

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// at parses a UTC time like "2026-11-25T15:42:52.670".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05.999999", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func ms2(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// opts are the options the golden captures were made with (HAProxy 2.6.12
// in UTC on host "vm", see testdata/haproxy-capture-*.cfg).
var utcHTTP = FormatOptions{HTTP: true, Location: time.UTC, Hostname: "vm", PID: 13573}
var utcTCP = FormatOptions{Location: time.UTC, Hostname: "vm", PID: 13573}

func TestFormatGolden(t *testing.T) {
	type tc struct {
		name   string
		format string
		opts   FormatOptions
		e      Entry
		want   string
	}
	cases := []tc{
		{
			// haproxy-spec.md §9.3, captured
			name: "httplog 200", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:49390"), AcceptTime: at(t, "2026-11-24T23:22:07.986"),
				FrontendName: "fe_http", BackendName: "be_app", ServerName: "s1",
				TR: 0, Tw: 0, Tc: 0, Tr: ms2(36), Tt: ms2(36), Status: 200, BytesOut: 132, BytesIn: 78,
				Term: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1, ReqLine: []byte("GET / HTTP/1.1"),
			},
			want: `127.0.0.1:49390 [24/Nov/2026:23:22:07.986] fe_http be_app/s1 0/0/0/36/36 200 132 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`,
		},
		{
			// zero Term/Cookie bytes print '-'
			name: "httplog zero term", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:49390"), AcceptTime: at(t, "2026-11-24T23:22:07.986"),
				FrontendName: "fe_http", BackendName: "be_app", ServerName: "s1",
				Tr: ms2(36), Tt: ms2(36), Status: 200, BytesOut: 132,
				ActConn: 1, FeConn: 1, ReqLine: []byte("GET / HTTP/1.1"),
			},
			want: `127.0.0.1:49390 [24/Nov/2026:23:22:07.986] fe_http be_app/s1 0/0/0/36/36 200 132 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`,
		},
		{
			// captured: capture request header Host len 20, User-Agent len 5,
			// capture response header Content-Type len 30; 1 retry.
			name: "httplog captures", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:60086"), AcceptTime: at(t, "2026-11-25T15:42:52.670"),
				FrontendName: "fe_http", BackendName: "be_app", ServerName: "s1",
				Tc: ms2(1001), Tr: ms2(27), Tt: ms2(1028), Status: 404, BytesOut: 500,
				Term: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1, Retries: 1,
				ReqCaptures: [][]byte{[]byte("127.0.0.1:19080"), []byte(`a"b{c`)},
				ResCaptures: [][]byte{[]byte("text/html;charset=utf-8")},
				ReqLine:     []byte("GET /x?y=1 HTTP/1.1"),
			},
			want: `127.0.0.1:60086 [25/Nov/2026:15:42:52.670] fe_http be_app/s1 0/0/1001/27/1028 404 500 - - ---- 1/1/0/0/1 0/0 {127.0.0.1:19080|a#22b#7Bc} {text/html;charset=utf-8} "GET /x?y=1 HTTP/1.1"`,
		},
		{
			// haproxy-spec.md §9.3 and captured: client timeout, incomplete request
			name: "httplog 408 badreq", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:37462"), AcceptTime: at(t, "2026-11-25T15:42:54.551"),
				FrontendName: "fe_plain", TR: -1, Tw: -1, Tc: -1, Tr: -1, Tt: ms2(2001), Status: 408,
				Term: [2]byte{'c', 'R'}, ActConn: 1, FeConn: 1,
			},
			want: `127.0.0.1:37462 [25/Nov/2026:15:42:54.551] fe_plain fe_plain/<NOSRV> -1/-1/-1/-1/2001 408 0 - - cR-- 1/1/0/0/0 0/0 "<BADREQ>"`,
		},
		{
			// captured: garbage request line
			name: "httplog 400 badreq", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:37464"), AcceptTime: at(t, "2026-11-25T15:42:57.373"),
				FrontendName: "fe_plain", TR: -1, Tw: -1, Tc: -1, Tr: -1, Tt: 0, Status: 400,
				Term: [2]byte{'P', 'R'}, ActConn: 1, FeConn: 1,
			},
			want: `127.0.0.1:37464 [25/Nov/2026:15:42:57.373] fe_plain fe_plain/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>"`,
		},
		{
			// haproxy-spec.md §9.3: 503 after 3 retries to a dead server
			name: "httplog 503", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:40000"), AcceptTime: at(t, "2026-11-24T23:22:09.000"),
				FrontendName: "fe_http", BackendName: "be_dead", ServerName: "d1",
				Tc: -1, Tr: -1, Tt: ms2(3004), Status: 503, BytesOut: 217,
				Term: [2]byte{'S', 'C'}, ActConn: 1, FeConn: 1, Retries: 3, ReqLine: []byte("GET /dead HTTP/1.1"),
			},
			want: `127.0.0.1:40000 [24/Nov/2026:23:22:09.000] fe_http be_dead/d1 0/0/-1/-1/3004 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /dead HTTP/1.1"`,
		},
		{
			// %tr is the accept date plus Th and Ti (keep-alive idle time)
			name: "httplog keep-alive tr", format: HTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("[::1]:5000"), AcceptTime: at(t, "2026-11-24T23:59:59.990"),
				FrontendName: "fe", BackendName: "be", ServerName: "s1", TLS: true,
				Th: ms2(2), Ti: ms2(15), TR: ms2(1), Tr: ms2(3), Tt: ms2(25), Status: 200, BytesOut: 9,
				Term: [2]byte{'-', '-'}, Cookie: [2]byte{'N', 'I'}, ActConn: 3, FeConn: 2, BeConn: 1, SrvConn: 1,
				Redispatched: true, Retries: 1, SrvQueue: 4, BackendQueue: 5,
				ClientCookie: []byte("abc"), ReqLine: []byte("GET / HTTP/1.1"),
			},
			want: `::1:5000 [25/Nov/2026:00:00:00.007] fe~ be/s1 1/0/0/3/8 200 9 abc - --NI 3/2/1/1/+1 4/5 "GET / HTTP/1.1"`,
		},
		{
			// haproxy-spec.md §9.2, captured
			name: "tcplog", format: TCPLogFormat, opts: utcTCP,
			e: Entry{
				Client: ap("127.0.0.1:46400"), AcceptTime: at(t, "2026-11-24T23:22:08.201"),
				FrontendName: "fe_tcp", BackendName: "be_tcp", ServerName: "t1",
				Tw: ms2(1), Tc: 0, Tt: ms2(1), BytesOut: 357, BytesIn: 10, ActConn: 1, FeConn: 1,
			},
			want: `127.0.0.1:46400 [24/Nov/2026:23:22:08.201] fe_tcp be_tcp/t1 1/0/1 357 -- 1/1/0/0/0 0/0`,
		},
		{
			// haproxy-spec.md §9.2: server refused, 3 retries
			name: "tcplog SC", format: TCPLogFormat, opts: utcTCP,
			e: Entry{
				Client: ap("127.0.0.1:46402"), AcceptTime: at(t, "2026-11-24T23:22:08.201"),
				FrontendName: "fe_tcp", BackendName: "be_dead_tcp", ServerName: "d1",
				Tw: ms2(1), Tc: -1, Tt: ms2(3003), Term: [2]byte{'S', 'C'}, ActConn: 1, FeConn: 1, Retries: 3,
			},
			want: `127.0.0.1:46402 [24/Nov/2026:23:22:08.201] fe_tcp be_dead_tcp/d1 1/-1/3003 0 SC 1/1/0/0/3 0/0`,
		},
		{
			// captured (fe_fmt in testdata/haproxy-capture-1.cfg), PURGE with HTTP/1.0
			name: "custom 1", opts: utcHTTP,
			format: "%ci:%cp|%fi:%fp|%bi|%si:%sp|%{+X}ci|%{+X}cp|%{+Q}b|%{+Q}s|%f|%ft|%H|%{+Q}HM|%HU|%HP|%HPO|%HQ|%HV|%ST|%B|%U|%ts|%tsc|%rc|%{+Q}CC|%hr|%hrl %%  a  b %{+E}r",
			e: Entry{
				Client: ap("127.0.0.1:40268"), Frontend: ap("127.0.0.1:19082"), BackendSrc: ap("127.0.0.1:41000"),
				Server: ap("127.0.0.1:19090"), FrontendName: "fe_fmt", BackendName: "be_app", ServerName: "s1",
				Status: 501, BytesOut: 537, BytesIn: 87, ReqCaptures: [][]byte{nil, nil},
				ReqLine: []byte("PURGE /abc HTTP/1.0"),
			},
			want: `127.0.0.1:40268|127.0.0.1:19082|127.0.0.1|127.0.0.1:19090|7F000001|9D4C|"be_app"|"s1"|fe_fmt|fe_fmt|vm|"PURGE"|/abc|/abc|/abc||HTTP/1.0|501|537|87|--|----|0|""|{|}|- - % a b PURGE /abc HTTP/1.0`,
		},
		{
			// captured (fe_fmt in testdata/haproxy-capture-2.cfg)
			name: "custom 2", opts: utcHTTP,
			format: `%ci:%cp|%{+X}ci|%{+Q}b|%{+Q}s|%{+Q}ft|%{+Q}HM|%HU|%HP|%HPO|%HQ|%HV|%ST|%{+Q}CC|%{+Q}hr|%{+Q}hrl|%hs|%hsl|%{+E}HU|%{+E,+Q}r|%{+Q}f|%{+M}ID|%{-M}ID|%{+Q,+M}ID|%-y`,
			e: Entry{
				Client: ap("127.0.0.1:33020"), FrontendName: "fe_fmt", BackendName: "be_app", ServerName: "s1",
				Status: 404, ReqCaptures: [][]byte{nil, []byte(`q"z|`)},
				ReqLine: []byte(`GET /p/a%20th?q=1&r]"x HTTP/1.1`),
			},
			want: `127.0.0.1:33020|7F000001|"be_app"|"s1"|"fe_fmt"|"GET"|/p/a%20th?q=1&r]#22x|/p/a%20th|/p/a%20th|?q=1&r]#22x|HTTP/1.1|404|""|"{|q#22z#7C}"|"" "q#22z#7C"|||/p/a%20th?q=1&r\]#22x|"GET /p/a%20th?q=1&r\]#22x HTTP/1.1"|"fe_fmt"|-||""|-y`,
		},
		{
			// captured: option httplog clf, one request capture; note the
			// trailing space left by the empty %hsl.
			name: "clf", format: CLFHTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:54586"), AcceptTime: at(t, "2026-11-25T15:43:13.317"),
				FrontendName: "fe_clf", BackendName: "be_app", ServerName: "s1",
				Tr: ms2(1), Tt: ms2(1), Status: 404, BytesOut: 500, ActConn: 1, FeConn: 1,
				ReqCaptures: [][]byte{[]byte("hello")}, ReqLine: []byte("GET /clf?x HTTP/1.1"),
			},
			want: `127.0.0.1 - - [25/Nov/2026:15:43:13 +0000] "GET /clf?x HTTP/1.1" 404 500 "" "" 54586 317 "fe_clf" "be_app" "s1" 0 0 0 1 1 ---- 1 1 0 0 0 0 0 "" "" "hello" `,
		},
		{
			name: "clf absent capture", format: CLFHTTPLogFormat, opts: utcHTTP,
			e: Entry{
				Client: ap("127.0.0.1:54590"), AcceptTime: at(t, "2026-11-25T15:43:13.331"),
				FrontendName: "fe_clf", BackendName: "be_app", ServerName: "s1",
				Tr: ms2(1), Tt: ms2(1), Status: 404, BytesOut: 500, ActConn: 1, FeConn: 1,
				ReqCaptures: [][]byte{nil}, ReqLine: []byte("GET /clf2 HTTP/1.1"),
			},
			want: `127.0.0.1 - - [25/Nov/2026:15:43:13 +0000] "GET /clf2 HTTP/1.1" 404 500 "" "" 54590 331 "fe_clf" "be_app" "s1" 0 0 0 1 1 ---- 1 1 0 0 0 0 0 "" "" "" `,
		},
		{
			name: "timers and dates", opts: utcHTTP,
			format: "%Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu|%T|%Tl|%trg|%trl|%Ts|%{+X}Ts|%ms|%{+X}ms|%pid|%{+X}pid|%rt|%{+X}rt|%lc",
			e: Entry{
				AcceptTime: at(t, "2026-11-25T15:43:13.007"), Th: ms2(1), Ti: ms2(1000), TR: ms2(3),
				Tw: ms2(4), Tc: ms2(5), Tr: ms2(6), Tt: ms2(1030), RequestCounter: 255,
			},
			want: `1 1000 3 1004 4 5 6 11 29 1030 30|25/Nov/2026:15:43:13 +0000|25/Nov/2026:15:43:13 +0000|25/Nov/2026:15:43:14 +0000|25/Nov/2026:15:43:14 +0000|1795621393|6B070211|007|07|13573|3505|255|00FF|0`,
		},
		{
			name: "not reached", opts: utcHTTP,
			format: "%Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu %ci %cp %si %sp %bi %bp %fi %fp %s %b %f %ID %CC %CS %HM %HU %HV",
			e:      Entry{Th: 0, Ti: -1, TR: -1, Tw: -1, Tc: -1, Tr: -1, Tt: ms2(7)},
			want:   `0 -1 -1 -1 -1 -1 -1 -1 7 7 7 - - - - - - - - <NOSRV> - - - - - <BADREQ> <BADREQ> <BADREQ>`,
		},
		{
			name: "unix listener and ipv6 hex", opts: utcTCP,
			format: "%ci:%cp %fi:%fp %{+X}si:%{+X}sp %{+Q}ci",
			e:      Entry{UnixListenerID: 3, Server: ap("[2001:db8::1]:80")},
			want:   `unix:3 unix:3 20010DB8000000000000000000000001:0050 "unix"`,
		},
		{
			name: "logasap", opts: FormatOptions{Location: time.UTC, LogASAP: true},
			format: "%Tt %B %Tu %Tw",
			e:      Entry{Tt: ms2(5), BytesOut: 10, Tw: 1},
			want:   `+5 +10 +5 0`,
		},
		{
			name: "http version 0.9 and method only", opts: utcHTTP,
			format: "%HM|%HV|%HU|%HP|%HPO|%HQ",
			e:      Entry{ReqLine: []byte("GET  http://h:1/a/b?c=d")},
			want:   `GET|HTTP/0.9|http://h:1/a/b?c=d|http://h:1/a/b|/a/b|?c=d`,
		},
		{
			name: "escapes in text", opts: utcHTTP,
			format: `%{+E}f %{+E,+Q}s [%{+E}b] tab	x`,
			e:      Entry{FrontendName: `a"b`, ServerName: `c]d\`, BackendName: "e"},
			want:   `a\"b "c\]d\\" [e] tab	x`,
		},
		{
			name: "leading and repeated spaces collapse", opts: utcTCP,
			format: "   %f    x  ",
			e:      Entry{FrontendName: "fe"},
			want:   `fe x `,
		},
		{
			name: "non-printable request line", opts: utcHTTP,
			format: "%r %{+Q}r",
			e:      Entry{ReqLine: []byte("GET /\x01\xff# HTTP/1.1")},
			want:   `GET /#01#FF#23 HTTP/1.1 "GET /#01#FF#23 HTTP/1.1"`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Compile(c.format, c.opts)
			if err != nil {
				t.Fatalf("Compile(%q) error: %v", c.format, err)
			}
			got := string(f.Append(nil, &c.e))
			if got != c.want {
				t.Errorf("Append:\n got %q\nwant %q", got, c.want)
			}
			// appending after existing bytes leaves them alone
			got2 := string(f.Append([]byte("prefix "), &c.e))
			if got2 != "prefix "+c.want {
				t.Errorf("Append after prefix = %q", got2)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name, format string
		http         bool
		want         string // substring of the error
	}{
		{"unknown variable", "%foo", true, "no such format variable 'foo'"},
		{"http only in tcp", "%r", false, "format variable 'r' is reserved for HTTP mode"},
		{"percent space", "% x", true, "unexpected variable name near ' ' at position 1"},
		{"percent digit", "%1", true, "unexpected variable name near '1'"},
		{"trailing percent", "abc%", true, "truncated line after '%'"},
		{"unterminated args", "%{+Q", true, "truncated line"},
		{"args without var", "%{+Q} ", true, "parse argument modifier without variable name near '%{+Q}'"},
		{"args at end", "%{+Q}", true, "parse argument modifier without variable name"},
		{"sample fetch", "%[src]", true, "not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.format, FormatOptions{HTTP: c.http})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Compile(%q) error = %v; want it to contain %q", c.format, err, c.want)
			}
		})
	}
}

func TestFormatAllocs(t *testing.T) {
	f := MustCompile(HTTPLogFormat, FormatOptions{HTTP: true})
	e := benchEntry()
	buf := make([]byte, 0, 1024)
	buf = f.Append(buf[:0], e) // warm the date cache
	n := testing.AllocsPerRun(1000, func() { buf = f.Append(buf[:0], e) })
	if n != 0 {
		t.Errorf("Append allocates %v times per line; want 0", n)
	}
}

func benchEntry() *Entry {
	return &Entry{
		Client: netip.MustParseAddrPort("192.168.10.20:49390"), AcceptTime: time.Unix(1795621393, 986e6),
		FrontendName: "fe_http", BackendName: "be_app", ServerName: "s1",
		Tr: 36 * time.Millisecond, Tt: 36 * time.Millisecond, Status: 200, BytesOut: 132, BytesIn: 78,
		Term: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1,
		ReqCaptures: [][]byte{[]byte("example.test")},
		ReqLine:     []byte("GET /index.html?a=b HTTP/1.1"),
	}
}

func BenchmarkFormatHTTPLog(b *testing.B) {
	f := MustCompile(HTTPLogFormat, FormatOptions{HTTP: true})
	e := benchEntry()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkFormatTCPLog(b *testing.B) {
	f := MustCompile(TCPLogFormat, FormatOptions{})
	e := benchEntry()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], e)
	}
}

// TestEveryVariableHasAppender guards the appenders table: a variable
// added to the keyword table without a printer would print nothing.
func TestEveryVariableHasAppender(t *testing.T) {
	for name, v := range variables {
		if v.kind == opGlobal {
			continue
		}
		if appenders[v.kind] == nil {
			t.Errorf("%%%s (op %d) has no appender", name, v.kind)
		}
	}
}
