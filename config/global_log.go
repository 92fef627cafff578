package config

import "time"

// The global keywords about logging and the stats socket.

func (p *parser) globalLogTag(args []string, _ int) bool {
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	if arg(args, 1) == "" {
		p.alertf("'%s' expects a tag for use in syslog.", args[0])
		return false
	}
	p.cfg.Global.LogTag = args[1]
	return true
}

// globalLog handles `log TARGET...` and `no log`.
func (p *parser) globalLog(args []string, kwm int) bool {
	g := &p.cfg.Global
	if kwm == kwmNo {
		g.Logs = nil
		return true
	}
	lt, msg := p.parseLog(args, true)
	if msg != "" {
		p.alertf("%s : %s", args[0], msg)
		return false
	}
	if lt != nil {
		g.Logs = append(g.Logs, *lt)
	}
	return true
}

// parseGlobalStats handles `stats socket|timeout|maxconn|bind-process`
// in the global section.
func (p *parser) parseGlobalStats(args []string, _ int) bool {
	g := &p.cfg.Global
	a1, a2 := arg(args, 1), arg(args, 2)
	switch a1 {
	case "socket":
		if a2 == "" {
			p.alertf("'%s %s' in global section expects an address or a path to a UNIX socket", args[0], a1)
			return false
		}
		b, ok := p.parseBindAddr("stats socket", a2, true)
		if !ok || !p.parseBindOptions(&b, args, 3, "stats socket", true) {
			return false
		}
		g.StatsSockets = append(g.StatsSockets, b)
	case "timeout":
		return p.globalStatsTimeout(args)
	case "maxconn":
		n := atoiC(a2)
		if n <= 0 {
			p.alertf("'%s %s' expects a positive value", args[0], a1)
			return false
		}
		g.StatsMaxconn = n
	case "bind-process":
		p.alertf("'%s %s' is not supported any more.", args[0], a1)
		return false
	default:
		p.alertf("'%s' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s')", args[0], a1)
		return false
	}
	return true
}

// globalStatsTimeout handles `stats timeout TIME`.
func (p *parser) globalStatsTimeout(args []string) bool {
	a1, a2 := arg(args, 1), arg(args, 2)
	d, res, bad, _ := parseTime(a2, time.Millisecond)
	switch res {
	case timeOver:
		p.alertf("timer overflow in argument '%s' to '%s %s' (maximum value is 2147483647 ms or ~24.8 days)", a2, args[0], a1)
		return false
	case timeUnder:
		p.alertf("timer underflow in argument '%s' to '%s %s' (minimum non-null value is 1 ms)", a2, args[0], a1)
		return false
	case timeBadChar:
		p.alertf("'%s %s' : unexpected character '%c'", args[0], a1, bad)
		return false
	}
	if d == 0 {
		p.alertf("'%s %s' expects a positive value", args[0], a1)
		return false
	}
	p.cfg.Global.StatsTimeout = d
	return true
}
