package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Handler runs one command. args holds every word of the command, its
// keyword words included (args[0] is "show" for `show stat`); payload is the
// text after a trailing `<<` (lines joined by '\n', no final LF). Output goes
// to w; a returned error is printed as its text plus a LF (so an error is an
// answer, not a failure of the session).
type Handler func(s *Session, args []string, payload string, w *Writer) error

// Command is one entry of the command table, as HAProxy's cli_kw.
type Command struct {
	// Words is the keyword path that selects the command ("show", "stat").
	// At most 5 words take part in matching.
	Words []string
	// Usage is the left column of `help` ("show stat [desc|json|...]*"),
	// Help the right one. A command without Usage is hidden from help.
	Usage string
	Help  string
	// Level is the lowest level allowed to run the command; the session
	// answers "Permission denied" below it. Zero means LevelUser.
	Level Level
	// Handler runs the command. A nil Handler makes a help-only entry
	// (the master's `@<relative pid>` lines).
	Handler Handler
}

func (c *Command) level() Level {
	if c.Level == 0 {
		return LevelUser
	}
	return c.Level
}

// usageLine is the command's line in help output: HAProxy pads the usage
// to 40 columns.
func (c *Command) usageLine() string {
	return fmt.Sprintf("%-40s: %s", c.Usage, c.Help)
}

// maxKeywords is how many words of a command take part in matching
// (HAProxy's CLI_PREFIX_KW_NB).
const maxKeywords = 5

// maxMatches is how many close matches an unknown command proposes.
const maxMatches = 5

// helpTrailer ends every help and usage message.
const helpTrailer = "  help [<command>]                        : list matching or all commands\n" +
	"  prompt                                  : toggle interactive mode with prompt\n" +
	"  quit                                    : disconnect\n"

// Registry is a command table. Packages add their commands at start-up;
// lookups may run concurrently with registration.
type Registry struct {
	mu   sync.RWMutex
	cmds []*Command
}

// NewRegistry returns a table holding the built-ins of a runtime API
// socket: `show cli level`, `operator`, `user`, `set timeout cli` (plus
// `help`, `prompt` and `quit`, which the session handles itself).
func NewRegistry() *Registry {
	r := &Registry{}
	r.MustRegister(builtinShowLevel, builtinOperator, builtinUser, builtinSetTimeout)
	return r
}

// NewMasterRegistry returns a table holding the built-ins of the master
// CLI: `show cli level`, `operator`, `user` and the help lines of the `@`
// prefixes. The master adds `show proc`, `reload`, `show version`...
func NewMasterRegistry() *Registry {
	r := &Registry{}
	r.MustRegister(builtinShowLevel, builtinOperator, builtinUser,
		Command{Words: []string{"@!<pid>"}, Usage: "@!<pid>", Help: "send a command to the <pid> process"},
		Command{Words: []string{"@<relative pid>"}, Usage: "@<relative pid>", Help: "send a command to the <relative pid> process"},
		Command{Words: []string{"@master"}, Usage: "@master", Help: "send a command to the master process"},
	)
	return r
}

// Register adds commands to the table. It fails on a command without
// words, with an empty word, or whose words are already registered.
func (r *Registry) Register(cmds ...Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range cmds {
		c := cmds[i]
		if len(c.Words) == 0 {
			return fmt.Errorf("register CLI command %q: no keyword", c.Usage)
		}
		for _, w := range c.Words {
			if w == "" {
				return fmt.Errorf("register CLI command %q: empty keyword", strings.Join(c.Words, " "))
			}
		}
		for _, o := range r.cmds {
			if equalWords(o.Words, c.Words) {
				return fmt.Errorf("register CLI command %q: already registered", strings.Join(c.Words, " "))
			}
		}
		c.Words = append([]string(nil), c.Words...)
		r.cmds = append(r.cmds, &c)
	}
	return nil
}

// MustRegister is Register for tables built at start-up: it panics on error.
func (r *Registry) MustRegister(cmds ...Command) {
	if err := r.Register(cmds...); err != nil {
		panic(err)
	}
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Lookup returns the runnable command whose words start args, the longest
// one when several do, or nil.
func (r *Registry) Lookup(args []string) *Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var best *Command
	for _, c := range r.cmds {
		if c.Handler == nil || len(c.Words) > len(args) {
			continue
		}
		if !equalWords(c.Words, args[:len(c.Words)]) {
			continue
		}
		if best == nil || len(c.Words) > len(best.Words) {
			best = c
		}
	}
	return best
}

