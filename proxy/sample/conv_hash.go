package sample

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash/crc32"
)

// Hashes: to an integer (crc32, djb2...) or to binary digests (sha1,
// sha2).
var hashConvs = []convKw{
	{"crc32", hashConv(crc32.ChecksumIEEE)},
	{"crc32c", hashConv(func(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) })},
	{"djb2", hashConv(djb2)},
	{"sdbm", hashConv(sdbm)},
	{"sha1", strNoArgs(func(dst, in []byte) ([]byte, bool) { s := sha1.Sum(in); return append(dst, s[:]...), true })},
	{"sha2", compileSHA2},
}

func init() { registerConvs(hashConvs) }

// hashConv builds an integer hash converter; its optional argument (an
// avalanche flag in HAProxy) is accepted and ignored.
func hashConv(f func(b []byte) uint32) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) > 1 {
			return fmt.Errorf("at most one argument")
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toStr(x, v) {
				return false
			}
			v.t, v.i = stInt, int64(f(v.s))
			return true
		}
		return nil
	}
}

func djb2(b []byte) uint32 {
	h := uint32(5381)
	for _, c := range b {
		h = h*33 + uint32(c)
	}
	return h
}

func sdbm(b []byte) uint32 {
	var h uint32
	for _, c := range b {
		h = uint32(c) + (h << 6) + (h << 16) - h
	}
	return h
}

// sha2Digests are sha2's bit sizes.
var sha2Digests = map[string]func(dst, in []byte) ([]byte, bool){
	"224": func(dst, in []byte) ([]byte, bool) { s := sha256.Sum224(in); return append(dst, s[:]...), true },
	"256": func(dst, in []byte) ([]byte, bool) { s := sha256.Sum256(in); return append(dst, s[:]...), true },
	"384": func(dst, in []byte) ([]byte, bool) { s := sha512.Sum384(in); return append(dst, s[:]...), true },
	"512": func(dst, in []byte) ([]byte, bool) { s := sha512.Sum512(in); return append(dst, s[:]...), true },
}

// compileSHA2 compiles sha2([bits]).
func compileSHA2(c *conv, _ *Options) error {
	bits := "256"
	if len(c.args) > 0 {
		bits = c.args[0]
	}
	f := sha2Digests[bits]
	if f == nil {
		return fmt.Errorf("unsupported bit size %q", bits)
	}
	c.fn = strConv(func(dst, in []byte, _ *conv) ([]byte, bool) { return f(dst, in) })
	return nil
}
