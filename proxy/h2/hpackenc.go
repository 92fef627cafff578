package h2

// What goha sends is HPACK-encoded here rather than by hpack.Encoder,
// as HAProxy does: no dynamic table (each indexed field would stay in
// memory for the connection's life, idle or not), so every field is a
// literal without indexing, its name taken from the static table when it
// is there; no Huffman coding (it costs more CPU than the bytes it saves
// on a local network are worth). The peer's decoder is never told of a
// table size: this side never refers to its dynamic table.

// staticNames maps the names of RFC 7541's static table to their first
// index.
var staticNames = func() map[string]uint8 {
	names := []string{":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme",
		":status", ":status", ":status", ":status", ":status", ":status", ":status",
		"accept-charset", "accept-encoding", "accept-language", "accept-ranges", "accept",
		"access-control-allow-origin", "age", "allow", "authorization", "cache-control",
		"content-disposition", "content-encoding", "content-language", "content-length",
		"content-location", "content-range", "content-type", "cookie", "date", "etag", "expect",
		"expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
		"if-unmodified-since", "last-modified", "link", "location", "max-forwards",
		"proxy-authenticate", "proxy-authorization", "range", "referer", "refresh", "retry-after",
		"server", "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent",
		"vary", "via", "www-authenticate"}
	m := make(map[string]uint8, len(names))
	for i, n := range names {
		if _, ok := m[n]; !ok {
			m[n] = uint8(i + 1)
		}
	}
	return m
}()

// staticStatus is the static table's index of the :status fields it has.
var staticStatus = map[string]byte{"200": 8, "204": 9, "206": 10, "304": 11, "400": 12, "404": 13, "500": 14}

// appendField appends the HPACK representation of f to b.
func appendField(b []byte, f headerField) []byte {
	if f.Name == ":status" {
		if i, ok := staticStatus[f.Value]; ok {
			return append(b, 0x80|i) // indexed header field
		}
	}
	first := byte(0x00) // literal without indexing
	if f.Sensitive {
		first = 0x10 // literal never indexed
	}
	return appendString(appendName(b, first, f.Name), f.Value)
}

// appendFieldBytes is appendField for a field of a parsed HTTP/1 head
// (name lowercase), never sensitive, without converting it to strings.
func appendFieldBytes(b []byte, name, value []byte) []byte {
	return appendString(appendName(b, 0x00, name), value)
}

// appendName starts a literal field whose first byte has the bits first:
// the name's static index, or the name itself.
func appendName[T string | []byte](b []byte, first byte, name T) []byte {
	if i, ok := staticNames[string(name)]; ok {
		return appendInt(b, first, 4, uint64(i))
	}
	return appendString(append(b, first), name)
}

// appendString appends s as a string literal without Huffman coding.
func appendString[T string | []byte](b []byte, s T) []byte {
	b = appendInt(b, 0, 7, uint64(len(s)))
	return append(b, s...)
}

// appendInt appends v as an HPACK integer with an n-bit prefix, the
// first byte's other bits being first (RFC 7541 §5.1).
func appendInt(b []byte, first byte, n uint, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(b, first|byte(v))
	}
	b = append(b, first|byte(max))
	for v -= max; v >= 128; v >>= 7 {
		b = append(b, byte(v&0x7f)|0x80)
	}
	return append(b, byte(v))
}