// Commands returns a copy of the table in registration order.
func (r *Registry) Commands() []Command {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Command, len(r.cmds))
	for i, c := range r.cmds {
		out[i] = *c
	}
	return out
}

// Usage builds HAProxy 2.6's help or "unknown command" message for a
// session at level, given the words typed. With isHelp (the `help [words]`
// command) args are the words after `help`. Commands above the level are
// not shown. Close matches are chosen as HAProxy does: the words matching a
// command exactly are skipped, the rest are compared by their letter
// transition fingerprints, and up to 5 close ones are proposed.
func (r *Registry) Usage(level Level, args []string, isHelp bool) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var visible []*Command
	for _, c := range r.cmds {
		if c.level() <= level {
			visible = append(visible, c)
		}
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	// matched counts the leading words of c equal to args, up to limit.
	matched := func(c *Command, limit int) int {
		n := 0
		for n < limit && n < len(c.Words) && arg(n) != "" && c.Words[n] == args[n] {
			n++
		}
		return n
	}

	length := 0
	for _, c := range visible {
		if n := matched(c, maxKeywords); n > length {
			length = n
		}
	}

	var b strings.Builder
	switch {
	case isHelp:
		b.WriteString("The following commands are valid at this level:\n")
	case length == 0 && arg(0) == "":
		b.WriteString("Unknown command. Please enter one of the following commands only:\n")
	default:
		b.WriteString("Unknown command, but maybe one of the following ones is a better match:\n")
	}

	type match struct {
		cmd  *Command
		dist int
	}
	var best []match
	if arg(length) != "" {
		for _, c := range visible {
			if c.Usage == "" || matched(c, length) != length {
				continue
			}
			var typed, known fingerprint
			total := 0
			for i := length; i < maxKeywords && arg(i) != ""; i++ {
				typed.add(args[i])
				total += len(args[i])
			}
			for i := length; i < maxKeywords && i < len(c.Words); i++ {
				known.add(c.Words[i])
				total += len(c.Words[i])
			}
			d := typed.distance(&known)
			if d >= 5*total/2 {
				continue
			}
			if len(best) == maxMatches {
				if d >= best[maxMatches-1].dist {
					continue
				}
				best = best[:maxMatches-1]
			}
			// insert after every entry at the same or a smaller distance
			at := len(best)
			for at > 0 && best[at-1].dist > d {
				at--
			}
			best = append(best, match{})
			copy(best[at+1:], best[at:])
			best[at] = match{c, d}
		}
	}

	var entries []string
	if len(best) > 0 {
		for _, m := range best {
			if m.dist > 5*best[0].dist/2 {
				break
			}
			entries = append(entries, m.cmd.usageLine())
		}
	} else {
		for _, c := range visible {
			if c.Usage != "" && matched(c, length) == length {
				entries = append(entries, c.usageLine())
			}
		}
	}
	sort.Strings(entries)
	for _, e := range entries {
		b.WriteString("  ")
		b.WriteString(e)
		b.WriteByte('\n')
	}
	b.WriteString(helpTrailer)
	return b.String()
}

// fingerprint counts the transitions between character classes of words,
// the measure HAProxy uses to propose close commands: classes 1..26 are
// letters, 27 digits, 28 anything else and the word boundaries; entry
// 32*from+to counts transitions, entries 1..28 mark presence.
type fingerprint [1024]uint8

func charClass(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 1
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 1
	case c >= '0' && c <= '9':
		return 27
	}
	return 28
}

func (f *fingerprint) add(word string) {
	from := 28
	for i := 0; i < len(word); i++ {
		to := charClass(word[i])
		f[to] = 1
		f[32*from+to]++
		from = to
	}
	f[32*from+28]++
}

func (f *fingerprint) distance(o *fingerprint) int {
	d := 0
	for i := range f {
		k := int(f[i]) - int(o[i])
		if k < 0 {
			k = -k
		}
		d += k
	}
	return d
}
