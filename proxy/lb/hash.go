package lb

// Hashing for the map-based algorithms (HAProxy's default `hash-type
// map-based`): the input is hashed and the server is map[hash % total
// weight]. goha uses FNV-1a with a final avalanche, so short or similar
// inputs still spread well; the exact server a given input lands on is not
// the one HAProxy would choose (HAProxy's choice depends on its own map
// layout too), only the properties are the same: stable while the farm does
// not change, and redistributed when it does.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hasher accumulates FNV-1a.
type hasher uint64

func newHasher() hasher { return fnvOffset }

func (h hasher) byte(c byte) hasher { return (h ^ hasher(c)) * fnvPrime }

func (h hasher) bytes(b []byte) hasher {
	for _, c := range b {
		h = (h ^ hasher(c)) * fnvPrime
	}
	return h
}

// sum finishes the hash with a 64-bit avalanche (splitmix64's finaliser).
func (h hasher) sum() uint64 {
	x := uint64(h)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
