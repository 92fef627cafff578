// Command h2gw is a test server for the h2 package: it serves HTTP/2 (h2c
// with prior knowledge, or TLS with ALPN h2 when -cert and -key are
// given) through h2.ServeConn and answers every request with a small
// HTTP/1.1 response written into the stream's conn, as goha's HTTP/1
// stream would. It exists to point h2spec, h2load, nghttp and curl at
// the gateway alone.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/goha/goha/proxy/h2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	cert := flag.String("cert", "", "PEM certificate (TLS with ALPN h2)")
	key := flag.String("key", "", "PEM key")
	fast := flag.Bool("fast", false, "answer without parsing the request (measures the gateway alone)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile there until stopped")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	handle := answer
	if *fast {
		handle = answerFast
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}, NextProtos: []string{"h2"}})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go h2.ServeConn(ctx, c, h2.Options{}, handle)
	}
}

// answer reads one HTTP/1.1 request and its body and answers 200 with
// the request line and the body's length.
func answer(vc net.Conn) {
	req, err := http.ReadRequest(bufio.NewReader(vc))
	if err != nil {
		return
	}
	n, _ := io.Copy(io.Discard, req.Body)
	body := fmt.Sprintf("%s %s len=%d\n", req.Method, req.RequestURI, n)
	fmt.Fprintf(vc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// answerFast reads up to the end of the request head and answers a
// fixed response: what is left of the cost is the gateway's.
func answerFast(vc net.Conn) {
	var buf [1024]byte
	n := 0
	for !bytes.Contains(buf[:n], []byte("\r\n\r\n")) && n < len(buf) {
		k, err := vc.Read(buf[n:])
		if err != nil {
			return
		}
		n += k
	}
	io.WriteString(vc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n")
}
