package worker

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestDecodeHandoffRefusesBadTicketKeys: key material that is not three
// distinct non-zero 32-byte keys is refused with the handoff, and the
// error never quotes it.
func TestDecodeHandoffRefusesBadTicketKeys(t *testing.T) {
	b64 := func(b []byte) string { return `"` + base64.StdEncoding.EncodeToString(b) + `"` }
	good := bytes.Repeat([]byte{1}, 32)
	good = append(append(good, bytes.Repeat([]byte{2}, 32)...), bytes.Repeat([]byte{3}, 32)...)
	withKey := func(i int, k []byte) []byte {
		out := append([]byte(nil), good...)
		copy(out[i*32:], k)
		return out
	}
	for _, tc := range []struct{ name, keys, want string }{
		{"too short", b64(good[:95]), "95 bytes, want 96"},
		{"too long", b64(append(append([]byte(nil), good...), 4)), "97 bytes, want 96"},
		{"empty", `""`, "0 bytes, want 96"},
		{"zero key", b64(withKey(2, make([]byte, 32))), "key 2 is all zeros"},
		{"key twice", b64(withKey(1, good[:32])), "keys 0 and 1 are the same"},
		{"not base64", `"%%%"`, "not base64"},
		{"not a string", `[1,2,3]`, "not a string"},
	} {
		h, _ := json.Marshal(sampleHandoff())
		doc := strings.Replace(string(h), `{"version":1,`, `{"version":1,"ticket_keys":`+tc.keys+`,`, 1)
		_, err := DecodeHandoff([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: DecodeHandoff() error = %v; want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(good[:32])[:16]) {
			t.Errorf("%s: the error quotes key material: %v", tc.name, err)
		}
	}
	h, _ := json.Marshal(sampleHandoff())
	doc := strings.Replace(string(h), `{"version":1,`, `{"version":1,"ticket_keys":`+b64(good)+`,`, 1)
	got, err := DecodeHandoff([]byte(doc))
	if err != nil || got.TicketKeys == nil || got.TicketKeys[2][0] != 3 {
		t.Errorf("DecodeHandoff(good keys) = %v, %v", got, err)
	}
}

// TestTicketKeysRotateAndHide: a rotation drops the oldest key, the
// encrypting key is the middle one (first for crypto/tls), and no
// formatting verb shows the keys.
func TestTicketKeysRotateAndHide(t *testing.T) {
	k, err := NewTicketKeys()
	if err != nil {
		t.Fatal(err)
	}
	r, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if r[0] != k[1] || r[1] != k[2] || r[2] == k[2] || r[2] == k[0] {
		t.Errorf("Rotate: [a b c] -> want [b c fresh]")
	}
	if tl := r.ForTLS(); tl[0] != r[1] || tl[1] != r[0] || tl[2] != r[2] {
		t.Errorf("ForTLS: want the middle key first")
	}
	h := &Handoff{TicketKeys: k}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		out := fmt.Sprintf(verb, h) + fmt.Sprintf(verb, *k)
		for _, key := range k {
			if strings.Contains(out, fmt.Sprintf("%x", key[:8])) || strings.Contains(out, fmt.Sprint(key[0], " ", key[1], " ", key[2])) {
				t.Errorf("%s shows a key: %s", verb, out)
			}
		}
	}
	if _, err := DecodeTicketKeys(append(k[0][:], append(k[1][:], k[2][:]...)...)); err != nil {
		t.Errorf("DecodeTicketKeys(fresh keys) = %v", err)
	}
}
