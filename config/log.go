package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

var logFacilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"auth2", "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7"}

var logLevels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

var logFormats = map[string]bool{"local": true, "rfc3164": true, "rfc5424": true, "priority": true, "short": true,
	"timed": true, "iso": true, "raw": true}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// parseLog parses `log TARGET [len N] [format F] [sample R:S] FACILITY
// [LEVEL [MINLEVEL]]`; msg is HAProxy's error text. A nil target without
// error means `log global` (only valid in proxies).
func (p *parser) parseLog(args []string, global bool) (*LogTarget, string) {
	a1 := arg(args, 1)
	if a1 == "global" && !global {
		return nil, ""
	}
	if a1 == "" {
		return nil, "expects <address> and <facility> as arguments."
	}
	lt := &LogTarget{Len: 1024, Format: "local", Level: 7}
	i := 2
	for i < len(args) {
		switch args[i] {
		case "len":
			n := atoiC(arg(args, i+1))
			if n < 80 || n > 65535 {
				return nil, fmt.Sprintf("invalid log length '%s', must be between 80 and 65535.", arg(args, i+1))
			}
			lt.Len = n
			i += 2
			continue
		case "format":
			f := arg(args, i+1)
			if !logFormats[f] {
				return nil, fmt.Sprintf("unknown log format '%s'", f)
			}
			lt.Format = f
			i += 2
			continue
		case "sample":
			return nil, "'sample' is a known HAProxy log option that goha does not support yet"
		}
		break
	}
	fac := arg(args, i)
	if fac == "" {
		return nil, "expects <address> and <facility> as arguments."
	}
	f := indexOf(logFacilities, fac)
	if f < 0 {
		return nil, fmt.Sprintf("unknown log facility '%s'", fac)
	}
	lt.Facility = f
	if lv := arg(args, i+1); lv != "" {
		l := indexOf(logLevels, lv)
		if l < 0 {
			return nil, fmt.Sprintf("unknown optional log level '%s'", lv)
		}
		lt.Level = l
	}
	if mv := arg(args, i+2); mv != "" {
		l := indexOf(logLevels, mv)
		if l < 0 {
			return nil, fmt.Sprintf("unknown optional minimum log level '%s'", mv)
		}
		lt.MinLevel = l
	}
	if extra := arg(args, i+3); extra != "" {
		return nil, fmt.Sprintf("cannot handle unexpected argument '%s'.", extra)
	}
	expanded := envExpand(a1, p.env.get)
	addr, msg := normaliseLogAddr(expanded)
	if msg != "" {
		return nil, msg
	}
	if strings.HasPrefix(addr, "udp:") {
		hp := addr[4:]
		host := hp[:strings.LastIndexByte(hp, ':')]
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err != nil {
			if _, err := p.resolve(host); err != nil {
				return nil, fmt.Sprintf("invalid address: '%s' in '%s'", host, expanded)
			}
		}
	}
	lt.Addr = addr
	return lt, ""
}

// normaliseLogAddr turns a log target into "udp:host:port",
// "unix:/path", "stdout", "stderr" or "fd@N".
func normaliseLogAddr(a string) (string, string) {
	switch {
	case a == "stdout" || a == "fd@1":
		return "stdout", ""
	case a == "stderr" || a == "fd@2":
		return "stderr", ""
	case strings.HasPrefix(a, "fd@"):
		return a, ""
	case strings.HasPrefix(a, "ring@"):
		return "", "'ring@' log targets are known to HAProxy but goha does not support them yet"
	case strings.HasPrefix(a, "unix@"):
		return "unix:" + a[5:], ""
	case strings.HasPrefix(a, "/"):
		return "unix:" + a, ""
	}
	s := a
	for _, pfx := range []string{"udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"} {
		s = strings.TrimPrefix(s, pfx)
	}
	if strings.Contains(s, "@") {
		return "", fmt.Sprintf("unknown address family in '%s'", a)
	}
	host, port := s, "514"
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j > 0 {
			host = s[1:j]
			if rest := s[j+1:]; strings.HasPrefix(rest, ":") {
				port = rest[1:]
			}
		}
	} else if strings.Count(s, ":") == 1 {
		j := strings.IndexByte(s, ':')
		host, port = s[:j], s[j+1:]
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "", fmt.Sprintf("invalid port '%s'", port)
	}
	if n == 0 {
		n = 514
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.String()
		if ip.Is6() {
			return "udp:[" + host + "]:" + strconv.Itoa(n), ""
		}
	} else if host == "" {
		return "", fmt.Sprintf("invalid address: '%s' in '%s'", host, a)
	}
	return "udp:" + host + ":" + strconv.Itoa(n), ""
}

// parseProxyLog handles `log global`, `no log` and `log TARGET ...` in a
// proxy.
func (p *parser) parseProxyLog(px *Proxy, args []string, kwm int) {
	if kwm == kwmNo {
		px.NoLog, px.Logs, px.LogGlobal = true, nil, false
		return
	}
	if arg(args, 1) == "global" {
		if p.tooManyArgs(1, 0, args) {
			return
		}
		px.LogGlobal = true
		return
	}
	lt, msg := p.parseLog(args, false)
	if msg != "" {
		p.alertf("%s", "log : "+msg)
		return
	}
	px.Logs = append(px.Logs, *lt)
}
