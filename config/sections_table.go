package config

// sectionFunc parses one line of a section (its header included); kwm
// says whether it was prefixed with "no" or "default".
type sectionFunc func(p *parser, args []string, kwm int)

// seckw returns a row of the section table.
func seckw(name string, parse sectionFunc) keyword[sectionFunc] { return kw(name, parse) }

// sectionOf adapts a section parser that takes no prefix.
func sectionOf(f func(*parser, []string)) sectionFunc {
	return func(p *parser, args []string, _ int) { f(p, args) }
}

// Why goha refuses or ignores sections.
const (
	whyMailers = "mail notifications"
	whyRings   = "log rings and log forwarding"
	whyFastCGI = "an explicit fcgi-app filter line is not implemented; use-fcgi-app declares it"
)

// sectionTable is the section headers HAProxy 2.6 knows, with the
// parser of their lines. The body of a refused section is skipped; the
// sections goha ignores are still checked (parseOtherSection).
var sectionTable = newTable("section",
	seckw("global", (*parser).parseGlobal),
	seckw("defaults", (*parser).parseListen),
	seckw("frontend", (*parser).parseListen),
	seckw("backend", (*parser).parseListen),
	seckw("listen", (*parser).parseListen),
	seckw("userlist", sectionOf((*parser).parseUserlist)),
	seckw("peers", sectionOf((*parser).parseOtherSection)),
	seckw("resolvers", sectionOf((*parser).parseOtherSection)),
	seckw("mailers", sectionOf((*parser).parseOtherSection)).ignored(whyMailers),
	seckw("cache", sectionOf((*parser).parseOtherSection)),
	seckw("ring", sectionOf((*parser).parseOtherSection)).ignored(whyRings),
	seckw("http-errors", sectionOf((*parser).parseOtherSection)),
	seckw("program", (*parser).parseProgram),
	seckw("log-forward", sectionOf((*parser).parseOtherSection)).ignored(whyRings),
	seckw("fcgi-app", (*parser).parseFCGISection),
)

// refuseSection starts a section goha refuses: an error, and its body
// is skipped.
func (p *parser) refuseSection(args []string, why string) {
	p.other = &otherSection{kind: args[0], name: arg(args, 1), file: p.file, line: p.line, refused: true}
	p.alertf("'%s' section is a known HAProxy keyword that goha does not support yet (%s).", args[0], why)
}

// filterTable is the filters HAProxy 2.6 registers; goha implements
// compression (the `compression` keywords configure it).
var filterTable = newTable("filter",
	fkw("cache").ignored(whyFilters),
	fkw("compression"),
	fkw("fcgi-app").refused(whyFastCGI),
	fkw("spoe").refused("SPOE agents (WAF, auth...) decide about requests"),
	fkw("trace").ignored(whyFilters),
	fkw("bwlim-in").ignored(whyFilters),
	fkw("bwlim-out").ignored(whyFilters),
)

// whyFilters is why goha ignores most filters.
const whyFilters = "tracing, caching and bandwidth shaping do not change what is served"

// fkw returns a row of the filter table (filters have no parser).
func fkw(name string) keyword[func()] { return kw[func()](name, nil) }
