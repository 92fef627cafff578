package config

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// softAlertf prints an alert that HAProxy does not count as fatal
// (`'maxconn' already specified. Continuing.`): shown, but the
// configuration stays valid.
func (p *parser) softAlertf(format string, a ...any) {
	p.rec.msgs = append(p.rec.msgs, Message{LevelAlert, fmt.Sprintf("parsing [%s:%d] : ", p.file, p.line) + fmt.Sprintf(format, a...)})
}

// tooManyArgs is HAProxy's alertif_too_many_args_idx(): true (and an
// error recorded) when args has a word after position index+max.
func (p *parser) tooManyArgs(max, index int, args []string) bool {
	i := index + max + 1
	if i >= len(args) || args[i] == "" {
		return false
	}
	kw := strings.Join(args[:index+1], " ")
	p.alertf("'%s' cannot handle unexpected argument '%s'.", kw, args[i])
	return true
}

// arg returns args[i] or "" (HAProxy's args[] is padded with empty words).
func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func (p *parser) parseGlobal(args []string, kwm int) {
	g := &p.cfg.Global
	kw := args[0]
	a1 := arg(args, 1)
	switch kw {
	case "global":
		p.tooManyArgs(0, 0, args)
		p.global = true
	case "daemon":
		if p.tooManyArgs(0, 0, args) {
			return
		}
		g.Daemon = true
	case "master-worker":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		if a1 != "" {
			if a1 != "no-exit-on-failure" {
				p.alertf("'%s' only supports 'no-exit-on-failure' option.", kw)
				return
			}
			g.NoExitOnFailure = true
		}
		g.MasterWorker = true
	case "quiet", "zero-warning", "insecure-setuid-wanted":
		if p.tooManyArgs(0, 0, args) {
			return
		}
		if kw == "insecure-setuid-wanted" {
			g.InsecureSetuidWanted = true
		}
	case "maxconn", "ulimit-n":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		dst := &g.Maxconn
		if kw == "ulimit-n" {
			dst = &g.UlimitN
		}
		if *dst != 0 {
			p.softAlertf("'%s' already specified. Continuing.", kw)
			return
		}
		if a1 == "" {
			p.alertf("'%s' expects an integer argument.", kw)
			return
		}
		*dst = atoiC(a1)
	case "nbproc":
		// HAProxy 2.5+ refuses nbproc; goha runs that many workers.
		if p.tooManyArgs(1, 0, args) {
			return
		}
		n, _, ok := strtol10(a1)
		if !ok || n < 1 || !isInteger(a1) {
			p.alertf("'%s' expects an integer argument.", kw)
			return
		}
		g.Nbproc = n
	case "nbthread":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		n, end, ok := strtol10(a1)
		if !ok || end != len(a1) {
			p.alertf("'%s' passed a missing or unparsable integer value in '%s'", kw, a1)
			return
		}
		if n < 1 || n > 64 {
			p.alertf("'%s' value must be between 1 and 64 (was %d)", kw, n)
			return
		}
		g.Nbthread = n
	case "uid", "gid":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		dst, other := &g.UID, "user/uid"
		if kw == "gid" {
			dst, other = &g.GID, "group/gid"
		}
		if *dst != -1 {
			p.softAlertf("%s already specified. Continuing.", other)
			return
		}
		if a1 == "" {
			p.alertf("'%s' expects an integer argument.", kw)
			return
		}
		n, end, ok := strtol10(a1)
		if !ok || end != len(a1) {
			hint := "user"
			if kw == "gid" {
				hint = "group"
			}
			p.warnf(" %s: string '%s' is not a number.\n   | You might want to use the '%s' parameter to use a system %s name.", kw, a1, hint, hint)
		}
		*dst = n
	case "user", "group":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		if kw == "user" {
			if g.UID != -1 {
				p.softAlertf("user/uid already specified. Continuing.")
				return
			}
			id, err := p.opts.LookupUser(a1)
			if err != nil {
				p.alertf("cannot find user id for '%s' (0:Success)", a1)
				return
			}
			g.UID, g.User = id, a1
		} else {
			if g.GID != -1 {
				p.softAlertf("gid/group was already specified. Continuing.")
				return
			}
			id, err := p.opts.LookupGroup(a1)
			if err != nil {
				p.alertf("cannot find group id for '%s' (0:Success)", a1)
				return
			}
			g.GID, g.Group = id, a1
		}
	case "chroot", "pidfile", "server-state-base", "server-state-file":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		var dst *string
		var want string
		switch kw {
		case "chroot":
			dst, want = &g.Chroot, "'%s' expects a directory as an argument."
		case "pidfile":
			dst, want = &g.Pidfile, "'%s' expects a file name as an argument."
		case "server-state-base":
			dst, want = &g.ServerStateBase, "'%s' expects one argument: a directory path."
		default:
			dst, want = &g.ServerStateFile, "'%s' expect one argument: a file path."
		}
		if *dst != "" {
			p.softAlertf("'%s' already specified. Continuing.", kw)
			return
		}
		if a1 == "" {
			p.alertf(want, kw)
			return
		}
		*dst = a1
	case "description", "node":
		if kw == "description" && a1 == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a string argument.", p.file, p.line, kw))
			return
		}
		if kw == "node" {
			if p.tooManyArgs(1, 0, args) {
				return
			}
			for i := 0; i < len(a1); i++ {
				c := a1[i]
				if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
					p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' requires valid node name - non-empty string with only alphanumeric characters, '-', '_' and '.'.", p.file, p.line, kw))
					return
				}
			}
			g.Node = a1
			return
		}
		g.Description = strings.Join(args[1:], " ")
	case "log-tag":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		if a1 == "" {
			p.alertf("'%s' expects a tag for use in syslog.", kw)
			return
		}
		g.LogTag = a1
	case "log":
		if kwm == kwmNo {
			g.Logs = nil
			return
		}
		lt, msg := p.parseLog(args, true)
		if msg != "" {
			p.alertf("%s : %s", kw, msg)
			return
		}
		if lt != nil {
			g.Logs = append(g.Logs, *lt)
		}
	case "tune.bufsize", "tune.maxrewrite":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		if a1 == "" {
			p.alertf("'%s' expects an integer argument.", kw)
			return
		}
		// HAProxy reads these with atol(): "16k" silently became 16 and
		// crashed 2.6 (tune.bufsize 16k segfaults `haproxy -c`).
		// goha rejects anything but a plain positive integer.
		if !isInteger(a1) || atoiC(a1) <= 0 {
			p.alertf("'%s' expects a positive integer argument.", kw)
			return
		}
		if kw == "tune.bufsize" {
			g.TuneBufsize = atoiC(a1)
		} else {
			g.TuneMaxrewrite = atoiC(a1)
		}
	case "hard-stop-after":
		if a1 == "" {
			p.alertf("'%s' expects <time> as argument.", kw)
			return
		}
		d, res, bad, _ := parseTime(a1, time.Millisecond)
		switch res {
		case timeOver:
			p.alertf("timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days)", a1, kw)
			return
		case timeUnder:
			p.alertf("timer underflow in argument '%s' to '%s' (minimum non-null value is 1 ms)", a1, kw)
			return
		case timeBadChar:
			p.alertf("unexpected character '%c' in argument to <%s>.", bad, kw)
			return
		}
		g.HardStopAfter = d
	case "mworker-max-reloads":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		n, end, ok := strtol10(a1)
		if !ok || end != len(a1) || n < 0 {
			p.alertf("'%s' expects an integer argument.", kw)
			return
		}
		g.MworkerMaxReloads = n
	case "setenv", "presetenv":
		if p.tooManyArgs(2, 0, args) {
			return
		}
		if a1 == "" || len(args) < 3 {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a name and a value.", p.file, p.line, kw))
			return
		}
		if kw == "presetenv" {
			if _, ok := p.env.get(a1); ok {
				return
			}
		}
		p.env.set(a1, args[2])
		g.Setenv = append(g.Setenv, [2]string{a1, args[2]})
	case "unsetenv":
		if a1 == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects at least one variable name.", p.file, p.line, kw))
			return
		}
		for _, n := range args[1:] {
			p.env.del(n)
		}
	case "resetenv":
		p.env.reset(args[1:])
	case "stats":
		p.parseGlobalStats(args)
	case "crt-base", "ca-base":
		if a1 == "" {
			p.alertf("'%s' expects a directory path as an argument.", kw)
			return
		}
		if kw == "crt-base" {
			p.crtBase = a1
		} else {
			p.caBase = a1
		}
		p.otherKeyword("global", args)
	case "ssl-dh-param-file", "issuers-chain-path":
		if a1 == "" {
			p.alertf("'%s' expects a file path as an argument.", kw)
			return
		}
		if err := p.opts.Stat(p.filePath(a1)); err != nil {
			p.alertf("'%s': unable to load '%s' (%s).", kw, a1, errnoText(err))
			return
		}
		p.otherKeyword("global", args)
	case "ssl-server-verify":
		if a1 != "none" && a1 != "required" {
			p.alertf("'%s' expects 'none' or 'required' as argument.", kw)
			return
		}
		p.sslServerVerify = a1
		p.otherKeyword("global", args)
	case "default-path":
		p.parseDefaultPath(args)
	case "lua-load", "lua-load-per-thread":
		if a1 == "" {
			p.alertf("'%s' expects a path as parameter.", kw)
			return
		}
		if _, err := p.opts.ReadFile(p.filePath(a1)); err != nil {
			p.alertf("error in Lua file '%s': cannot open %s: %s", a1, a1, errnoText(err))
			return
		}
		p.otherKeyword("global", args)
	default:
		p.otherKeyword("global", args)
	}
}

