package compress

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
)

// A fast deflate (RFC 1951) encoder of the kind libslz, HAProxy's
// compressor, is: each piece of a body is one block with the fixed
// Huffman codes, matches found through a single hash probe, and the
// symbols written as they are found, with no token buffer and no code
// tables to build. No state is kept between pieces: the hash table is
// shared by the streams, so many streams compressing at once stay
// within the CPU caches.

const (
	hashBits   = 14
	maxDist    = 32768 // deflate's window
	minMatch   = 4
	maxMatch   = 258
	tailMargin = 16 // the bytes left as literals at a piece's end, so loads stay in range
	maxPart    = 1 << 16
)

// matcher is a hash table of the positions of 4-byte sequences in a
// piece, shared by the streams (a pool): cleared for each piece, it
// stays small enough (32 kB) for the CPU's first-level cache.
type matcher struct {
	table [1 << hashBits]uint16
}

var matchers = sync.Pool{New: func() any { return new(matcher) }}

// code is a Huffman code ready for an LSB-first bit writer: its bits
// reversed, with extra bits above, and the total length.
type code struct {
	bits uint32
	n    uint8
}

var (
	litCodes  [256]code          // literals
	lenCodes  [maxMatch + 1]code // match lengths 3..258: the symbol and its extra bits
	distSyms  [512]uint8         // distance-1 -> symbol: below 256 directly, else at 256+((d-1)>>7)
	distRev   [30]uint32         // distance symbols' 5-bit codes, reversed
	distBase  [30]uint32
	distExtra [30]uint8
)

func init() {
	for i := range 256 {
		if i < 144 {
			litCodes[i] = code{reverse(0x30+uint32(i), 8), 8}
		} else {
			litCodes[i] = code{reverse(0x190+uint32(i-144), 9), 9}
		}
	}
	// Length symbols 257..285: base lengths and extra bits.
	base, sym := 3, 257
	for g := 0; g < 6; g++ {
		extra := g // 257..264 have none, then 1 to 5 by four symbols
		per := 4
		if g == 0 {
			per = 8
		}
		for k := 0; k < per; k++ {
			sc := symbolCode(sym)
			for e := 0; e < 1<<extra && base+e <= maxMatch; e++ {
				lenCodes[base+e] = code{sc.bits | uint32(e)<<sc.n, sc.n + uint8(extra)}
			}
			base += 1 << extra
			sym++
		}
	}
	lenCodes[maxMatch] = symbolCode(285)
	d := uint32(1)
	for s := range 30 {
		extra := max(s/2-1, 0)
		distRev[s], distBase[s], distExtra[s] = reverse(uint32(s), 5), d, uint8(extra)
		for k := uint32(0); k < 1<<extra; k++ {
			if v := d + k - 1; v < 256 {
				distSyms[v] = uint8(s)
			} else {
				distSyms[256+(v>>7)] = uint8(s)
			}
		}
		d += 1 << extra
	}
}

// symbolCode is the fixed code of a literal/length symbol from 256 up.
func symbolCode(sym int) code {
	if sym < 280 {
		return code{reverse(uint32(sym-256), 7), 7}
	}
	return code{reverse(0xc0+uint32(sym-280), 8), 8}
}

func reverse(v uint32, n int) uint32 { return bits.Reverse32(v) >> (32 - n) }

// bitWriter appends bits LSB first to a buffer of enough capacity.
type bitWriter struct {
	out []byte // written up to pos; len is the capacity usable
	pos int
	acc uint64
	n   uint
}

// put adds the n low bits of v, n at most 18; the bits pending stay
// below 46, so the sum fits in the 64-bit accumulator.
func (w *bitWriter) put(v uint32, n uint8) {
	w.pos, w.acc, w.n = put(w.out, w.pos, w.acc, w.n, v, n)
}

// align writes out the bits pending, the last byte padded with zeros.
func (w *bitWriter) align() {
	for w.n > 0 {
		w.out[w.pos] = byte(w.acc)
		w.pos++
		w.acc >>= 8
		w.n = uint(max(int(w.n)-8, 0))
	}
	w.acc = 0
}

