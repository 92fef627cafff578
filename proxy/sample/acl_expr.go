package sample

import (
	"strings"

	"github.com/goha/goha/proxy/acl"
)

// ACLs on sample expressions (acl.Expr): the ACL package calls back
// into this one, which it cannot import.

func init() { acl.CompileExpr = compileACLExpr }

// aclExpr is a sample expression an ACL matches.
type aclExpr struct{ e *sampleExpr }

// aclOptions compiles ACL expressions: ACLs are compiled without the
// configuration's map files, so map converters are refused there.
var aclOptions = &Options{}

func compileACLExpr(src string) (acl.Expr, acl.ExprKind, error) {
	e, err := compileSample(src, aclOptions)
	if err != nil {
		return nil, 0, err
	}
	return aclExpr{e}, exprKind(src), nil
}

// Eval implements acl.Expr on the context the sample carries.
func (a aclExpr) Eval(s acl.Sample) (acl.ExprValue, bool) {
	var x *Ctx
	switch c := s.(type) {
	case *HTTP:
		x = c.X
	case *Conn:
		x = c.X
	}
	if x == nil {
		return acl.ExprValue{}, false
	}
	v := &x.v
	if !a.e.eval(x, v) {
		return acl.ExprValue{}, false
	}
	switch v.t {
	case stStr:
		return acl.ExprValue{Kind: acl.ExprStr, Str: v.s}, true
	case stInt:
		return acl.ExprValue{Kind: acl.ExprInt, Int: v.i}, true
	case stBool:
		return acl.ExprValue{Kind: acl.ExprBool, Int: v.i}, true
	case stIP:
		return acl.ExprValue{Kind: acl.ExprIP, IP: v.ip}, true
	}
	return acl.ExprValue{}, false
}

// exprKinds are the fetches and converters whose output is not a
// string, for an ACL's default match method.
var exprKinds = map[string]acl.ExprKind{
	"status": acl.ExprInt, "hdr_cnt": acl.ExprInt, "req.hdr_cnt": acl.ExprInt, "req.fhdr_cnt": acl.ExprInt,
	"res.hdr_cnt": acl.ExprInt, "res.fhdr_cnt": acl.ExprInt, "req.len": acl.ExprInt, "req_len": acl.ExprInt,
	"src_port": acl.ExprInt, "dst_port": acl.ExprInt, "fc_src_port": acl.ExprInt, "fc_dst_port": acl.ExprInt,
	"nbsrv": acl.ExprInt, "date": acl.ExprInt, "int": acl.ExprInt, "req.body_len": acl.ExprInt,
	"req.body_size": acl.ExprInt, "req.cook_cnt": acl.ExprInt, "cook_cnt": acl.ExprInt, "res.cook_cnt": acl.ExprInt,
	"scook_cnt": acl.ExprInt, "url_port": acl.ExprInt, "hdr_val": acl.ExprInt, "req.hdr_val": acl.ExprInt,
	"res.hdr_val":    acl.ExprInt,
	"http_first_req": acl.ExprBool, "always_true": acl.ExprBool, "always_false": acl.ExprBool,
	"ssl_fc": acl.ExprBool, "req.proto_http": acl.ExprBool,
	"src": acl.ExprIP, "dst": acl.ExprIP, "fc_src": acl.ExprIP, "fc_dst": acl.ExprIP, "req.hdr_ip": acl.ExprIP,
	"hdr_ip": acl.ExprIP, "res.hdr_ip": acl.ExprIP, "shdr_ip": acl.ExprIP, "url_ip": acl.ExprIP,
	// converters
	"length": acl.ExprInt, "add": acl.ExprInt, "sub": acl.ExprInt, "mul": acl.ExprInt, "div": acl.ExprInt,
	"mod": acl.ExprInt, "and": acl.ExprInt, "or": acl.ExprInt, "xor": acl.ExprInt, "neg": acl.ExprInt,
	"cpl": acl.ExprInt, "crc32": acl.ExprInt, "crc32c": acl.ExprInt, "djb2": acl.ExprInt, "sdbm": acl.ExprInt,
	"strcmp": acl.ExprInt, "bool": acl.ExprBool, "not": acl.ExprBool, "odd": acl.ExprBool, "even": acl.ExprBool,
	"secure_memcmp": acl.ExprBool, "ipmask": acl.ExprIP,
}

// exprKind is the type of the last step of an expression.
func exprKind(src string) acl.ExprKind {
	parts := splitTop(src)
	last := strings.TrimSpace(parts[len(parts)-1])
	if i := strings.IndexByte(last, '('); i >= 0 {
		last = last[:i]
	}
	switch {
	case strings.HasPrefix(last, "map_") && strings.HasSuffix(last, "_int"):
		return acl.ExprInt
	case strings.HasPrefix(last, "map_") && strings.HasSuffix(last, "_ip"):
		return acl.ExprIP
	}
	if k, ok := exprKinds[last]; ok {
		return k
	}
	return acl.ExprStr
}
