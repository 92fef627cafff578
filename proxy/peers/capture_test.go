package peers

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCaptureHAProxy records the messages HAProxy 2.6 sends to a peer
// into testdata/haproxy26-frames.txt. It runs only with
// GOHA_CAPTURE_PEERS=1 (see testdata/README).
func TestCaptureHAProxy(t *testing.T) {
	if os.Getenv("GOHA_CAPTURE_PEERS") == "" {
		t.Skip("set GOHA_CAPTURE_PEERS=1 to capture HAProxy's messages")
	}
	dir := t.TempDir()
	hp, gp := freePort(t), freePort(t)
	cfg := interopCfg(hp, gp, freePort(t))
	cfg = strings.Replace(cfg, "store gpc0,http_req_rate(10s),server_id", "store server_id,gpc0,http_req_rate(10s),bytes_in_cnt,server_key,gpt(2),gpc_rate(2,10s)", 1)
	h := startHAProxy(t, dir, cfg, "hap")
	h.ask("set table fe key 10.0.0.1 data.gpc0 7")
	h.ask("set table fe key 10.0.0.2 data.bytes_in_cnt 300000")
	frames := map[string]string{}
	rec := func(name string, f Frame) {
		if _, ok := frames[name]; !ok {
			frames[name] = hex.EncodeToString(AppendFrame(nil, f))
		}
	}
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", hp))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "HAProxyS 2.1\nhap\ngo 1 1\n")
	r := bufio.NewReader(c)
	st, _ := r.ReadString('\n')
	frames["status"] = hex.EncodeToString([]byte(st))
	c.Write(AppendFrame(nil, Control(CtrlResyncReq))) // HAProxy teaches: timed updates
	end := time.Now().Add(4 * time.Second)
	acked := false
	for time.Now().Before(end) {
		c.SetReadDeadline(end)
		f, err := ReadFrame(r, MaxMessage)
		if err != nil {
			break
		}
		name := map[[2]byte]string{{0, 0}: "resync-request", {0, 1}: "resync-finished", {0, 2}: "resync-partial",
			{0, 3}: "resync-confirm", {0, 4}: "heartbeat", {10, 0x80}: "update", {10, 0x81}: "incremental-update",
			{10, 0x82}: "define", {10, 0x84}: "ack", {10, 0x85}: "update-timed", {10, 0x86}: "incremental-update-timed"}[[2]byte{f.Class, f.Type}]
		rec(name, f)
		if f.Type == CtrlResyncPartial || f.Type == CtrlResyncFinished {
			c.Write(AppendFrame(nil, Control(CtrlResyncConfirm)))
			h.ask("set table fe key 10.0.0.3 data.gpc0 1")
			h.ask("set table fe key 10.0.0.4 data.gpc0 2")
		}
		if f.Class == ClassControl && f.Type == CtrlResyncReq {
			c.Write(AppendFrame(nil, Control(CtrlResyncFinished))) // HAProxy confirms
		}
		if f.Type == StktDefine && !acked { // an update of ours: HAProxy acks it
			acked = true
			d, _ := DecodeTableDef(f.Payload)
			d.ID = 7
			l, _ := remoteLayout(d, &Layout{KeyType: KeyIPv4, KeySize: 4})
			u := &UpdateMsg{HasID: true, ID: 42, Key: []byte{10, 0, 0, 9}}
			c.Write(append(AppendFrame(nil, d.Encode()), AppendFrame(nil, EncodeUpdate(u, l, &txDict{}, 0))...))
		}
	}
	// a reserved class: HAProxy answers a protocol error
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	c.Write([]byte{255, 0})
	if f, err := ReadFrame(r, MaxMessage); err == nil {
		rec("error-protocol", f)
	}
	c2, _ := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", hp))
	fmt.Fprintf(c2, "HAProxyS 2.1\nhap\ngo 1 1\n")
	r2 := bufio.NewReader(c2)
	r2.ReadString('\n')
	c2.Write(append([]byte{10, 0x80}, appendVarint(nil, 1<<20)...))
	c2.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		f, err := ReadFrame(r2, MaxMessage)
		if err != nil {
			break
		}
		if f.Class == ClassError {
			rec("error-size-limit", f)
		}
	}
	var names []string
	for n := range frames {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# messages sent by HAProxy 2.6.12 (hex), captured by TestCaptureHAProxy; table fe:\n# " +
		"stick-table type ip size 1k expire 60s store server_id,gpc0,http_req_rate(10s),bytes_in_cnt,server_key,gpt(2),gpc_rate(2,10s)\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, frames[n])
	}
	os.WriteFile("testdata/haproxy26-frames.txt", []byte(b.String()), 0o644)
	t.Log(b.String())
}
