package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// keyword modifiers ("no" / "default" prefixes).
const (
	kwmStd = iota
	kwmNo
	kwmDef
)

// condState is the state of one `.if` level (HAProxy's nested_cond_state).
type condState int

const (
	condIfTake condState = iota
	condIfDrop
	condIfSkip
	condElifTake
	condElifDrop
	condElifSkip
	condElseTake
	condElseDrop
)

func (s condState) masked() bool {
	switch s {
	case condIfDrop, condIfSkip, condElifDrop, condElifSkip, condElseDrop:
		return true
	}
	return false
}

const maxNestedConds = 100

// parser holds the state of one Parse call.
type parser struct {
	opts ParseOptions
	rec  recorder
	cfg  *Config
	env  envOverlay

	file        string
	line        int
	section     string // current section keyword ("" = none)
	sectionName string // for ${.SECTION}
	global      bool

	cur      *Proxy    // current proxy or defaults section
	curUL    *Userlist // current userlist
	lastDef  *Proxy    // last defaults section (implicit parent)
	pxs      map[*Proxy]*pxState
	skipping bool // inside an unsupported section
	// defaultPath is the directory `default-path` makes relative file
	// names start from ("" = the current directory).
	defaultPath string
	other       *otherSection // current resolvers/peers/cache/... section
	// ulRefs and ulGroups record userlist cross references.
	ulRefs   []ulRef
	ulGroups map[*Userlist]map[string]bool
	// afterResponse is set while parsing an http-after-response rule.
	afterResponse bool
	fatal         int
	// stickRefs are the tables ACL fetches name (track.go).
	stickRefs []stickRef
}

// pxState is parse-time bookkeeping about a proxy that the model does
// not keep.
type pxState struct {
	explicitRef, implicitRef bool
	acls                     map[string][]*ACL
	hasRules                 bool
	hasCaptures              bool
	finalRule                bool // a previous http-request rule is final
	idSet                    bool
	cookieSet                bool
	logFormatLine            int
}

// Parse parses configuration sources in order into a Config. On failure
// it returns a *ErrorList holding every error found, in HAProxy 2.6's
// words, together with the full ordered output of the check; the
// returned Config is then nil.
func Parse(srcs []Source, opts ParseOptions) (*Config, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	if opts.Stat == nil {
		opts.Stat = func(p string) error { _, err := os.Stat(p); return err }
	}
	if opts.LookupUser == nil {
		opts.LookupUser = func(n string) (int, error) { return lookupID("/etc/passwd", n, opts.ReadFile) }
	}
	if opts.LookupGroup == nil {
		opts.LookupGroup = func(n string) (int, error) { return lookupID("/etc/group", n, opts.ReadFile) }
	}
	if opts.LocalPeer == "" {
		opts.LocalPeer, _ = os.Hostname()
	}
	p := &parser{
		opts: opts,
		cfg:  &Config{},
		pxs:  map[*Proxy]*pxState{},
	}
	p.env.base = opts.Getenv
	if opts.MasterWorker {
		p.env.set("HAPROXY_MWORKER", "1")
	}
	p.cfg.Global = Global{UID: -1, GID: -1}

	for _, src := range srcs {
		p.cfg.Files = append(p.cfg.Files, src.Name)
		p.rec.fileHasErr = false
		p.readFile(src)
		if p.rec.fileHasErr || p.rec.aborted {
			p.rec.trailer("Error(s) found in configuration file : " + src.Name)
		}
		if p.rec.aborted {
			return nil, p.errorList()
		}
	}
	if len(p.rec.errs) > 0 {
		p.rec.trailer("Fatal errors found in configuration.")
		return nil, p.errorList()
	}
	p.checkConfig()
	if len(p.rec.errs) > 0 {
		p.rec.trailer("Fatal errors found in configuration.")
		return nil, p.errorList()
	}
	p.resolveServers()
	if len(p.rec.errs) > 0 {
		p.rec.trailer("Failed to initialize server(s) addr.")
		return nil, p.errorList()
	}
	p.cfg.Warnings = p.rec.warnings
	p.cfg.Notices = p.rec.notices
	p.cfg.Log = p.rec.msgs
	return p.cfg, nil
}

