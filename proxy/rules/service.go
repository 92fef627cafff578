package rules

import (
	"fmt"

	"github.com/goha/goha/config"
)

// UsePrometheus is `http-request use-service prometheus-exporter`: the
// request is answered by the Prometheus exporter (package metrics). One
// kind per built-in service; its value is kept apart from the kinds of
// rules.go so that other files can add theirs.
const UsePrometheus Kind = SetPath + 32

// services maps a service name to its rule kind.
var services = map[string]Kind{config.ServicePrometheus: UsePrometheus}

// The use-service row of the HTTP action table (request rules only).
func init() {
	httpActions["use-service"] = struct {
		responses bool
		compile   func(c *ruleCompiler) error
	}{false, (*ruleCompiler).useService}
}

// useService compiles `use-service NAME`.
func (c *ruleCompiler) useService() error {
	k, ok := services[c.r.Value]
	if !ok {
		return fmt.Errorf("%s: unknown service %q", c.where, c.r.Value)
	}
	c.hr.Kind = k
	return nil
}
