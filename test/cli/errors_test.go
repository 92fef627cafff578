package cli

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestShowErrorsCapturesBadRequest: a garbage request head answered 400
// is shown by `show errors` with its frontend, client address and bytes.
func TestShowErrorsCapturesBadRequest(t *testing.T) {
	e := setup(t)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", e.port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer := c.LocalAddr().String()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GARBAGE\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "HTTP/1.1 400") {
		t.Fatalf("answer = %q; want a 400", got)
	}
	out := e.cli(e.admin, "show errors")
	for _, want := range []string{"Total events captured on [", "] : 1\n", "frontend fe (#", "src " + peer + "\n", "  00000  GARBAGE\\r\\n\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("show errors lacks %q:\n%s", want, out)
		}
	}
	t.Logf("show errors:\n%s", out)
	if out := e.cli(e.admin, "show errors fe response"); !strings.Contains(out, "] : 0\n") {
		t.Errorf("show errors fe response = %q; want no event", out)
	}
}
