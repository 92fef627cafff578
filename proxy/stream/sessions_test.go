package stream

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// placeholders returns the names of the {{PREFIXNAME}} placeholders in s.
func placeholders(s, prefix string) map[string]bool {
	names := map[string]bool{}
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			return names
		}
		s = s[i+len(prefix):]
		k := strings.Index(s, "}}")
		names[s[:k]] = true
	}
}

// unixServer is tcpServer on a unix socket.
func unixServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "srv.sock")
	ln, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return p
}

// TestShowSessDuringTCPSessions: `show sess` (Runtime.Sessions) runs
// while mode tcp sessions start, relay and end: TCP to TCP (the relay
// loop), TCP to a unix socket server and a unix socket bind to TCP (the
// goroutine relay, which swaps the session's client connection while
// setting up). Under -race this used to report the client connection
// read by Sessions while the session replaced it.
func TestShowSessDuringTCPSessions(t *testing.T) {
	echo := func(c net.Conn) { io.Copy(c, c) }
	tcpSrv, unixSrv := tcpServer(t, echo), unixServer(t, echo)
	rt, addr := startProxy(t, "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n"+
		"frontend tcp2tcp\n    bind {{fe:tcp2tcp}}\n    default_backend tcp\n"+
		"frontend tcp2unix\n    bind {{fe:tcp2unix}}\n    default_backend unix\n"+
		"frontend unix2tcp\n    bind {{unix:unix2tcp}}\n    default_backend tcp\n"+
		"backend tcp\n    server s1 "+tcpSrv+"\n"+
		"backend unix\n    server s1 unix@"+unixSrv+"\n")
	stop := make(chan struct{})
	var seen sync.Map // frontend name -> a Proto seen for it
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, v := range rt.Sessions() {
				seen.Store(v.Frontend, v.Proto)
			}
		}
	}()
	dials := []struct{ fe, network string }{{"tcp2tcp", "tcp"}, {"tcp2unix", "tcp"}, {"unix2tcp", "unix"}}
	errs := make(chan error, 3*20)
	for _, d := range dials {
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(fe, network string, i int) {
				defer wg.Done()
				c, err := net.Dial(network, addr[fe])
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				msg := fmt.Sprintf("%s %d\n", fe, i)
				io.WriteString(c, msg)
				b := make([]byte, len(msg))
				if _, err := io.ReadFull(c, b); err != nil || string(b) != msg {
					errs <- fmt.Errorf("%s: echo %q = %q, %v", fe, msg, b, err)
				}
				// Stay connected until every frontend's sessions were
				// listed: a loaded machine must not let them all end
				// between two looks.
				<-stop
			}(d.fe, d.network, i)
		}
	}
	waitFor(t, "a session of each frontend listed", 10*time.Second, func() bool {
		n := 0
		seen.Range(func(any, any) bool { n++; return true })
		return n == len(dials)
	})
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := map[string]string{"tcp2tcp": "tcpv4", "tcp2unix": "tcpv4", "unix2tcp": "unix_stream"}
	for fe, proto := range want {
		if got, _ := seen.Load(fe); got != proto {
			t.Errorf("show sess listed %s sessions as %v; want %s", fe, got, proto)
		}
	}
}
