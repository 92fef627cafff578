package ssl

import (
	"fmt"
	"strings"

	"github.com/goha/goha/config"
)

// CrtListEntry is one line of a crt-list (or one file of a directory).
type CrtListEntry struct {
	// Cert is the certificate file as written (crt-base not applied).
	Cert string
	// Options are the settings between brackets; OptWords keeps them as
	// written, for `show ssl crt-list`.
	Options  config.BindTLS
	OptWords []string
	// Filters are the SNI filters as written: names, "*.domain"
	// wildcards and "!name" exclusions. None means the certificate's
	// own names.
	Filters []string
	// Line is the line number in the file (or the order in a directory).
	Line int
}

// crtLineMax is HAProxy's CRT_LINESIZE minus the NUL.
const crtLineMax = 65535

// ParseCrtList reads a crt-list file's text: one certificate per line,
// `cert [ssl options] [sni filters...]`; blank lines and lines starting
// with '#' are skipped. name is the file name for errors, which read as
// HAProxy's ("parsing [list.txt:3]: unknown ssl keyword foo").
func ParseCrtList(name string, data []byte) ([]CrtListEntry, error) {
	var out []CrtListEntry
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if i == len(lines)-1 && l == "" {
			break
		}
		if len(l) > crtLineMax {
			return nil, fmt.Errorf("parsing [%s:%d]: line too long, limit is %d characters", name, i+1, crtLineMax)
		}
		if strings.IndexByte(l, 0) >= 0 {
			return nil, fmt.Errorf("parsing [%s:%d]: Stray NUL character at position %d.", name, i+1, strings.IndexByte(l, 0)+1)
		}
		if l == "" || l[0] == '#' || l[0] == '\r' {
			continue
		}
		e, ok, err := ParseCrtListLine(name, i+1, l)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// ParseCrtListLine reads one crt-list line (also the payload of `add ssl
// crt-list`); ok is false for a line with no certificate.
func ParseCrtListLine(name string, line int, l string) (e CrtListEntry, ok bool, err error) {
	fail := func(format string, a ...any) (CrtListEntry, bool, error) {
		return CrtListEntry{}, false, fmt.Errorf("parsing [%s:%d]: %s", name, line, fmt.Sprintf(format, a...))
	}
	words, open, close, msg := splitCrtLine(l)
	if msg != "" {
		return fail("%s", msg)
	}
	if len(words) == 0 {
		return e, false, nil
	}
	e.Cert, e.Line = words[0], line
	rest := words[1:]
	if open >= 0 {
		e.OptWords = words[open:close]
		opts, err := config.ParseCrtListOptions(e.OptWords)
		if err != nil {
			return fail("%v", err)
		}
		e.Options = opts
		rest = words[close:]
	} else if len(rest) > 0 && open < 0 && close >= 0 {
		return fail("missing '['")
	}
	for _, f := range rest {
		if f != "" {
			e.Filters = append(e.Filters, f)
		}
	}
	return e, true, nil
}

// splitCrtLine splits a line on spaces, with '[' and ']' as their own
// separators. open and close are the indexes in words of the first
// option and of the first word after the options (-1 without brackets).
func splitCrtLine(l string) (words []string, open, close int, msg string) {
	open, close = -1, -1
	cur, in := strings.Builder{}, false
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f':
			flush()
		case c == '[':
			flush()
			if open >= 0 {
				return nil, 0, 0, "too many '['"
			}
			if len(words) == 0 {
				return nil, 0, 0, "file must start with a cert"
			}
			open, in = len(words), true
		case c == ']':
			flush()
			if close >= 0 {
				return nil, 0, 0, "too many ']'"
			}
			if !in {
				return nil, 0, 0, "missing '['"
			}
			close, in = len(words), false
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	if in {
		return nil, 0, 0, "missing ']'"
	}
	return words, open, close, ""
}

// String renders the entry as a crt-list line, as `show ssl crt-list`
// prints it (withLine adds ":LINE" after the file name, for -n).
func (e CrtListEntry) String(withLine bool) string {
	var b strings.Builder
	b.WriteString(e.Cert)
	if withLine {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if len(e.OptWords) > 0 {
		b.WriteString(" [" + strings.Join(e.OptWords, " ") + "]")
	}
	for _, f := range e.Filters {
		b.WriteString(" " + f)
	}
	return b.String()
}
