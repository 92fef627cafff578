package http1

// ChunkScanner follows a chunked body as its bytes stream through the
// proxy unchanged, to find where it ends. Since the bytes go on as they
// came, it accepts only RFC 9112 section 7.1's grammar, with none of
// its leniencies (rows R16-R19 of the package doc): a server must not be
// able to read the body differently. The zero value is ready to scan a
// new body; Reset prepares it for the next one.
type ChunkScanner struct {
	state   uint8
	size    int64 // remaining data bytes of the current chunk
	digits  int
	lineLen int // bytes in the current size or trailer line
	// name holds the start of a trailer field's name, lowercased, to
	// refuse framing fields there.
	name    [17]byte
	nameLen int
}

// Scanner states. The size line is size, then extensions
// (*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )),
// then CRLF; a trailer line is name ":" value CRLF.
const (
	csSize         = iota // hex digits
	csSizeBWS             // whitespace after the size, before ';'
	csExtPreName          // after ';'
	csExtName             // extension name
	csExtPostName         // whitespace after the name
	csExtPreVal           // after '='
	csExtVal              // token value
	csExtPostVal          // whitespace after a value
	csExtQuoted           // inside a quoted value
	csExtQuotedEsc        // after a backslash in a quoted value
	csExtPostQuote        // after a closing quote
	csSizeLF              // CR seen, LF due
	csData                // chunk data
	csDataCR              // CR due after data
	csDataLF              // LF due after data
	csTrailer             // start of a trailer line (or of the final CRLF)
	csTrailerName         // trailer field name
	csTrailerValue        // trailer field value
	csTrailerLF           // CR seen after a trailer line, LF due
	csEndLF               // CR of the final empty line seen, LF due
	csDone
)

// maxChunkLine bounds a size line with its extensions and a trailer line.
const maxChunkLine = 16384

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
		if c.state == csData {
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
			continue
		}
		if c.state == csDone {
			return i, true, nil
		}
		if reason := c.step(p[i]); reason != "" {
			return i, false, synErr(reason, i)
		}
		i++
		if c.state == csDone {
			return i, true, nil
		}
	}
	return i, c.state == csDone, nil
}

// isWS reports whether b is SP or HTAB.
func isWS(b byte) bool { return b == ' ' || b == '\t' }

// step takes one byte outside chunk data; it returns why the byte is
// refused, or "".
func (c *ChunkScanner) step(b byte) string {
	c.lineLen++
	if c.lineLen > maxChunkLine {
		return "chunk size or trailer line too long"
	}
	switch c.state {
	case csSize:
		return c.sizeByte(b)
	case csSizeBWS, csExtPostName, csExtPostVal:
		return c.afterBWS(b)
	case csExtPreName:
		switch {
		case isWS(b):
		case tchar[b]:
			c.state = csExtName
		default:
			return "bad chunk extension"
		}
	case csExtName, csExtVal:
		return c.inToken(b)
	case csExtPreVal:
		switch {
		case isWS(b):
		case tchar[b]:
			c.state = csExtVal
		case b == '"':
			c.state = csExtQuoted
		default:
			return "bad chunk extension value"
		}
	case csExtQuoted:
		switch {
		case b == '"':
			c.state = csExtPostQuote
		case b == '\\':
			c.state = csExtQuotedEsc
		case b < ' ' && b != '\t' || b == 0x7f:
			return "bad chunk extension value"
		}
	case csExtQuotedEsc:
		if b < ' ' && b != '\t' || b == 0x7f {
			return "bad chunk extension value"
		}
		c.state = csExtQuoted
	case csExtPostQuote:
		return c.inToken(b)
	case csSizeLF:
		if b != '\n' {
			return "bare CR in chunk size line"
		}
		c.endSizeLine()
	case csDataCR:
		if b != '\r' {
			return "missing CRLF after chunk"
		}
		c.state = csDataLF
	case csDataLF:
		if b != '\n' {
			return "missing CRLF after chunk"
		}
		c.state, c.digits, c.lineLen = csSize, 0, 0
	default:
		return c.trailerByte(b)
	}
	return ""
}

// sizeByte takes a byte of the chunk size.
func (c *ChunkScanner) sizeByte(b byte) string {
	if v := unhex(b); v >= 0 {
		if c.digits >= 15 {
			return "chunk size too large"
		}
		c.size = c.size<<4 | int64(v)
		c.digits++
		return ""
	}
	if c.digits == 0 {
		return "bad chunk size"
	}
	switch {
	case b == ';':
		c.state = csExtPreName
	case isWS(b):
		c.state = csSizeBWS
	case b == '\r':
		c.state = csSizeLF
	default:
		return "bad chunk size"
	}
	return ""
}

// afterBWS takes a byte after whitespace in the size line: more of it,
// ';', or '=' after an extension name.
func (c *ChunkScanner) afterBWS(b byte) string {
	switch {
	case isWS(b):
	case b == ';':
		c.state = csExtPreName
	case b == '=' && c.state == csExtPostName:
		c.state = csExtPreVal
	default:
		return "bad chunk extension"
	}
	return ""
}

// inToken takes a byte after an extension name or value (token or
// quoted).
func (c *ChunkScanner) inToken(b byte) string {
	switch {
	case tchar[b] && c.state != csExtPostQuote:
	case isWS(b):
		if c.state == csExtName {
			c.state = csExtPostName
		} else {
			c.state = csExtPostVal
		}
	case b == '=' && c.state == csExtName:
		c.state = csExtPreVal
	case b == ';':
		c.state = csExtPreName
	case b == '\r':
		c.state = csSizeLF
	default:
		return "bad chunk extension"
	}
	return ""
}

// trailerByte takes a byte of the trailer section: field lines as in a
// head but for framing and routing fields, which are refused there.
func (c *ChunkScanner) trailerByte(b byte) string {
	switch c.state {
	case csTrailer:
		switch {
		case b == '\r':
			c.state = csEndLF
		case tchar[b]:
			c.state, c.nameLen = csTrailerName, 0
			c.addName(b)
		default:
			return "bad trailer line"
		}
	case csTrailerName:
		switch {
		case tchar[b]:
			c.addName(b)
		case b == ':':
			if c.framingName() {
				return "framing header in trailer"
			}
			c.state = csTrailerValue
		default:
			return "bad trailer field name"
		}
	case csTrailerValue:
		switch {
		case b == '\r':
			c.state = csTrailerLF
		case b < ' ' && b != '\t' || b == 0x7f:
			return "bad character in trailer value"
		}
	case csTrailerLF:
		if b != '\n' {
			return "bare CR in trailer"
		}
		c.state, c.lineLen = csTrailer, 0
	case csEndLF:
		if b != '\n' {
			return "bare CR in trailer"
		}
		c.state = csDone
	}
	return ""
}

func (c *ChunkScanner) addName(b byte) {
	if c.nameLen < len(c.name) {
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		c.name[c.nameLen] = b
	}
	c.nameLen++
}

// framingName reports whether the trailer field being read is one a
// server could take for the message's framing or routing.
func (c *ChunkScanner) framingName() bool {
	if c.nameLen > len(c.name) {
		return false
	}
	n := c.name[:c.nameLen]
	return string(n) == "content-length" || string(n) == "transfer-encoding" || string(n) == "host" || lookAlike(n)
}

func (c *ChunkScanner) endSizeLine() {
	c.lineLen = 0
	if c.size == 0 {
		c.state = csTrailer
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
