package tlshello

// Status says how far the bytes at hand go.
type Status int

const (
	// OK: the answer is known.
	OK Status = iota
	// NeedMore: not enough bytes yet to decide.
	NeedMore
	// NotHello: the bytes are not (the start of) a TLS handshake, or the
	// requested part is absent; more bytes will not change that.
	NotHello
)

// Hello is what is read from a ClientHello.
type Hello struct {
	// SNI is the host_name of the server_name extension (nil when the
	// client sent none). It points into the parsed buffer.
	SNI []byte
}

// HandshakeType returns the type of the first handshake message (1 for a
// ClientHello), once the whole message is at hand, as HAProxy's
// req_ssl_hello_type does: an SSLv3/TLS record of type 0x14..0x17 (or
// 0xff) with version 3.x, a length of at least 4, and the full
// handshake message present.
func HandshakeType(b []byte) (int, Status) {
	if len(b) == 0 {
		return 0, NeedMore
	}
	if !(b[0] >= 0x14 && b[0] <= 0x17 || b[0] == 0xff) {
		return 0, NotHello
	}
	if len(b) < 9 {
		return 0, NeedMore
	}
	if int(b[1])<<16|int(b[2])<<8 < 0x030000 {
		return 0, NotHello
	}
	if int(b[3])<<8|int(b[4]) < 4 {
		return 0, NotHello
	}
	hsLen := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
	if len(b) < 9+hsLen {
		return 0, NeedMore
	}
	return int(b[5]), OK
}

// Parse reads the ClientHello in the first TLS record of b. Status is OK
// when the record is complete and holds a well-formed ClientHello (SNI
// may still be nil), NeedMore when the record is not complete yet, and
// NotHello otherwise.
func Parse(b []byte) (Hello, Status) {
	var h Hello
	if len(b) < 5 {
		if len(b) > 0 && b[0] != 0x16 {
			return h, NotHello
		}
		return h, NeedMore
	}
	if b[0] != 0x16 || b[1] != 3 {
		return h, NotHello
	}
	recLen := int(b[3])<<8 | int(b[4])
	if recLen < 4 {
		return h, NotHello
	}
	if len(b) < 5+recLen {
		return h, NeedMore
	}
	p := b[5 : 5+recLen]
	if p[0] != 1 { // client_hello
		return h, NotHello
	}
	hsLen := int(p[1])<<16 | int(p[2])<<8 | int(p[3])
	p = p[4:]
	if hsLen < len(p) {
		p = p[:hsLen]
	}
	// client_version(2) random(32)
	if len(p) < 34 {
		return h, NotHello
	}
	p = p[34:]
	// session_id
	var ok bool
	if p, ok = skipVec(p, 1); !ok {
		return h, NotHello
	}
	// cipher_suites
	if p, ok = skipVec(p, 2); !ok {
		return h, NotHello
	}
	// compression_methods
	if p, ok = skipVec(p, 1); !ok {
		return h, NotHello
	}
	if len(p) == 0 {
		return h, OK // no extensions
	}
	if len(p) < 2 {
		return h, NotHello
	}
	extLen := int(p[0])<<8 | int(p[1])
	p = p[2:]
	if extLen < len(p) {
		p = p[:extLen]
	}
	for len(p) >= 4 {
		typ := int(p[0])<<8 | int(p[1])
		l := int(p[2])<<8 | int(p[3])
		p = p[4:]
		if l > len(p) {
			return h, NotHello
		}
		ext := p[:l]
		p = p[l:]
		if typ != 0 { // server_name
			continue
		}
		if len(ext) < 2 {
			return h, NotHello
		}
		list := int(ext[0])<<8 | int(ext[1])
		ext = ext[2:]
		if list < len(ext) {
			ext = ext[:list]
		}
		for len(ext) >= 3 {
			nt := ext[0]
			nl := int(ext[1])<<8 | int(ext[2])
			ext = ext[3:]
			if nl > len(ext) {
				return h, NotHello
			}
			if nt == 0 { // host_name
				h.SNI = ext[:nl]
				return h, OK
			}
			ext = ext[nl:]
		}
		return h, OK
	}
	return h, OK
}

// skipVec skips a vector with an n-byte length prefix.
func skipVec(p []byte, n int) ([]byte, bool) {
	if len(p) < n {
		return nil, false
	}
	l := 0
	for i := 0; i < n; i++ {
		l = l<<8 | int(p[i])
	}
	p = p[n:]
	if l > len(p) {
		return nil, false
	}
	return p[l:], true
}
