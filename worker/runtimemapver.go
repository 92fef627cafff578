package worker

import (
	"errors"
	"fmt"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/sample"
)

// Atomic map updates: `prepare map <map>`, `add map @<ver> <map> <key>
// <val>` and `commit map @<ver> <map>` on the live map references.

func (a *runtimeAPI) mapVersionCommands() []cli.Command {
	const admin = cli.LevelAdmin
	return []cli.Command{
		{Words: []string{"prepare", "map"}, Usage: "prepare map <acl>", Help: "prepare a new version for atomic map replacement", Level: admin, Handler: a.prepareMap},
		{Words: []string{"commit", "map"}, Usage: "commit map @<ver> <map>", Help: "commit the map at this version", Level: admin, Handler: a.commitMap},
	}
}

func (a *runtimeAPI) prepareMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 3 {
		return errors.New("'prepare map' expects a map identifier.")
	}
	ref, err := a.findMap(args[2])
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "New version created: %d\n", ref.Prepare())
	return nil
}

func (a *runtimeAPI) commitMap(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if len(args) != 4 {
		return errors.New("'commit map' expects a map version and identifier.")
	}
	ver, err := sample.ParseVersion(args[2])
	if err != nil {
		return err
	}
	ref, err := a.findMap(args[3])
	if err != nil {
		return err
	}
	return ref.Commit(ver)
}

// addMapVersion is `add map @<ver> <map> <key> <val>` (or a payload).
func (a *runtimeAPI) addMapVersion(args []string, payload string) error {
	ver, err := sample.ParseVersion(args[2])
	if err != nil {
		return err
	}
	var pairs [][2]string
	switch {
	case len(args) == 6:
		pairs = [][2]string{{args[4], args[5]}}
	case len(args) == 4 && payload != "":
		pairs = mapPayloadPairs(payload)
	default:
		return errors.New("'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload")
	}
	ref, err := a.findMap(args[3])
	if err != nil {
		return err
	}
	return ref.AddVersion(ver, pairs)
}
