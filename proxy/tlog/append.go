package tlog

import (
	"net/netip"
	"strconv"
	"time"
)

const hexDigits = "0123456789ABCDEF"

// Append formats e by f, appends the line to dst and returns the extended
// slice. It allocates nothing when dst has room for the line.
//
// Each step prints its separator and literal text here; its variable is
// printed by the step's row of appenders.
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
		fn := o.fn
		if fn == nil {
			continue // opText: the step was only its separator and text
		}
		var printed bool
		if dst, printed = fn(f, dst, e, o); printed {
			lastSpace = false
		}
	}
	return dst
}

// appendFunc prints one variable of a log line. It reports false when it
// printed nothing and leaves the separator state as it was (an absent
// %hr), true otherwise, even for an empty value.
type appendFunc func(f *Format, dst []byte, e *Entry, o *op) ([]byte, bool)

// appenders is the printer of each variable, indexed by its op. opText and
// opGlobal (resolved at compile time) have none.
var appenders = [opGlobal + 1]appendFunc{
	opText:         nil,
	opClientIP:     appendClientIP,
	opClientPort:   appendClientPort,
	opFrontendIP:   appendFrontendIP,
	opFrontendPort: appendFrontendPort,
	opBackendIP:    appendBackendIP,
	opBackendPort:  appendBackendPort,
	opServerIP:     appendServerIP,
	opServerPort:   appendServerPort,
	opDate:         appendAcceptDate,
	opReqDate:      appendReqDate,
	opDateGMT:      appendAcceptGMT,
	opReqGMT:       appendReqGMT,
	opDateLocal:    appendAcceptLocal,
	opReqLocal:     appendReqLocal,
	opTs:           appendTs,
	opMs:           appendMs,
	opFrontend:     appendFrontend,
	opFrontendX:    appendFrontendX,
	opBackend:      appendBackend,
	opServer:       appendServer,
	opTh:           appendTh,
	opTi:           appendTi,
	opTR:           appendTR,
	opTq:           appendTq,
	opTw:           appendTw,
	opTc:           appendTc,
	opTr:           appendTr,
	opTd:           appendTd,
	opTa:           appendTa,
	opTt:           appendTt,
	opTu:           appendTu,
	opStatus:       appendStatus,
	opBytes:        appendBytes,
	opBytesUp:      appendBytesUp,
	opCC:           appendCC,
	opCS:           appendCS,
	opTermState:    appendTermState,
	opTermStateCk:  appendTermStateCk,
	opActConn:      appendActConn,
	opFeConn:       appendFeConn,
	opBeConn:       appendBeConn,
	opSrvConn:      appendSrvConn,
	opRetries:      appendRetries,
	opSrvQueue:     appendSrvQueue,
	opBckQueue:     appendBckQueue,
	opHdrReq:       appendHdrReq,
	opHdrReqList:   appendHdrReqList,
	opHdrRes:       appendHdrRes,
	opHdrResList:   appendHdrResList,
	opReq:          appendReq,
	opHTTPPath:     appendReqPart,
	opHTTPPathOnly: appendReqPart,
	opHTTPQuery:    appendReqPart,
	opHTTPURI:      appendReqPart,
	opHTTPMethod:   appendReqPart,
	opHTTPVersion:  appendReqPart,
	opCounter:      appendCounter,
	opLogCount:     appendLogCount,
	opHostname:     appendHostname,
	opPID:          appendPID,
	opUniqueID:     appendUniqueID,
	opSSLVersion:   appendSSLVersion,
	opSSLCipher:    appendSSLCipher,
	opExpr:         appendExpr,
	opGlobal:       nil,
}

// Addresses: %ci %cp %fi %fp print "unix" and the listener's ID on a
// UNIX socket; %bi %bp %si %sp the connection's own addresses.

func appendClientIP(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if e.UnixListenerID > 0 {
		return appendText(dst, "unix", o.opts), true
	}
	return appendIP(dst, e.Client, o.opts), true
}

func appendClientPort(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendPortOrListener(dst, e.Client, e, o.opts), true
}

func appendFrontendIP(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if e.UnixListenerID > 0 {
		return appendText(dst, "unix", o.opts), true
	}
	return appendIP(dst, e.Frontend, o.opts), true
}

