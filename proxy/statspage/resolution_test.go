package statspage

import (
	"strings"
	"testing"

	"github.com/goha/goha/proxy/stats"
)

// TestResolutionMaint: a server in resolution maintenance is drawn as
// HAProxy 2.6 draws it: the maintenance colour, its status, and one
// "resolution" cell across the check failure, down and downtime columns.
func TestResolutionMaint(t *testing.T) {
	src := source()
	r := server("be", "web3", "MAINT (resolution)", false)
	r.Maint = true
	src.rows = append([]stats.Row{src.rows[0], r}, src.rows[1:]...)
	page := string(New(Config{}).Serve(Request{Method: "GET", URI: DefaultURI}, src).Body)
	i := strings.Index(page, ">web3<")
	if i < 0 {
		t.Fatal("no row for web3")
	}
	row := page[strings.LastIndex(page[:i], "<tr"):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{`class="maintain"`, "MAINT (resolution)", "<td class=ac colspan=3>resolution</td>"} {
		if !strings.Contains(row, want) {
			t.Errorf("web3's row lacks %q:\n%s", want, row)
		}
	}
}
