package worker

import (
	"io"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/stats"
)

// schemaCommands is `show schema json`: the JSON schema of `show info
// json` and `show stat json`, as HAProxy 2.6 prints it.
func schemaCommands() []cli.Command {
	return []cli.Command{{Words: []string{"show", "schema", "json"}, Usage: "show schema json", Help: "report schema used for stats",
		Level: cli.LevelUser, Handler: func(_ *cli.Session, _ []string, _ string, w *cli.Writer) error {
			_, err := io.WriteString(w, stats.JSONSchema)
			return err
		}}}
}
