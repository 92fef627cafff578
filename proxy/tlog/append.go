package tlog

import (
	"net/netip"
	"strconv"
	"time"
)

const hexDigits = "0123456789ABCDEF"

// Append formats e by f, appends the line to dst and returns the extended
// slice. It allocates nothing when dst has room for the line.
func (f *Format) Append(dst []byte, e *Entry) []byte {
	lastSpace := true
	for i := range f.ops {
		o := &f.ops[i]
		if o.sep && !lastSpace {
			dst = append(dst, ' ')
			lastSpace = true
		}
		if o.text != "" {
			dst = append(dst, o.text...)
			lastSpace = false
		}
		switch o.kind {
		case opText:
			continue
		case opClientIP:
			if e.UnixListenerID > 0 {
				dst = appendText(dst, "unix", o.opts)
			} else {
				dst = appendIP(dst, e.Client, o.opts)
			}
		case opClientPort:
			dst = f.appendPortOrListener(dst, e.Client, e, o.opts)
		case opFrontendIP:
			if e.UnixListenerID > 0 {
				dst = appendText(dst, "unix", o.opts)
			} else {
				dst = appendIP(dst, e.Frontend, o.opts)
			}
		case opFrontendPort:
			dst = f.appendPortOrListener(dst, e.Frontend, e, o.opts)
		case opBackendIP:
			dst = appendIP(dst, e.BackendSrc, o.opts)
		case opBackendPort:
			dst = appendPort(dst, e.BackendSrc, o.opts)
		case opServerIP:
			dst = appendIP(dst, e.Server, o.opts)
		case opServerPort:
			dst = appendPort(dst, e.Server, o.opts)
		case opDate:
			dst = f.appendDate(dst, e.AcceptTime)
		case opReqDate:
			dst = f.appendDate(dst, e.requestTime())
		case opDateGMT:
			dst = appendDateZone(dst, e.AcceptTime.UTC(), false)
		case opReqGMT:
			dst = appendDateZone(dst, e.requestTime().UTC(), false)
		case opDateLocal:
			dst = appendDateZone(dst, e.AcceptTime.In(f.loc), true)
		case opReqLocal:
			dst = appendDateZone(dst, e.requestTime().In(f.loc), true)
		case opTs:
			if o.opts&optHex != 0 {
				dst = appendHex(dst, uint64(uint32(e.AcceptTime.Unix())), 4)
			} else {
				dst = appendInt(dst, e.AcceptTime.Unix())
			}
		case opMs:
			ms := e.AcceptTime.Nanosecond() / 1e6
			if o.opts&optHex != 0 {
				dst = appendHex(dst, uint64(ms), 2)
			} else {
				dst = appendPad(dst, ms, 3)
			}
		case opFrontend:
			dst = appendText(dst, e.FrontendName, o.opts)
		case opFrontendX:
			if o.opts&optQuote != 0 {
				dst = append(dst, '"')
			}
			dst = append(dst, e.FrontendName...)
			if e.TLS {
				dst = append(dst, '~')
			}
			if o.opts&optQuote != 0 {
				dst = append(dst, '"')
			}
		case opBackend:
			if e.BackendName == "" {
				dst = appendText(dst, e.FrontendName, o.opts)
			} else {
				dst = appendText(dst, e.BackendName, o.opts)
			}
		case opServer:
			if e.ServerName == "" {
				dst = appendText(dst, "<NOSRV>", o.opts)
			} else {
				dst = appendText(dst, e.ServerName, o.opts)
			}
		case opTh:
			dst = appendInt(dst, ms(e.Th))
		case opTi:
			dst = appendInt(dst, ms(e.Ti))
		case opTR:
			dst = appendInt(dst, ms(e.TR))
		case opTq:
			dst = appendInt(dst, e.tq())
		case opTw:
			dst = appendInt(dst, ms(e.Tw))
		case opTc:
			dst = appendInt(dst, ms(e.Tc))
		case opTr:
			dst = appendInt(dst, ms(e.Tr))
		case opTd:
			dst = appendInt(dst, e.td(f.http))
		case opTa:
			dst = f.asapMark(dst)
			dst = appendInt(dst, e.ta())
		case opTt:
			dst = f.asapMark(dst)
			dst = appendInt(dst, ms(e.Tt))
		case opTu:
			dst = f.asapMark(dst)
			dst = appendInt(dst, ms(e.Tt)-max(ms(e.Ti), 0))
		case opStatus:
			dst = appendInt(dst, e.Status)
		case opBytes:
			dst = f.asapMark(dst)
			dst = appendInt(dst, e.BytesOut)
		case opBytesUp:
			dst = appendInt(dst, e.BytesIn)
		case opCC:
			dst = appendText(dst, e.ClientCookie, o.opts)
		case opCS:
			dst = appendText(dst, e.ServerCookie, o.opts)
		case opTermState:
			dst = append(dst, orDash(e.Term[0]), orDash(e.Term[1]))
		case opTermStateCk:
			dst = append(dst, orDash(e.Term[0]), orDash(e.Term[1]), orDash(e.Cookie[0]), orDash(e.Cookie[1]))
		case opActConn:
			dst = appendInt(dst, e.ActConn)
		case opFeConn:
			dst = appendInt(dst, e.FeConn)
		case opBeConn:
			dst = appendInt(dst, e.BeConn)
		case opSrvConn:
			dst = appendInt(dst, e.SrvConn)
		case opRetries:
			if e.Redispatched {
				dst = append(dst, '+')
			}
			dst = appendInt(dst, e.Retries)
		case opSrvQueue:
			dst = appendInt(dst, e.SrvQueue)
		case opBckQueue:
			dst = appendInt(dst, e.BackendQueue)
		case opHdrReq:
			if len(e.ReqCaptures) == 0 {
				continue // prints nothing, and leaves the separator state
			}
			dst = appendCaptures(dst, e.ReqCaptures, o.opts)
		case opHdrRes:
			if len(e.ResCaptures) == 0 {
				continue
			}
			dst = appendCaptures(dst, e.ResCaptures, o.opts)
		case opHdrReqList:
			if len(e.ReqCaptures) == 0 {
				continue
			}
			dst = appendCaptureList(dst, e.ReqCaptures, o.opts)
		case opHdrResList:
			if len(e.ResCaptures) == 0 {
				continue
			}
			dst = appendCaptureList(dst, e.ResCaptures, o.opts)
		case opReq:
			dst = quoteOpen(dst, o.opts)
			if e.ReqLine == nil {
				dst = appendEncoded(dst, badReq, &urlEncode, o.opts)
			} else {
				dst = appendEncoded(dst, e.ReqLine, &urlEncode, o.opts)
			}
			dst = quoteOpen(dst, o.opts)
		case opHTTPMethod, opHTTPURI, opHTTPPath, opHTTPPathOnly, opHTTPQuery, opHTTPVersion:
			dst = quoteOpen(dst, o.opts)
			dst = appendEncoded(dst, reqPart(e.ReqLine, o.kind), &urlEncode, o.opts)
			dst = quoteOpen(dst, o.opts)
		case opCounter:
			if o.opts&optHex != 0 {
				dst = appendHex(dst, uint64(uint32(e.RequestCounter)), 4)
			} else {
				dst = strconv.AppendUint(dst, e.RequestCounter, 10)
			}
		case opLogCount:
			if o.opts&optHex != 0 {
				dst = appendHex(dst, uint64(uint32(e.logCount)), 4)
			} else {
				dst = strconv.AppendUint(dst, e.logCount, 10)
			}
		case opHostname:
			dst = appendText(dst, f.host, o.opts)
		case opPID:
			if o.opts&optHex != 0 {
				dst = appendHex(dst, uint64(f.pid), 4)
			} else {
				dst = appendInt(dst, f.pid)
			}
		case opUniqueID:
			dst = appendText(dst, e.UniqueID, o.opts)
		}
		lastSpace = false
	}
	return dst
}

