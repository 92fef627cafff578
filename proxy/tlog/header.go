package tlog

import (
	"fmt"
	"strconv"
	"time"
)

// syslogFormat is the header layout of a `log ... format F` target.
type syslogFormat uint8

// Header formats of HAProxy 2.6 (src/log.c build_log_header).
const (
	fmtLocal    syslogFormat = iota // <PRI>Mmm dd hh:mm:ss TAG[PID]: msg
	fmtRFC3164                      // <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: msg
	fmtRFC5424                      // <PRI>1 ISO-TIME HOST TAG PID - - msg
	fmtPriority                     // <PRI>msg
	fmtShort                        // <LEVEL>msg
	fmtTimed                        // <LEVEL>ISO-TIME msg
	fmtISO                          // ISO-TIME msg
	fmtRaw                          // msg
)

var formatNames = map[string]syslogFormat{
	"": fmtLocal, "local": fmtLocal, "rfc3164": fmtRFC3164, "rfc5424": fmtRFC5424,
	"priority": fmtPriority, "short": fmtShort, "timed": fmtTimed, "iso": fmtISO, "raw": fmtRaw,
}

func parseSyslogFormat(s string) (syslogFormat, error) {
	f, ok := formatNames[s]
	if !ok {
		return 0, fmt.Errorf("unknown log format %q (want local, rfc3164, rfc5424, priority, short, timed, iso or raw)", s)
	}
	return f, nil
}

// headerBuilder builds syslog headers for one sink. It caches the
// per-second parts of the timestamps. It belongs to the sink's goroutine.
type headerBuilder struct {
	format syslogFormat
	host   string // "" = "localhost" (rfc3164) or "-" (rfc5424)
	pid    string
	loc    *time.Location

	legacySec int64
	legacy    [16]byte // "Mmm dd hh:mm:ss "
	isoSec    int64
	iso       [32]byte // "yyyy-mm-ddThh:mm:ss.000000+hh:mm"
}

// append writes the header of a message of level l and facility fac sent
// at t with tag, and returns the extended slice.
func (h *headerBuilder) append(dst []byte, l Level, fac int, t time.Time, tag string) []byte {
	switch h.format {
	case fmtLocal, fmtRFC3164, fmtRFC5424, fmtPriority:
		dst = append(dst, '<')
		dst = strconv.AppendInt(dst, int64(Priority(fac, l)), 10)
		dst = append(dst, '>')
	case fmtShort, fmtTimed:
		dst = append(dst, '<')
		dst = strconv.AppendInt(dst, int64(l), 10)
		dst = append(dst, '>')
	}
	switch h.format {
	case fmtLocal, fmtRFC3164:
		dst = h.appendLegacy(dst, t)
	case fmtRFC5424:
		dst = append(dst, "1 "...)
		dst = h.appendISO(dst, t)
	case fmtTimed, fmtISO:
		dst = h.appendISO(dst, t)
	}
	switch h.format {
	case fmtRFC3164:
		if h.host != "" {
			dst = append(dst, h.host...)
			dst = append(dst, ' ')
		} else {
			dst = append(dst, "localhost "...)
		}
		fallthrough
	case fmtLocal:
		if tag == "" {
			break
		}
		dst = append(dst, tag...)
		dst = append(dst, '[')
		dst = append(dst, h.pid...)
		dst = append(dst, "]: "...)
	case fmtRFC5424:
		dst = appendOrNil(dst, h.host)
		dst = appendOrNil(dst, tag)
		dst = appendOrNil(dst, h.pid)
		dst = append(dst, "- - "...) // MSGID and STRUCTURED-DATA
	}
	return dst
}

func appendOrNil(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "- "...)
	}
	dst = append(dst, s...)
	return append(dst, ' ')
}

// appendLegacy writes "Mmm dd hh:mm:ss " (RFC 3164, day padded with a space).
func (h *headerBuilder) appendLegacy(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if sec != h.legacySec || h.legacy[0] == 0 {
		b := t.In(h.loc).AppendFormat(h.legacy[:0], "Jan _2 15:04:05 ")
		copy(h.legacy[:], b)
		h.legacySec = sec
	}
	return append(dst, h.legacy[:]...)
}

// appendISO writes "yyyy-mm-ddThh:mm:ss.uuuuuu+hh:mm " in local time.
func (h *headerBuilder) appendISO(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if sec != h.isoSec || h.iso[0] == 0 {
		b := t.In(h.loc).AppendFormat(h.iso[:0], "2006-01-02T15:04:05.000000-07:00")
		copy(h.iso[:], b)
		h.isoSec = sec
	}
	n := len(dst)
	dst = append(dst, h.iso[:]...)
	us := t.Nanosecond() / 1000
	for i := 25; i >= 20; i-- {
		dst[n+i] = byte('0' + us%10)
		us /= 10
	}
	return append(dst, ' ')
}
