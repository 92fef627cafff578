package worker

import (
	"strconv"
	"strings"
	"testing"

	"github.com/goha/goha/proxy/stats"
)

const dnsStateCfg = `
resolvers dns
    nameserver ns 127.0.0.1:53
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
backend web
    server-template web 3 svc.test:9000 resolvers dns init-addr none resolve-prefer ipv4
backend srvs
    server-template srv 2 _http._tcp.svc.test resolvers dns init-addr none
`

// TestServerStateKeepsResolved: a dump of servers that DNS had given
// addresses (or none) restores them in the next generation before its
// resolvers answer: web1 its address, web2 resolution maintenance, web3
// the name `set server fqdn` gave it; an SRV slot its address, port,
// target and bit 0x40. Without it, every server would start in
// resolution maintenance (init-addr none) until the first answer.
func TestServerStateKeepsResolved(t *testing.T) {
	prev := "1\n" + stats.ServersStateHeader + "\n" +
		"3 web 1 web1 127.0.0.7 2 0 1 1 5 1 0 0 0 0 0 0 svc.test 9000 - 0 0 - - 0\n" +
		"3 web 2 web2 - 0 32 1 1 5 1 0 0 0 0 0 0 svc.test 9000 - 0 0 - - 0\n" +
		"3 web 3 web3 127.0.0.8 2 0 1 1 5 1 0 0 0 0 0 0 other.test 9000 - 0 0 - - 0\n" +
		"4 srvs 1 srv1 127.0.0.1 2 64 10 1 5 1 0 0 0 0 0 0 a.svc.test 8001 _http._tcp.svc.test 0 0 - - 0\n"
	rt, _ := newRuntime(t, dnsStateCfg)
	if err := ApplyServerState(rt, prev); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range rt.ServerStates(nil) {
		got = append(got, strings.Join([]string{st.Name, dashed(st.Addr), strconv.Itoa(st.OpState), strconv.Itoa(st.AdminState),
			strconv.Itoa(st.UWeight), dashed(st.FQDN), strconv.Itoa(st.Port), dashed(st.SRVRecord)}, " "))
	}
	want := []string{
		"web1 127.0.0.7 2 0 1 svc.test 9000 -",
		"web2 - 0 32 1 svc.test 9000 -",
		"web3 127.0.0.8 2 0 1 other.test 9000 -",
		"srv1 127.0.0.1 2 64 10 a.svc.test 8001 _http._tcp.svc.test",
		"srv2 - 0 32 1 - 0 _http._tcp.svc.test",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("servers state after the dump:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func dashed(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
