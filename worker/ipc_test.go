package worker

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

func sampleHandoff() *Handoff {
	return &Handoff{Version: HandoffVersion, MasterPid: 7, Gen: 2, RelNum: 1, MasterWorker: true,
		Sources:   []config.Source{{Name: "c.cfg", Data: []byte("global\n")}},
		Listeners: []string{"tcp:127.0.0.1:80", "unix:/run/s.sock"}, ServerState: "1\n"}
}

// TestHandoffRoundTrip: what a master writes, a worker reads back.
func TestHandoffRoundTrip(t *testing.T) {
	f, err := WriteHandoff(sampleHandoff())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadHandoff(f)
	if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", sampleHandoff()) {
		t.Fatalf("ReadHandoff(WriteHandoff(h)) = %+v, %v", got, err)
	}
}

// TestDecodeHandoffRefuses: a handoff the worker would misread is refused
// with what is wrong in it.
func TestDecodeHandoffRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Handoff)
		want string
	}{
		{"other version", func(h *Handoff) { h.Version = 9 }, "version 9"},
		{"listener twice", func(h *Handoff) { h.Listeners[1] = h.Listeners[0] }, "listener 1 has key \"tcp:127.0.0.1:80\""},
		{"empty listener key", func(h *Handoff) { h.Listeners[0] = "" }, "listener 0"},
		{"negative process number", func(h *Handoff) { h.RelNum = -1 }, "negative number"},
	} {
		h := sampleHandoff()
		tc.edit(h)
		data, _ := json.Marshal(h)
		if _, err := DecodeHandoff(data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: DecodeHandoff() error = %v; want %q", tc.name, err, tc.want)
		}
	}
}

// FuzzDecodeHandoff feeds arbitrary bytes to the worker's handoff
// decoder: it must never panic, and what it accepts reads the same once
// encoded again.
func FuzzDecodeHandoff(f *testing.F) {
	data, _ := json.Marshal(sampleHandoff())
	f.Add(data)
	f.Add([]byte(`{"version":1,"listeners":["a","a"]}`))
	f.Add([]byte(`{"version":1,"sources":[{"Name":"x","Data":"!!"}],"gen":-1}`))
	f.Add([]byte(`{"version":1,"server_state":"\u0000\ufffd","local_peer":"\xff"}`))
	f.Add([]byte(`{"version":1,"ticket_keys":"AAAA"}`))
	f.Add([]byte(`{"version":1,"ticket_keys":"` + strings.Repeat("AQID", 32) + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := DecodeHandoff(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		h2, err := DecodeHandoff(again)
		if err != nil {
			t.Fatalf("DecodeHandoff(encode(DecodeHandoff(x))) = %v", err)
		}
		if a, b := fmt.Sprintf("%+v", h), fmt.Sprintf("%+v", h2); a != b {
			t.Fatalf("handoff changed across a re-encode:\n%s\n%s", a, b)
		}
	})
}
