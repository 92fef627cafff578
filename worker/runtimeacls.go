package worker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/acl"
)

// The ACL commands of HAProxy 2.6's runtime API (show, get, add, del,
// clear, prepare and commit acl) and `get map`, acting on the live
// pattern references every compiled condition reads (proxy/acl ref.go):
// a change is seen by the next request. An ACL is named by its `-f` file
// or "#<id>" from `show acl`.

// ACLData is what the ACL commands need from a RuntimeData: a data plane
// that has ACL pattern references implements it.
type ACLData interface {
	ACLs() *acl.Refs
}

// errUnknownACL is HAProxy's answer for an ACL it does not know.
var errUnknownACL = errors.New("Unknown ACL identifier. Please use #<id> or <file>.")

func (a *runtimeAPI) aclCommands() []cli.Command {
	const (
		oper  = cli.LevelOperator
		admin = cli.LevelAdmin
	)
	return []cli.Command{
		{Words: []string{"show", "acl"}, Usage: "show acl [@<ver>] <acl>]", Help: "report available acls or dump an acl's contents", Level: oper, Handler: a.showACL},
		{Words: []string{"get", "acl"}, Usage: "get acl <acl> <value>", Help: "report the patterns matching a sample for an ACL", Level: oper, Handler: a.getACL},
		{Words: []string{"add", "acl"}, Usage: "add acl [@<ver>] <acl> <pattern>", Help: "add an acl entry", Level: admin, Handler: a.addACL},
		{Words: []string{"del", "acl"}, Usage: "del acl <acl> [<key>|#<ref>]", Help: "delete acl entries matching <key>", Level: admin, Handler: a.delACL},
		{Words: []string{"clear", "acl"}, Usage: "clear acl [@<ver>] <acl>", Help: "clear the contents of this acl", Level: admin, Handler: a.clearACL},
		{Words: []string{"prepare", "acl"}, Usage: "prepare acl <acl>", Help: "prepare a new version for atomic ACL replacement", Level: admin, Handler: a.prepareACL},
		{Words: []string{"commit", "acl"}, Usage: "commit acl @<ver> <acl>", Help: "commit the ACL at this version", Level: admin, Handler: a.commitACL},
		{Words: []string{"get", "map"}, Usage: "get map <acl> <value>", Help: "report the keys and values matching a sample for a map", Level: oper, Handler: a.getMap},
	}
}

// aclRefs returns the data plane's references (nil when it has none).
func (a *runtimeAPI) aclRefs() *acl.Refs {
	if d, ok := a.d.(ACLData); ok {
		return d.ACLs()
	}
	return nil
}

// findACL resolves an ACL identifier.
func (a *runtimeAPI) findACL(spec string) (*acl.Ref, error) {
	if ref := a.aclRefs().Find(spec); ref != nil {
		return ref, nil
	}
	return nil, errUnknownACL
}

// aclVersion splits an optional "@<ver>" first argument off args.
func aclVersion(args []string) (ver int, rest []string, err error) {
	if len(args) == 0 || !strings.HasPrefix(args[0], "@") {
		return acl.Current, args, nil
	}
	n, perr := strconv.ParseUint(args[0][1:], 10, 31)
	if perr != nil {
		return 0, nil, acl.ErrVersionRange
	}
	return int(n), args[1:], nil
}

func (a *runtimeAPI) showACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	ver, rest, err := aclVersion(args[2:])
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		w.WriteString("# id (file) description\n")
		for _, ref := range a.aclRefs().List() {
			w.Printf("%d %s\n", ref.ID, ref.Describe())
		}
		return nil
	}
	ref, err := a.findACL(rest[0])
	if err != nil {
		return err
	}
	for _, e := range ref.Entries(ver) {
		w.Printf("%#x %s\n", e.ID, e.Pattern)
	}
	return nil
}

func (a *runtimeAPI) getACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) < 4 {
		return errors.New("Missing ACL identifier and/or key.")
	}
	ref, err := a.findACL(args[2])
	if err != nil {
		return err
	}
	for _, l := range ref.Get(args[3]) {
		w.Printf("%s\n", l)
	}
	return nil
}

func (a *runtimeAPI) addACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	ver, rest, err := aclVersion(args[2:])
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return errors.New("'add acl' expects two parameters: ACL identifier and pattern.")
	}
	ref, err := a.findACL(rest[0])
	if err != nil {
		return err
	}
	return ref.Add(ver, rest[1])
}

func (a *runtimeAPI) delACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 4 {
		return errors.New("This command expects two parameters: ACL identifier and key.")
	}
	ref, err := a.findACL(args[2])
	if err != nil {
		return err
	}
	return ref.Del(args[3])
}

func (a *runtimeAPI) clearACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	ver, rest, err := aclVersion(args[2:])
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return errors.New("Missing ACL identifier.")
	}
	ref, err := a.findACL(rest[0])
	if err != nil {
		return err
	}
	return ref.Clear(ver)
}

func (a *runtimeAPI) prepareACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	ref, err := a.findACL(arg(args, 2))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "New version created: %d\n", ref.Prepare())
	return nil
}

func (a *runtimeAPI) commitACL(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if !strings.HasPrefix(arg(args, 2), "@") {
		return errors.New("Missing version number.")
	}
	ver, rest, err := aclVersion(args[2:])
	if err != nil {
		return err
	}
	ref, err := a.findACL(arg(rest, 0))
	if err != nil {
		return err
	}
	return ref.Commit(ver)
}

func (a *runtimeAPI) getMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) < 4 {
		return errors.New("Missing map identifier and/or key.")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	for _, l := range ref.Get(args[3]) {
		w.Printf("%s\n", l)
	}
	return nil
}
