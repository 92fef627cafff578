package sample

import (
	"net/netip"
	"strconv"
)

// The casts converters apply to their input, in place, as HAProxy's
// sample_casts do.

// toStr casts v to a string in place (ints, bools and IPs are printed
// into scratch space).
func toStr(x *Ctx, v *smpVal) bool {
	switch v.t {
	case stStr:
		return true
	case stInt, stBool:
		x.setStr(v, strconv.AppendInt(x.scratch(), v.i, 10))
		return true
	case stIP:
		x.setStr(v, v.ip.AppendTo(x.scratch()))
		return true
	}
	return false
}

// toInt casts v to an integer: a string must be an optional sign and
// digits (HAProxy's c_str2int).
func toInt(v *smpVal) bool {
	switch v.t {
	case stInt, stBool:
		v.t = stInt
		return true
	case stStr:
		n, ok := parseInt(v.s)
		if !ok {
			return false
		}
		v.t, v.i = stInt, n
		return true
	case stIP:
		if v.ip.Is4() {
			b := v.ip.As4()
			v.t, v.i = stInt, int64(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))
			return true
		}
	}
	return false
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	if i >= len(b) {
		return 0, false
	}
	var n int64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// toIP casts v to an address.
func toIP(v *smpVal) bool {
	switch v.t {
	case stIP:
		return true
	case stStr:
		a, err := netip.ParseAddr(string(v.s))
		if err != nil {
			return false
		}
		v.t, v.ip = stIP, a.Unmap()
		return true
	case stInt:
		u := uint32(v.i)
		v.t, v.ip = stIP, netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
		return true
	}
	return false
}