func (p *parser) errorList() *ErrorList {
	return &ErrorList{Errs: p.rec.errs, Messages: p.rec.msgs}
}

// alertf records a fatal parse error prefixed with `parsing [file:line] : `.
func (p *parser) alertf(format string, a ...any) *Error {
	return p.alertRaw(fmt.Sprintf("parsing [%s:%d] : ", p.file, p.line) + fmt.Sprintf(format, a...))
}

// alertRaw records a fatal parse error whose text is given whole.
func (p *parser) alertRaw(text string) *Error {
	e := &Error{File: p.file, Line: p.line, Section: p.section, Msg: text, Phase: PhaseParse}
	p.rec.alert(e)
	p.fatal++
	return e
}

// abortf records an error after which HAProxy stops reading.
func (p *parser) abortf(format string, a ...any) {
	e := p.alertf(format, a...)
	e.Abort = true
	p.rec.aborted = true
}

// warnf records a warning prefixed with `parsing [file:line] : `.
func (p *parser) warnf(format string, a ...any) {
	p.rec.warn(p.file, p.line, fmt.Sprintf("parsing [%s:%d] : ", p.file, p.line)+fmt.Sprintf(format, a...))
}

// checkAlert records a check-time error (not tied to parsing a line).
func (p *parser) checkAlert(file string, line int, text string) {
	p.rec.alert(&Error{File: file, Line: line, Msg: text, Phase: PhaseCheck})
}

// lookupVar resolves a variable for the tokenizer, including HAProxy's
// pseudo-variables .FILE, .LINE and .SECTION.
func (p *parser) lookupVar(name string) (string, bool) {
	switch name {
	case ".FILE":
		return p.file, true
	case ".LINE":
		return strconv.Itoa(p.line), true
	case ".SECTION":
		return p.sectionName, true
	}
	if strings.HasPrefix(name, ".") {
		return "", false
	}
	return p.env.get(name)
}

// readFile parses one source, line by line.
func (p *parser) readFile(src Source) {
	p.file = src.Name
	p.line = 0
	p.fatal = 0
	r := lineReader{data: string(src.Data), stray: -1, lastLF: -1}
	var cs condStack
	for {
		raw, ok := p.nextLine(&r)
		if !ok {
			break
		}
		if !p.readLine(raw, &cs) {
			return // aborted
		}
	}
	if r.lastLF >= 0 && !p.rec.aborted {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: Missing LF on last line, file might have been truncated at position %d.", p.file, p.line, r.lastLF+1))
	}
	p.endSection()
	if cs.level > 0 {
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: non-terminated '.if' block.", p.file, p.line))
	}
}

// lineReader cuts a source into lines.
type lineReader struct {
	data   string
	stray  int // position of a NUL in the previous line, HAProxy's missing_lf
	lastLF int // set when the last line has no LF
}

// nextLine returns the next line (cut at a NUL), or false at the end of
// the source, after a line with a NUL in it, or after too many errors.
func (p *parser) nextLine(r *lineReader) (string, bool) {
	if len(r.data) == 0 {
		return "", false
	}
	raw := r.data
	nl := strings.IndexByte(r.data, '\n')
	if nl < 0 {
		r.data = ""
	} else {
		raw, r.data = r.data[:nl], r.data[nl+1:]
	}
	if r.stray >= 0 {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: Stray NUL character at position %d.", p.file, p.line, r.stray+1))
		r.stray = -1
		return "", false
	}
	p.line++
	if p.fatal >= 50 {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: too many fatal errors (%d), stopping now.", p.file, p.line, p.fatal))
		return "", false
	}
	if z := strings.IndexByte(raw, 0); z >= 0 {
		raw = raw[:z]
		if nl >= 0 {
			r.stray = z
		}
	}
	if nl < 0 {
		r.lastLF = len(raw)
	}
	return raw, true
}

// readLine handles one line; it returns false when reading must stop.
func (p *parser) readLine(raw string, cs *condStack) bool {
	lead := 0
	for lead < len(raw) && isSpace(raw[lead]) {
		lead++
	}
	line := raw[lead:]
	if strings.HasPrefix(line, "[") {
		return true // a scope line; HAProxy uses it only for diagnostics
	}
	args, terr := splitLine(line, p.lookupVar)
	if terr != nil {
		p.tokenizerError(line, lead, terr, args)
		return true
	}
	if args[0] != "" && args[0][0] == '.' {
		if handled, ok := p.condLine(args, cs); handled {
			return ok
		}
	}
	if cs.level > 0 && cs.conds[cs.level].masked() || args[0] == "" {
		return true
	}
	if args[0][0] == '.' {
		p.directive(args)
	} else {
		p.statement(args)
	}
	return !p.rec.aborted
}

