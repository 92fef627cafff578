package http1

// ChunkScanner follows a chunked body as its bytes stream through the
// proxy unchanged, to find where it ends. The zero value is ready to scan
// a new body; Reset prepares it for the next one.
type ChunkScanner struct {
	state   uint8
	size    int64 // remaining data bytes of the current chunk
	digits  int
	lineLen int // bytes in the current trailer line
}

const (
	csSize    = iota // reading hex digits
	csExt            // chunk extension until LF
	csData           // chunk data
	csDataCR         // CR after data
	csDataLF         // LF after data
	csTrailer        // trailer lines after the last chunk
	csDone
)

// Reset prepares the scanner for a new body.
func (c *ChunkScanner) Reset() { *c = ChunkScanner{} }

// Done reports whether the end of the body has been seen.
func (c *ChunkScanner) Done() bool { return c.state == csDone }

// Remaining returns how many chunk data bytes can be copied blindly
// before the scanner needs to see bytes again (useful for splice).
func (c *ChunkScanner) Remaining() int64 {
	if c.state == csData {
		return c.size
	}
	return 0
}

// Skip tells the scanner n data bytes went by without being scanned;
// n must not exceed Remaining.
func (c *ChunkScanner) Skip(n int64) {
	c.size -= n
	if c.size == 0 {
		c.state = csDataCR
	}
}

// Scan consumes p and returns how many of its bytes belong to the body.
// done is true when the body's last byte was within p (bytes after n
// belong to the next message). err is non-nil for a malformed body.
func (c *ChunkScanner) Scan(p []byte) (n int, done bool, err error) {
	return c.scan(p, nil)
}

// Decode is Scan for a proxy that needs the body's data rather than its
// chunked bytes (a filter transforming it): data is called with each
// run of chunk data in p, in order.
func (c *ChunkScanner) Decode(p []byte, data func([]byte)) (n int, done bool, err error) {
	return c.scan(p, data)
}

func (c *ChunkScanner) scan(p []byte, data func([]byte)) (n int, done bool, err error) {
	i := 0
	for i < len(p) {
		b := p[i]
		switch c.state {
		case csSize:
			v := unhex(b)
			switch {
			case v >= 0:
				if c.digits >= 15 {
					return i, false, synErr("chunk size too large", i)
				}
				c.size = c.size<<4 | int64(v)
				c.digits++
			case c.digits > 0 && (b == ';' || b == ' ' || b == '\t' || b == '\r'):
				c.state = csExt
			case c.digits > 0 && b == '\n':
				c.endSizeLine()
			default:
				return i, false, synErr("bad chunk size", i)
			}
			i++
		case csExt:
			if b == '\n' {
				c.endSizeLine()
			} else if b < ' ' && b != '\t' && b != '\r' {
				return i, false, synErr("bad chunk extension", i)
			}
			i++
		case csData:
			k := int64(len(p) - i)
			if k > c.size {
				k = c.size
			}
			if data != nil && k > 0 {
				data(p[i : i+int(k)])
			}
			i += int(k)
			c.size -= k
			if c.size == 0 {
				c.state = csDataCR
			}
		case csDataCR:
			switch b {
			case '\r':
				c.state = csDataLF
			case '\n':
				c.state = csSize
				c.digits = 0
			default:
				return i, false, synErr("missing CRLF after chunk", i)
			}
			i++
		case csDataLF:
			if b != '\n' {
				return i, false, synErr("missing LF after chunk", i)
			}
			c.state = csSize
			c.digits = 0
			i++
		case csTrailer:
			i++
			switch b {
			case '\n':
				if c.lineLen == 0 {
					c.state = csDone
					return i, true, nil
				}
				c.lineLen = 0
			case '\r':
			default:
				c.lineLen++
				if c.lineLen > 16384 {
					return i, false, synErr("trailer line too long", i)
				}
			}
		case csDone:
			return i, true, nil
		}
	}
	return i, c.state == csDone, nil
}

func (c *ChunkScanner) endSizeLine() {
	if c.size == 0 {
		c.state = csTrailer
		c.lineLen = 0
		return
	}
	c.state = csData
}

func unhex(b byte) int {
	switch {
	case b >= '0' && b <= '9':
		return int(b - '0')
	case b >= 'a' && b <= 'f':
		return int(b-'a') + 10
	case b >= 'A' && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}
