// Package shacrypt verifies passwords against crypt(3) hashes of the
// SHA-crypt family ("$5$" SHA-256 and "$6$" SHA-512, with an optional
// "rounds=N$"), the hashes `userlist ... password` lines carry: HAProxy
// hands them to the C library's crypt(3); goha computes them itself.
package shacrypt

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"strconv"
	"strings"
)

// Rounds bounds and default, as the SHA-crypt specification sets them.
const (
	defaultRounds = 5000
	minRounds     = 1000
	maxRounds     = 999999999
	maxSalt       = 16
)

// variant is one member of the family: its hash and the order in which
// the digest's bytes are encoded, three at a time, then the tail.
type variant struct {
	newHash func() hash.Hash
	groups  [][3]int
	tail    []int // last bytes: encoded as one group with leading zeros
}

var variants = map[string]variant{
	"5": {sha256.New, [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
		{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}}, []int{31, 30}},
	"6": {sha512.New, [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
		{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
		{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}}, []int{63}},
}

// Supported reports whether hashed is a hash this package computes.
func Supported(hashed string) bool {
	_, _, _, _, ok := split(hashed)
	return ok
}

// Verify reports whether password hashes to hashed. A hash of another
// scheme never matches.
func Verify(password, hashed string) bool {
	id, salt, rounds, custom, ok := split(hashed)
	if !ok {
		return false
	}
	got := sum(variants[id], id, []byte(password), []byte(salt), rounds, custom)
	return subtle.ConstantTimeCompare([]byte(got), []byte(hashed)) == 1
}

// split parses "$ID$[rounds=N$]SALT$DIGEST".
func split(hashed string) (id, salt string, rounds int, custom, ok bool) {
	parts := strings.Split(hashed, "$")
	if len(parts) < 4 || parts[0] != "" {
		return "", "", 0, false, false
	}
	id = parts[1]
	if _, ok := variants[id]; !ok {
		return "", "", 0, false, false
	}
	rest := parts[2:]
	rounds = defaultRounds
	if r, found := strings.CutPrefix(rest[0], "rounds="); found && len(rest) >= 3 {
		n, err := strconv.ParseUint(r, 10, 64)
		if err != nil {
			return "", "", 0, false, false
		}
		rounds, custom = int(min(max(n, minRounds), maxRounds)), true
		rest = rest[1:]
	}
	if len(rest) != 2 {
		return "", "", 0, false, false
	}
	salt = rest[0]
	if len(salt) > maxSalt {
		salt = salt[:maxSalt]
	}
	return id, salt, rounds, custom, true
}

// repeatTo returns src repeated (and cut) to n bytes.
func repeatTo(src []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, src[:min(len(src), n-len(out))]...)
	}
	return out
}

// sum computes the full hash string of password with salt.
func sum(v variant, id string, password, salt []byte, rounds int, custom bool) string {
	h := v.newHash()
	h.Write(password)
	h.Write(salt)
	h.Write(password)
	b := h.Sum(nil)
	h.Reset()
	h.Write(password)
	h.Write(salt)
	h.Write(repeatTo(b, len(password)))
	for n := len(password); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write(b)
		} else {
			h.Write(password)
		}
	}
	a := h.Sum(nil)
	h.Reset()
	for range len(password) {
		h.Write(password)
	}
	p := repeatTo(h.Sum(nil), len(password))
	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(salt)
	}
	s := repeatTo(h.Sum(nil), len(salt))
	c := a
	for i := range rounds {
		h.Reset()
		if i&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(s)
		}
		if i%7 != 0 {
			h.Write(p)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(c[:0])
	}
	var out strings.Builder
	out.WriteString("$" + id + "$")
	if custom {
		out.WriteString("rounds=" + strconv.Itoa(rounds) + "$")
	}
	out.Write(salt)
	out.WriteByte('$')
	for _, g := range v.groups {
		encode(&out, uint(c[g[0]])<<16|uint(c[g[1]])<<8|uint(c[g[2]]), 4)
	}
	var w uint
	for _, i := range v.tail {
		w = w<<8 | uint(c[i])
	}
	encode(&out, w, len(v.tail)+1)
	return out.String()
}

const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encode writes n characters of w, six bits at a time, lowest first.
func encode(out *strings.Builder, w uint, n int) {
	for range n {
		out.WriteByte(alphabet[w&63])
		w >>= 6
	}
}
