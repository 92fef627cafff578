package http1

// uriChar marks the bytes allowed in a request-target: visible ASCII but
// '#' (a fragment is never sent, RFC 9110 section 4.2.5; a server could
// cut the path there while goha's rules read past it).
var uriChar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = c != '#'
	}
	return
}()

// hostChar marks the bytes of a reg-name (RFC 3986 section 3.2.2):
// unreserved, sub-delims and '%' of pct-encoded.
var hostChar = func() (t [256]bool) {
	for c := range tchar {
		t[c] = tchar[c] && c != '#' && c != '^' && c != '`' && c != '|'
	}
	for _, c := range "(),;=" {
		t[c] = true
	}
	return
}()

// checkTarget checks the form of the request-target for its method
// (RFC 9112 section 3.2): origin-form, asterisk-form for OPTIONS only,
// authority-form for CONNECT only, absolute-form with an http or https
// scheme and no userinfo. It returns the authority of an absolute-form
// or authority-form target, and the offset in uri of the first byte
// that does not fit, or -1.
func checkTarget(method, uri []byte) (authority []byte, bad int) {
	connect := string(method) == "CONNECT"
	switch {
	case connect:
		if c := lastColon(uri); c <= 0 || c == len(uri)-1 || !validHost(uri) {
			return nil, 0
		}
		return uri, -1
	case uri[0] == '/':
		return nil, -1
	case len(uri) == 1 && uri[0] == '*':
		if string(method) != "OPTIONS" {
			return nil, 0
		}
		return nil, -1
	}
	var rest []byte
	switch {
	case len(uri) > 7 && equalFold(uri[:7], "http://"):
		rest = uri[7:]
	case len(uri) > 8 && equalFold(uri[:8], "https://"):
		rest = uri[8:]
	default:
		return nil, 0
	}
	end := 0
	for end < len(rest) && rest[end] != '/' && rest[end] != '?' {
		end++
	}
	auth := rest[:end]
	if len(auth) == 0 || !validHost(auth) {
		// '@' (userinfo, RFC 9110 section 4.2.4) is not a host byte.
		return nil, len(uri) - len(rest)
	}
	return auth, -1
}

// validHost reports whether v is uri-host [ ":" port ] (RFC 9110
// section 7.2), empty included.
func validHost(v []byte) bool {
	i := 0
	if len(v) > 0 && v[0] == '[' {
		for i = 1; i < len(v) && v[i] != ']'; i++ {
			if c := v[i]; unhex(c) < 0 && c != ':' && c != '.' {
				return false
			}
		}
		if i == len(v) {
			return false
		}
		i++
	} else {
		for i < len(v) && hostChar[v[i]] {
			i++
		}
	}
	if i == len(v) {
		return true
	}
	if v[i] != ':' {
		return false
	}
	for i++; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func lastColon(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			return i
		}
	}
	return -1
}

// lookAlike reports whether a (lowercased) header name is
// content-length or transfer-encoding with '_' for some '-': servers
// that map names to CGI variables read it as the framing header itself.
func lookAlike(name []byte) bool {
	if len(name) != 14 && len(name) != 17 {
		return false
	}
	var s string
	if len(name) == 14 {
		s = "content-length"
	} else {
		s = "transfer-encoding"
	}
	under := false
	for i, c := range name {
		if c == '_' && s[i] == '-' {
			under = true
		} else if c != s[i] {
			return false
		}
	}
	return under
}

// bytesEqualFold reports whether a and b are equal ignoring ASCII case.
func bytesEqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
