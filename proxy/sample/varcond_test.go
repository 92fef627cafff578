package sample

import "testing"

// TestSetVarConditions: set-var(NAME,COND...) as HAProxy 2.6.12 does it
// for the same sequence (checked live with http-request set-var rules).
func TestSetVarConditions(t *testing.T) {
	x := &Ctx{Vars: &Vars{}, ProcVars: NewProcVars()}
	set := func(spec string, conds []string, expr string) {
		t.Helper()
		r, err := ParseVarName(spec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Cond, err = ParseVarConds(conds); err != nil {
			t.Fatal(err)
		}
		e, err := CompileExpr(expr, &Options{})
		if err != nil {
			t.Fatal(err)
		}
		x.SetVar(&r, e)
	}
	c := func(s ...string) []string { return s }
	set("txn.e1", c("ifexists"), "str(a)")
	set("txn.n1", c("ifnotexists"), "str(b)")
	set("txn.n1", c("ifnotexists"), "str(c)")
	set("txn.n1", c("ifexists"), "str(d)")
	set("txn.em", c("ifempty"), "str()")
	set("txn.em2", c("ifempty"), "str(x)")
	set("txn.ne", c("ifnotempty"), "str()")
	set("txn.ne2", c("ifnotempty"), "str(y)")
	set("txn.s", c("ifset"), "str(z)")
	set("txn.ns", c("ifnotset"), "str(w)")
	for _, n := range []string{"txn.g", "txn.l", "txn.g2", "txn.l2"} {
		set(n, nil, "int(5)")
	}
	set("txn.g", c("ifgt"), "int(3)")
	set("txn.l", c("iflt"), "int(3)")
	set("txn.g2", c("ifgt"), "int(7)")
	set("txn.l2", c("iflt"), "int(7)")
	set("txn.gs", nil, "str(abc)")
	set("txn.gs", c("ifgt"), "int(1)")
	set("txn.ie", nil, "int(0)")
	set("txn.ie", c("ifempty"), "int(9)")
	set("txn.se", nil, "str()")
	set("txn.se", c("ifnotempty", "ifexists"), "str(k)")
	set("proc.p", c("ifexists"), "int(1)")
	set("proc.p2", nil, "int(4)")
	set("proc.p2", c("iflt"), "int(6)")
	want := map[string]string{"txn.e1": "<none>", "txn.n1": "d", "txn.em": "", "txn.em2": "<none>", "txn.ne": "<none>",
		"txn.ne2": "y", "txn.s": "<none>", "txn.ns": "w", "txn.g": "3", "txn.l": "5", "txn.g2": "5", "txn.l2": "7",
		"txn.gs": "1", "txn.ie": "0", "txn.se": "k", "proc.p": "<none>", "proc.p2": "6"}
	for name, w := range want {
		r, _ := ParseVarName(name)
		got, ok := x.VarString(&r)
		if !ok {
			got = "<none>"
		}
		if got != w {
			t.Errorf("%s = %q; want %q", name, got, w)
		}
	}
	if _, err := ParseVarConds([]string{"ifbogus"}); err == nil {
		t.Error("ifbogus was accepted")
	}
}
