package sample

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/goha/goha/proxy/stick"
)

// conv is a compiled converter.
type conv struct {
	name string
	fn   convFn
	args []string
	n    [3]int64
	b    []byte
	re   *regexp.Regexp
	glob bool
	m    *mapTable
	def  []byte // map default value
	hasD bool
	out  smpType // map output type
	ip4  netip.Prefix
	tbl  *stick.Conv // table_* converters
}

// convFn converts v in place; false when there is no result.
type convFn func(x *Ctx, c *conv, v *smpVal) bool

// convKw is one row of the converter table: a keyword and how to
// compile a use of it (HAProxy's sample_conv_kw_list).
type convKw struct {
	name    string
	compile convCompiler
}

// convCompiler checks c.args and sets c.fn and what it needs.
type convCompiler func(c *conv, o *Options) error

// convTable maps the converters rule values support to their compiler;
// the files conv_*.go register their rows. Keep in step with
// config.SupportedConverters (TestSampleTables).
var convTable = map[string]convCompiler{}

// registerConvs adds rows to the converter table. A keyword registered
// twice is a programming error.
func registerConvs(rows []convKw) {
	for _, r := range rows {
		if _, dup := convTable[r.name]; dup {
			panic("sample: converter " + r.name + " registered twice")
		}
		convTable[r.name] = r.compile
	}
}

func compileConv(name string, args []string, o *Options) (conv, error) {
	c := conv{name: name, args: args}
	mk, ok := convTable[name]
	if !ok {
		return c, fmt.Errorf("not supported")
	}
	err := mk(&c, o)
	return c, err
}

// intArgs parses the converter's arguments as integers (min required,
// at most len(c.n)).
func (c *conv) intArgs(min int) error {
	if len(c.args) < min || len(c.args) > len(c.n) {
		return fmt.Errorf("expects %d integer argument(s), got %d", min, len(c.args))
	}
	for i, a := range c.args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", a)
		}
		c.n[i] = n
	}
	return nil
}

// noArgs compiles a converter that takes no argument.
func noArgs(fn convFn) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) > 0 {
			return fmt.Errorf("no argument expected")
		}
		c.fn = fn
		return nil
	}
}

// strConv builds a converter that rewrites a string sample into scratch.
func strConv(f func(dst, in []byte, c *conv) ([]byte, bool)) convFn {
	return func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		out, ok := f(x.scratch(), v.s, c)
		if !ok {
			return false
		}
		x.setStr(v, out)
		return true
	}
}

// strNoArgs is a string rewrite without arguments.
func strNoArgs(f func(dst, in []byte) ([]byte, bool)) convCompiler {
	return noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) { return f(dst, in) }))
}
