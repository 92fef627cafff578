package stream

import (
	"slices"
	"sync"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/shacrypt"
	"github.com/goha/goha/proxy/sample"
)

// The `userlist` sections as http_auth and http_auth_group read them
// (sample.Authenticator), indexed once on first use.

var (
	_ sample.Authenticator = (*Process)(nil)
	_ sample.Authenticator = (*Frontend)(nil)
)

// userIndex maps a userlist name to its section.
type userIndex struct {
	once  sync.Once
	lists map[string]*config.Userlist
}

// userlist returns the section named list, or nil.
func (rt *Process) userlist(list string) *config.Userlist {
	ix := &rt.users
	ix.once.Do(func() {
		ix.lists = map[string]*config.Userlist{}
		for _, u := range rt.cfg.Userlists {
			if _, dup := ix.lists[u.Name]; !dup {
				ix.lists[u.Name] = u
			}
		}
	})
	return ix.lists[list]
}

// CheckUser implements sample.Authenticator: an insecure-password is
// compared as is, a password hash through crypt(3)'s SHA-crypt family.
func (rt *Process) CheckUser(list string, user, password []byte) bool {
	ul := rt.userlist(list)
	if ul == nil {
		return false
	}
	for _, u := range ul.Users {
		if u.User != string(user) {
			continue
		}
		if u.Insecure {
			return u.Password == string(password)
		}
		return shacrypt.Verify(string(password), u.Password)
	}
	return false
}

// UserInGroup implements sample.Authenticator.
func (rt *Process) UserInGroup(list string, user []byte, group string) bool {
	ul := rt.userlist(list)
	return ul != nil && slices.Contains(ul.Groups[group], string(user))
}

// CheckUser implements sample.Authenticator.
func (f *Frontend) CheckUser(list string, user, password []byte) bool {
	return f.rt.CheckUser(list, user, password)
}

// UserInGroup implements sample.Authenticator.
func (f *Frontend) UserInGroup(list string, user []byte, group string) bool {
	return f.rt.UserInGroup(list, user, group)
}
