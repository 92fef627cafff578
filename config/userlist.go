package config

import "fmt"

// parseUserlist handles a `userlist` section.
func (p *parser) parseUserlist(args []string) {
	kw := args[0]
	switch kw {
	case "userlist":
		name := arg(args, 1)
		if name == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects <name> as arguments.", p.file, p.line, kw))
			p.curUL = nil
			return
		}
		if c, bad := invalidChar(name); bad {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: character '%c' is not permitted in '%s' name '%s'.", p.file, p.line, c, kw, name))
			return
		}
		for _, u := range p.cfg.Userlists {
			if u.Name == name {
				p.warnf("ignoring duplicated userlist '%s'.", name)
				p.curUL = nil
				return
			}
		}
		p.curUL = &Userlist{Name: name, Groups: map[string][]string{}}
		p.cfg.Userlists = append(p.cfg.Userlists, p.curUL)
	case "group":
		ul := p.curUL
		if ul == nil {
			return
		}
		name := arg(args, 1)
		if name == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects <name> as arguments.", p.file, p.line, kw))
			return
		}
		if _, dup := ul.Groups[name]; dup {
			p.rec.warn(p.file, p.line, fmt.Sprintf("parsing [%s:%d]: ignoring duplicated group '%s' in userlist '%s'.", p.file, p.line, name, ul.Name))
			return
		}
		var users []string
		for i := 2; i < len(args) && args[i] != ""; i += 2 {
			if args[i] != "users" {
				p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' only supports 'users' option.", p.file, p.line, kw))
				return
			}
			users = append(users, splitComma(arg(args, i+1))...)
		}
		ul.Groups[name] = append(ul.Groups[name], users...)
		p.ulDeclare(ul, name)
		for _, u := range users {
			p.ulRefs = append(p.ulRefs, ulRef{ul: ul, group: name, user: u, fromGroup: true})
		}
	case "user":
		ul := p.curUL
		if ul == nil {
			return
		}
		name := arg(args, 1)
		if name == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects <name> as arguments.", p.file, p.line, kw))
			return
		}
		for _, u := range ul.Users {
			if u.User == name {
				p.rec.warn(p.file, p.line, fmt.Sprintf("parsing [%s:%d]: ignoring duplicated user '%s' in userlist '%s'.", p.file, p.line, name, ul.Name))
				return
			}
		}
		up := UserPass{User: name}
		for i := 2; i < len(args) && args[i] != ""; i += 2 {
			switch args[i] {
			case "password":
				up.Password = arg(args, i+1)
			case "insecure-password":
				up.Password, up.Insecure = arg(args, i+1), true
			case "groups":
				for _, g := range splitComma(arg(args, i+1)) {
					ul.Groups[g] = append(ul.Groups[g], name)
					p.ulRefs = append(p.ulRefs, ulRef{ul: ul, group: g, user: name})
				}
			default:
				p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' only supports 'password', 'insecure-password' and 'groups' options.", p.file, p.line, kw))
				return
			}
		}
		ul.Users = append(ul.Users, up)
	default:
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: unknown keyword '%s' in '%s' section", p.file, p.line, kw, "users"))
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// ulRef is a user named in a group line, or a group named in a user
// line, checked once the whole configuration is read.
type ulRef struct {
	ul          *Userlist
	group, user string
	fromGroup   bool
}

func (p *parser) ulDeclare(ul *Userlist, group string) {
	if p.ulGroups == nil {
		p.ulGroups = map[*Userlist]map[string]bool{}
	}
	if p.ulGroups[ul] == nil {
		p.ulGroups[ul] = map[string]bool{}
	}
	p.ulGroups[ul][group] = true
}

// checkUserlists reports users and groups that reference each other
// but do not exist, as HAProxy does after parsing.
func (p *parser) checkUserlists() {
	for _, r := range p.ulRefs {
		if r.fromGroup {
			found := false
			for _, u := range r.ul.Users {
				found = found || u.User == r.user
			}
			if !found {
				p.checkAlert("", 0, fmt.Sprintf("userlist '%s': no such user '%s' specified in group '%s'", r.ul.Name, r.user, r.group))
			}
			continue
		}
		if !p.ulGroups[r.ul][r.group] {
			p.checkAlert("", 0, fmt.Sprintf("userlist '%s': no such group '%s' specified in user '%s'", r.ul.Name, r.group, r.user))
		}
	}
}
