package sample

import (
	"bytes"
	"encoding/base64"
)

// Authenticator is an optional ability of Backends: the `userlist`
// sections http_auth(LIST) and http_auth_group(LIST) check credentials
// against. Without it neither ever matches.
type Authenticator interface {
	// CheckUser reports whether user and password are valid in list.
	CheckUser(list string, user, password []byte) bool
	// UserInGroup reports whether user belongs to group of list.
	UserInGroup(list string, user []byte, group string) bool
}

var _ interface {
	HTTPAuth(string) ([]byte, bool)
	InGroup(string, []byte, string) bool
} = (*HTTP)(nil)

// basicCredentials returns the user and password of a Basic
// Authorization header value.
func basicCredentials(v []byte) (user, password []byte, ok bool) {
	scheme, cred, found := bytes.Cut(bytes.TrimSpace(v), []byte{' '})
	if !found || !bytes.EqualFold(scheme, []byte("basic")) {
		return nil, nil, false
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(cred)))
	n, err := base64.StdEncoding.Decode(raw, bytes.TrimSpace(cred))
	if err != nil {
		return nil, nil, false
	}
	return bytes.Cut(raw[:n], []byte{':'})
}

// HTTPAuth implements acl.AuthSample: the request's Basic credentials
// checked against userlist list; it returns the user when they are valid.
func (s *HTTP) HTTPAuth(list string) ([]byte, bool) {
	a, ok := s.Backends.(Authenticator)
	if !ok || s.Req == nil {
		return nil, false
	}
	user, pass, ok := basicCredentials(s.Req.Get("authorization"))
	if !ok || !a.CheckUser(list, user, pass) {
		return nil, false
	}
	return user, true
}

// InGroup implements acl.AuthSample.
func (s *HTTP) InGroup(list string, user []byte, group string) bool {
	a, ok := s.Backends.(Authenticator)
	return ok && a.UserInGroup(list, user, group)
}
