package sample

// Arithmetic and booleans on integers.
var intConvs = []convKw{
	{"add", intConv(func(a, b int64) (int64, bool) { return a + b, true })},
	{"sub", intConv(func(a, b int64) (int64, bool) { return a - b, true })},
	{"mul", intConv(func(a, b int64) (int64, bool) { return a * b, true })},
	{"div", intConv(div)},
	{"mod", intConv(mod)},
	{"and", intConv(func(a, b int64) (int64, bool) { return a & b, true })},
	{"or", intConv(func(a, b int64) (int64, bool) { return a | b, true })},
	{"xor", intConv(func(a, b int64) (int64, bool) { return a ^ b, true })},
	{"neg", unaryConv(stInt, func(n int64) int64 { return -n })},
	{"cpl", unaryConv(stInt, func(n int64) int64 { return ^n })},
	{"bool", unaryConv(stBool, func(n int64) int64 { return b2i(n != 0) })},
	{"not", unaryConv(stBool, func(n int64) int64 { return b2i(n == 0) })},
	{"odd", unaryConv(stBool, func(n int64) int64 { return n & 1 })},
	{"even", unaryConv(stBool, func(n int64) int64 { return 1 - n&1 })},
}

func init() { registerConvs(intConvs) }

// div fails on a division by zero, as HAProxy's does.
func div(a, b int64) (int64, bool) {
	if b == 0 {
		return 0, false
	}
	return a / b, true
}

// mod fails on a division by zero, as HAProxy's does.
func mod(a, b int64) (int64, bool) {
	if b == 0 {
		return 0, false
	}
	return a % b, true
}

// intConv builds an arithmetic converter on n[0].
func intConv(f func(a, b int64) (int64, bool)) convCompiler {
	return func(c *conv, _ *Options) error {
		if err := c.intArgs(1); err != nil {
			return err
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toInt(v) {
				return false
			}
			r, ok := f(v.i, c.n[0])
			if !ok {
				return false
			}
			v.i = r
			return true
		}
		return nil
	}
}

// unaryConv builds a converter without arguments from an integer to an
// integer or a boolean (t).
func unaryConv(t smpType, f func(n int64) int64) convCompiler {
	return noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.t, v.i = t, f(v.i)
		return true
	})
}
