package sample

import (
	"strings"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stick"
)

// The stick counter fetches (sc_*, sc0_*..sc2_*, src_*) in rule values
// and log-format lines, and the table_* converters: package stick
// compiles and evaluates them on the connection's counters; the rows
// here are those of config's list (config/samplesupport_stick.go), one
// per HAProxy keyword stick can read.

func init() {
	var rows []fetchKw
	for n := range config.SupportedSampleFetches {
		if stick.IsFetch(n) {
			rows = append(rows, fetchKw{n, compileStickFetch(n)})
		}
	}
	registerFetches(rows)
	var convs []convKw
	for _, n := range stick.ConverterNames() {
		if config.SupportedConverters[n] {
			convs = append(convs, convKw{n, compileTableConv(n)})
		}
	}
	registerConvs(convs)
}

// compileStickFetch compiles a call to stick fetch name.
func compileStickFetch(name string) fetchCompiler {
	return func(e *sampleExpr, args []string, _ *Options) error {
		f, err := stick.CompileFetch(name, strings.Join(args, ","))
		if err != nil {
			return err
		}
		e.fa.stk = f
		e.fetch = fetchStick
		return nil
	}
}

// fetchStick evaluates a stick fetch on the connection's counters (src_*
// keyed by its client address).
func fetchStick(x *Ctx, a *fetchArgs, v *smpVal) bool {
	if x.Conn == nil {
		return false
	}
	n, ok := a.stk.Eval(x.Conn.Stick, x.Conn.Client.Addr())
	if !ok {
		return false
	}
	v.t, v.i = stInt, n
	if a.stk.Bool() {
		v.t = stBool
	}
	return true
}

// compileTableConv compiles a use of table converter name.
func compileTableConv(name string) convCompiler {
	return func(c *conv, _ *Options) error {
		tc, err := stick.CompileConverter(name, c.args)
		if err != nil {
			return err
		}
		c.tbl = tc
		c.fn = tableConv
		return nil
	}
}

// tableConv looks the sample up, as a key of the converter's table, in
// the tables of the connection's generation.
func tableConv(x *Ctx, c *conv, v *smpVal) bool {
	if x.Conn == nil || x.Conn.Stick == nil || x.Conn.Stick.Set == nil {
		return false
	}
	t := x.Conn.Stick.Set.Find(c.tbl.Table())
	if t == nil {
		return false
	}
	k, ok := stickKeyOf(x, v, t)
	if !ok {
		return false
	}
	n, ok := c.tbl.Eval(t, k)
	if !ok {
		return false
	}
	*v = smpVal{t: stInt, i: n}
	return true
}
