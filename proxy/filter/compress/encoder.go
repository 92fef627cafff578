package compress

import (
	"encoding/binary"
	"hash/crc32"
)

// format is an algorithm's wire format.
type format uint8

const (
	fmtIdentity format = iota // the body unchanged
	fmtZlib                   // RFC 1950, "deflate"
	fmtRaw                    // RFC 1951, "raw-deflate"
	fmtGzip                   // RFC 1952, "gzip"
)

// algo is one of HAProxy's compression algorithms.
type algo struct {
	name   string // configuration name
	token  string // Accept-Encoding token, and Content-Encoding value
	format format
}

// algos are HAProxy 2.6's algorithms; raw-deflate answers the same
// "deflate" token as deflate.
var algos = map[string]*algo{
	"identity":    {"identity", "identity", fmtIdentity},
	"deflate":     {"deflate", "deflate", fmtZlib},
	"raw-deflate": {"raw-deflate", "deflate", fmtRaw},
	"gzip":        {"gzip", "gzip", fmtGzip},
}

// Headers of the framed formats: gzip with no name, no time, "fastest"
// (XFL 4) and an unknown OS; zlib with a 32 kB window and FLEVEL 0
// (fastest), its check bits making the pair a multiple of 31.
var (
	gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255}
	zlibHeader = []byte{0x78, 0x01}
)

// encoder is one response's deflate stream, compressed the way libslz
// (HAProxy's compressor) does it: every piece on its own (deflate.go),
// so a stream holds a few bytes between two pieces instead of the few
// hundred kilobytes of a stateful deflate writer. With many responses
// streaming at once, those per-stream tables no longer fit in the CPU
// caches and klauspost/compress's level 1 writer ran at half its
// single-stream speed (README's compression figures).
type encoder struct {
	format  format
	started bool   // the header is out
	check   uint32 // gzip: CRC-32 of the input; zlib: Adler-32
	size    uint32 // gzip: input length modulo 2^32
}

// reset readies e for a new response in format f.
func (e *encoder) reset(f format) {
	*e = encoder{format: f, check: 1}
	if f == fmtGzip {
		e.check = 0
	}
}

// encode appends to dst what the encoder makes of in: the data
// compressed and flushed (so that a client sees every piece the server
// sent as soon as it came, as HAProxy does), and the stream's end with
// its trailer when end is set.
func (e *encoder) encode(dst, in []byte, end bool) []byte {
	if len(in) == 0 && !end {
		return dst
	}
	if !e.started {
		e.started = true
		switch e.format {
		case fmtGzip:
			dst = append(dst, gzipHeader...)
		case fmtZlib:
			dst = append(dst, zlibHeader...)
		}
	}
	switch e.format {
	case fmtGzip:
		e.check = crc32.Update(e.check, crc32.IEEETable, in)
		e.size += uint32(len(in))
	case fmtZlib:
		e.check = adler32Update(e.check, in)
	}
	dst = deflateBlock(dst, in, end)
	if end {
		switch e.format {
		case fmtGzip:
			dst = binary.LittleEndian.AppendUint32(dst, e.check)
			dst = binary.LittleEndian.AppendUint32(dst, e.size)
		case fmtZlib:
			dst = binary.BigEndian.AppendUint32(dst, e.check)
		}
	}
	return dst
}

// adler32Update continues the Adler-32 checksum (RFC 1950) adler over
// p; the standard library has it only behind an allocated hash.Hash32.
func adler32Update(adler uint32, p []byte) uint32 {
	const (
		mod  = 65521
		nmax = 5552 // the most bytes before s2 could overflow 32 bits
	)
	s1, s2 := adler&0xffff, adler>>16
	for len(p) > 0 {
		n := min(len(p), nmax)
		for _, b := range p[:n] {
			s1 += uint32(b)
			s2 += s1
		}
		s1 %= mod
		s2 %= mod
		p = p[n:]
	}
	return s2<<16 | s1
}