// deflateBlock appends to dst the deflate encoding of in: a block with
// the fixed codes, or stored blocks when that would be larger; the
// last block when final is set, else followed by an empty stored block
// so that the output ends on a byte and a decoder can give out all of
// in at once (a sync flush).
func deflateBlock(dst, in []byte, final bool) []byte {
	start := len(dst)
	// Fixed codes take at most 9 bits a literal, a match fewer than
	// its bytes: in*9/8, the headers and 8 bytes of slack for put.
	need := len(in) + len(in)/8 + 40
	dst = slices.Grow(dst, need)
	w := bitWriter{out: dst[:cap(dst)], pos: start}
	fin := uint32(0)
	if final {
		fin = 1
	}
	w.put(fin|1<<1, 3) // BFINAL, BTYPE 01: fixed codes
	if len(in) > 0 {
		m := matchers.Get().(*matcher)
		// Table positions are 16 bits: a longer piece is matched by
		// parts (the proxy's pieces are a buffer, 16 kB by default).
		for p := in; len(p) > 0; p = p[min(len(p), maxPart):] {
			m.encode(&w, p[:min(len(p), maxPart)])
		}
		matchers.Put(m)
	}
	w.put(0, 7) // end of block: symbol 256
	if !final {
		// An empty stored block: its 3 header bits follow the end of
		// block, then the padding to a byte, LEN 0 and NLEN.
		w.put(0, 3)
		w.align()
		w.put(0xffff0000, 32)
	}
	w.align()
	if w.pos-start > len(in)+5*(len(in)/65535+2) {
		return storedBlocks(dst[:start], in, final)
	}
	return dst[:w.pos]
}

// storedBlocks appends in as stored blocks (the data as is), then the
// empty one of a sync flush unless final: a stored block with data
// ends on a byte too, but some decoders (Go's) give out its data only
// once they have read the next block's header.
func storedBlocks(dst, in []byte, final bool) []byte {
	for {
		n := min(len(in), 65535)
		last := byte(0)
		if final && n == len(in) {
			last = 1
		}
		dst = append(dst, last, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		dst = append(dst, in[:n]...)
		in = in[n:]
		if len(in) == 0 {
			if !final {
				dst = append(dst, 0, 0, 0, 0xff, 0xff)
			}
			return dst
		}
	}
}

// encode writes the symbols of in: greedy matching with one hash probe
// a position, skipping faster through data that does not match. The
// bit writer's state lives in locals (in registers) for the loop.
func (m *matcher) encode(w *bitWriter, in []byte) {
	m.table = [1 << hashBits]uint16{}
	out, pos, acc, nb := w.out, w.pos, w.acc, w.n
	lit, s := 0, 0
	for end := len(in) - tailMargin; s < end; {
		cv := binary.LittleEndian.Uint32(in[s:])
		h := (cv * 0x9e3779b1) >> (32 - hashBits)
		cand := int(m.table[h])
		m.table[h] = uint16(s)
		if uint(s-cand-1) >= maxDist || binary.LittleEndian.Uint32(in[cand:]) != cv {
			s += 1 + (s-lit)>>6
			continue
		}
		l := minMatch + matchLen(in[s+minMatch:min(len(in), s+maxMatch)], in[cand+minMatch:])
		for _, b := range in[lit:s] {
			c := litCodes[b]
			pos, acc, nb = put(out, pos, acc, nb, c.bits, c.n)
		}
		c := lenCodes[l]
		pos, acc, nb = put(out, pos, acc, nb, c.bits, c.n)
		d := uint32(s - cand)
		ds := distSym(d - 1)
		// Five bits of symbol, up to 13 of extra: at most 18 bits.
		pos, acc, nb = put(out, pos, acc, nb, distRev[ds]|(d-distBase[ds])<<5, 5+distExtra[ds])
		s += l
		lit = s
		if s < end {
			// The position before the next is indexed too: runs and
			// repeated fields then match from their second byte.
			p := s - 1
			m.table[(binary.LittleEndian.Uint32(in[p:])*0x9e3779b1)>>(32-hashBits)] = uint16(p)
		}
	}
	for _, b := range in[lit:] {
		c := litCodes[b]
		pos, acc, nb = put(out, pos, acc, nb, c.bits, c.n)
	}
	w.pos, w.acc, w.n = pos, acc, nb
}

// put is bitWriter.put on the writer's state held in locals.
func put(out []byte, pos int, acc uint64, nb uint, v uint32, n uint8) (int, uint64, uint) {
	acc |= uint64(v) << nb
	nb += uint(n)
	if nb >= 46 {
		binary.LittleEndian.PutUint64(out[pos:], acc)
		k := nb >> 3
		pos += int(k)
		acc >>= k << 3
		nb &= 7
	}
	return pos, acc, nb
}

// distSym is the symbol of distance v+1.
func distSym(v uint32) uint8 {
	if v < 256 {
		return distSyms[v]
	}
	return distSyms[256+(v>>7)&255]
}

// matchLen returns how many bytes a and b share from the start (a is
// the shorter).
func matchLen(a, b []byte) int {
	n := 0
	for len(a)-n >= 8 {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < len(a) && a[n] == b[n] {
		n++
	}
	return n
}