// parseGlobalStats handles `stats socket|timeout|maxconn|bind-process`
// in the global section.
func (p *parser) parseGlobalStats(args []string) {
	g := &p.cfg.Global
	a1, a2 := arg(args, 1), arg(args, 2)
	switch a1 {
	case "socket":
		if a2 == "" {
			p.alertf("'%s %s' in global section expects an address or a path to a UNIX socket", args[0], a1)
			return
		}
		b, ok := p.parseBindAddr("stats socket", a2, true)
		if !ok {
			return
		}
		if !p.parseBindOptions(&b, args, 3, "stats socket", true) {
			return
		}
		g.StatsSockets = append(g.StatsSockets, b)
	case "timeout":
		d, res, bad, _ := parseTime(a2, time.Millisecond)
		switch res {
		case timeOver:
			p.alertf("timer overflow in argument '%s' to '%s %s' (maximum value is 2147483647 ms or ~24.8 days)", a2, args[0], a1)
			return
		case timeUnder:
			p.alertf("timer underflow in argument '%s' to '%s %s' (minimum non-null value is 1 ms)", a2, args[0], a1)
			return
		case timeBadChar:
			p.alertf("'%s %s' : unexpected character '%c'", args[0], a1, bad)
			return
		}
		if d == 0 {
			p.alertf("'%s %s' expects a positive value", args[0], a1)
			return
		}
		g.StatsTimeout = d
	case "maxconn":
		n := atoiC(a2)
		if n <= 0 {
			p.alertf("'%s %s' expects a positive value", args[0], a1)
			return
		}
		g.StatsMaxconn = n
	case "bind-process":
		p.alertf("'%s %s' is not supported any more.", args[0], a1)
	default:
		p.alertf("'%s' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s')", args[0], a1)
	}
}

