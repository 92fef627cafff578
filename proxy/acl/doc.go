// Package acl compiles HAProxy ACLs and conditions (config.ACL,
// config.Cond) into matchers and evaluates them against a request or a
// connection described by a Sample.
//
// Supported fetches: path, url, base, query, hdr/req.hdr/req.fhdr, hdr_cnt,
// hdr_val, urlp/url_param, urlp_val, method, req.ver, req.proto_http, src,
// src_port, dst, dst_port, nbsrv, http_auth, http_auth_group, ssl_fc, ssl_fc_sni, req.ssl_sni, always_true,
// always_false, wait_end; the ACL derivatives <fetch>_beg, _end, _sub,
// _reg, _dir, _dom, _len of path, url, base, hdr and urlp; the flags -i and
// -m found|bool|int|ip|bin|len|str|sub|reg|beg|end|dir|dom; integer
// ranges and operators (eq ge gt le lt); HAProxy's predefined ACLs
// (TRUE, FALSE, LOCALHOST, METH_GET, HTTP_1.1, ...; section 7.4).
//
// Fetches beyond the Sample interface use optional abilities found by type
// assertion: VersionSample (req.ver, HTTP_1.x), SrcPortSample, DstSample,
// NbsrvSample, AuthSample. Without them those fetches find nothing.
//
// Traps:
//   - Everything is parsed at Compile time; Eval does not allocate. Header
//     walks use a pooled visitor whose callback is bound once, because a
//     closure passed through the Sample interface would escape.
//   - HTTP fetches find nothing when Sample.HTTP() is false: the ACL does
//     not match (and a negated one does).
//   - Patterns of `-f file` are expected in ACL.Patterns already (the
//     config parser reads the files before privileges are dropped).
//   - Regexes use Go's RE2 syntax, not PCRE: no backreferences nor
//     lookarounds.
//   - Several `acl` lines with the same name are ORed (CondTerm.ACLs), and
//     a term naming a predefined ACL (CondTerm.Predefined) always uses
//     this package's definition of it, as HAProxy does.
package acl