// ta is %Ta, the active time: Tt minus the handshake and idle times
// (minus nothing when Ti is -1, as HAProxy does).
func (e *Entry) ta() int64 {
	if ti := ms(e.Ti); ti >= 0 {
		return ms(e.Tt) - ti - max(ms(e.Th), 0)
	}
	return ms(e.Tt)
}

// appendInt writes v in decimal; counters and timers are mostly one
// digit, which skips strconv.
func appendInt[T int | int64](dst []byte, v T) []byte {
	if v >= 0 && v < 10 {
		return append(dst, byte('0'+v))
	}
	return strconv.AppendInt(dst, int64(v), 10)
}

// ms converts a timer to HAProxy's milliseconds: negative is -1.
func ms(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d / time.Millisecond)
}

// tq is %Tq = Th + Ti + TR, or -1 when the request was not received.
func (e *Entry) tq() int64 {
	tr := ms(e.TR)
	if tr < 0 {
		return -1
	}
	return max(ms(e.Th), 0) + max(ms(e.Ti), 0) + tr
}

// td is %Td: the data transfer time, Tt minus everything before it.
func (e *Entry) td(http bool) int64 {
	tc := ms(e.Tc)
	if tc < 0 {
		return -1
	}
	before := max(e.tq(), 0) + max(ms(e.Tw), 0) + tc
	if http {
		tr := ms(e.Tr)
		if tr < 0 {
			return -1
		}
		before += tr
	}
	return ms(e.Tt) - before
}