// condStack is the state of the nested `.if` blocks.
type condStack struct {
	conds [maxNestedConds + 1]condState
	level int
}

// condLine handles the conditional directives (.if, .elif, .else,
// .endif): handled is false for other lines, ok false when reading must
// stop.
func (p *parser) condLine(args []string, cs *condStack) (handled, ok bool) {
	switch args[0] {
	case ".if", ".elif":
		return true, p.condIf(args, cs)
	case ".else", ".endif":
		return true, p.condElse(args, cs)
	}
	return false, true
}

// condIf handles `.if EXPR` and `.elif EXPR`.
func (p *parser) condIf(args []string, cs *condStack) bool {
	if args[0] == ".if" {
		cs.level++
		if cs.level >= maxNestedConds {
			p.abortf("too many nested '.if', max is %d.", maxNestedConds)
			return false
		}
		if cs.level > 1 && cs.conds[cs.level-1].masked() {
			cs.conds[cs.level] = condIfSkip
			return true
		}
	} else {
		if cs.level == 0 {
			p.abortRaw(fmt.Sprintf("parsing [%s:%d]: lone '.elif' with no matching '.if'.", p.file, p.line))
			return false
		}
		switch cs.conds[cs.level] {
		case condElseTake, condElseDrop:
			p.abortRaw(fmt.Sprintf("parsing [%s:%d]: '.elif' after '.else' is not permitted.", p.file, p.line))
			return false
		case condIfTake, condIfSkip, condElifTake, condElifSkip:
			cs.conds[cs.level] = condElifSkip
			return true
		}
	}
	expr := strings.Join(args[1:], " ")
	v, cerr := evalCondition(expr, p.lookupVar)
	if cerr != nil {
		width, pad := 76, 5
		if args[0] == ".elif" {
			width, pad = 74, 7
		}
		s, np := sanitizeForPrinting(expr, cerr.Pos, width)
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: %s in '%s' at position %d:\n  %s %s\n  %*s",
			p.file, p.line, cerr.Msg, args[0], cerr.Pos+1, args[0], s, np+pad, "^"))
		return false
	}
	take, drop := condIfTake, condIfDrop
	if args[0] == ".elif" {
		take, drop = condElifTake, condElifDrop
	}
	cs.conds[cs.level] = drop
	if v {
		cs.conds[cs.level] = take
	}
	return true
}

// condElse handles `.else` and `.endif`.
func (p *parser) condElse(args []string, cs *condStack) bool {
	if len(args) > 1 && args[1] != "" {
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: Unexpected argument '%s' for '%s'.", p.file, p.line, args[1], args[0]))
		return false
	}
	if cs.level == 0 {
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: lone '%s' with no matching '.if'.", p.file, p.line, args[0]))
		return false
	}
	if args[0] == ".endif" {
		cs.level--
		return true
	}
	switch cs.conds[cs.level] {
	case condElseTake, condElseDrop:
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: '.else' after '.else' is not permitted.", p.file, p.line))
		return false
	case condIfTake, condIfSkip, condElifTake, condElifSkip:
		cs.conds[cs.level] = condElseDrop
	default:
		cs.conds[cs.level] = condElseTake
	}
	return true
}

func (p *parser) abortRaw(text string) {
	e := p.alertRaw(text)
	e.Abort = true
	p.rec.aborted = true
}

