package statspage

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/proxy/stats"
)

// fakeSource serves fixed rows and records actions.
type fakeSource struct {
	rows    []stats.Row
	actions []string
}

func (f *fakeSource) StatRows() []stats.Row { return f.rows }
func (f *fakeSource) PageInfo() Info {
	return Info{Pid: 42, ProcessNum: 1, Nbthread: 2, Uptime: 65 * time.Second, Ulimit: 1024, Maxsock: 1024, Maxconn: 100, Node: "node1"}
}
func (f *fakeSource) ServerAction(b, s, a string) error {
	switch a {
	case "ready", "drain", "maint", "dhlth", "ehlth", "hrunn", "hnolb", "hdown":
	default:
		return ErrUnknownAction
	}
	if s == "nope" {
		return errors.New("no such server")
	}
	f.actions = append(f.actions, b+"/"+s+":"+a)
	return nil
}

func server(px, name, status string, backup bool) stats.Row {
	r := stats.NewRow(stats.ObjServer, px, name, 3, 1, true)
	r.SetStr(stats.ColStatus, status)
	if backup {
		r.Set(stats.ColBck, 1)
	} else {
		r.Set(stats.ColAct, 1)
	}
	r.SetStr(stats.ColAddr, "127.0.0.1:80")
	r.Maint = status == "MAINT"
	r.Down = strings.HasPrefix(status, "DOWN")
	return r
}

