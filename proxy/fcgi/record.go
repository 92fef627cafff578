package fcgi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Record types (FastCGI 1.0, section 8).
const (
	TypeBeginRequest    = 1
	TypeAbortRequest    = 2
	TypeEndRequest      = 3
	TypeParams          = 4
	TypeStdin           = 5
	TypeStdout          = 6
	TypeStderr          = 7
	TypeData            = 8
	TypeGetValues       = 9
	TypeGetValuesResult = 10
	TypeUnknownType     = 11
)

// Roles and flags of FCGI_BEGIN_REQUEST, protocol statuses of
// FCGI_END_REQUEST.
const (
	RoleResponder = 1
	FlagKeepConn  = 1

	StatusRequestComplete = 0
	StatusCantMpxConn     = 1
	StatusOverloaded      = 2
	StatusUnknownRole     = 3
)

// HeaderSize is the size of a record header; MaxContent the largest
// content a record carries.
const (
	HeaderSize = 8
	MaxContent = 65535
	version1   = 1
)

// ErrProtocol is what a Conn reports when the application broke the
// protocol: a malformed, oversized or unexpected record, or a response
// head that is not a CGI one or does not fit. The stream answers 502
// with the PH termination flags.
var ErrProtocol = errors.New("fcgi: protocol error")

// protoErr wraps ErrProtocol with what was wrong.
func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...)
}

// Header is a record header.
type Header struct {
	Version byte
	Type    byte
	ID      uint16
	Length  uint16 // content length
	Padding byte
}

// AppendHeader appends a record header of type t for request id with n
// content bytes (no padding).
func AppendHeader(dst []byte, t byte, id uint16, n int) []byte {
	return append(dst, version1, t, byte(id>>8), byte(id), byte(n>>8), byte(n), 0, 0)
}

// AppendRecord appends whole records of type t carrying content,
// split in records of at most MaxContent bytes; an empty content is one
// empty record (the end of a stream).
func AppendRecord(dst []byte, t byte, id uint16, content []byte) []byte {
	for {
		n := min(len(content), MaxContent)
		dst = AppendHeader(dst, t, id, n)
		dst = append(dst, content[:n]...)
		content = content[n:]
		if len(content) == 0 {
			return dst
		}
	}
}

// AppendBeginRequest appends an FCGI_BEGIN_REQUEST record for a
// responder.
func AppendBeginRequest(dst []byte, id uint16, keepConn bool) []byte {
	var flags byte
	if keepConn {
		flags = FlagKeepConn
	}
	dst = AppendHeader(dst, TypeBeginRequest, id, 8)
	return append(dst, 0, RoleResponder, flags, 0, 0, 0, 0, 0)
}

// ParseHeader decodes a record header, refusing a version other than 1.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, protoErr("short record header (%d bytes)", len(b))
	}
	h := Header{Version: b[0], Type: b[1], ID: binary.BigEndian.Uint16(b[2:]),
		Length: binary.BigEndian.Uint16(b[4:]), Padding: b[6]}
	if h.Version != version1 {
		return h, protoErr("record version %d", h.Version)
	}
	return h, nil
}

// AppendPair appends one name-value pair in FastCGI's encoding (lengths
// of one byte below 128, four bytes with the high bit set above).
func AppendPair(dst []byte, name, value string) []byte {
	dst = appendLen(dst, len(name))
	dst = appendLen(dst, len(value))
	dst = append(dst, name...)
	return append(dst, value...)
}

// appendPairBytes is AppendPair for byte slices.
func appendPairBytes(dst, name, value []byte) []byte {
	dst = appendLen(dst, len(name))
	dst = appendLen(dst, len(value))
	dst = append(dst, name...)
	return append(dst, value...)
}

func appendLen(dst []byte, n int) []byte {
	if n < 128 {
		return append(dst, byte(n))
	}
	return append(dst, byte(n>>24)|0x80, byte(n>>16), byte(n>>8), byte(n))
}

// Pair is one decoded name-value pair.
type Pair struct{ Name, Value string }

// ParsePairs decodes a whole name-value pair stream (PARAMS,
// GET_VALUES, GET_VALUES_RESULT content).
func ParsePairs(b []byte) ([]Pair, error) {
	var out []Pair
	for len(b) > 0 {
		nl, k, err := pairLen(b)
		if err != nil {
			return out, err
		}
		b = b[k:]
		vl, k, err := pairLen(b)
		if err != nil {
			return out, err
		}
		b = b[k:]
		if uint64(nl)+uint64(vl) > uint64(len(b)) {
			return out, protoErr("name-value pair of %d+%d bytes in %d", nl, vl, len(b))
		}
		out = append(out, Pair{string(b[:nl]), string(b[nl : nl+vl])})
		b = b[nl+vl:]
	}
	return out, nil
}

func pairLen(b []byte) (n, size int, err error) {
	if len(b) == 0 {
		return 0, 0, protoErr("name-value pair cut short")
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	if len(b) < 4 {
		return 0, 0, protoErr("name-value pair length cut short")
	}
	return int(binary.BigEndian.Uint32(b) & 0x7fffffff), 4, nil
}

// Record is one whole decoded record.
type Record struct {
	Header
	Content []byte
}

// ReadRecord reads one whole record from r into buf's storage (grown
// as needed, at most HeaderSize+MaxContent+255 bytes): the decoder the
// fuzz target exercises, and the tests' server side.
func ReadRecord(r io.Reader, buf []byte) (Record, []byte, error) {
	if cap(buf) < HeaderSize {
		buf = make([]byte, 0, 512)
	}
	buf = buf[:HeaderSize]
	if _, err := io.ReadFull(r, buf); err != nil {
		return Record{}, buf, err
	}
	h, err := ParseHeader(buf)
	if err != nil {
		return Record{}, buf, err
	}
	n := int(h.Length) + int(h.Padding)
	if cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Record{}, buf, err
	}
	return Record{Header: h, Content: buf[:h.Length]}, buf, nil
}

// EndRequest is the content of FCGI_END_REQUEST.
type EndRequest struct {
	AppStatus      uint32
	ProtocolStatus byte
}

// ParseEndRequest decodes FCGI_END_REQUEST's content: 8 bytes (more
// are tolerated and ignored, fewer are a protocol error).
func ParseEndRequest(b []byte) (EndRequest, error) {
	if len(b) < 8 {
		return EndRequest{}, protoErr("FCGI_END_REQUEST of %d bytes", len(b))
	}
	return EndRequest{AppStatus: binary.BigEndian.Uint32(b), ProtocolStatus: b[4]}, nil
}