func (p *parser) tokenizerError(line string, lead int, terr *tokError, args []string) {
	var what string
	switch terr.Kind {
	case tokQuote:
		what = "unmatched quote"
	case tokBrace:
		what = "unmatched brace in environment variable name"
	case tokVarName:
		what = "forbidden first char in environment variable name"
	case tokHex:
		what = "truncated or invalid hexadecimal sequence"
	case tokExpand:
		what = "truncated or invalid word expansion sequence"
	case tokTooMany:
		last := ""
		if len(args) >= maxLineArgs {
			last = args[maxLineArgs-1]
		}
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: too many words, truncating after word %d, position %d: <%s>.", p.file, p.line, maxLineArgs, terr.Pos+1, last))
		return
	}
	s, np := sanitizeForPrinting(line, terr.Pos, 80)
	p.alertRaw(fmt.Sprintf("parsing [%s:%d]: %s at position %d:\n  %s\n  %*s", p.file, p.line, what, terr.Pos+lead+1, s, np+1, "^"))
}

// directive handles .notice/.warning/.alert/.diag.
func (p *parser) directive(args []string) {
	if args[0] == ".alert" || args[0] == ".warning" || args[0] == ".notice" || args[0] == ".diag" {
		if len(args) > 2 && args[2] != "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: Unexpected argument '%s' for '%s'. Use quotes if the message should contain spaces.", p.file, p.line, args[2], args[0]))
			return
		}
		msg := ""
		if len(args) > 1 {
			msg = args[1]
		}
		text := fmt.Sprintf("parsing [%s:%d]: '%s'.", p.file, p.line, msg)
		switch args[0] {
		case ".alert":
			p.abortRaw(text)
		case ".warning":
			p.rec.warn(p.file, p.line, text)
		case ".notice":
			p.rec.notice(p.file, p.line, text)
		}
		return
	}
	p.alertRaw(fmt.Sprintf("parsing [%s:%d]: unknown directive '%s'.", p.file, p.line, args[0]))
}

// statement handles one non-directive line.
func (p *parser) statement(args []string) {
	kwm := kwmStd
	if args[0] == "no" || args[0] == "default" {
		if args[0] == "no" {
			kwm = kwmNo
		} else {
			kwm = kwmDef
		}
		args = args[1:]
		if len(args) == 0 {
			args = []string{""}
		}
	}
	if kwm != kwmStd {
		switch args[0] {
		case "option", "log", "busy-polling", "set-dumpable", "strict-limits", "insecure-fork-wanted", "numa-cpu-mapping":
		default:
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.", p.file, p.line))
		}
	}
	if k, ok := sectionTable.get(args[0]); ok {
		p.endSection()
		p.section = args[0]
		p.sectionName = args[0]
		if len(args) > 1 && args[1] != "" {
			p.sectionName = args[1]
		}
		if k.status == Unsupported {
			p.refuseSection(args, k.why)
			return
		}
	}
	if p.section == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: unknown keyword '%s' out of section.", p.file, p.line, args[0]))
		return
	}
	k, _ := sectionTable.get(p.section)
	k.parse(p, args, kwm)
}

// endSection runs the checks HAProxy does when a section ends.
func (p *parser) endSection() {
	p.cur = nil
	p.curUL = nil
	p.endOtherSection()
}

// envOverlay is the environment seen by the configuration: the process
// environment (read through ParseOptions.Getenv) overlaid with the
// effects of setenv/presetenv/resetenv/unsetenv, without touching the
// real process environment.
type envOverlay struct {
	base    func(string) (string, bool)
	vals    map[string]string
	unset   map[string]bool
	cleared bool
}

func (e *envOverlay) get(name string) (string, bool) {
	if v, ok := e.vals[name]; ok {
		return v, true
	}
	if e.unset[name] || e.cleared {
		return "", false
	}
	return e.base(name)
}

func (e *envOverlay) set(name, value string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	e.vals[name] = value
	delete(e.unset, name)
}

func (e *envOverlay) del(name string) {
	delete(e.vals, name)
	if e.unset == nil {
		e.unset = map[string]bool{}
	}
	e.unset[name] = true
}

// reset keeps only the named variables.
func (e *envOverlay) reset(keep []string) {
	kept := map[string]string{}
	for _, k := range keep {
		if v, ok := e.get(k); ok {
			kept[k] = v
		}
	}
	e.vals = kept
	e.unset = nil
	e.cleared = true
}

// lookupID finds a name's numeric id in a passwd/group style file.
func lookupID(path, name string, read func(string) ([]byte, error)) (int, error) {
	data, err := read(path)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 3 && f[0] == name {
			return strconv.Atoi(f[2])
		}
	}
	return 0, fmt.Errorf("%q not found in %s", name, path)
}