func source() *fakeSource {
	fe := stats.NewRow(stats.ObjFrontend, "fe", "FRONTEND", 2, 0, true)
	fe.SetStr(stats.ColStatus, "OPEN")
	fe.Set(stats.ColStot, 7)
	be := stats.NewRow(stats.ObjBackend, "be", "BACKEND", 3, 0, true)
	be.SetStr(stats.ColStatus, "UP")
	return &fakeSource{rows: []stats.Row{fe,
		server("be", "s1", "UP", false), server("be", "s2", "DOWN", false),
		server("be", "s3", "MAINT", false), server("be", "s4", "no check", true),
		server("be", "s5", "DRAIN", false), server("be", "s6", "UP 1/3", false), be}}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func header(r Response, name string) string {
	for _, h := range r.Header {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

func TestServe(t *testing.T) {
	p := New(Config{URI: "/stats", Realm: "goha stats", Auth: [][2]string{{"admin", "pw"}, {"ops", "x:y"}},
		Refresh: 10 * time.Second, Version: "1.0", ReleaseDate: "2026/01/01"})
	tests := []struct {
		name       string
		req        Request
		status     int
		ctype      string
		body       []string // substrings the body must hold
		notBody    []string
		hdr, value string
	}{
		{name: "no credentials", req: Request{Method: "GET", URI: "/stats"}, status: 401, ctype: "text/html",
			hdr: "www-authenticate", value: `Basic realm="goha stats"`, body: []string{"401 Unauthorized"}},
		{name: "bad password", req: Request{Method: "GET", URI: "/stats", Authorization: basic("admin", "no")}, status: 401},
		{name: "not basic", req: Request{Method: "GET", URI: "/stats", Authorization: "Bearer abc"}, status: 401},
		{name: "garbage base64", req: Request{Method: "GET", URI: "/stats", Authorization: "Basic %%%"}, status: 401},
		{name: "html", req: Request{Method: "GET", URI: "/stats", Authorization: basic("admin", "pw")}, status: 200, ctype: "text/html",
			hdr: "refresh", value: "10",
			body: []string{"<html", "Statistics Report for pid 42", `class="active_up"`, `class="active_down"`, `class="maintain"`,
				`class="backup_no_check"`, `class="active_draining"`, `class="active_going_down"`, ">s1<", "goha version 1.0"},
			notBody: []string{"<form method=\"post\">"}},
		{name: "second account, colon in password", req: Request{Method: "GET", URI: "/stats", Authorization: basic("ops", "x:y")}, status: 200},
		{name: "csv", req: Request{Method: "GET", URI: "/stats;csv", Authorization: basic("admin", "pw")}, status: 200, ctype: "text/plain",
			body: []string{"# pxname,svname,", "\nfe,FRONTEND,", "\nbe,s1,", "\nbe,BACKEND,"}, notBody: []string{"127.0.0.1:80"}},
		{name: "csv up", req: Request{Method: "GET", URI: "/stats;csv;up", Authorization: basic("admin", "pw")}, status: 200,
			body: []string{"\nbe,s1,"}, notBody: []string{"\nbe,s2,", "\nbe,s3,"}},
		{name: "json", req: Request{Method: "GET", URI: "/stats;json", Authorization: basic("admin", "pw")}, status: 200, ctype: "application/json",
			body: []string{`"objType":"Frontend"`}},
		{name: "json-schema", req: Request{Method: "GET", URI: "/stats;json-schema", Authorization: basic("admin", "pw")}, status: 200,
			ctype: "application/json", body: []string{`{"$schema":"http://json-schema.org/draft-04/schema#","oneOf":[{"title":"Info"`},
			notBody: []string{`"objType":"Frontend","proxyId"`}},
		{name: "typed", req: Request{Method: "GET", URI: "/stats;typed", Authorization: basic("admin", "pw")}, status: 200,
			body: []string{"F.2.0.0.pxname.1:KNS:str:fe"}},
		{name: "status banner", req: Request{Method: "GET", URI: "/stats;st=DONE", Authorization: basic("admin", "pw")}, status: 200,
			body: []string{"Action processed successfully."}},
		{name: "admin form", req: Request{Method: "GET", URI: "/stats", Authorization: basic("admin", "pw"), Admin: true}, status: 200,
			body: []string{`<form method="post">`, `name="s" value="s1"`, `<option value="maint">`, `name="b" value="#3"`}},
		{name: "post denied", req: Request{Method: "POST", URI: "/stats", Authorization: basic("admin", "pw"), Body: []byte("s=s1&action=maint&b=%233")},
			status: 303, hdr: "location", value: "/stats;st=DENY"},
		{name: "post done", req: Request{Method: "POST", URI: "/stats", Authorization: basic("admin", "pw"), Admin: true, Body: []byte("s=s1&s=s2&action=maint&b=%233")},
			status: 303, hdr: "location", value: "/stats;st=DONE"},
		{name: "post partial", req: Request{Method: "POST", URI: "/stats", Authorization: basic("admin", "pw"), Admin: true, Body: []byte("s=s1&s=nope&action=drain&b=be")},
			status: 303, hdr: "location", value: "/stats;st=PART"},
		{name: "post no server", req: Request{Method: "POST", URI: "/stats", Authorization: basic("admin", "pw"), Admin: true, Body: []byte("action=drain&b=be")},
			status: 303, hdr: "location", value: "/stats;st=NONE"},
		{name: "post bad action", req: Request{Method: "POST", URI: "/stats", Authorization: basic("admin", "pw"), Admin: true, Body: []byte("s=s1&action=explode&b=be")},
			status: 303, hdr: "location", value: "/stats;st=ERRP"},
		{name: "post without auth", req: Request{Method: "POST", URI: "/stats", Admin: true, Body: []byte("s=s1&action=maint&b=be")}, status: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := source()
			r := p.Serve(tc.req, src)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.ctype != "" && header(r, "content-type") != tc.ctype {
				t.Errorf("content-type %q, want %q", header(r, "content-type"), tc.ctype)
			}
			if tc.hdr != "" && header(r, tc.hdr) != tc.value {
				t.Errorf("%s: %q, want %q", tc.hdr, header(r, tc.hdr), tc.value)
			}
			for _, s := range tc.body {
				if !strings.Contains(string(r.Body), s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tc.notBody {
				if strings.Contains(string(r.Body), s) {
					t.Errorf("body holds %q", s)
				}
			}
		})
	}
}

func TestPostActions(t *testing.T) {
	p := New(Config{})
	src := source()
	r := p.Serve(Request{Method: "POST", URI: DefaultURI, Admin: true, Body: []byte("s=s1&s=s2&action=maint&b=%233")}, src)
	if r.Status != 303 || header(r, "location") != DefaultURI+";st=DONE" {
		t.Fatalf("got %d %q", r.Status, header(r, "location"))
	}
	if got := strings.Join(src.actions, " "); got != "#3/s1:maint #3/s2:maint" {
		t.Errorf("actions %q", got)
	}
}

func TestMatchAndDefaults(t *testing.T) {
	p := New(Config{})
	tests := []struct {
		target string
		want   bool
	}{
		{"/haproxy?stats", true},
		{"/haproxy?stats;csv", true},
		{"/haproxy", false},
		{"/other", false},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			if got := p.Match([]byte(tc.target)); got != tc.want {
				t.Errorf("Match(%q) = %v", tc.target, got)
			}
		})
	}
	r := p.Serve(Request{Method: "GET", URI: "/haproxy?stats"}, source())
	if r.Status != 200 || header(r, "refresh") != "" {
		t.Errorf("no auth, no refresh: got %d refresh=%q", r.Status, header(r, "refresh"))
	}
}

func TestHideVersionShowNodeScope(t *testing.T) {
	p := New(Config{URI: "/s", HideVersion: true, ShowNode: true, Scope: []string{"fe"}, Version: "9.9"})
	body := string(p.Serve(Request{Method: "GET", URI: "/s"}, source()).Body)
	if strings.Contains(body, "9.9") {
		t.Error("hide-version: version shown")
	}
	if !strings.Contains(body, "for pid 42 on node1") {
		t.Error("show-node: node not shown")
	}
	if strings.Contains(body, ">s1<") {
		t.Error("scope fe: backend be shown")
	}
}

func TestHumanTime(t *testing.T) {
	for _, tc := range []struct {
		s    int64
		want string
	}{{-1, "-"}, {0, "0s"}, {59, "59s"}, {63, "1m3s"}, {7500, "2h5m"}, {3*86400 + 4*3600, "3d4h"}} {
		if got := humanTime(tc.s); got != tc.want {
			t.Errorf("humanTime(%d) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// FuzzServe feeds arbitrary targets, credentials and form bodies: the page
// must answer without panicking, with one of its statuses.
func FuzzServe(f *testing.F) {
	f.Add("GET", "/stats;csv;up;scope=be", basic("a", "b"), "")
	f.Add("POST", "/stats", basic("a", "b"), "s=s1&action=maint&b=%233")
	f.Add("POST", "/stats;st=DONE", "Basic Og==", "%zz&&==;")
	p := New(Config{URI: "/stats", Auth: [][2]string{{"a", "b"}}})
	f.Fuzz(func(t *testing.T, method, target, auth, body string) {
		r := p.Serve(Request{Method: method, URI: target, Authorization: auth, Body: []byte(body), Admin: true}, source())
		switch r.Status {
		case 200, 303, 401:
		default:
			t.Fatalf("status %d", r.Status)
		}
	})
}
