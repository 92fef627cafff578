package tlog

import (
	"sync/atomic"
	"time"
)

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// dateCache remembers the local date string of the last second formatted
// ("24/Nov/2026:23:22:07"), so most lines copy 20 bytes instead of
// converting a time.
type dateCache struct {
	p atomic.Pointer[cachedDate]
}

type cachedDate struct {
	sec int64
	b   [20]byte
}

// appendDate writes t in local time as dd/Mmm/yyyy:HH:MM:SS.mmm (%t, %tr).
func (f *Format) appendDate(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	c := f.dates.p.Load()
	if c == nil || c.sec != sec {
		c = &cachedDate{sec: sec}
		lt := t.In(f.loc)
		b := appendDateSecond(c.b[:0], lt)
		copy(c.b[:], b)
		f.dates.p.Store(c)
	}
	dst = append(dst, c.b[:]...)
	dst = append(dst, '.')
	return appendPad(dst, t.Nanosecond()/1e6, 3)
}

// appendDateSecond writes dd/Mmm/yyyy:HH:MM:SS (20 bytes for years 1000-9999).
func appendDateSecond(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendPad(dst, d, 2)
	dst = append(dst, '/')
	dst = append(dst, monthNames[mo-1]...)
	dst = append(dst, '/')
	dst = appendPad(dst, y, 4)
	dst = append(dst, ':')
	dst = appendPad(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, mi, 2)
	dst = append(dst, ':')
	return appendPad(dst, s, 2)
}

// appendDateZone writes dd/Mmm/yyyy:HH:MM:SS +hhmm: %T and %trg with
// "+0000" (t in UTC), %Tl and %trl with the local offset.
func appendDateZone(dst []byte, t time.Time, local bool) []byte {
	dst = appendDateSecond(dst, t)
	if !local {
		return append(dst, " +0000"...)
	}
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	off /= 60
	dst = append(dst, ' ', sign)
	dst = appendPad(dst, off/60, 2)
	return appendPad(dst, off%60, 2)
}
