package config

import "fmt"

// Program is a `program NAME` section: an external command the master
// starts beside the workers (master-worker mode only) and supervises.
type Program struct {
	Name string
	// Command is the program and its arguments, as split by the
	// configuration's quoting rules (`command` words).
	Command []string
	// User and Group are the names given (empty: the master's); UID and
	// GID their numeric ids (-1 when unset).
	User, Group string
	UID, GID    int
	// StartOnReload is `option start-on-reload` (HAProxy's default):
	// a reload starts a new instance and stops the previous one. With
	// `no option start-on-reload` the running instance is kept.
	StartOnReload bool
	File          string
	Line          int
}

// programFunc parses one line of a program section for prog.
type programFunc func(p *parser, prog *Program, args []string, kwm int)

// programTable is the keywords of a `program` section in HAProxy 2.6.
var programTable = newTable("program",
	kw[programFunc]("command", (*parser).programCommand),
	kw[programFunc]("user", (*parser).programUser),
	kw[programFunc]("group", (*parser).programGroup),
	kw[programFunc]("option", (*parser).programOption),
)

// parseProgram handles one line of a `program` section, its header
// included.
func (p *parser) parseProgram(args []string, kwm int) {
	if args[0] == "program" {
		p.programHeader(args)
		return
	}
	st := p.other
	if st == nil || st.kind != "program" || st.refused || len(p.cfg.Programs) == 0 {
		return
	}
	prog := p.cfg.Programs[len(p.cfg.Programs)-1]
	k, ok := programTable.get(args[0])
	if !ok {
		p.alertf("unknown keyword '%s' in 'program' section", args[0])
		return
	}
	k.parse(p, prog, args, kwm)
}

// programHeader starts a program section.
func (p *parser) programHeader(args []string) {
	name := arg(args, 1)
	st := &otherSection{kind: "program", name: name, file: p.file, line: p.line, refused: true}
	p.other = st
	if name == "" {
		p.alertf("'program' expects an <id> argument")
		return
	}
	if ch, bad := invalidChar(name); bad {
		p.alertf("character '%c' is not permitted in 'program' name '%s'.", ch, name)
		return
	}
	for _, prog := range p.cfg.Programs {
		if prog.Name == name {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' program section already exists in the configuration.", p.file, p.line, name))
			return
		}
	}
	st.refused = false
	p.cfg.Programs = append(p.cfg.Programs, &Program{Name: name, UID: -1, GID: -1, StartOnReload: true, File: p.file, Line: p.line})
}

func (p *parser) programCommand(prog *Program, args []string, _ int) {
	var words []string
	for _, a := range args[1:] {
		if a != "" {
			words = append(words, a)
		}
	}
	if len(words) == 0 {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a command with optional arguments separated in words.", p.file, p.line, args[0]))
		return
	}
	prog.Command = words
}

func (p *parser) programUser(prog *Program, args []string, _ int) {
	name := arg(args, 1)
	if name == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a user name.", p.file, p.line, args[0]))
		return
	}
	if p.tooManyArgs(1, 0, args) {
		return
	}
	if prog.UID != -1 {
		p.softAlertf("user/uid already specified. Continuing.")
		return
	}
	id, err := p.opts.LookupUser(name)
	if err != nil {
		p.alertf("cannot find user id for '%s' (0:Success)", name)
		return
	}
	prog.UID, prog.User = id, name
}

func (p *parser) programGroup(prog *Program, args []string, _ int) {
	name := arg(args, 1)
	if name == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a group name.", p.file, p.line, args[0]))
		return
	}
	if p.tooManyArgs(1, 0, args) {
		return
	}
	if prog.GID != -1 {
		p.softAlertf("gid/group was already specified. Continuing.")
		return
	}
	id, err := p.opts.LookupGroup(name)
	if err != nil {
		p.alertf("cannot find group id for '%s' (0:Success)", name)
		return
	}
	prog.GID, prog.Group = id, name
}

// programOption handles `[no] option start-on-reload`, the only option
// of a program section.
func (p *parser) programOption(prog *Program, args []string, kwm int) {
	if arg(args, 1) != "start-on-reload" {
		p.alertf("unknown option '%s'.", arg(args, 1))
		return
	}
	if p.tooManyArgs(0, 1, args) {
		return
	}
	prog.StartOnReload = kwm != kwmNo
}

// checkPrograms runs HAProxy's checks of program sections once the
// whole configuration is read: a command each, and master-worker mode.
func (p *parser) checkPrograms() {
	if len(p.cfg.Programs) == 0 {
		return
	}
	for _, prog := range p.cfg.Programs {
		if len(prog.Command) == 0 {
			p.checkAlert(prog.File, prog.Line, fmt.Sprintf("The program section '%s' lacks a command to launch.", prog.Name))
		}
	}
	if !p.opts.MasterWorker && !p.cfg.Global.MasterWorker {
		p.checkAlert("", 0, "Can't use a 'program' section without master worker mode.")
	}
}
