package dataplane

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// statField returns column name of `show stat` row pxname,svname.
func statField(t *testing.T, csv, px, sv, name string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) > 1 && f[0] == px && f[1] == sv {
			for i, c := range cols {
				if c == name && i < len(f) {
					return f[i]
				}
			}
		}
	}
	t.Fatalf("no %s for %s/%s in %q", name, px, sv, csv)
	return ""
}

// infoField returns a `show info` field.
func infoField(info, name string) string {
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(l, name+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestCompressionRateLimit: with maxcomprate, a response is compressed
// while the compressor's input rate is below the limit, the next one
// (the rate now far above it) goes out as the server sent it, without
// Vary, as HAProxy 2.6 does; compression resumes once the rate has
// fallen. show info has CompressBpsIn/Out/RateLim, show stat the
// frontend's and backend's comp_in, comp_out, comp_byp, comp_rsp.
func TestCompressionRateLimit(t *testing.T) {
	body := strings.Repeat("goha compresses what HAProxy compresses, ", 25000) // 1 MB
	srv := harness.NewBackend(t, "s", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, body)
	}))
	fe := harness.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "admin.sock")
	startGoha(t, fmt.Sprintf(`
global
    stats socket %s level admin
    maxcomprate 10
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    compression algo gzip
    compression type text/plain
    default_backend be
backend be
    server s %s
`, sock, fe, srv.Addr), fe)
	url := "http://" + fe + "/"
	_, _, h := get(t, url, "Accept-Encoding", "gzip")
	if h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("first response: Content-Encoding %q Vary %q, want gzip below the rate", h.Get("Content-Encoding"), h.Get("Vary"))
	}
	// 1 MB went in: 100 times the 10 kB/s limit for the next second.
	_, got, h := get(t, url, "Accept-Encoding", "gzip")
	if h.Get("Content-Encoding") != "" || h.Get("Vary") != "" || got != body {
		t.Fatalf("above maxcomprate: Content-Encoding %q Vary %q, %d bytes: want the server's response as is",
			h.Get("Content-Encoding"), h.Get("Vary"), len(got))
	}
	info := harness.Socat(t, sock, "show info\n")
	if in, _ := strconv.Atoi(infoField(info, "CompressBpsIn")); in < 10240 || infoField(info, "CompressBpsRateLim") != "10240" {
		t.Errorf("show info CompressBpsIn %q (want above 10240), CompressBpsRateLim %q (want 10240)",
			infoField(info, "CompressBpsIn"), infoField(info, "CompressBpsRateLim"))
	}
	if out, _ := strconv.Atoi(infoField(info, "CompressBpsOut")); out <= 0 {
		t.Errorf("show info CompressBpsOut %q, want the compressed bytes", infoField(info, "CompressBpsOut"))
	}
	csv := harness.Socat(t, sock, "show stat\n")
	for _, px := range [][2]string{{"fe", "FRONTEND"}, {"be", "BACKEND"}} {
		in, out := statField(t, csv, px[0], px[1], "comp_in"), statField(t, csv, px[0], px[1], "comp_out")
		byp, rsp := statField(t, csv, px[0], px[1], "comp_byp"), statField(t, csv, px[0], px[1], "comp_rsp")
		o, _ := strconv.Atoi(out)
		if in != strconv.Itoa(len(body)) || o <= 0 || o >= len(body) || byp != "0" || rsp != "1" {
			t.Errorf("%s: comp_in %s comp_out %s comp_byp %s comp_rsp %s, want %d, fewer bytes, 0, 1",
				px[1], in, out, byp, rsp, len(body))
		}
	}
	if v := statField(t, csv, "be", "s", "comp_in"); v != "" {
		t.Errorf("server row comp_in %q, want empty as in HAProxy", v)
	}
	// The rate falls to 0 within two seconds: compression resumes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if infoField(harness.Socat(t, sock, "show info\n"), "CompressBpsIn") == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("CompressBpsIn did not fall to 0")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, _, h := get(t, url, "Accept-Encoding", "gzip"); h.Get("Content-Encoding") != "gzip" {
		t.Errorf("rate back at 0: Content-Encoding %q, want gzip again", h.Get("Content-Encoding"))
	}
}