func appendFrontendPort(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendPortOrListener(dst, e.Frontend, e, o.opts), true
}

func appendBackendIP(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendIP(dst, e.BackendSrc, o.opts), true
}

func appendBackendPort(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendPort(dst, e.BackendSrc, o.opts), true
}

func appendServerIP(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendIP(dst, e.Server, o.opts), true
}

func appendServerPort(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendPort(dst, e.Server, o.opts), true
}

// Dates: %t %tr in the format's zone through the per-second cache, %T %trg
// in GMT, %Tl %trl local with the zone offset, %Ts %ms the accept time's
// seconds and milliseconds.

func appendAcceptDate(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return f.appendDate(dst, e.AcceptTime), true
}

func appendReqDate(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return f.appendDate(dst, e.requestTime()), true
}

func appendAcceptGMT(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendDateZone(dst, e.AcceptTime.UTC(), false), true
}

func appendReqGMT(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendDateZone(dst, e.requestTime().UTC(), false), true
}

func appendAcceptLocal(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendDateZone(dst, e.AcceptTime.In(f.loc), true), true
}

func appendReqLocal(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendDateZone(dst, e.requestTime().In(f.loc), true), true
}

func appendTs(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if o.opts&optHex != 0 {
		return appendHex(dst, uint64(uint32(e.AcceptTime.Unix())), 4), true
	}
	return appendInt(dst, e.AcceptTime.Unix()), true
}

func appendMs(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	ms := e.AcceptTime.Nanosecond() / 1e6
	if o.opts&optHex != 0 {
		return appendHex(dst, uint64(ms), 2), true
	}
	return appendPad(dst, ms, 3), true
}

// Names: %f, %ft (with '~' after TLS), %b (the frontend's before a
// backend is chosen), %s (<NOSRV> before a server is).

func appendFrontend(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendText(dst, e.FrontendName, o.opts), true
}

func appendFrontendX(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	dst = quoteOpen(dst, o.opts)
	dst = append(dst, e.FrontendName...)
	if e.TLS {
		dst = append(dst, '~')
	}
	return quoteOpen(dst, o.opts), true
}

func appendBackend(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if e.BackendName == "" {
		return appendText(dst, e.FrontendName, o.opts), true
	}
	return appendText(dst, e.BackendName, o.opts), true
}

func appendServer(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if e.ServerName == "" {
		return appendText(dst, "<NOSRV>", o.opts), true
	}
	return appendText(dst, e.ServerName, o.opts), true
}

// Timers, in milliseconds, -1 when the phase was not reached. %Ta, %Tt
// and %Tu carry logasap's '+'.

func appendTh(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.Th)), true
}

func appendTi(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.Ti)), true
}

func appendTR(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.TR)), true
}

func appendTq(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, e.tq()), true
}

func appendTw(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.Tw)), true
}

func appendTc(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.Tc)), true
}

func appendTr(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, ms(e.Tr)), true
}

func appendTd(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, e.td(f.http)), true
}

func appendTa(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(f.asapMark(dst), e.ta()), true
}

func appendTt(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(f.asapMark(dst), ms(e.Tt)), true
}

func appendTu(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(f.asapMark(dst), ms(e.Tt)-max(ms(e.Ti), 0)), true
}

// Status, byte counts and cookies.

func appendStatus(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.Status)), true
}

func appendBytes(f *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(f.asapMark(dst), e.BytesOut), true
}

func appendBytesUp(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, e.BytesIn), true
}

func appendCC(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendText(dst, e.ClientCookie, o.opts), true
}

func appendCS(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendText(dst, e.ServerCookie, o.opts), true
}

func appendTermState(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return append(dst, orDash(e.Term[0]), orDash(e.Term[1])), true
}

func appendTermStateCk(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return append(dst, orDash(e.Term[0]), orDash(e.Term[1]), orDash(e.Cookie[0]), orDash(e.Cookie[1])), true
}

// Connection counts, retries ('+' after a redispatch) and queues.

func appendActConn(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.ActConn)), true
}

func appendFeConn(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.FeConn)), true
}

func appendBeConn(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.BeConn)), true
}

func appendSrvConn(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.SrvConn)), true
}

