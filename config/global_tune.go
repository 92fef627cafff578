package config

// The tuning keywords of the global section goha honours.

// globalBufsize handles `tune.bufsize` and `tune.maxrewrite`. HAProxy
// reads these with atol(): "16k" silently became 16 and crashed 2.6
// (tune.bufsize 16k segfaults `haproxy -c`). goha rejects anything but
// a plain positive integer.
func globalBufsize(field func(*Global) *int) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		kw, a1, ok := p.intArgument(args)
		if !ok {
			return false
		}
		if !isInteger(a1) || atoiC(a1) <= 0 {
			p.alertf("'%s' expects a positive integer argument.", kw)
			return false
		}
		*field(&p.cfg.Global) = atoiC(a1)
		return true
	}
}

// globalMaxHdr handles `tune.http.maxhdr N`: 1 to 32767, in HAProxy 2.6's
// words.
func globalMaxHdr(p *parser, args []string, _ int) bool {
	kw, a1, ok := p.intArgument(args)
	if !ok {
		return false
	}
	if !isInteger(a1) || atoiC(a1) < 1 || atoiC(a1) > 32767 {
		p.alertf("'%s' expects a numeric value between 1 and 32767", kw)
		return false
	}
	p.cfg.Global.TuneMaxHdr = atoiC(a1)
	return true
}

// intArgument checks that a keyword has exactly one argument, in
// HAProxy's words when it has none, and returns the keyword and it.
func (p *parser) intArgument(args []string) (kw, a1 string, ok bool) {
	kw, a1 = args[0], arg(args, 1)
	if p.tooManyArgs(1, 0, args) {
		return kw, a1, false
	}
	if a1 == "" {
		p.alertf("'%s' expects an integer argument.", kw)
		return kw, a1, false
	}
	return kw, a1, true
}
