package acl

import (
	"crypto/tls"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/tlshello"
)

// payloadFake is a TCP sample with peeked bytes.
type payloadFake struct {
	fake
	data  []byte
	final bool
}

func (p *payloadFake) Payload() ([]byte, bool) { return p.data, p.final }

// helloBytes returns the first flight of a Go TLS client.
func helloBytes(t *testing.T, sni string) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer b.Close()
	go func() {
		c := tls.Client(a, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Handshake()
		a.Close()
	}()
	buf := make([]byte, 16384)
	n := 0
	b.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		m, err := b.Read(buf[n:])
		n += m
		if err != nil {
			t.Fatal(err)
		}
		if _, st := tlshello.Parse(buf[:n]); st != tlshello.NeedMore {
			return buf[:n]
		}
	}
}

func TestPayloadConditions(t *testing.T) {
	hello := helloBytes(t, "api.example.com")
	cond := func(t *testing.T, unless bool, exprs ...string) *Cond {
		c := &config.Cond{Unless: unless}
		var and []config.CondTerm
		for _, e := range exprs {
			a := parseACL(t, e)
			and = append(and, config.CondTerm{ACL: a, ACLs: []*config.ACL{a}})
		}
		c.Or = [][]config.CondTerm{and}
		cc, err := Compile(c)
		if err != nil {
			t.Fatal(err)
		}
		return cc
	}
	tests := []struct {
		name      string
		exprs     []string
		unless    bool
		data      []byte
		final     bool
		wantMatch bool
		wantMiss  bool
	}{
		{"hello type complete", []string{"req_ssl_hello_type 1"}, false, hello, false, true, false},
		{"hello type partial waits", []string{"req_ssl_hello_type 1"}, false, hello[:20], false, false, true},
		{"hello type partial final", []string{"req_ssl_hello_type 1"}, false, hello[:20], true, false, false},
		{"hello type on http", []string{"req_ssl_hello_type 1"}, false, []byte("GET / HTTP/1.1\r\n"), false, false, false},
		{"sni matches", []string{"req_ssl_sni -i API.example.com"}, false, hello, false, true, false},
		{"sni differs", []string{"req.ssl_sni -i other.example.com"}, false, hello, false, false, false},
		{"sni dom suffix", []string{"req.ssl_sni -m end .example.com"}, false, hello, false, true, false},
		{"sni nothing yet", []string{"req_ssl_sni -m found"}, false, nil, false, false, true},
		{"sni nothing final", []string{"req_ssl_sni -m found"}, false, nil, true, false, false},
		{"unless miss stays miss", []string{"req_ssl_sni -m found"}, true, nil, false, false, true},
		{"req.len passes early", []string{"req.len gt 0"}, false, []byte("x"), false, true, false},
		{"req.len waits", []string{"req.len ge 10"}, false, []byte("x"), false, false, true},
		{"and with failing src decides", []string{"src 10.0.0.0/8", "req_ssl_sni -m found"}, false, nil, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cond(t, tt.unless, tt.exprs...)
			if !c.NeedsPayload() {
				t.Fatal("NeedsPayload = false")
			}
			s := &payloadFake{fake: fake{notHTTP: true, src: netip.MustParseAddr("192.0.2.1")}, data: tt.data, final: tt.final}
			m, miss := c.EvalPartial(s)
			if miss != tt.wantMiss || (!miss && m != tt.wantMatch) {
				t.Errorf("EvalPartial = %v, miss %v; want %v, miss %v", m, miss, tt.wantMatch, tt.wantMiss)
			}
			if !miss && c.Eval(s) != m {
				t.Errorf("Eval disagrees with EvalPartial")
			}
		})
	}
}
