package config

import (
	"fmt"
	"strings"
)

// The environment keywords of the global section (setenv and friends)
// and `default-path`, which changes where relative file names start.

// globalSetenv handles `setenv` and `presetenv NAME VALUE` (presetenv
// keeps a value already set).
func (p *parser) globalSetenv(args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if p.tooManyArgs(2, 0, args) {
		return false
	}
	if a1 == "" || len(args) < 3 {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects a name and a value.", p.file, p.line, kw))
		return false
	}
	if kw == "presetenv" {
		if _, ok := p.env.get(a1); ok {
			return true
		}
	}
	p.env.set(a1, args[2])
	p.cfg.Global.Setenv = append(p.cfg.Global.Setenv, [2]string{a1, args[2]})
	return true
}

func (p *parser) globalUnsetenv(args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects at least one variable name.", p.file, p.line, args[0]))
		return false
	}
	for _, n := range args[1:] {
		p.env.del(n)
	}
	return true
}

func (p *parser) globalResetenv(args []string, _ int) bool {
	p.env.reset(args[1:])
	return true
}

// parseDefaultPath handles `default-path current|config|parent|origin DIR`.
func (p *parser) parseDefaultPath(args []string, _ int) bool {
	a1 := arg(args, 1)
	switch a1 {
	case "current":
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		p.defaultPath = ""
	case "config", "parent":
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		p.defaultPath = p.configDir(a1 == "parent")
	case "origin":
		if arg(args, 2) == "" {
			p.alertf("'%s %s' expects a directory as an argument.", args[0], a1)
			return false
		}
		if err := p.opts.Stat(p.filePath(args[2])); err != nil {
			p.alertf("couldn't set '%s' to origin '%s': Impossible to get back to directory '%s': %s.", args[0], args[2], args[2], errnoText(err))
			return false
		}
		p.defaultPath = p.filePath(args[2])
	case "":
		p.alertf("missing default-path mode '' for '%s', supported modes include 'current', 'config', 'parent', and 'origin'.", args[0])
		return false
	default:
		p.alertf("unsupported default-path mode '%s' for '%s', supported modes include 'current', 'config', 'parent', and 'origin'.", a1, args[0])
		return false
	}
	return true
}

// configDir is the directory of the file being read (or its parent).
func (p *parser) configDir(parent bool) string {
	dir := "."
	if i := strings.LastIndexByte(p.file, '/'); i >= 0 {
		dir = p.file[:i]
		if dir == "" {
			dir = "/"
		}
	}
	if parent {
		dir = dir + "/.."
	}
	return dir
}