// parseDefaultPath handles `default-path current|config|parent|origin DIR`.
func (p *parser) parseDefaultPath(args []string) {
	a1 := arg(args, 1)
	switch a1 {
	case "current":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		p.defaultPath = ""
	case "config", "parent":
		if p.tooManyArgs(1, 0, args) {
			return
		}
		dir := "."
		if i := strings.LastIndexByte(p.file, '/'); i >= 0 {
			dir = p.file[:i]
			if dir == "" {
				dir = "/"
			}
		}
		if a1 == "parent" {
			dir = dir + "/.."
		}
		p.defaultPath = dir
	case "origin":
		if arg(args, 2) == "" {
			p.alertf("'%s %s' expects a directory as an argument.", args[0], a1)
			return
		}
		if err := p.opts.Stat(p.filePath(args[2])); err != nil {
			p.alertf("couldn't set '%s' to origin '%s': Impossible to get back to directory '%s': %s.", args[0], args[2], args[2], errnoText(err))
			return
		}
		p.defaultPath = p.filePath(args[2])
	case "":
		p.alertf("missing default-path mode '' for '%s', supported modes include 'current', 'config', 'parent', and 'origin'.", args[0])
	default:
		p.alertf("unsupported default-path mode '%s' for '%s', supported modes include 'current', 'config', 'parent', and 'origin'.", a1, args[0])
	}
}

// filePath turns a file name from the configuration into the path to
// open, applying `default-path` to relative names.
func (p *parser) filePath(name string) string {
	if p.defaultPath == "" || name == "" || name[0] == '/' {
		return name
	}
	return path.Clean(p.defaultPath + "/" + name)
}
