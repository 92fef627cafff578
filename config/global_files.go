package config

// The global keywords naming files and directories of features goha
// refuses or ignores (TLS, Lua): HAProxy checks their arguments first,
// so goha does too before reporting the keyword's status.

// globalCertBase handles `crt-base` and `ca-base DIR`.
func globalCertBase(field func(*parser) *string) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		if arg(args, 1) == "" {
			p.alertf("'%s' expects a directory path as an argument.", args[0])
			return false
		}
		*field(p) = args[1]
		return true
	}
}

// globalExistingFile handles keywords naming a file that must exist
// (`ssl-dh-param-file`, `issuers-chain-path`).
func (p *parser) globalExistingFile(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if a1 == "" {
		p.alertf("'%s' expects a file path as an argument.", kw)
		return false
	}
	if err := p.opts.Stat(p.filePath(a1)); err != nil {
		p.alertf("'%s': unable to load '%s' (%s).", kw, a1, errnoText(err))
		return false
	}
	return true
}

// globalLuaLoad handles `lua-load` and `lua-load-per-thread FILE`: the
// file must be readable.
func (p *parser) globalLuaLoad(args []string, _ int) bool {
	a1 := arg(args, 1)
	if a1 == "" {
		p.alertf("'%s' expects a path as parameter.", args[0])
		return false
	}
	if _, err := p.opts.ReadFile(p.filePath(a1)); err != nil {
		p.alertf("error in Lua file '%s': cannot open %s: %s", a1, a1, errnoText(err))
		return false
	}
	return true
}