// requestTime is when the request started: RequestTime or, when zero,
// AcceptTime + Th + Ti as HAProxy computes it.
func (e *Entry) requestTime() time.Time {
	if !e.RequestTime.IsZero() {
		return e.RequestTime
	}
	if e.Ti < 0 {
		return e.AcceptTime
	}
	return e.AcceptTime.Add(time.Duration(max(ms(e.Th), 0)+ms(e.Ti)) * time.Millisecond)
}

func (f *Format) asapMark(dst []byte) []byte {
	if f.asap {
		dst = append(dst, '+')
	}
	return dst
}

func (f *Format) appendPortOrListener(dst []byte, ap netip.AddrPort, e *Entry, opts uint8) []byte {
	if e.UnixListenerID > 0 {
		return appendInt(dst, e.UnixListenerID)
	}
	return appendPort(dst, ap, opts)
}

func orDash(c byte) byte {
	if c == 0 {
		return '-'
	}
	return c
}

func quoteOpen(dst []byte, opts uint8) []byte {
	if opts&optQuote != 0 {
		dst = append(dst, '"')
	}
	return dst
}

// appendText writes a text value as HAProxy's lf_text_len does: quoted
// with +Q, escaped with +E, and "-" when empty under +M (without +Q).
func appendText[T string | []byte](dst []byte, s T, opts uint8) []byte {
	q := opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	switch {
	case len(s) > 0 && opts&optEsc != 0:
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '"' || c == '\\' || c == ']' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
	case len(s) > 0:
		dst = append(dst, s...)
	case !q && opts&optMandatory != 0:
		dst = append(dst, '-')
	}
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendIP writes an address's IP, in hex with +X; "-" when invalid.
func appendIP(dst []byte, ap netip.AddrPort, opts uint8) []byte {
	if !ap.IsValid() {
		return appendText(dst, "", opts)
	}
	a := ap.Addr().WithZone("")
	if opts&optHex != 0 {
		if a.Is4() {
			b := a.As4()
			for _, c := range b {
				dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
			}
		} else {
			b := a.As16()
			for _, c := range b {
				dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
			}
		}
		return dst
	}
	q := opts&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	dst = a.AppendTo(dst)
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendPort writes an address's port, in hex with +X; "-" when invalid.
func appendPort(dst []byte, ap netip.AddrPort, opts uint8) []byte {
	if !ap.IsValid() {
		return appendText(dst, "", opts)
	}
	if opts&optHex != 0 {
		return appendHex(dst, uint64(ap.Port()), 4)
	}
	return strconv.AppendUint(dst, uint64(ap.Port()), 10)
}

// appendHex writes v in upper-case hex with at least width digits.
func appendHex(dst []byte, v uint64, width int) []byte {
	var b [16]byte
	i := len(b)
	for v > 0 || len(b)-i < width {
		i--
		b[i] = hexDigits[v&15]
		v >>= 4
	}
	return append(dst, b[i:]...)
}

// appendPad writes v in decimal, left-padded with zeros to width digits.
func appendPad(dst []byte, v, width int) []byte {
	var b [20]byte
	i := len(b)
	for v > 0 || len(b)-i < width {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[i:]...)
}
