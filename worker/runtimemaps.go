package worker

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/sample"
)

// The map commands of HAProxy 2.6's runtime API: show, add (one entry or
// a `<<` payload of "key value" lines), set, del and clear, acting on the
// live map references every map converter reads (proxy/sample
// mapref.go). A map is named by its file or "#<id>".

// errUnknownMap is HAProxy's answer for a map it does not know.
var errUnknownMap = errors.New("Unknown map identifier. Please use #<id> or <file>.")

func (a *runtimeAPI) mapCommands() []cli.Command {
	const (
		oper  = cli.LevelOperator
		admin = cli.LevelAdmin
	)
	return []cli.Command{
		{Words: []string{"show", "map"}, Usage: "show map [<map>]", Help: "report the list of maps or the content of a map", Level: oper, Handler: a.showMap},
		{Words: []string{"add", "map"}, Usage: "add map <map> [<key> <val>]", Help: "add a map entry (payload supported instead of key/val)", Level: admin, Handler: a.addMap},
		{Words: []string{"set", "map"}, Usage: "set map <map> [<key>|#<ref>] <value>", Help: "modify a map entry", Level: admin, Handler: a.setMap},
		{Words: []string{"del", "map"}, Usage: "del map <map> [<key>|#<ref>]", Help: "delete map entries matching a key", Level: admin, Handler: a.delMap},
		{Words: []string{"clear", "map"}, Usage: "clear map <map>", Help: "clear the content of a map", Level: admin, Handler: a.clearMap},
	}
}

// findMap resolves a map identifier.
func (a *runtimeAPI) findMap(spec string) (*sample.MapRef, error) {
	maps := a.d.Maps()
	if maps == nil {
		return nil, errUnknownMap
	}
	if ref := maps.Find(spec); ref != nil {
		return ref, nil
	}
	return nil, errUnknownMap
}

func (a *runtimeAPI) showMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) < 3 {
		fmt.Fprintf(w, "# id (file) description\n")
		if maps := a.d.Maps(); maps != nil {
			for _, ref := range maps.List() {
				fmt.Fprintf(w, "%d (%s) pattern loaded from file '%s' used by map. curr_ver=0 next_ver=0 entry_cnt=%d\n",
					ref.ID, ref.Name, ref.Name, len(ref.Entries()))
			}
		}
		return nil
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	for _, e := range ref.Entries() {
		fmt.Fprintf(w, "%#x %s %s\n", e.ID, e.Key, e.Value)
	}
	return nil
}

func (a *runtimeAPI) addMap(s *cli.Session, args []string, payload string, w *cli.Writer) error {
	if strings.HasPrefix(arg(args, 2), "@") {
		return a.addMapVersion(args, payload) // runtimemapver.go
	}
	var pairs [][2]string
	switch {
	case len(args) == 5:
		pairs = append(pairs, [2]string{args[3], args[4]})
	case len(args) == 3 && payload != "":
		pairs = mapPayloadPairs(payload)
	default:
		return errors.New("'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	return ref.Add(pairs)
}

// mapPayloadPairs reads the payload of `add map <map> <<`: one entry per
// line that is not blank, its key the first word and its value the rest,
// as in a map file (spaces or tabs between them).
func mapPayloadPairs(payload string) [][2]string {
	var pairs [][2]string
	for _, line := range strings.Split(payload, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val := line, ""
		if i := strings.IndexAny(line, " \t"); i >= 0 {
			key, val = line[:i], strings.TrimSpace(line[i:])
		}
		pairs = append(pairs, [2]string{key, val})
	}
	return pairs
}

func (a *runtimeAPI) setMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 5 {
		return errors.New("'set map' expects three parameters: map identifier, key and value.")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	return ref.Set(args[3], args[4])
}

func (a *runtimeAPI) delMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 4 {
		return errors.New("This command expects two parameters: map identifier and key.")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	return ref.Del(args[3])
}

func (a *runtimeAPI) clearMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 3 {
		return errors.New("'clear map' expects a map identifier.")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	return ref.Clear()
}
