package config

import (
	"fmt"
	"strings"
	"time"
)

// The process keywords of the global section: how goha runs (daemon,
// master-worker, workers and threads, identity, files it writes) and
// when it stops.

// globalSection handles the `global` header line.
func (p *parser) globalSection(args []string, _ int) bool {
	p.tooManyArgs(0, 0, args)
	p.global = true
	return true
}

// globalNoArg handles keywords without arguments that change nothing
// (`quiet`, `zero-warning`).
func (p *parser) globalNoArg(args []string, _ int) bool {
	return !p.tooManyArgs(0, 0, args)
}

func (p *parser) globalDaemon(args []string, _ int) bool {
	if p.tooManyArgs(0, 0, args) {
		return false
	}
	p.cfg.Global.Daemon = true
	return true
}

func (p *parser) globalInsecureSetuid(args []string, _ int) bool {
	if p.tooManyArgs(0, 0, args) {
		return false
	}
	p.cfg.Global.InsecureSetuidWanted = true
	return true
}

// globalMasterWorker handles `master-worker [no-exit-on-failure]`.
func (p *parser) globalMasterWorker(args []string, _ int) bool {
	g := &p.cfg.Global
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	if a1 := arg(args, 1); a1 != "" {
		if a1 != "no-exit-on-failure" {
			p.alertf("'%s' only supports 'no-exit-on-failure' option.", args[0])
			return false
		}
		g.NoExitOnFailure = true
	}
	g.MasterWorker = true
	return true
}

// globalIntOnce returns the parser of an integer keyword that may be
// given once (`maxconn`, `ulimit-n`).
func globalIntOnce(field func(*Global) *int) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		kw, a1 := args[0], arg(args, 1)
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		dst := field(&p.cfg.Global)
		if *dst != 0 {
			p.softAlertf("'%s' already specified. Continuing.", kw)
			return false
		}
		if a1 == "" {
			p.alertf("'%s' expects an integer argument.", kw)
			return false
		}
		*dst = atoiC(a1)
		return true
	}
}

// globalNbproc handles `nbproc`: HAProxy 2.5+ refuses it; goha runs
// that many workers.
func (p *parser) globalNbproc(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	n, _, ok := strtol10(a1)
	if !ok || n < 1 || !isInteger(a1) {
		p.alertf("'%s' expects an integer argument.", kw)
		return false
	}
	p.cfg.Global.Nbproc = n
	return true
}

func (p *parser) globalNbthread(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	n, end, ok := strtol10(a1)
	if !ok || end != len(a1) {
		p.alertf("'%s' passed a missing or unparsable integer value in '%s'", kw, a1)
		return false
	}
	if n < 1 || n > 64 {
		p.alertf("'%s' value must be between 1 and 64 (was %d)", kw, n)
		return false
	}
	p.cfg.Global.Nbthread = n
	return true
}

// globalID returns the parser of `uid` or `gid`: other names the
// keyword setting the same id, hint the keyword taking a name instead.
func globalID(field func(*Global) *int, other, hint string) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		kw, a1 := args[0], arg(args, 1)
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		dst := field(&p.cfg.Global)
		if *dst != -1 {
			p.softAlertf("%s already specified. Continuing.", other)
			return false
		}
		if a1 == "" {
			p.alertf("'%s' expects an integer argument.", kw)
			return false
		}
		n, end, ok := strtol10(a1)
		if !ok || end != len(a1) {
			p.warnf(" %s: string '%s' is not a number.\n   | You might want to use the '%s' parameter to use a system %s name.", kw, a1, hint, hint)
		}
		*dst = n
		return true
	}
}

func (p *parser) globalUser(args []string, _ int) bool {
	g, a1 := &p.cfg.Global, arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	if g.UID != -1 {
		p.softAlertf("user/uid already specified. Continuing.")
		return false
	}
	id, err := p.opts.LookupUser(a1)
	if err != nil {
		p.alertf("cannot find user id for '%s' (0:Success)", a1)
		return false
	}
	g.UID, g.User = id, a1
	return true
}

func (p *parser) globalGroup(args []string, _ int) bool {
	g, a1 := &p.cfg.Global, arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	if g.GID != -1 {
		p.softAlertf("gid/group was already specified. Continuing.")
		return false
	}
	id, err := p.opts.LookupGroup(a1)
	if err != nil {
		p.alertf("cannot find group id for '%s' (0:Success)", a1)
		return false
	}
	g.GID, g.Group = id, a1
	return true
}

// globalPathOnce returns the parser of a keyword naming a file or a
// directory that may be given once (`chroot`, `pidfile`...); want is
// the error when it is missing.
func globalPathOnce(field func(*Global) *string, want string) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		kw, a1 := args[0], arg(args, 1)
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		dst := field(&p.cfg.Global)
		if *dst != "" {
			p.softAlertf("'%s' already specified. Continuing.", kw)
			return false
		}
		if a1 == "" {
			p.alertf(want, kw)
			return false
		}
		*dst = a1
		return true
	}
}

func (p *parser) globalHardStopAfter(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if a1 == "" {
		p.alertf("'%s' expects <time> as argument.", kw)
		return false
	}
	d, res, bad, _ := parseTime(a1, time.Millisecond)
	switch res {
	case timeOver:
		p.alertf("timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days)", a1, kw)
		return false
	case timeUnder:
		p.alertf("timer underflow in argument '%s' to '%s' (minimum non-null value is 1 ms)", a1, kw)
		return false
	case timeBadChar:
		p.alertf("unexpected character '%c' in argument to <%s>.", bad, kw)
		return false
	}
	p.cfg.Global.HardStopAfter = d
	return true
}

func (p *parser) globalMworkerMaxReloads(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	n, end, ok := strtol10(a1)
	if !ok || end != len(a1) || n < 0 {
		p.alertf("'%s' expects an integer argument.", kw)
		return false
	}
	p.cfg.Global.MworkerMaxReloads = n
	return true
}

// globalDescription handles `description TEXT...`.
func (p *parser) globalDescription(args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a string argument.", p.file, p.line, args[0]))
		return false
	}
	p.cfg.Global.Description = strings.Join(args[1:], " ")
	return true
}

// globalNode handles `node NAME`.
func (p *parser) globalNode(args []string, _ int) bool {
	a1 := arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	for i := 0; i < len(a1); i++ {
		c := a1[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' requires valid node name - non-empty string with only alphanumeric characters, '-', '_' and '.'.", p.file, p.line, args[0]))
			return false
		}
	}
	p.cfg.Global.Node = a1
	return true
}
