package tlog_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/goha/goha/proxy/tlog"
)

func ExampleFormat_Append() {
	f, err := tlog.Compile(tlog.HTTPLogFormat, tlog.FormatOptions{HTTP: true, Location: time.UTC})
	if err != nil {
		panic(err)
	}
	e := &tlog.Entry{
		Client:       netip.MustParseAddrPort("127.0.0.1:49390"),
		AcceptTime:   time.Date(2026, 11, 24, 23, 22, 7, 986e6, time.UTC),
		FrontendName: "fe_http", BackendName: "be_app", ServerName: "s1",
		Tr: 36 * time.Millisecond, Tt: 36 * time.Millisecond,
		Status: 200, BytesOut: 132, Term: [2]byte{'-', '-'}, ActConn: 1, FeConn: 1,
		ReqLine: []byte("GET / HTTP/1.1"),
	}
	buf := make([]byte, 0, 1024) // reuse it: Append allocates nothing
	fmt.Println(string(f.Append(buf, e)))
	// Output: 127.0.0.1:49390 [24/Nov/2026:23:22:07.986] fe_http be_app/s1 0/0/0/36/36 200 132 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"
}

func ExampleLogger() {
	hub := tlog.NewHub(tlog.HubOptions{}) // once per worker, before chroot
	defer hub.Close()
	l, err := tlog.NewLogger(hub, tlog.LoggerOptions{
		Targets: []tlog.Target{{Addr: "stdout", Format: "raw", Level: 7}},
		Format:  tlog.MustCompile(tlog.TCPLogFormat, tlog.FormatOptions{}),
	})
	if err != nil {
		panic(err)
	}
	l.Send(tlog.Notice, "Server be/s3 is DOWN, reason: Layer4 connection problem")
	// Output is written by the sink's goroutine: not shown here.
}
