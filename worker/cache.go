package worker

import (
	"github.com/goha/goha/cli"
)

// CacheData is what a RuntimeData offers when the data plane has cache
// sections: `show cache`.
type CacheData interface {
	// AppendShowCache appends `show cache` in HAProxy 2.6's format.
	AppendShowCache(b []byte) []byte
}

// cacheCommands are the runtime API's cache commands.
func (a *runtimeAPI) cacheCommands() []cli.Command {
	return []cli.Command{
		{Words: []string{"show", "cache"}, Usage: "show cache", Help: "show cache status", Level: cli.LevelAdmin, Handler: a.showCache},
	}
}

// showCache is `show cache`: each cache, then its fresh entries.
func (a *runtimeAPI) showCache(_ *cli.Session, _ []string, _ string, w *cli.Writer) error {
	cd, ok := a.d.(CacheData)
	if !ok {
		return nil
	}
	_, err := w.Write(cd.AppendShowCache(nil))
	return err
}

// AppendShowCache implements CacheData.
func (d *rtData) AppendShowCache(b []byte) []byte { return d.rt.AppendShowCache(b) }
