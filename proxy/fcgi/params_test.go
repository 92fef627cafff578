package fcgi

import (
	"net/netip"
	"regexp"
	"testing"

	"github.com/goha/goha/proxy/http1"
)

// params builds the parameters of raw as a map and in order.
func buildParams(t *testing.T, raw string, app *App, m *Meta) (map[string]string, []string) {
	t.Helper()
	var req http1.Request
	if err := http1.ParseRequest([]byte(raw), len(raw)+1, &req); err != nil {
		t.Fatal(err)
	}
	b, err := AppendParams(nil, &req, app, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ParsePairs(b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var order []string
	for _, p := range ps {
		out[p.Name] = p.Value
		order = append(order, p.Name)
	}
	return out, order
}

// TestParamsAsHAProxy checks the parameters of the acceptance check's
// request against what HAProxy 2.6 sends for it (src/mux_fcgi.c,
// src/fcgi-app.c): path-info split, hidden headers, set-param, empty
// values left out, the defaults' order.
func TestParamsAsHAProxy(t *testing.T) {
	app := &App{DocRoot: "/w", Index: "index.php", PathInfo: regexp.MustCompile(`^(/.+\.php)(/.*)?$`), Software: "goha"}
	m := &Meta{Src: netip.MustParseAddrPort("127.0.0.1:40000"), Dst: netip.MustParseAddrPort("127.0.0.1:8080"),
		Params: []Pair{{"HTTP_X_FROM_PROXY", "goha-test"}, {"X_HDR", "hello"}, {"X_EMPTY", ""}}, Hide: DefaultHidden}
	got, order := buildParams(t, "GET /info.php/extra/path?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Custom: hello\r\n"+
		"Connection: keep-alive\r\nAuthorization: Basic eDp5\r\nX_Under: dropped\r\n\r\n", app, m)
	want := map[string]string{"SCRIPT_FILENAME": "/w/info.php", "SCRIPT_NAME": "/info.php", "PATH_INFO": "/extra/path",
		"PATH_TRANSLATED": "/w/extra/path", "DOCUMENT_ROOT": "/w", "QUERY_STRING": "x=1", "REQUEST_METHOD": "GET",
		"CONTENT_LENGTH": "0", "SERVER_NAME": "127.0.0.1:8080", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
		"REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "REQUEST_URI": "/info.php/extra/path?x=1",
		"HTTP_HOST": "127.0.0.1:8080", "HTTP_X_CUSTOM": "hello", "GATEWAY_INTERFACE": "CGI/1.1",
		"HTTP_X_FROM_PROXY": "goha-test", "X_HDR": "hello", "SERVER_SOFTWARE": "goha"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"HTTP_CONNECTION", "HTTP_AUTHORIZATION", "HTTPS", "CONTENT_TYPE", "X_EMPTY", "HTTP_X_UNDER"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s = %q sent, want it left out", k, v)
		}
	}
	wantOrder := []string{"HTTP_HOST", "HTTP_X_CUSTOM", "HTTP_X_FROM_PROXY", "X_HDR", "GATEWAY_INTERFACE", "DOCUMENT_ROOT",
		"SCRIPT_NAME", "PATH_INFO", "REQUEST_URI", "REQUEST_METHOD", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
		"SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_PORT", "SCRIPT_FILENAME", "PATH_TRANSLATED", "CONTENT_LENGTH", "SERVER_SOFTWARE"}
	if len(order) != len(wantOrder) {
		t.Fatalf("order %v, want %v", order, wantOrder)
	}
	for i := range order {
		if order[i] != wantOrder[i] {
			t.Fatalf("order %v, want %v", order, wantOrder)
		}
	}
	// index for a path ending in '/', HTTPS on TLS, a POST's framing headers
	m = &Meta{TLS: true, Hide: DefaultHidden, Dst: netip.MustParseAddrPort("127.0.0.1:443")}
	got, _ = buildParams(t, "POST /dir/ HTTP/1.1\r\nHost: h\r\nContent-Type: a/b\r\nContent-Length: 9\r\n\r\n", app, m)
	for k, v := range map[string]string{"SCRIPT_NAME": "/dir/index.php", "HTTPS": "on", "CONTENT_TYPE": "a/b", "CONTENT_LENGTH": "9"} {
		if got[k] != v {
			t.Errorf("POST /dir/: %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["HTTP_CONTENT_TYPE"]; ok {
		t.Errorf("Content-Type also sent as HTTP_CONTENT_TYPE")
	}
	// a set-param overriding a default replaces it
	m = &Meta{Params: []Pair{{"SCRIPT_NAME", "/forced.php"}}, Hide: DefaultHidden}
	got, _ = buildParams(t, "GET /a.php/b HTTP/1.1\r\nHost: h\r\n\r\n", app, m)
	if got["SCRIPT_NAME"] != "/forced.php" || got["SCRIPT_FILENAME"] != "/w/forced.php" || got["PATH_INFO"] != "" {
		t.Errorf("set-param SCRIPT_NAME: %v", got)
	}
	if u, typ := AuthParams([]byte("Basic eDp5")); u != "x" || typ != "Basic" {
		t.Errorf("AuthParams: %q %q, want x Basic", u, typ)
	}
}
