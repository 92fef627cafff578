package sample

import (
	"fmt"
	"net/netip"
)

// Map files: map_<match>[_<output>](file[,default]) looks its input up
// in a map file (map.go) with a match kind (str, beg, sub, end, dir,
// dom, reg, ip, int) and returns the value as a string, an integer
// (_int) or an address (_ip). map is map_str.
var mapConvs = []convKw{
	{"map", mapConv(mapStr, stStr)},
	{"map_str", mapConv(mapStr, stStr)},
	{"map_str_int", mapConv(mapStr, stInt)},
	{"map_str_ip", mapConv(mapStr, stIP)},
	{"map_beg", mapConv(mapBeg, stStr)},
	{"map_beg_int", mapConv(mapBeg, stInt)},
	{"map_beg_ip", mapConv(mapBeg, stIP)},
	{"map_sub", mapConv(mapSub, stStr)},
	{"map_sub_int", mapConv(mapSub, stInt)},
	{"map_sub_ip", mapConv(mapSub, stIP)},
	{"map_end", mapConv(mapEnd, stStr)},
	{"map_end_int", mapConv(mapEnd, stInt)},
	{"map_end_ip", mapConv(mapEnd, stIP)},
	{"map_dir", mapConv(mapDir, stStr)},
	{"map_dir_int", mapConv(mapDir, stInt)},
	{"map_dir_ip", mapConv(mapDir, stIP)},
	{"map_dom", mapConv(mapDom, stStr)},
	{"map_dom_int", mapConv(mapDom, stInt)},
	{"map_dom_ip", mapConv(mapDom, stIP)},
	{"map_reg", mapConv(mapReg, stStr)},
	{"map_reg_int", mapConv(mapReg, stInt)},
	{"map_reg_ip", mapConv(mapReg, stIP)},
	{"map_ip", mapConv(mapIP, stStr)},
	{"map_ip_int", mapConv(mapIP, stInt)},
	{"map_ip_ip", mapConv(mapIP, stIP)},
	{"map_int", mapConv(mapInt, stStr)},
	{"map_int_int", mapConv(mapInt, stInt)},
	{"map_int_ip", mapConv(mapInt, stIP)},
}

func init() { registerConvs(mapConvs) }

// mapConv compiles a map converter of match kind and output type out.
func mapConv(kind mapKind, out smpType) convCompiler {
	return func(c *conv, o *Options) error {
		if len(c.args) < 1 || len(c.args) > 2 {
			return fmt.Errorf("expects a map file and an optional default value")
		}
		m, err := loadMap(o, c.args[0], kind, out)
		if err != nil {
			return err
		}
		c.m, c.out = m, out
		if len(c.args) == 2 {
			c.hasD = true
			c.def = []byte(c.args[1])
			switch out {
			case stInt:
				n, ok := parseInt(c.def)
				if !ok {
					return fmt.Errorf("default value %q is not an integer", c.args[1])
				}
				c.n[0] = n
			case stIP:
				a, err := netip.ParseAddr(c.args[1])
				if err != nil {
					return fmt.Errorf("default value %q is not an address", c.args[1])
				}
				c.ip4 = netip.PrefixFrom(a.Unmap(), 0)
			}
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			e := c.m.lookup(x, v)
			if e == nil {
				if !c.hasD {
					return false
				}
				switch c.out {
				case stInt:
					*v = smpVal{t: stInt, i: c.n[0]}
				case stIP:
					*v = smpVal{t: stIP, ip: c.ip4.Addr()}
				default:
					*v = smpVal{t: stStr, s: c.def}
				}
				return true
			}
			switch c.out {
			case stInt:
				*v = smpVal{t: stInt, i: e.iv}
			case stIP:
				*v = smpVal{t: stIP, ip: e.ip}
			default:
				*v = smpVal{t: stStr, s: e.val}
			}
			return true
		}
		return nil
	}
}
