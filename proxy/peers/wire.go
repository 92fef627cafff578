package peers

import (
	"errors"
	"fmt"
)

// errTruncated is a varint or field running past the end of its message.
var errTruncated = errors.New("peers: truncated message")

// appendVarint appends i in the protocol's variable-length encoding
// (HAProxy's intencode()): below 240 one byte; else the low 4 bits with
// the 0xf0 marker, then 7 bits per byte, the high bit meaning "more".
func appendVarint(b []byte, i uint64) []byte {
	if i < 240 {
		return append(b, byte(i))
	}
	b = append(b, byte(i)|240)
	i = (i - 240) >> 4
	for i >= 128 {
		b = append(b, byte(i)|128)
		i = (i - 128) >> 7
	}
	return append(b, byte(i))
}

// maxVarintLen bounds a varint: 10 bytes carry 64 bits.
const maxVarintLen = 10

// readVarint decodes a varint at the start of b and returns it with the
// number of bytes read (HAProxy's intdecode()).
func readVarint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, errTruncated
	}
	i := uint64(b[0])
	if i < 240 {
		return i, 1, nil
	}
	shift := uint(4)
	for n := 1; ; n++ {
		if n >= len(b) {
			return 0, 0, errTruncated
		}
		if n >= maxVarintLen {
			return 0, 0, fmt.Errorf("peers: varint longer than %d bytes", maxVarintLen)
		}
		i += uint64(b[n]) << shift
		shift += 7
		if b[n] < 128 {
			return i, n + 1, nil
		}
	}
}

// reader walks a message payload.
type reader struct {
	b   []byte
	err error
}

// varint reads a varint; after an error it returns 0.
func (r *reader) varint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n, err := readVarint(r.b)
	if err != nil {
		r.err = err
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes reads n bytes.
func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errTruncated
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// u32 reads a 32-bit big-endian number.
func (r *reader) u32() uint32 {
	v := r.bytes(4)
	if v == nil {
		return 0
	}
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

// appendU32 appends a 32-bit big-endian number.
func appendU32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
