package resolve

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// verdict is what an answer says once checked and read.
type verdict int

// Verdicts. vInvalid answers are dropped; vTruncated ones are asked
// again over TCP; the others end the nameserver's part of the query.
const (
	vValid verdict = iota
	vInvalid
	vTruncated
	vNX
	vRefused
	vOther
	vAnyErr
	vCNAMEError
	vNoRecord
)

// answer is what a valid answer holds for the query asked.
type answer struct {
	// addrs are the A/AAAA records of an address query, in order.
	addrs []netip.Addr
	// srvs are the SRV records of an SRV query, in order.
	srvs []srvRecord
	// extra are the additional A/AAAA records, by lower-case owner name.
	extra map[string][]netip.Addr
	// cname is set when the records were reached through a CNAME.
	cname bool
}

// srvRecord is one SRV record.
type srvRecord struct {
	target string
	port   uint16
	weight uint16
}

// parseAnswer checks a message against the question asked (qname is a
// lower-case FQDN with its final dot) and reads its records.
func parseAnswer(data []byte, qname string, qtype uint16) (answer, verdict) {
	var m dns.Msg
	if err := m.Unpack(data); err != nil {
		return answer{}, vInvalid
	}
	if !m.Response || m.Opcode != dns.OpcodeQuery || len(m.Question) != 1 {
		return answer{}, vInvalid
	}
	q := m.Question[0]
	if !strings.EqualFold(q.Name, qname) || q.Qtype != qtype || q.Qclass != dns.ClassINET {
		return answer{}, vInvalid
	}
	if v, bad := rcodeVerdicts[m.Rcode]; bad {
		return answer{}, v
	} else if m.Rcode != dns.RcodeSuccess {
		return answer{}, vOther
	}
	if m.Truncated {
		return answer{}, vTruncated
	}
	if len(m.Answer) == 0 {
		return answer{}, vAnyErr
	}
	a := answer{}
	name := qname
	for _, rr := range m.Answer {
		h := rr.Header()
		if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, name) {
			continue
		}
		switch x := rr.(type) {
		case *dns.CNAME:
			name, a.cname = strings.ToLower(x.Target), true
		case *dns.A:
			if qtype == dns.TypeA {
				a.addrs = appendAddr(a.addrs, x.A)
			}
		case *dns.AAAA:
			if qtype == dns.TypeAAAA {
				a.addrs = appendAddr(a.addrs, x.AAAA)
			}
		case *dns.SRV:
			if qtype == dns.TypeSRV {
				a.srvs = append(a.srvs, srvRecord{target: strings.ToLower(x.Target), port: x.Port, weight: x.Weight})
			}
		}
	}
	if len(a.addrs) == 0 && len(a.srvs) == 0 {
		if a.cname {
			return answer{}, vCNAMEError
		}
		return answer{}, vNoRecord
	}
	if qtype == dns.TypeSRV {
		a.extra = extraAddrs(m.Extra)
	}
	return a, vValid
}

// rcodeVerdicts are the error codes HAProxy tells apart.
var rcodeVerdicts = map[int]verdict{
	dns.RcodeNameError: vNX,
	dns.RcodeRefused:   vRefused,
}

// appendAddr appends an IP if it is a valid address.
func appendAddr(list []netip.Addr, ip []byte) []netip.Addr {
	if a, ok := netip.AddrFromSlice(ip); ok {
		return append(list, a.Unmap())
	}
	return list
}

// extraAddrs indexes the additional A/AAAA records by owner name.
func extraAddrs(rrs []dns.RR) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for _, rr := range rrs {
		name := strings.ToLower(rr.Header().Name)
		switch x := rr.(type) {
		case *dns.A:
			out[name] = appendAddr(out[name], x.A)
		case *dns.AAAA:
			out[name] = appendAddr(out[name], x.AAAA)
		}
	}
	return out
}

// buildQuery packs a recursive query with an EDNS0 OPT record
// announcing the accepted payload size.
func buildQuery(id uint16, qname string, qtype uint16, payload int) ([]byte, error) {
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.Id = id
	m.RecursionDesired = true
	m.SetEdns0(uint16(payload), false)
	return m.Pack()
}
