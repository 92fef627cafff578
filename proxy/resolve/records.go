package resolve

import (
	"net/netip"
	"sort"
	"strconv"
	"time"
)

// record is one answer record a resolution keeps between answers: an
// address, or an SRV record with the address its additional records
// gave for the target.
type record struct {
	key  string
	addr netip.Addr // A/AAAA
	srv  srvRecord  // SRV
	// ar is the target's address from the additional records, seen at
	// arSeen (SRV only).
	ar     netip.Addr
	arSeen time.Time
	seen   time.Time
	// order is the record's place in the last answer that had it.
	order int
}

// recordSet is a resolution's records, kept `hold obsolete` after the
// last answer that had them (HAProxy's answer cache).
type recordSet struct {
	byKey map[string]*record
}

func newRecordSet() *recordSet { return &recordSet{byKey: map[string]*record{}} }

// get returns the record of a key, created when missing.
func (s *recordSet) get(key string) *record {
	rec := s.byKey[key]
	if rec == nil {
		rec = &record{key: key}
		s.byKey[key] = rec
	}
	return rec
}

// purge forgets every record.
func (s *recordSet) purge() { s.byKey = map[string]*record{} }

// expire drops the records (and additional addresses) not seen for
// longer than obsolete; it returns the keys of the records dropped.
func (s *recordSet) expire(now time.Time, obsolete time.Duration) []string {
	var gone []string
	for key, rec := range s.byKey {
		if rec.ar.IsValid() && rec.arSeen.Add(obsolete).Before(now) {
			rec.ar = netip.Addr{}
		}
		if rec.seen.Add(obsolete).Before(now) {
			delete(s.byKey, key)
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	return gone
}

// ordered returns the records, those of the last answer first in their
// order there, then the older ones.
func (s *recordSet) ordered() []*record {
	out := make([]*record, 0, len(s.byKey))
	for _, rec := range s.byKey {
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.seen.Equal(b.seen) {
			return a.seen.After(b.seen)
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.key < b.key
	})
	return out
}

// addAddrs records an address answer.
func (s *recordSet) addAddrs(addrs []netip.Addr, now time.Time) {
	for i, a := range addrs {
		rec := s.get(a.String())
		rec.addr, rec.seen, rec.order = a, now, i
	}
}

// addSRV records an SRV answer with its additional addresses, chosen
// among them by the group's preference.
func (s *recordSet) addSRV(ans answer, now time.Time, choose func([]netip.Addr) netip.Addr) {
	for i, sr := range ans.srvs {
		rec := s.get(sr.target + ":" + strconv.Itoa(int(sr.port)))
		rec.srv, rec.seen, rec.order = sr, now, i
		if a := choose(ans.extra[sr.target]); a.IsValid() {
			rec.ar, rec.arSeen = a, now
		}
	}
}