func appendRetries(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	if e.Redispatched {
		dst = append(dst, '+')
	}
	return appendInt(dst, int64(e.Retries)), true
}

func appendSrvQueue(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.SrvQueue)), true
}

func appendBckQueue(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendInt(dst, int64(e.BackendQueue)), true
}

// Header captures: without any, %hr %hrl %hs %hsl print nothing and leave
// the separator state as it was.

func appendHdrReq(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if len(e.ReqCaptures) == 0 {
		return dst, false
	}
	return appendCaptures(dst, e.ReqCaptures, o.opts), true
}

func appendHdrRes(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if len(e.ResCaptures) == 0 {
		return dst, false
	}
	return appendCaptures(dst, e.ResCaptures, o.opts), true
}

func appendHdrReqList(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if len(e.ReqCaptures) == 0 {
		return dst, false
	}
	return appendCaptureList(dst, e.ReqCaptures, o.opts), true
}

func appendHdrResList(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if len(e.ResCaptures) == 0 {
		return dst, false
	}
	return appendCaptureList(dst, e.ResCaptures, o.opts), true
}

// The request line: %r whole (<BADREQ> when none was read), %HM %HU %HP
// %HPO %HQ %HV the part their op names.

func appendReq(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	line := e.ReqLine
	if line == nil {
		line = badReq
	}
	dst = quoteOpen(dst, o.opts)
	dst = appendEncoded(dst, line, &urlEncode, o.opts)
	return quoteOpen(dst, o.opts), true
}

func appendReqPart(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	dst = quoteOpen(dst, o.opts)
	dst = appendEncoded(dst, reqPart(e.ReqLine, o.kind), &urlEncode, o.opts)
	return quoteOpen(dst, o.opts), true
}

// Counters and identity: %rt %lc %H %pid %ID.

func appendCounter(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if o.opts&optHex != 0 {
		return appendHex(dst, uint64(uint32(e.RequestCounter)), 4), true
	}
	return strconv.AppendUint(dst, e.RequestCounter, 10), true
}

func appendLogCount(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	if o.opts&optHex != 0 {
		return appendHex(dst, uint64(uint32(e.logCount)), 4), true
	}
	return strconv.AppendUint(dst, e.logCount, 10), true
}

func appendHostname(f *Format, dst []byte, _ *Entry, o *op) ([]byte, bool) {
	return appendText(dst, f.host, o.opts), true
}

func appendPID(f *Format, dst []byte, _ *Entry, o *op) ([]byte, bool) {
	if o.opts&optHex != 0 {
		return appendHex(dst, uint64(f.pid), 4), true
	}
	return appendInt(dst, int64(f.pid)), true
}

func appendUniqueID(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	return appendText(dst, e.UniqueID, o.opts), true
}

// ta is %Ta, the active time: Tt minus the handshake and idle times
// (minus nothing when Ti is -1, as HAProxy does).
// appendExpr prints a sample expression's value as HAProxy's
// lf_text_len does: "-" when there is none or it is empty (without +Q).
func appendExpr(_ *Format, dst []byte, e *Entry, o *op) ([]byte, bool) {
	v, _ := o.expr(e)
	return appendText(dst, v, o.opts), true
}

func (e *Entry) ta() int64 {
	if ti := ms(e.Ti); ti >= 0 {
		return ms(e.Tt) - ti - max(ms(e.Th), 0)
	}
	return ms(e.Tt)
}

// appendInt writes v in decimal; counters and timers are mostly one
// digit, which skips strconv. It is small enough to inline into each
// appender.
func appendInt(dst []byte, v int64) []byte {
	if uint64(v) >= 10 {
		return appendDecimal(dst, v)
	}
	return append(dst, '0'+byte(v))
}

// appendDecimal is appendInt's path for more than one digit, kept out of
// line so that appendInt inlines.
//
//go:noinline
func appendDecimal(dst []byte, v int64) []byte {
	return strconv.AppendInt(dst, v, 10)
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

// appendPortOrListener writes ap's port, or the listener's ID on a UNIX
// socket.
func appendPortOrListener(dst []byte, ap netip.AddrPort, e *Entry, opts uint8) []byte {
	if e.UnixListenerID > 0 {
		return appendInt(dst, int64(e.UnixListenerID))
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
