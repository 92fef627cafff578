package samples

import (
	"fmt"
	"testing"

	"github.com/goha/goha/test/harness"
)

// TestVariablesEverywhere: global set-var and set-var-fmt fill proc
// variables at startup, tcp-request content set-var runs in mode http,
// and set-var conditions hold, with the values HAProxy 2.6.12 answers
// for the same configuration (checked live).
func TestVariablesEverywhere(t *testing.T) {
	fe := harness.FreeAddr(t)
	startGoha(t, fmt.Sprintf(`global
    set-var proc.g1 int(7)
    set-var-fmt proc.g2 "v=%%[int(3)]"
    set-var proc.g3 str(A),lower
`+defaults+`
frontend fe
    bind %s
    tcp-request content set-var(txn.t1) str(tc)
    tcp-request content set-var(txn.t2) str(no) if { always_false }
    http-request set-var(txn.n1,ifnotexists) str(b)
    http-request set-var(txn.n1,ifnotexists) str(c)
    http-request set-var(txn.t1,ifexists) str(td)
    http-request set-var(txn.g,ifgt) int(3)
    http-request set-var(proc.g1,iflt) int(9)
    http-request return status 200 content-type text/plain lf-string "g1=%%[var(proc.g1)] g2=%%[var(proc.g2)] g3=%%[var(proc.g3)] t1=%%[var(txn.t1)] t2=%%[var(txn.t2)] n1=%%[var(txn.n1)] g=%%[var(txn.g)]"
`, fe), fe)
	_, body, _ := get(t, "http://"+fe+"/")
	if want := "g1=9 g2=v=3 g3=a t1=td t2= n1=b g=3"; body != want {
		t.Errorf("got %q; want %q", body, want)
	}
}
