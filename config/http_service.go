package config

import "fmt"

// The services of `http-request use-service NAME`: goha has HAProxy's
// built-in Prometheus exporter (package proxy/metrics); Lua services
// are not known (they are in the unknown-name error HAProxy gives too).

// ServicePrometheus is the name of the Prometheus exporter service.
const ServicePrometheus = "prometheus-exporter"

// serviceActions are the rows of the services goha implements, under
// "use-service NAME" (see actionBase).
func serviceActions() []keyword[actionFunc] {
	return []keyword[actionFunc]{
		akw("use-service "+ServicePrometheus, (*parser).actionService),
		akw("use-service", (*parser).actionUnknownService),
	}
}

// actionUnknownService refuses `use-service` with a name goha does not
// know (Lua services among them) or none, as HAProxy words it.
func (p *parser) actionUnknownService(_ *Rule, body []string) string {
	if len(body) == 0 {
		return "'use-service' expects a service name.."
	}
	return fmt.Sprintf("'%s' unknown service name..", body[0])
}

// actionService handles `use-service NAME`: the rule's Value is the
// service name; nothing may follow it but the condition.
func (p *parser) actionService(r *Rule, body []string) string {
	if len(body) > 1 {
		return fmt.Sprintf("unexpected argument '%s' after the service name.", body[1])
	}
	r.Value = body[0]
	return ""
}
