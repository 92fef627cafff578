package sample

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Constants, the clock and the environment.
var constFetches = []fetchKw{
	{"always_true", intFetch(func(*Ctx) (int64, bool) { return 1, true }, stBool)},
	{"always_false", intFetch(func(*Ctx) (int64, bool) { return 0, true }, stBool)},
	{"str", compileStr},
	{"int", compileInt},
	{"date", compileDate},
	{"env", compileEnv},
}

func init() { registerFetches(constFetches) }

// compileStr compiles str(text); str() is the empty string, as in
// HAProxy.
func compileStr(e *sampleExpr, args []string, _ *Options) error {
	if len(args) > 1 {
		return fmt.Errorf("expects a string")
	}
	b := []byte{}
	if len(args) == 1 {
		b = []byte(args[0])
	}
	e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
		v.t, v.s = stStr, b
		return true
	}
	return nil
}

// compileInt compiles int(n).
func compileInt(e *sampleExpr, args []string, _ *Options) error {
	if len(args) != 1 {
		return fmt.Errorf("expects an integer")
	}
	n, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("invalid integer %q", args[0])
	}
	e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
		v.t, v.i = stInt, n
		return true
	}
	return nil
}

// compileDate compiles date([offset]): the Unix time plus offset
// seconds.
func compileDate(e *sampleExpr, args []string, _ *Options) error {
	if len(args) > 0 {
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("invalid offset %q", args[0])
		}
		e.fa.n = n
	}
	e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
		v.t, v.i = stInt, time.Now().Unix()+a.n
		return true
	}
	return nil
}

// compileEnv compiles env(NAME), read once at compile time.
func compileEnv(e *sampleExpr, args []string, _ *Options) error {
	if len(args) != 1 {
		return fmt.Errorf("expects a variable name")
	}
	val, ok := os.LookupEnv(args[0])
	b := []byte(val)
	e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
		if !ok {
			return false
		}
		v.t, v.s = stStr, b
		return true
	}
	return nil
}
