package worker

import (
	"fmt"
	"strings"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/ssl"
)

// LoadTLS loads every certificate, crt-list, CA, CRL and ticket-key file
// the configuration's `ssl` binds and servers name, and builds their TLS
// settings (package ssl). It runs before the privilege drop and the
// chroot, so files readable by root only keep working. The alerts are
// HAProxy's texts for `-c`, each naming the file and line of the bind or
// server concerned; with any, the configuration must not be served.
func LoadTLS(cfg *config.Config) (*ssl.Built, []string) {
	b, errs := ssl.Build(cfg, nil)
	if len(errs) == 0 {
		return b, nil
	}
	alerts := make([]string, 0, len(errs))
	for _, e := range errs {
		alerts = append(alerts, tlsAlert(e))
	}
	return nil, alerts
}

// tlsAlert is e's text, led by "parsing [file:line] : " when the text
// does not already say where.
func tlsAlert(e *config.Error) string {
	if e.File == "" || strings.Contains(e.Msg, fmt.Sprintf("%s:%d]", e.File, e.Line)) {
		return e.Msg
	}
	return fmt.Sprintf("parsing [%s:%d] : %s", e.File, e.Line, e.Msg)
}

// TLSError joins LoadTLS's alerts into one error for a worker's log.
func TLSError(alerts []string) error {
	return fmt.Errorf("TLS: %s", strings.Join(alerts, "; "))
}
