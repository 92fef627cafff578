package stick

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// KeyType is the type of a table's keys.
type KeyType int

// Key types, as `stick-table type` names them.
const (
	KeyIP KeyType = iota
	KeyIPv6
	KeyInteger
	KeyString
	KeyBinary
)

var keyTypeNames = [...]string{KeyIP: "ip", KeyIPv6: "ipv6", KeyInteger: "integer", KeyString: "string", KeyBinary: "binary"}

// String is the type's name in `stick-table type` and `show table`.
func (k KeyType) String() string { return keyTypeNames[k] }

// Key is a normalised key of one table: 4 bytes in network order for
// ip, 16 for ipv6, 4 in little-endian order for integer (so entries sort
// as HAProxy's byte-wise tree sorts them on x86), the string cut to the
// table's length for string, and KeySize bytes (zero-padded) for binary.
// Build keys with the table's Key* methods.
type Key string

// ErrKeyType is returned when a value cannot be a key of the table's type.
var ErrKeyType = errors.New("stick: value does not fit the table's key type")

// KeyAddr returns the key of a client address: an IPv4 address in an
// ipv6 table is mapped (::ffff:a.b.c.d), a mapped IPv6 address in an ip
// table is unmapped, and any other IPv6 address does not fit an ip table.
// Integer and string tables take the address's text, as HAProxy's sample
// casts do.
func (t *Table) KeyAddr(a netip.Addr) (Key, error) {
	switch t.keyType {
	case KeyIP:
		a = a.Unmap()
		if !a.Is4() {
			return "", ErrKeyType
		}
		b := a.As4()
		return Key(b[:]), nil
	case KeyIPv6:
		b := a.As16()
		return Key(b[:]), nil
	case KeyString:
		return t.KeyString(a.String()), nil
	case KeyBinary:
		return t.KeyBytes(a.AsSlice()), nil
	}
	return "", ErrKeyType
}

// KeyInt returns the key of an integer (HAProxy keeps its low 32 bits).
func (t *Table) KeyInt(v int64) (Key, error) {
	if t.keyType != KeyInteger {
		if t.keyType == KeyString {
			return t.KeyString(strconv.FormatInt(v, 10)), nil
		}
		return "", ErrKeyType
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return Key(b[:]), nil
}

// KeyString returns the key of a string: cut at a NUL byte and to the
// table's length (a string table keeps KeySize-1 bytes).
func (t *Table) KeyString(s string) Key {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > t.keySize-1 {
		s = s[:t.keySize-1]
	}
	return Key(s)
}

// KeyBytes returns the key of binary data: zero-padded or cut to the
// table's length.
func (t *Table) KeyBytes(b []byte) Key {
	if len(b) >= t.keySize {
		return Key(b[:t.keySize])
	}
	k := make([]byte, t.keySize)
	copy(k, b)
	return Key(k)
}

// errKeyUnsupported is the `key` of a binary table on the CLI.
var errKeyUnsupported = errors.New("binary keys")

// errInvalidKey is HAProxy's "Invalid key".
var errInvalidKey = errors.New("Invalid key")

// ParseCLIKey reads the `key K` of `show/set/clear table` as HAProxy 2.6
// does: ip with its lenient dotted reader (garbage reads as 0),
// ipv6 strictly, integer as strtoul in 32 bits, string as is. Binary
// keys are not supported on the CLI.
func (t *Table) ParseCLIKey(s string) (Key, error) {
	switch t.keyType {
	case KeyIP:
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], inetaddrHost(s))
		return Key(b[:]), nil
	case KeyIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", errInvalidKey
		}
		b := a.As16()
		return Key(b[:]), nil
	case KeyInteger:
		v, ok := strtoul32(s)
		if !ok {
			return "", errInvalidKey
		}
		return t.KeyInt(int64(v))
	case KeyString:
		return t.KeyString(s), nil
	}
	return "", errKeyUnsupported
}

// inetaddrHost is HAProxy's inetaddr_host(): up to four dot-separated
// groups of digits, the last three digits of each group used, anything
// else ending the address (so "foo" is 0.0.0.0 and "1" is 1.0.0.0). The
// per-byte arithmetic may carry into the next byte, as HAProxy's does.
func inetaddrHost(text string) uint32 {
	const zero = uint32('0')<<24 | uint32('0')<<16 | uint32('0')<<8 | uint32('0')
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	d1, d10, d100 := zero, zero, zero
	s, start, p := 24, 0, 0
	for {
		if c := at(p); c >= '0' && c <= '9' {
			p++
			continue
		}
		digits := []*uint32{&d1, &d10, &d100}
		for i, d := 0, p-1; d >= start && i < 3; i, d = i+1, d-1 {
			*digits[i] |= uint32(text[d]) << s
		}
		if s == 0 || at(p) != '.' {
			break
		}
		s -= 8
		p++
		start = p
	}
	d100 -= zero
	d10 -= zero
	d1 -= zero
	return (d100*10+d10)*10 + d1
}

// strtoul32 is C's strtoul(s, &end, 10) as HAProxy checks it for an
// integer key: blanks, a sign, at least one digit, no overflow, at most
// 32 bits; trailing garbage is ignored. A minus sign negates in unsigned
// arithmetic, which then exceeds 32 bits unless the value is 0.
func strtoul32(s string) (uint32, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		d := uint64(s[n] - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
		n++
	}
	if n == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	if v > 0xffffffff {
		return 0, false
	}
	return uint32(v), true
}

// formatKey writes a key as `show table` prints it: dotted or IPv6 text,
// the integer in decimal, the string escaped (HAProxy's dump_text()),
// binary in upper-case hex.
func (t *Table) formatKey(b []byte, k Key) []byte {
	switch t.keyType {
	case KeyIP:
		return netip.AddrFrom4([4]byte([]byte(k))).AppendTo(b)
	case KeyIPv6:
		return netip.AddrFrom16([16]byte([]byte(k))).AppendTo(b)
	case KeyInteger:
		return strconv.AppendUint(b, uint64(binary.LittleEndian.Uint32([]byte(k))), 10)
	case KeyString:
		return appendText(b, string(k))
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(k); i++ {
		b = append(b, hex[k[i]>>4], hex[k[i]&15])
	}
	return b
}

// textEscapes are the characters dump_text() writes as a backslash and a
// letter.
var textEscapes = map[byte]byte{' ': ' ', '\t': 't', '\n': 'n', '\r': 'r', 0x1b: 'e', '\\': '\\', '=': '='}

// appendText is HAProxy's dump_text(): printable ASCII as is, a few
// characters backslash-escaped, others as \xHH.
func appendText(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if e, ok := textEscapes[c]; ok {
			b = append(b, '\\', e)
		} else if c > 0x20 && c < 0x7f {
			b = append(b, c)
		} else {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// KeyType is the type of the table's keys.
func (t *Table) KeyType() KeyType { return t.keyType }
