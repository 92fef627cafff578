package resolve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// Counters are one nameserver's statistics, HAProxy 2.6's `show
// resolvers` fields in its order.
type Counters struct {
	Nameserver string
	Sent, SndError, Valid, Update, CNAME, CNAMEError, AnyErr, NX, Timeout,
	Refused, Other, Invalid, TooBig, Truncated, Outdated uint64
}

// showFields is the `show resolvers` block of a nameserver: label and
// counter, in HAProxy's order.
var showFields = []struct {
	label string
	get   func(*counters) *atomic.Uint64
}{
	{"sent:       ", func(c *counters) *atomic.Uint64 { return &c.sent }},
	{"snd_error:  ", func(c *counters) *atomic.Uint64 { return &c.sndError }},
	{"valid:      ", func(c *counters) *atomic.Uint64 { return &c.valid }},
	{"update:     ", func(c *counters) *atomic.Uint64 { return &c.update }},
	{"cname:      ", func(c *counters) *atomic.Uint64 { return &c.cname }},
	{"cname_error:", func(c *counters) *atomic.Uint64 { return &c.cnameError }},
	{"any_err:    ", func(c *counters) *atomic.Uint64 { return &c.anyErr }},
	{"nx:         ", func(c *counters) *atomic.Uint64 { return &c.nx }},
	{"timeout:    ", func(c *counters) *atomic.Uint64 { return &c.timeout }},
	{"refused:    ", func(c *counters) *atomic.Uint64 { return &c.refused }},
	{"other:      ", func(c *counters) *atomic.Uint64 { return &c.other }},
	{"invalid:    ", func(c *counters) *atomic.Uint64 { return &c.invalid }},
	{"too_big:    ", func(c *counters) *atomic.Uint64 { return &c.tooBig }},
	{"truncated:  ", func(c *counters) *atomic.Uint64 { return &c.truncated }},
	{"outdated:   ", func(c *counters) *atomic.Uint64 { return &c.outdated }},
}

// Counters returns the section's nameservers' counters, in order.
func (r *Resolvers) Counters() []Counters {
	out := make([]Counters, 0, len(r.ns))
	for _, ns := range r.ns {
		c := &ns.c
		out = append(out, Counters{Nameserver: ns.name, Sent: c.sent.Load(), SndError: c.sndError.Load(),
			Valid: c.valid.Load(), Update: c.update.Load(), CNAME: c.cname.Load(), CNAMEError: c.cnameError.Load(),
			AnyErr: c.anyErr.Load(), NX: c.nx.Load(), Timeout: c.timeout.Load(), Refused: c.refused.Load(),
			Other: c.other.Load(), Invalid: c.invalid.Load(), TooBig: c.tooBig.Load(), Truncated: c.truncated.Load(),
			Outdated: c.outdated.Load()})
	}
	return out
}

// writeShow writes the section's `show resolvers` block.
func (r *Resolvers) writeShow(w *bufio.Writer) {
	fmt.Fprintf(w, "Resolvers section %s\n", r.Name)
	for _, ns := range r.ns {
		fmt.Fprintf(w, " nameserver %s:\n", ns.name)
		for _, f := range showFields {
			fmt.Fprintf(w, "  %s %d\n", f.label, f.get(&ns.c).Load())
		}
	}
}

// ErrNoSection is WriteShow's error for a section name that is not
// there; its text is HAProxy's answer (the runtime API adds the newline).
var ErrNoSection = errors.New("Can't find that resolvers section")

// WriteShow writes what `show resolvers [NAME]` prints in HAProxy 2.6:
// every section (or only NAME's) with its nameservers' counters, or "No
// resolvers found". For an unknown NAME it writes nothing and returns
// ErrNoSection, whose text the runtime API prints.
func WriteShow(w io.Writer, all []*Resolvers, name string) error {
	bw := bufio.NewWriter(w)
	if name != "" {
		for _, r := range all {
			if r.Name == name {
				r.writeShow(bw)
				return bw.Flush()
			}
		}
		return ErrNoSection
	}
	if len(all) == 0 {
		bw.WriteString("No resolvers found\n")
	}
	for _, r := range all {
		r.writeShow(bw)
	}
	return bw.Flush()
}
