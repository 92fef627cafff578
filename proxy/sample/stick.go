package sample

import "github.com/goha/goha/proxy/stick"

// StickCounters implements acl.StickSample.
func (s *Conn) StickCounters() *stick.Counters { return s.Stick }

// Expr is a compiled sample expression (a fetch and its converters)
// whose typed value is used, not its text: the key of track-sc and
// stick rules, sc-set-gpt's value.
type Expr struct{ e *sampleExpr }

// CompileExpr compiles a sample expression.
func CompileExpr(src string, o *Options) (*Expr, error) {
	e, err := compileSample(src, o)
	if err != nil {
		return nil, err
	}
	return &Expr{e: e}, nil
}

// StickKey evaluates the expression into a key of table t, cast to its
// key type as HAProxy's sample casts do; false when there is no value or
// it does not fit.
func (e *Expr) StickKey(x *Ctx, t *stick.Table) (stick.Key, bool) {
	v := &x.v
	if !e.e.eval(x, v) {
		return "", false
	}
	return stickKeyOf(x, v, t)
}

// stickKeyOf casts v to a key of table t.
func stickKeyOf(x *Ctx, v *smpVal, t *stick.Table) (stick.Key, bool) {
	switch t.KeyType() {
	case stick.KeyIP, stick.KeyIPv6:
		if !toIP(v) {
			return "", false
		}
		k, err := t.KeyAddr(v.ip)
		return k, err == nil
	case stick.KeyInteger:
		if !toInt(v) {
			return "", false
		}
		k, err := t.KeyInt(v.i)
		return k, err == nil
	case stick.KeyString:
		if !toStr(x, v) {
			return "", false
		}
		return t.KeyString(string(v.s)), true
	}
	if !toStr(x, v) {
		return "", false
	}
	return t.KeyBytes(v.s), true
}

// Int evaluates the expression as an integer.
func (e *Expr) Int(x *Ctx) (int64, bool) {
	v := &x.v
	if !e.e.eval(x, v) || !toInt(v) {
		return 0, false
	}
	return v.i, true
}

// Text evaluates the expression as text, the way HAProxy prints a
// sample in a log line (cast to a string, not encoded); false when there
// is no value. The bytes are valid until the next evaluation on x.
func (e *Expr) Text(x *Ctx) ([]byte, bool) {
	v := &x.v
	if !e.e.eval(x, v) || !toStr(x, v) {
		return nil, false
	}
	return v.s, true
}
