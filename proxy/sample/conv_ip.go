package sample

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Converters on addresses.
var ipConvs = []convKw{
	{"ipmask", compileIPMask},
}

func init() { registerConvs(ipConvs) }

// compileIPMask compiles ipmask(mask4[,mask6]).
func compileIPMask(c *conv, _ *Options) error {
	if len(c.args) < 1 || len(c.args) > 2 {
		return fmt.Errorf("expects a mask and an optional IPv6 mask")
	}
	bits4, err := maskBits(c.args[0], 32)
	if err != nil {
		return err
	}
	c.n[0] = int64(bits4)
	c.n[1] = -1
	if len(c.args) == 2 {
		b6, err := maskBits(c.args[1], 128)
		if err != nil {
			return err
		}
		c.n[1] = int64(b6)
	}
	c.fn = ipMask
	return nil
}

func ipMask(x *Ctx, c *conv, v *smpVal) bool {
	if !toIP(v) {
		return false
	}
	bits := c.n[0]
	if v.ip.Is6() {
		if c.n[1] < 0 {
			return false
		}
		bits = c.n[1]
	}
	p, err := v.ip.Prefix(int(bits))
	if err != nil {
		return false
	}
	v.ip = p.Addr()
	return true
}

func maskBits(s string, max int) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > max {
			return 0, fmt.Errorf("invalid mask %q", s)
		}
		return n, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || max != 32 || !a.Is4() {
		return 0, fmt.Errorf("invalid mask %q", s)
	}
	b := a.As4()
	u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for u&0x80000000 != 0 {
		n++
		u <<= 1
	}
	if u != 0 {
		return 0, fmt.Errorf("invalid mask %q", s)
	}
	return n, nil
}
