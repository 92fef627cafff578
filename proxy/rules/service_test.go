package rules

import (
	"testing"

	"github.com/goha/goha/proxy/sample"
)

// TestCompileUseService compiles `use-service prometheus-exporter` with
// and without a condition into UsePrometheus rules, in order with the
// other request rules.
func TestCompileUseService(t *testing.T) {
	p := frontend(t, `    http-request use-service prometheus-exporter if { path /metrics }
    http-request return status 404 if { path /x }
    http-request use-service prometheus-exporter`)
	rs, err := CompileSet(p, nil, &sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Kind{UsePrometheus, Return, UsePrometheus}
	if len(rs.Req) != len(want) {
		t.Fatalf("%d request rules, want %d", len(rs.Req), len(want))
	}
	for i, k := range want {
		if rs.Req[i].Kind != k {
			t.Errorf("request rule %d: kind %d, want %d", i, rs.Req[i].Kind, k)
		}
	}
	if rs.Req[0].Cond == nil || rs.Req[2].Cond != nil {
		t.Errorf("conditions: first %v (want one), last %v (want none)", rs.Req[0].Cond, rs.Req[2].Cond)
	}
}
