package stream

import (
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// TestCookieDates: the dates of a maxidle/maxlife cookie round-trip
// through HAProxy's 5-character encoding (4 s resolution), and judge
// ignores a cookie idle too long (E) or too old (O), and with option
// persist sends a fresh one to its server even when it is down (D).
func TestCookieDates(t *testing.T) {
	now := time.Now().Unix()
	enc := s30b64(nil, now)
	if len(enc) != 5 || b64s30(enc) != now&^3 {
		t.Fatalf("s30b64(%d) = %q, decoded %d; want 5 chars decoding to %d", now, enc, b64s30(enc), now&^3)
	}
	// srv is down (a zero lb.Server is not usable): option persist
	// still sends a fresh cookie's request to it.
	srv := &Server{Name: "s1"}
	cp := &cookiePersist{cfg: &config.CookiePersist{Name: "SRV", Mode: "insert", MaxIdle: time.Minute, MaxLife: time.Hour},
		byValue: map[string]*Server{"c1": srv}, persist: true}
	for _, tc := range []struct {
		name        string
		last, first int64
		want        byte
	}{
		{"fresh", now, now, 'D'},
		{"idle too long", now - 120, now - 120, 'E'},
		{"too old", now, now - 7200, 'O'},
	} {
		v := append([]byte("c1|"), s30b64(nil, tc.last)...)
		v = s30b64(append(v, '|'), tc.first)
		var ck cookieTxn
		cp.judge(v, &ck)
		if ck.req != tc.want || (tc.want == 'D') != (ck.target == srv) {
			t.Errorf("%s: judged %c (target %v); want %c", tc.name, ck.req, ck.target != nil, tc.want)
		}
	}
	var ck cookieTxn
	if cp.judge([]byte("zz"), &ck); ck.req != 'I' || ck.target != nil {
		t.Errorf("unknown value: judged %c; want I", ck.req)
	}
}
