package statspage

import (
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/proxy/stats"
)

// css holds HAProxy's class names and colours, so that the page looks
// like the one operators know.
const css = `body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white;}
th,td { font-size: 10px;}
h1 { font-size: x-large; margin-bottom: 0.5em;}
h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin-top: 0em; margin-bottom: 0em;}
h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin-top: 0em; margin-bottom: 0em;}
.hr {margin-top: 0.25em; border-color: black; border-bottom-style: solid;}
.titre	{background: #20D0D0;color: #000000; font-weight: bold; text-align: center;}
.frontend	{background: #e8e8d0;}
.backend	{background: #e8e8d0;}
.active_down		{background: #ff9090;}
.active_going_up		{background: #ffd020;}
.active_going_down	{background: #ffffa0;}
.active_up		{background: #c0ffc0;}
.active_nolb		{background: #20a0ff;}
.active_draining		{background: #20a0FF;}
.active_no_check		{background: #e0e0e0;}
.backup_down		{background: #ff9090;}
.backup_going_up		{background: #ff80ff;}
.backup_going_down	{background: #c060ff;}
.backup_up		{background: #b0d0ff;}
.backup_nolb		{background: #90b0e0;}
.backup_draining		{background: #cc9900;}
.backup_no_check		{background: #e0e0e0;}
.maintain	{background: #c07820;}
a.px:link, a.px:visited {color: #ffff40; text-decoration: none;}
a.lfsb:link, a.lfsb:visited {color: #000000; text-decoration: none;}
table.tbl { border-collapse: collapse; border-style: none;}
table.tbl td { text-align: right; border-width: 1px 1px 1px 1px; border-style: solid solid solid solid; padding: 2px 3px; border-color: gray; white-space: nowrap;}
table.tbl td.ac { text-align: center;}
table.tbl th { border-width: 1px; border-style: solid solid solid solid; border-color: gray;}
table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; border-style: solid solid none solid; padding: 2px 3px; white-space: nowrap;}
table.tbl th.empty { border-style: none; empty-cells: hide; background: white;}
table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black;}
table.lgd td { border-width: 1px; border-style: solid solid solid solid; border-color: gray; padding: 2px;}
table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap;}
`

// humanTime prints a duration as HAProxy's stats page does: "8s",
// "1m3s", "2h5m", "3d4h".
func humanTime(sec int64) string {
	switch {
	case sec < 0:
		return "-"
	case sec < 60:
		return strconv.FormatInt(sec, 10) + "s"
	case sec < 3600:
		return strconv.FormatInt(sec/60, 10) + "m" + strconv.FormatInt(sec%60, 10) + "s"
	case sec < 86400:
		return strconv.FormatInt(sec/3600, 10) + "h" + strconv.FormatInt(sec/60%60, 10) + "m"
	}
	return strconv.FormatInt(sec/86400, 10) + "d" + strconv.FormatInt(sec/3600%24, 10) + "h"
}

// rowClass returns HAProxy's CSS class for a server row.
func rowClass(r *stats.Row) string {
	status := r.Get(stats.ColStatus).Str()
	kind := "active_"
	if r.Get(stats.ColBck).Int() > 0 {
		kind = "backup_"
	}
	switch {
	case strings.HasPrefix(status, "MAINT"):
		return "maintain"
	case status == "DRAIN":
		return kind + "draining"
	case strings.HasPrefix(status, "NOLB"):
		return kind + "nolb"
	case status == "no check":
		return kind + "no_check"
	case status == "UP":
		return kind + "up"
	case strings.HasPrefix(status, "UP "):
		return kind + "going_down"
	case strings.HasPrefix(status, "DOWN "):
		return kind + "going_up"
	}
	return kind + "down"
}

// pageBuilder accumulates the HTML.
type pageBuilder struct{ strings.Builder }

func (b *pageBuilder) td(s string)  { b.WriteString("<td>" + s + "</td>") }
func (b *pageBuilder) tdc(s string) { b.WriteString("<td class=ac>" + s + "</td>") }
func (b *pageBuilder) num(r *stats.Row, col int) {
	f := r.Get(col)
	if f.IsEmpty() {
		b.td("")
		return
	}
	b.td(strconv.FormatInt(f.Int(), 10))
}

