package lb

// HAProxy's hash functions (`hash-type ... <function> [avalanche]`), used by
// consistent hashing so that a key reaches the server HAProxy would pick.
// They are 32-bit, as in HAProxy, and must stay bit-exact.

// hashFunc hashes a key.
type hashFunc func(key []byte) uint32

// hashFuncs maps the `hash-type` function name to its implementation; ""
// is the default, sdbm.
var hashFuncs = map[string]hashFunc{
	"":      hashSDBM,
	"sdbm":  hashSDBM,
	"djb2":  hashDJB2,
	"wt6":   hashWT6,
	"crc32": hashCRC32,
}

// hashSDBM is the sdbm database library's hash: h = c + h<<6 + h<<16 - h.
func hashSDBM(key []byte) uint32 {
	var h uint32
	for _, c := range key {
		h = uint32(c) + h<<6 + h<<16 - h
	}
	return h
}

// hashDJB2 is Bernstein's hash: h = h*33 + c from 5381.
func hashDJB2(key []byte) uint32 {
	h := uint32(5381)
	for _, c := range key {
		h = h<<5 + h + uint32(c)
	}
	return h
}

// hashWT6 is HAProxy's wt6: two accumulators rotated by amounts that
// depend on the data.
func hashWT6(key []byte) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	step0, step1 := uint32(6), uint32(18)
	for _, c := range key {
		t := uint32(c)
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		t = h1<<step0 | h1>>(32-step0)
		h1 = h0<<step1 | h0>>(32-step1)
		h0 = t
		t = (h0>>16 ^ h1) & 0xffff
		step0 = t & 0x1f
		step1 = t >> 11
	}
	return h0 ^ h1
}

// hashCRC32 is the IEEE CRC-32 (reflected, polynomial 0xedb88320).
func hashCRC32(key []byte) uint32 {
	h := ^uint32(0)
	for _, c := range key {
		h ^= uint32(c)
		for range 8 {
			h = h>>1 ^ 0xedb88320&-(h&1)
		}
	}
	return ^h
}

// fullHash is Bob Jenkins' 32-bit integer avalanche then a multiplication
// by a large odd prime, HAProxy's full_hash:
// the `avalanche` modifier, and the function that places server points on
// the consistent-hash ring. It is a bijection of the 32-bit integers.
func fullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + a<<12
	a = (a ^ 0xc761c23c) ^ a>>19
	a = (a + 0x165667b1) + a<<5
	a = (a + 0xd3a2646c) ^ a<<9
	a = (a + 0xfd7046c5) + a<<3
	a = (a ^ 0xb55a4f09) ^ a>>16
	// Spread the result over the ring: an odd prime close to 3/4 of 2^32.
	return a * 3221225473
}
