package acl

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ipSet is a set of IPv4 and IPv6 networks. Networks are grouped by prefix
// length, one hash set per length, so a lookup costs one map probe per
// distinct length (a few in practice), whatever the number of networks.
type ipSet struct {
	v4 []v4group // longest prefix first
	v6 []v6group
}

type v4group struct {
	bits int
	mask uint32
	nets map[uint32]struct{}
}

type v6group struct {
	bits int
	nets map[[16]byte]struct{}
}

func (s *ipSet) empty() bool { return len(s.v4) == 0 && len(s.v6) == 0 }

// add parses an HAProxy IP pattern and adds it: an IPv4 address with an
// optional /bits or /dotted-mask, possibly abbreviated ("127.1" is
// 127.0.0.1), or an IPv6 address with an optional /bits.
func (s *ipSet) add(p string) error {
	addr, mask, hasMask := strings.Cut(p, "/")
	if strings.Contains(addr, ":") {
		a, err := netip.ParseAddr(addr)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("%q is not a valid IPv6 address", p)
		}
		bits := 128
		if hasMask {
			bits, err = strconv.Atoi(mask)
			if err != nil || bits < 0 || bits > 128 {
				return fmt.Errorf("%q: invalid IPv6 mask %q", p, mask)
			}
		}
		if a.Is4In6() && bits >= 96 {
			// ::ffff:a.b.c.d/n is the IPv4 network a.b.c.d/(n-96).
			s.add4(binary.BigEndian.Uint32(a.Unmap().AsSlice()), bits-96)
			return nil
		}
		s.add6(a, bits)
		return nil
	}
	v, err := parseV4(addr)
	if err != nil {
		return fmt.Errorf("%q is not a valid IPv4 address or network", p)
	}
	bits := 32
	if hasMask {
		if strings.Contains(mask, ".") {
			m, err := parseV4Full(mask)
			if err != nil {
				return fmt.Errorf("%q: invalid IPv4 mask %q", p, mask)
			}
			bits = 0
			for m&0x80000000 != 0 {
				bits++
				m <<= 1
			}
			if m != 0 {
				return fmt.Errorf("%q: non-contiguous IPv4 mask %q", p, mask)
			}
		} else if bits, err = strconv.Atoi(mask); err != nil || bits < 0 || bits > 32 {
			return fmt.Errorf("%q: invalid IPv4 mask %q", p, mask)
		}
	}
	s.add4(v, bits)
	return nil
}

func maskOf(bits int) uint32 {
	if bits == 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}

func (s *ipSet) add4(v uint32, bits int) {
	m := maskOf(bits)
	for i := range s.v4 {
		if s.v4[i].bits == bits {
			s.v4[i].nets[v&m] = struct{}{}
			return
		}
	}
	s.v4 = append(s.v4, v4group{bits: bits, mask: m, nets: map[uint32]struct{}{v & m: {}}})
	slices.SortFunc(s.v4, func(a, b v4group) int { return b.bits - a.bits })
}

func mask6(a [16]byte, bits int) [16]byte {
	for i := range a {
		switch {
		case bits >= 8:
			bits -= 8
		case bits > 0:
			a[i] &= byte(0xff << (8 - bits))
			bits = 0
		default:
			a[i] = 0
		}
	}
	return a
}

func (s *ipSet) add6(a netip.Addr, bits int) {
	k := mask6(a.As16(), bits)
	for i := range s.v6 {
		if s.v6[i].bits == bits {
			s.v6[i].nets[k] = struct{}{}
			return
		}
	}
	s.v6 = append(s.v6, v6group{bits: bits, nets: map[[16]byte]struct{}{k: {}}})
	slices.SortFunc(s.v6, func(a, b v6group) int { return b.bits - a.bits })
}

// contains applies HAProxy's rules: IPv4 against IPv4 networks; IPv6
// against IPv6 networks; an IPv6 address of the form ::ffff:IPv4, ::IPv4
// or 2002:IPv4:: also against the IPv4 networks; an IPv4 address also
// against IPv6 networks as ::ffff:IPv4.
func (s *ipSet) contains(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	if a.Is4() {
		b := a.As4()
		if s.has4(binary.BigEndian.Uint32(b[:])) {
			return true
		}
		return len(s.v6) > 0 && s.has6(netip.AddrFrom16(a.As16()).As16())
	}
	b := a.As16()
	if s.has6(b) {
		return true
	}
	if len(s.v4) == 0 {
		return false
	}
	var zero [10]byte
	switch {
	case [10]byte(b[:10]) == zero && (b[10] == 0xff && b[11] == 0xff || b[10] == 0 && b[11] == 0):
		return s.has4(binary.BigEndian.Uint32(b[12:]))
	case b[0] == 0x20 && b[1] == 0x02:
		return s.has4(binary.BigEndian.Uint32(b[2:6]))
	}
	return false
}

func (s *ipSet) has4(v uint32) bool {
	for i := range s.v4 {
		if _, ok := s.v4[i].nets[v&s.v4[i].mask]; ok {
			return true
		}
	}
	return false
}

func (s *ipSet) has6(b [16]byte) bool {
	for i := range s.v6 {
		if _, ok := s.v6[i].nets[mask6(b, s.v6[i].bits)]; ok {
			return true
		}
	}
	return false
}

// parseV4 parses a dotted IPv4 address, accepting HAProxy's abbreviated
// form where the zero octets before the last one are omitted: "10.12" is
// 10.0.0.12, "192.168.1" is 192.168.0.1.
func parseV4(s string) (uint32, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 1 || len(parts) > 4 {
		return 0, fmt.Errorf("bad IPv4 address %q", s)
	}
	var oct [4]uint32
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return 0, fmt.Errorf("bad IPv4 address %q", s)
		}
		if i == len(parts)-1 {
			oct[3] = uint32(n)
		} else {
			oct[i] = uint32(n)
		}
	}
	if len(parts) == 1 {
		// A single number is not an address HAProxy accepts.
		return 0, fmt.Errorf("bad IPv4 address %q", s)
	}
	return oct[0]<<24 | oct[1]<<16 | oct[2]<<8 | oct[3], nil
}

func parseV4Full(s string) (uint32, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, fmt.Errorf("bad IPv4 address %q", s)
	}
	b := a.As4()
	return binary.BigEndian.Uint32(b[:]), nil
}
