package stream

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
)

// compileMonitorFail compiles a frontend's `monitor fail` conditions.
func compileMonitorFail(p *config.Proxy, refs *acl.Refs) ([]*acl.Cond, error) {
	var out []*acl.Cond
	for _, c := range p.MonitorFail {
		cond, err := acl.CompileWith(c, refs)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: monitor fail: %w", p.Name, err)
		}
		out = append(out, cond)
	}
	return out, nil
}

// monitorStatus is the monitor-uri's answer: 503 when one of the
// `monitor fail` conditions holds, else 200.
func (s *httpSession) monitorStatus() int {
	for _, c := range s.f.monFail {
		if c.Eval(&s.smp) {
			return 503
		}
	}
	return 200
}
