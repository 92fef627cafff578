package acl

import "github.com/goha/goha/config"

// predefined holds HAProxy's built-in ACLs (configuration.txt section 7.4),
// as the ACL each one is equivalent to. RDP_COOKIE reads the RDP cookie
// of the raw request, which goha does not parse: it never matches.
var predefined = map[string]config.ACL{
	"FALSE":          {Fetch: "always_false"},
	"HTTP":           {Fetch: "req.proto_http"},
	"HTTP_1.0":       {Fetch: "req.ver", Patterns: []string{"1.0"}},
	"HTTP_1.1":       {Fetch: "req.ver", Patterns: []string{"1.1"}},
	"HTTP_2.0":       {Fetch: "req.ver", Patterns: []string{"2.0"}},
	"HTTP_CONTENT":   {Fetch: "req.hdr_val", Arg: "content-length", Patterns: []string{"gt", "0"}},
	"HTTP_URL_ABS":   {Fetch: "url_reg", Patterns: []string{"^[^/:]*://"}},
	"HTTP_URL_SLASH": {Fetch: "url_beg", Patterns: []string{"/"}},
	"HTTP_URL_STAR":  {Fetch: "url", Patterns: []string{"*"}},
	"LOCALHOST":      {Fetch: "src", Patterns: []string{"127.0.0.1/8", "::1"}},
	"METH_CONNECT":   {Fetch: "method", Patterns: []string{"CONNECT"}},
	"METH_DELETE":    {Fetch: "method", Patterns: []string{"DELETE"}},
	"METH_GET":       {Fetch: "method", Patterns: []string{"GET", "HEAD"}},
	"METH_HEAD":      {Fetch: "method", Patterns: []string{"HEAD"}},
	"METH_OPTIONS":   {Fetch: "method", Patterns: []string{"OPTIONS"}},
	"METH_POST":      {Fetch: "method", Patterns: []string{"POST"}},
	"METH_PUT":       {Fetch: "method", Patterns: []string{"PUT"}},
	"METH_TRACE":     {Fetch: "method", Patterns: []string{"TRACE"}},
	"RDP_COOKIE":     {Fetch: "always_false"},
	"REQ_CONTENT":    {Fetch: "req.len", Patterns: []string{"gt", "0"}},
	"TRUE":           {Fetch: "always_true"},
	"WAIT_END":       {Fetch: "wait_end"},
}

// Predefined returns the definition of HAProxy's built-in ACL name (TRUE,
// METH_GET, LOCALHOST...), with Name set, and whether it exists. The config
// parser may use the same list; Compile also resolves an ACL whose Name is
// a predefined name and whose Fetch is empty or that name.
func Predefined(name string) (*config.ACL, bool) {
	d, ok := predefined[name]
	if !ok {
		return nil, false
	}
	d.Name = name
	d.Patterns = append([]string(nil), d.Patterns...)
	return &d, true
}

// PredefinedNames lists the built-in ACL names, for diagnostics.
func PredefinedNames() []string {
	names := make([]string, 0, len(predefined))
	for n := range predefined {
		names = append(names, n)
	}
	return names
}
