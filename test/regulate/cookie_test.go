package regulate

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// cookieGet does one GET with the Cookie header ck (none when "") and
// returns the server's name, the Set-Cookie and Cache-Control answered
// and the Cookie header the server received.
func cookieGet(t *testing.T, url, ck string) (srv, setCookie, seen string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if ck != "" {
		req.Header.Set("Cookie", ck)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), resp.Header.Get("Set-Cookie"), resp.Header.Get("X-Seen-Cookie")
}

// cookieBackend is a backend answering its name and echoing the Cookie
// header it received in X-Seen-Cookie.
func cookieBackend(t *testing.T, name string) *harness.Backend {
	return harness.NewBackend(t, name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen-Cookie", r.Header.Get("Cookie"))
		io.WriteString(w, name+"\n")
	}))
}

// TestCookieInsertIndirect: `cookie SRV insert indirect nocache` sets the
// cookie of the server that answered, sends a request carrying it to
// that server without the cookie and without setting it again, and a
// cookie naming a server in maintenance is redispatched and replaced
// (with `option persist`, it still reaches that server).
func TestCookieInsertIndirect(t *testing.T) {
	s1, s2 := cookieBackend(t, "s1"), cookieBackend(t, "s2")
	fe, fe2 := harness.FreeAddr(t), harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend ck
    bind %s
    default_backend bk
frontend ckp
    bind %s
    default_backend bkp
backend bk
    balance roundrobin
    cookie SRV insert indirect nocache httponly
    option redispatch
    server s1 %s cookie c1
    server s2 %s cookie c2
backend bkp
    cookie SRV insert indirect
    option persist
    server s1 %s cookie c1
    server s2 %s cookie c2
`, fe, fe2, s1.Addr, s2.Addr, s1.Addr, s2.Addr), fe, fe2)
	url := "http://" + fe + "/"
	srv, sc, _ := cookieGet(t, url, "")
	want := map[string]string{"s1": "c1", "s2": "c2"}[srv]
	if want == "" || sc != "SRV="+want+"; path=/; HttpOnly" {
		t.Fatalf("first answer from %q set %q; want SRV=<its cookie>; path=/; HttpOnly", srv, sc)
	}
	for i := 0; i < 4; i++ {
		got, sc, seen := cookieGet(t, url, "a=1; SRV="+want+"; b=2")
		if got != srv || sc != "" || seen != "a=1; b=2" {
			t.Errorf("request %d with SRV=%s: server %s, Set-Cookie %q, server saw Cookie %q; want %s, none, \"a=1; b=2\"", i, want, got, sc, seen, srv)
		}
	}
	other, otherCk := "s2", "c2"
	if srv == "s2" {
		other, otherCk = "s1", "c1"
	}
	harness.Socat(t, sock, "disable server bk/"+srv+"\n")
	got, sc, _ := cookieGet(t, url, "SRV="+want)
	if got != other || sc != "SRV="+otherCk+"; path=/; HttpOnly" {
		t.Errorf("cookie of a disabled server: %s set %q; want %s setting SRV=%s", got, sc, other, otherCk)
	}
	harness.Socat(t, sock, "disable server bkp/s2\n")
	if got, _, _ := cookieGet(t, "http://"+fe2+"/", "SRV=c2"); got != "s2" {
		t.Errorf("option persist: a cookie of a disabled server went to %s; want s2", got)
	}
}

// TestCookiePrefix: in prefix mode the server's own cookie gets its
// server's value as a prefix, and the prefix is stripped from requests.
func TestCookiePrefix(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen-Cookie", r.Header.Get("Cookie"))
		w.Header().Set("Set-Cookie", "JSESSIONID=abc; path=/")
		io.WriteString(w, "s1\n")
	}))
	s2 := cookieBackend(t, "s2")
	fe := harness.FreeAddr(t)
	start(t, fmt.Sprintf(`frontend ck
    bind %s
    default_backend bk
backend bk
    cookie JSESSIONID prefix
    server s1 %s cookie p1
    server s2 %s cookie p2
`, fe, s1.Addr, s2.Addr), fe)
	url := "http://" + fe + "/"
	for i := 0; i < 3; i++ {
		got, sc, seen := cookieGet(t, url, "JSESSIONID=p1~abc")
		if got != "s1" || sc != "JSESSIONID=p1~abc; path=/" || seen != "JSESSIONID=abc" {
			t.Errorf("request %d: server %s, Set-Cookie %q, server saw %q; want s1, JSESSIONID=p1~abc; path=/, JSESSIONID=abc", i, got, sc, seen)
		}
	}
}
