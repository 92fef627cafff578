package worker

import (
	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/stick"
)

// The stick table commands of HAProxy 2.6's runtime API: `show table`,
// `clear table` and `set table`. Package stick parses their words and
// writes HAProxy's text; this file registers them on the data that has
// tables.

// tableData is the optional ability of RuntimeData to hold stick tables.
type tableData interface {
	Tables() *stick.Set
}

// Tables is the generation's stick tables.
func (d *rtData) Tables() *stick.Set { return d.rt.Tables() }

// tableCommands are the table commands (none when d has no tables).
func (a *runtimeAPI) tableCommands() []cli.Command {
	td, ok := a.d.(tableData)
	if !ok {
		return nil
	}
	run := func(f func(s *stick.Set, w *cli.Writer, args []string, oper bool)) func(*cli.Session, []string, string, *cli.Writer) error {
		return func(s *cli.Session, args []string, _ string, w *cli.Writer) error {
			f(td.Tables(), w, args, s.Level() >= cli.LevelOperator)
			return nil
		}
	}
	return []cli.Command{
		{Words: []string{"show", "table"}, Usage: "show table <table> [<filter>]*", Help: "report table usage stats or dump this table's contents (filter: data/key)", Level: cli.LevelUser,
			Handler: run(func(s *stick.Set, w *cli.Writer, args []string, oper bool) { s.Show(w, args, oper) })},
		{Words: []string{"clear", "table"}, Usage: "clear table <table> [<filter>]*", Help: "remove an entry from a table (filter: data/key)", Level: cli.LevelOperator,
			Handler: run(func(s *stick.Set, w *cli.Writer, args []string, oper bool) { s.Clear(w, args, oper) })},
		{Words: []string{"set", "table"}, Usage: "set table <table> key <k> [data.* <v>]*", Help: "update or create a table entry's data", Level: cli.LevelOperator,
			Handler: run(func(s *stick.Set, w *cli.Writer, args []string, oper bool) { s.SetData(w, args, oper) })},
	}
}
