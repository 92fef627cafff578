package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// flags is goha's command line, with HAProxy's meanings.
type flags struct {
	files       []string // -f (repeatable) and everything after --
	check       bool     // -c
	quiet       bool     // -q
	verbose     bool     // -V
	debug       bool     // -d: foreground, debug messages
	foreground  bool     // -db
	daemon      bool     // -D
	master      bool     // -W
	systemd     bool     // -Ws
	masterCLI   []string // -S, repeatable
	pidfile     string   // -p
	softStop    []int    // -sf PID...
	hardStop    []int    // -st PID...
	sockets     string   // -x
	version     int      // -v = 1, -vv = 2
	localPeer   string   // -L
	maxconn     int      // -n
	defMaxconn  int      // -N
	memMB       int      // -m
	chdir       string   // -C
	noReuseport bool     // -dR
	zeroWarning bool     // -dW
	condition   string   // -cc EXPR
	checkCond   bool     // -cc was given
	// args keeps the original arguments, re-used verbatim on reload.
	args []string
}

// errUsage is returned for a command line with nothing to do.
var errUsage = errors.New("no configuration file given")

// parseFlags parses HAProxy's command line. Flags may come in any order;
// `--` makes every later argument a configuration file.
func parseFlags(args []string) (*flags, error) {
	f := &flags{args: append([]string(nil), args...)}
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option '%s' requires an argument", a)
			}
			i++
			return args[i], nil
		}
		intValue := func() (int, error) {
			v, err := value()
			if err != nil {
				return 0, err
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("option '%s' expects a positive number, not %q", a, v)
			}
			return n, nil
		}
		pids := func() ([]int, error) {
			var out []int
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				for _, w := range strings.Fields(args[i]) {
					n, err := strconv.Atoi(w)
					if err != nil || n <= 0 {
						return nil, fmt.Errorf("option '%s' expects process IDs, not %q", a, w)
					}
					out = append(out, n)
				}
			}
			return out, nil
		}
		var err error
		switch a {
		case "--":
			f.files = append(f.files, args[i+1:]...)
			i = len(args)
		case "-f":
			var v string
			v, err = value()
			f.files = append(f.files, v)
		case "-c":
			f.check = true
		case "-cc":
			f.condition, err = value()
			f.checkCond = true
		case "-q":
			f.quiet = true
		case "-V":
			f.verbose = true
		case "-d":
			f.debug = true
		case "-db":
			f.foreground = true
		case "-D":
			f.daemon = true
		case "-W":
			f.master = true
		case "-Ws":
			f.master, f.systemd = true, true
		case "-S":
			var v string
			v, err = value()
			f.masterCLI = append(f.masterCLI, v)
		case "-p":
			f.pidfile, err = value()
		case "-sf":
			var p []int
			p, err = pids()
			f.softStop = append(f.softStop, p...)
		case "-st":
			var p []int
			p, err = pids()
			f.hardStop = append(f.hardStop, p...)
		case "-x":
			f.sockets, err = value()
		case "-v":
			f.version = 1
		case "-vv":
			f.version = 2
		case "-L":
			f.localPeer, err = value()
		case "-n":
			f.maxconn, err = intValue()
		case "-N":
			f.defMaxconn, err = intValue()
		case "-m":
			f.memMB, err = intValue()
		case "-C":
			f.chdir, err = value()
		case "-dR":
			f.noReuseport = true
		case "-dW":
			f.zeroWarning = true
		case "-dV", "-dD", "-dr", "-de", "-dp", "-dk", "-dv", "-dS", "-dG", "-dL":
			// Accepted for compatibility: they tune HAProxy internals
			// (pollers, splice, resolution, diagnostics) goha has no
			// equivalent switch for.
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("unknown option '%s'", a)
			}
			// HAProxy treats a bare word as an error too.
			return nil, fmt.Errorf("unexpected argument %q (configuration files are given with -f FILE or after --)", a)
		}
		if err != nil {
			return nil, err
		}
	}
	if f.version == 0 && !f.checkCond && len(f.files) == 0 {
		return f, errUsage
	}
	return f, nil
}

const usage = `Usage : goha [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -dM[<byte>] poisons memory with <byte> (defaults to 0x50)
        -V enters verbose mode (disables quiet mode)
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode.
        -Ws master-worker mode with systemd notify support.
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -n sets the maximum total # of connections (uses ulimit -n)
        -m limits the usable amount of memory (in MB)
        -N sets the default, per-proxy maximum # of connections
        -L set local peer name (default to hostname)
        -p writes pids of all children to this file
        -dR disables SO_REUSEPORT usage
        -dW fails if any warning is emitted
        -S <bind>[,<bind options>...] new master CLI
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
`
