package h2

import (
	"net/http"
	"strings"
	"testing"
)

func TestServerGet(t *testing.T) {
	ts := startServer(t, Options{}, echoH1)
	cl, tr := h2cClient()
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+ts.addr+"/a?b=c", nil)
	req.Header.Add("Cookie", "a=1")
	req.Header.Add("Cookie", "b=2")
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := mustBody(t, resp)
	want := `GET /a?b=c host=` + ts.addr + ` cookie="a=1; b=2" len=0`
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 || !strings.HasPrefix(body, want) {
		t.Fatalf("got %d %s %q, want 200 HTTP/2 %q", resp.StatusCode, resp.Proto, body, want)
	}
	if resp.Header.Get("Connection") != "" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("response headers %v", resp.Header)
	}
}