func esc(s string) string { return html.EscapeString(s) }

func (p *Page) render(rows []stats.Row, in Info, o options, admin bool) []byte {
	var b pageBuilder
	title := "Statistics Report for " + esc(p.cfg.Product)
	b.WriteString("<!DOCTYPE html>\n<html><head><title>" + title + "</title>\n")
	b.WriteString("<link rel=\"icon\" href=\"data:,\">\n<meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">\n")
	b.WriteString("<style type=\"text/css\">\n" + css + "</style></head>\n<body>")
	if !p.cfg.HideVersion {
		b.WriteString("<h1>" + esc(p.cfg.Product) + " version " + esc(p.cfg.Version) + ", released " + esc(p.cfg.ReleaseDate) + "</h1>\n")
	}
	b.WriteString("<h2>Statistics Report for pid " + strconv.Itoa(in.Pid))
	if p.cfg.ShowNode {
		node := p.cfg.NodeName
		if node == "" {
			node = in.Node
		}
		b.WriteString(" on " + esc(node))
	}
	b.WriteString("</h2>\n")
	if p.cfg.ShowDesc != "" {
		b.WriteString("<h2>" + esc(p.cfg.ShowDesc) + "</h2>\n")
	}
	b.WriteString("<hr width=\"100%\" class=\"hr\">\n<h3>&gt; General process information</h3>\n")
	b.WriteString("<table border=0><tr><td align=\"left\" nowrap width=\"1%\">\n<p>")
	b.WriteString("<b>pid = </b> " + strconv.Itoa(in.Pid) + " (process #" + strconv.Itoa(in.ProcessNum) + ", nbproc = 1, nbthread = " + strconv.Itoa(in.Nbthread) + ")<br>\n")
	up := int64(in.Uptime / time.Second)
	b.WriteString("<b>uptime = </b> " + strconv.FormatInt(up/86400, 10) + "d " + strconv.FormatInt(up/3600%24, 10) + "h" + pad2(up/60%60) + "m" + pad2(up%60) + "s<br>\n")
	b.WriteString("<b>system limits:</b> memmax = unlimited; ulimit-n = " + strconv.Itoa(in.Ulimit) + "<br>\n")
	b.WriteString("<b>maxsock = </b> " + strconv.Itoa(in.Maxsock) + "; <b>maxconn = </b> " + strconv.Itoa(in.Maxconn) + "; <b>maxpipes = </b> 0<br>\n")
	b.WriteString("current conns = " + strconv.FormatInt(in.CurConns, 10) + "; current pipes = 0/0; conn rate = " + strconv.FormatInt(in.ConnRate, 10) + "/sec<br>\n")
	b.WriteString("Running tasks: " + strconv.Itoa(in.Tasks) + "<br>\n</td><td align=\"center\" nowrap>\n")
	b.WriteString(legend)
	b.WriteString("</td><td align=\"left\" valign=\"top\" nowrap width=\"1%\"><b>Display option:</b><ul style=\"margin-top: 0.25em;\">")
	u := esc(p.cfg.URI)
	if o.up {
		b.WriteString("<li><a href=\"" + u + "\">Show all servers</a><br>\n")
	} else {
		b.WriteString("<li><a href=\"" + u + ";up\">Hide 'DOWN' servers</a><br>\n")
	}
	b.WriteString("<li><a href=\"" + u + "\">Refresh now</a><br>\n")
	b.WriteString("<li><a href=\"" + u + ";csv\">CSV export</a><br>\n")
	b.WriteString("<li><a href=\"" + u + ";json\">JSON export</a><br>\n</ul></td></tr></table>\n")
	if m, ok := statusMessages[o.status]; ok {
		b.WriteString("<p><div class=" + m.class + "><a class=lfsb href=\"" + u + "\" title=\"Remove this message\">[X]</a> <b>" + esc(m.text) + "</b></div>\n")
	}

	// Group rows by proxy, in order.
	for i := 0; i < len(rows); {
		name := rows[i].Get(stats.ColPxname).Str()
		j := i
		for j < len(rows) && rows[j].Get(stats.ColPxname).Str() == name {
			j++
		}
		p.renderProxy(&b, rows[i:j], o, admin)
		i = j
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

func pad2(v int64) string {
	if v < 10 {
		return "0" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}

const legend = `<table class="lgd"><tr>
<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>
<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>
<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>
<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>
<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>
<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>
Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.
`

const actions = `<option value=""></option><option value="ready">Set state to READY</option><option value="drain">Set state to DRAIN</option><option value="maint">Set state to MAINT</option><option value="dhlth">Health: disable checks</option><option value="ehlth">Health: enable checks</option><option value="hrunn">Health: force UP</option><option value="hnolb">Health: force NOLB</option><option value="hdown">Health: force DOWN</option><option value="shutdown">Kill Sessions</option>`

func (p *Page) renderProxy(b *pageBuilder, rows []stats.Row, o options, admin bool) {
	name := esc(rows[0].Get(stats.ColPxname).Str())
	iid := rows[0].Get(stats.ColIid).Int()
	hasServers := false
	for i := range rows {
		if rows[i].Obj() == stats.ObjServer {
			hasServers = true
		}
	}
	form := admin && hasServers
	b.WriteString("<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" width=\"10%\"><a name=\"" + name + "\"></a><a class=px href=\"#" + name + "\">" + name + "</a></th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n")
	if form {
		b.WriteString("<form method=\"post\">")
	}
	b.WriteString("<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\">")
	if form {
		b.WriteString("<th rowspan=2 width=1></th>")
	}
	b.WriteString("<th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n")
	b.WriteString("<tr class=\"titre\"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>\n")
	for i := range rows {
		r := &rows[i]
		switch r.Obj() {
		case stats.ObjFrontend:
			b.WriteString("<tr class=\"frontend\">")
			if form {
				b.td("")
			}
			b.tdc("<a name=\"" + name + "/Frontend\"></a><a class=lfsb href=\"#" + name + "/Frontend\">Frontend</a>")
			b.WriteString("<td colspan=3></td>")
			b.num(r, stats.ColRate)
			b.num(r, stats.ColRateMax)
			b.num(r, stats.ColRateLim)
			b.num(r, stats.ColScur)
			b.num(r, stats.ColSmax)
			b.num(r, stats.ColSlim)
			b.num(r, stats.ColStot)
			b.td("")
			b.td("")
			b.num(r, stats.ColBin)
			b.num(r, stats.ColBout)
			b.num(r, stats.ColDreq)
			b.num(r, stats.ColDresp)
			b.num(r, stats.ColEreq)
			b.td("")
			b.td("")
			b.td("")
			b.td("")
			b.tdc(esc(r.Get(stats.ColStatus).Str()))
			b.WriteString("<td colspan=8></td></tr>\n")
		case stats.ObjServer:
			if o.up && (r.Maint || r.Down) {
				continue
			}
			sv := esc(r.Get(stats.ColSvname).Str())
			b.WriteString("<tr class=\"" + rowClass(r) + "\">")
			if form {
				b.td("<input class='" + name + "-checkbox' type=\"checkbox\" name=\"s\" value=\"" + sv + "\">")
			}
			b.tdc("<a name=\"" + name + "/" + sv + "\"></a><a class=lfsb href=\"#" + name + "/" + sv + "\">" + sv + "</a>")
			b.num(r, stats.ColQcur)
			b.num(r, stats.ColQmax)
			if q := r.Get(stats.ColQlimit); q.IsEmpty() {
				b.td("-")
			} else {
				b.num(r, stats.ColQlimit)
			}
			p.serverCommon(b, r)
		case stats.ObjBackend:
			b.WriteString("<tr class=\"backend\">")
			if form {
				b.td("")
			}
			b.tdc("<a name=\"" + name + "/Backend\"></a><a class=lfsb href=\"#" + name + "/Backend\">Backend</a>")
			b.num(r, stats.ColQcur)
			b.num(r, stats.ColQmax)
			b.td("")
			p.serverCommon(b, r)
		}
	}
	b.WriteString("</table>")
	if form {
		b.WriteString("Choose the action to perform on the checked servers : <select name=action>" + actions +
			"</select><input type=\"hidden\" name=\"b\" value=\"#" + strconv.FormatInt(iid, 10) + "\">&nbsp;<input type=\"submit\" value=\"Apply\"></form>")
	}
	b.WriteString("<p>\n")
}

// serverCommon renders the columns servers and backends share, from the
// session rate on.
func (p *Page) serverCommon(b *pageBuilder, r *stats.Row) {
	b.num(r, stats.ColRate)
	b.num(r, stats.ColRateMax)
	b.td("")
	b.num(r, stats.ColScur)
	b.num(r, stats.ColSmax)
	if r.Get(stats.ColSlim).IsEmpty() {
		b.td("-")
	} else {
		b.num(r, stats.ColSlim)
	}
	b.num(r, stats.ColStot)
	b.num(r, stats.ColLbtot)
	b.td(humanTime(r.Get(stats.ColLastsess).Int()))
	b.num(r, stats.ColBin)
	b.num(r, stats.ColBout)
	if r.Obj() == stats.ObjBackend {
		b.num(r, stats.ColDreq)
	} else {
		b.td("")
	}
	b.num(r, stats.ColDresp)
	b.td("")
	b.num(r, stats.ColEcon)
	b.num(r, stats.ColEresp)
	b.num(r, stats.ColWretr)
	b.num(r, stats.ColWredis)
	status := r.Get(stats.ColStatus).Str()
	b.tdc(humanTime(r.Get(stats.ColLastchg).Int()) + " " + esc(status))
	chk := ""
	if cs := r.Get(stats.ColCheckStatus); !cs.IsEmpty() {
		chk = esc(cs.Str())
		if d := r.Get(stats.ColCheckDuration); !d.IsEmpty() {
			chk += " in " + strconv.FormatInt(d.Int(), 10) + "ms"
		}
		if desc := r.Get(stats.ColCheckDesc).Str(); desc != "" {
			chk = "<span title=\"" + esc(desc) + "\">" + chk + "</span>"
		}
	}
	b.tdc(chk)
	if r.Obj() == stats.ObjBackend {
		b.tdc(strconv.FormatInt(r.Get(stats.ColWeight).Int(), 10) + "/" + strconv.FormatInt(r.Get(stats.ColUweight).Int(), 10))
		b.tdc(strconv.FormatInt(r.Get(stats.ColAct).Int(), 10))
		b.tdc(strconv.FormatInt(r.Get(stats.ColBck).Int(), 10))
		b.tdc("&nbsp;")
		b.tdc(strconv.FormatInt(r.Get(stats.ColChkdown).Int(), 10))
		if d := r.Get(stats.ColDowntime); d.IsEmpty() {
			b.tdc("")
		} else {
			b.tdc(humanTime(d.Int()))
		}
		b.tdc("")
		b.WriteString("</tr>\n")
		return
	}
	b.tdc(strconv.FormatInt(r.Get(stats.ColWeight).Int(), 10) + "/" + strconv.FormatInt(r.Get(stats.ColUweight).Int(), 10))
	yn := func(v int64) string {
		if v > 0 {
			return "Y"
		}
		return "-"
	}
	b.tdc(yn(r.Get(stats.ColAct).Int()))
	b.tdc(yn(r.Get(stats.ColBck).Int()))
	switch {
	case status == "MAINT (resolution)":
		b.WriteString("<td class=ac colspan=3>resolution</td>")
	case r.Get(stats.ColChkfail).IsEmpty():
		b.WriteString("<td colspan=3></td>")
	default:
		b.num(r, stats.ColChkfail)
		b.num(r, stats.ColChkdown)
		b.td(humanTime(r.Get(stats.ColDowntime).Int()))
	}
	b.tdc("-")
	b.WriteString("</tr>\n")
}
