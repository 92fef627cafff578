package sample

import (
	"os"
	"time"
)

// set records a %{...} option: +Q quotes, +X hexadecimal; -Q and -X
// undo them (other options change nothing in rule values).
func (o *lfOpts) set(opt string) {
	switch opt {
	case "+Q":
		o.quote = true
	case "-Q":
		o.quote = false
	case "+X":
		o.hex = true
	case "-X":
		o.hex = false
	}
}

// hexLogVars are the variables %{+X} writes in hexadecimal, as HAProxy
// does in unique-id-format: IPv4 addresses as 8 digits, ports and the
// request counter as 4, the date as 8, the pid as is, upper case.
var hexLogVars = map[string]logVar{
	"ci":  func(dst []byte, x *Ctx) []byte { return appendAddrHex(dst, x.Conn, false, false) },
	"cp":  func(dst []byte, x *Ctx) []byte { return appendAddrHex(dst, x.Conn, false, true) },
	"fi":  func(dst []byte, x *Ctx) []byte { return appendAddrHex(dst, x.Conn, true, false) },
	"fp":  func(dst []byte, x *Ctx) []byte { return appendAddrHex(dst, x.Conn, true, true) },
	"Ts":  func(dst []byte, _ *Ctx) []byte { return appendHex(dst, uint64(time.Now().Unix()), 8) },
	"rt":  func(dst []byte, x *Ctx) []byte { return appendHex(dst, uint64(x.ReqCounter), 4) },
	"pid": func(dst []byte, _ *Ctx) []byte { return appendHex(dst, uint64(os.Getpid()), 1) },
}

func init() {
	logVars["rt"] = func(dst []byte, x *Ctx) []byte { return appendInt(dst, x.ReqCounter) }
}

// appendHex appends n in upper-case hexadecimal, at least width digits.
func appendHex(dst []byte, n uint64, width int) []byte {
	var tmp [16]byte
	i := len(tmp)
	for n > 0 || len(tmp)-i < width {
		i--
		tmp[i] = hexDigits[n&15]
		n >>= 4
	}
	return append(dst, tmp[i:]...)
}

// appendAddrHex appends an address (IPv4: 8 digits; IPv6: 32) or a
// port (4 digits) in hexadecimal.
func appendAddrHex(dst []byte, c *Conn, local, port bool) []byte {
	if c == nil {
		return dst
	}
	ap := c.Client
	if local {
		ap = c.Local()
	}
	switch {
	case !ap.IsValid():
		return dst
	case port:
		return appendHex(dst, uint64(ap.Port()), 4)
	}
	for _, b := range ap.Addr().AsSlice() {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&15])
	}
	return dst
}
