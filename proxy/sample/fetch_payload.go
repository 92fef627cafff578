package sample

import "github.com/goha/goha/proxy/tlshello"

// The start of a TCP stream as tcp-request content rules see it (none
// in HTTP): its length and what a TLS ClientHello in it says.
var payloadFetches = []fetchKw{
	{"req.len", intFetch(payloadLen, stInt)},
	{"req_len", intFetch(payloadLen, stInt)},
	{"req.ssl_sni", strFetch(helloSNI)},
	{"req_ssl_sni", strFetch(helloSNI)},
	{"req.ssl_hello_type", intFetch(helloType, stInt)},
	{"req_ssl_hello_type", intFetch(helloType, stInt)},
}

func init() { registerFetches(payloadFetches) }

func payloadLen(x *Ctx) (int64, bool) {
	if x.Req != nil {
		return 0, false
	}
	return int64(len(x.Payload)), true
}

func helloSNI(x *Ctx) []byte {
	if x.Req != nil {
		return nil
	}
	h, st := tlshello.Parse(x.Payload)
	if st != tlshello.OK || h.SNI == nil {
		return nil
	}
	return h.SNI
}

func helloType(x *Ctx) (int64, bool) {
	if x.Req != nil {
		return 0, false
	}
	t, st := tlshello.HandshakeType(x.Payload)
	return int64(t), st == tlshello.OK
}
