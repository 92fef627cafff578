package check

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/config"
)

// Defaults applied by FromConfig, as in HAProxy.
const (
	DefaultInter = 2 * time.Second
	DefaultRise  = 2
	DefaultFall  = 3
	// MaxResponse bounds what an HTTP check reads (HAProxy's check buffer
	// is tune.bufsize).
	MaxResponse = 16384
)

// Config is everything one server's checker needs. Zero durations mean:
// FastInter and DownInter default to Inter; TimeoutConnect and
// TimeoutCheck unset (see Checker for their effect).
type Config struct {
	Backend, Server string
	Backup          bool
	// Network is "tcp" or "unix"; Addr is host:port or the socket path.
	Network, Addr string

	Inter, FastInter, DownInter time.Duration
	Rise, Fall                  int
	// TimeoutConnect is the backend's `timeout connect`; TimeoutCheck its
	// `timeout check`.
	TimeoutConnect, TimeoutCheck time.Duration

	// TLS, when set, makes the check a TLS handshake after the connect
	// (`check-ssl`, or a server with `ssl`): L6OK, or L6RSP/L6TOUT when
	// the handshake fails, before any HTTP check runs over it.
	TLS *tls.Config
	// HTTP is the `option httpchk` request and expectation; nil means a
	// plain TCP connect check.
	HTTP *HTTPCheck
	// External is an external check's program (external.go); nil for
	// a network check.
	External *External
	// LogHealthChecks is `option log-health-checks`: every check whose
	// status or health changes is reported (EventHealth), and state
	// changes then carry no reason.
	LogHealthChecks bool
	// Drained, when set, reports whether the server's weight is 0: the
	// log-health-checks line then says DRAIN rather than UP.
	Drained func() bool
	// Wrap, when set, wraps each check's connection before the HTTP
	// check is written: a FastCGI server's gateway (package fcgi).
	Wrap func(net.Conn) net.Conn `json:"-"`
}

// HTTPCheck is an HTTP check request and what its response must show.
type HTTPCheck struct {
	Method, URI, Version string // defaults OPTIONS, /, HTTP/1.0
	Headers              [][2]string
	Body                 string
	Expect               Expect
}

// Expect is `http-check expect [!] status|rstatus|string|rstring VALUE`;
// the zero value expects a status in 200-399.
type Expect struct {
	Kind  string // "", "status", "rstatus", "string", "rstring"
	Value string
	Neg   bool

	codes [][2]int       // status ranges
	re    *regexp.Regexp // rstatus, rstring
}

// compile parses the expectation's value.
func (e *Expect) compile() error {
	switch e.Kind {
	case "":
		e.codes = [][2]int{{200, 399}}
	case "status":
		for _, part := range strings.Split(e.Value, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, err := strconv.Atoi(lo)
			if err != nil {
				return fmt.Errorf("http-check expect status: invalid code %q", part)
			}
			b := a
			if isRange {
				if b, err = strconv.Atoi(hi); err != nil {
					return fmt.Errorf("http-check expect status: invalid range %q", part)
				}
			}
			e.codes = append(e.codes, [2]int{a, b})
		}
	case "rstatus", "rstring":
		re, err := regexp.Compile(e.Value)
		if err != nil {
			return fmt.Errorf("http-check expect %s: invalid regex %q: %w", e.Kind, e.Value, err)
		}
		e.re = re
	case "string":
		if e.Value == "" {
			return errors.New("http-check expect string: empty pattern")
		}
	default:
		return fmt.Errorf("http-check expect: unsupported kind %q", e.Kind)
	}
	return nil
}

// ErrNoPort means the server has neither a service port nor a check port:
// HAProxy disables its check with a warning.
var ErrNoPort = errors.New("has neither service port nor check port")

// FromConfig builds a server's check configuration from its backend and
// server lines, applying HAProxy's defaults. It fails with ErrNoPort
// (wrapped) when there is no port to check.
func FromConfig(px *config.Proxy, s *config.Server) (Config, error) {
	c := Config{
		Backend:         px.Name,
		Server:          s.Name,
		Backup:          s.Backup,
		Inter:           s.Inter,
		FastInter:       s.FastInter,
		DownInter:       s.DownInter,
		Rise:            s.Rise,
		Fall:            s.Fall,
		TimeoutConnect:  px.Timeouts.Connect,
		TimeoutCheck:    px.Timeouts.Check,
		LogHealthChecks: px.Options.LogHealthChecks,
	}
	if s.Unix != "" && s.CheckAddr == "" {
		c.Network, c.Addr = "unix", config.UnixSocketName(s.Unix)
	} else {
		host := s.Addr
		if s.CheckAddr != "" {
			host = s.CheckAddr
		}
		port := s.Port
		if s.CheckPort != 0 {
			port = s.CheckPort
		}
		if port == 0 {
			return c, fmt.Errorf("server '%s/%s' %w", px.Name, s.Name, ErrNoPort)
		}
		c.Network, c.Addr = "tcp", net.JoinHostPort(host, strconv.Itoa(port))
	}
	externalFromConfig(&c, px, s)
	if px.Options.HTTPChk && c.External == nil {
		h := px.HealthChk
		c.HTTP = &HTTPCheck{Method: h.Method, URI: h.URI, Version: h.Version, Headers: h.Headers, Body: h.Body,
			Expect: Expect{Kind: h.ExpectKind, Value: h.ExpectValue, Neg: h.ExpectNeg}}
	}
	if err := c.normalize(); err != nil {
		return c, fmt.Errorf("server '%s/%s': %w", px.Name, s.Name, err)
	}
	return c, nil
}

// normalize applies defaults and compiles the expectation.
func (c *Config) normalize() error {
	if c.Inter <= 0 {
		c.Inter = DefaultInter
	}
	if c.FastInter <= 0 {
		c.FastInter = c.Inter
	}
	if c.DownInter <= 0 {
		c.DownInter = c.Inter
	}
	if c.Rise <= 0 {
		c.Rise = DefaultRise
	}
	if c.Fall <= 0 {
		c.Fall = DefaultFall
	}
	if c.Network == "" {
		c.Network = "tcp"
	}
	if c.HTTP != nil {
		h := *c.HTTP
		if h.Method == "" {
			h.Method = "OPTIONS"
		}
		if h.URI == "" {
			h.URI = "/"
		}
		if h.Version == "" {
			h.Version = "HTTP/1.0"
		}
		if err := h.Expect.compile(); err != nil {
			return err
		}
		c.HTTP = &h
	}
	return nil
}

// request renders the HTTP check request as HAProxy sends it: the request
// line, the configured headers, then `connection: close` (unless a
// Connection header was configured) and `content-length`, and the body.
func (h *HTTPCheck) request() []byte {
	var b strings.Builder
	b.WriteString(h.Method + " " + h.URI + " " + h.Version + "\r\n")
	conn := false
	for _, kv := range h.Headers {
		b.WriteString(kv[0] + ": " + kv[1] + "\r\n")
		if strings.EqualFold(kv[0], "connection") {
			conn = true
		}
	}
	if !conn {
		b.WriteString("connection: close\r\n")
	}
	b.WriteString("content-length: " + strconv.Itoa(len(h.Body)) + "\r\n\r\n")
	b.WriteString(h.Body)
	return []byte(b.String())
}
