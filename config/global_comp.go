package config

// globalMaxCompRate parses `maxcomprate <kB/s>`: HAProxy takes any
// integer (atoi: "abc" is 0, no limit); only a missing value fails.
func (p *parser) globalMaxCompRate(args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects an integer argument in kb/s.", args[0])
		return false
	}
	p.cfg.Global.MaxCompRate = atoiC(arg(args, 1))
	return true
}

// globalMaxCompCPUUsage parses `maxcompcpuusage <percent>`, 0 to 100.
func (p *parser) globalMaxCompCPUUsage(args []string, _ int) bool {
	a1 := arg(args, 1)
	v := atoiC(a1)
	if a1 == "" || v < 0 || v > 100 {
		p.alertf("'%s' expects an integer argument between 0 and 100.", args[0])
		return false
	}
	p.cfg.Global.CompMinIdle = 100 - v
	return true
}
