package metrics

import (
	"strconv"

	"github.com/goha/goha/proxy/stats"
)

const (
	processPrefix    = "haproxy_process_"
	stickTablePrefix = "haproxy_sticktable_"
)

// writeGlobal writes the haproxy_process_* families from the Info.
func (s *scrape) writeGlobal() {
	for _, m := range infoMetrics {
		s.family()
		help := stats.InfoDesc(m.field)
		if m.field == stats.InfBuildInfo {
			s.open(processPrefix, m.name, help, m.typ, "version", s.in.Fields[stats.InfVersion].Str())
			s.b = append(s.b, '1')
		} else {
			s.open(processPrefix, m.name, help, m.typ)
			s.b = appendCell(s.b, toCell(s.in.Fields[m.field]))
		}
		s.end()
	}
}

// writeKind writes the families of one object kind, each family's
// samples in the source's object order.
func (s *scrape) writeKind(k *kind) {
	for i := range statMetrics {
		m := &statMetrics[i]
		if m.objs&k.bit == 0 || s.err != nil {
			continue
		}
		s.family()
		if m.how == httpCodes {
			s.writeHTTPCodes(k, m)
			continue
		}
		for j := range s.objs {
			if o := &s.objs[j]; s.shown(k, m, o) {
				samplers[m.how](s, k, m, o)
			}
		}
	}
}

// shown reports whether object o has samples in family m of kind k.
func (s *scrape) shown(k *kind, m *statMetric, o *object) bool {
	switch {
	case o.obj != k.obj:
		return false
	case m.httpOnly && !o.http:
		return false
	case o.obj == stats.ObjServer && s.opt.NoMaint && o.maint:
		return false
	}
	return true
}

// help returns a family's HELP text: its own, else its column's
// description.
func (m *statMetric) helpText() string {
	if m.help != "" {
		return m.help
	}
	return stats.Desc(m.col)
}

// sample opens one sample of object o in family m, with one more label
// (lname="lval") when lname is not empty.
func (s *scrape) sample(k *kind, m *statMetric, o *object, lname, lval string) {
	s.open(k.prefix, m.name, m.helpText(), m.typ, "proxy", o.proxy, k.label, o.name, lname, lval)
}

// samplers writes an object's samples of a family, per how.
var samplers = [...]func(s *scrape, k *kind, m *statMetric, o *object){
	plain:     samplePlain,
	seconds:   sampleSeconds,
	status:    sampleStatus,
	chkStatus: sampleCheckStatus,
	chkCode:   sampleCheckCode,
	chkTime:   sampleCheckTime,
	aggState:  sampleAggState,
	aggCheck:  sampleAggCheck,
}

func samplePlain(s *scrape, k *kind, m *statMetric, o *object) {
	s.sample(k, m, o, "", "")
	s.b = appendCell(s.b, s.cell(o, m.col))
	s.end()
}

func sampleSeconds(s *scrape, k *kind, m *statMetric, o *object) {
	s.sample(k, m, o, "", "")
	s.b = appendSeconds(s.b, s.cell(o, m.col))
	s.end()
}

// sampleStates writes one sample per label of states: value(i) for the
// i-th.
func (s *scrape) sampleStates(k *kind, m *statMetric, o *object, states []string, value func(i int) int64) {
	for i, st := range states {
		s.sample(k, m, o, "state", st)
		s.b = strconv.AppendInt(s.b, value(i), 10)
		s.end()
	}
}

func is(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func sampleStatus(s *scrape, k *kind, m *statMetric, o *object) {
	s.sampleStates(k, m, o, k.states, func(i int) int64 { return is(i == int(o.state)) })
}

func sampleCheckStatus(s *scrape, k *kind, m *statMetric, o *object) {
	if o.checked {
		s.sampleStates(k, m, o, checkStates, func(i int) int64 { return is(i == int(o.check)) })
	}
}

// sampleCheckCode writes the check's layer 5-7 code, 0 when the last
// check did not get that far (show stat leaves check_code empty then).
func sampleCheckCode(s *scrape, k *kind, m *statMetric, o *object) {
	if !o.checked {
		return
	}
	c := s.cell(o, m.col)
	if c.typ == stats.TypeEmpty {
		c = cell{typ: stats.TypeU32}
	}
	s.sample(k, m, o, "", "")
	s.b = appendCell(s.b, c)
	s.end()
}

// sampleCheckTime writes the last check's duration, once a check ended.
func sampleCheckTime(s *scrape, k *kind, m *statMetric, o *object) {
	if c := s.cell(o, m.col); c.typ != stats.TypeEmpty {
		s.sample(k, m, o, "", "")
		s.b = appendSeconds(s.b, c)
		s.end()
	}
}

func sampleAggState(s *scrape, k *kind, m *statMetric, o *object) {
	if o.nsrv > 0 {
		s.sampleStates(k, m, o, serverStates, func(i int) int64 { return int64(o.srvStates[i]) })
	}
}

func sampleAggCheck(s *scrape, k *kind, m *statMetric, o *object) {
	if o.nsrv > 0 {
		s.sampleStates(k, m, o, checkStates, func(i int) int64 { return int64(o.chkStates[i]) })
	}
}

// writeHTTPCodes writes http_responses_total as HAProxy does: the 1xx
// samples of every object, then the 2xx ones, and so on.
func (s *scrape) writeHTTPCodes(k *kind, m *statMetric) {
	for c, code := range httpCodeLabels {
		for j := range s.objs {
			o := &s.objs[j]
			if !s.shown(k, m, o) {
				continue
			}
			s.sample(k, m, o, "code", code)
			s.b = appendCell(s.b, s.cell(o, m.col+c))
			s.end()
		}
	}
}

// writeStickTables writes the haproxy_sticktable_* families; tables of
// size 0 are left out.
func (s *scrape) writeStickTables() {
	for _, m := range stickMetrics {
		s.family()
		for i := range s.tables {
			t := &s.tables[i]
			if t.Size == 0 {
				continue
			}
			s.open(stickTablePrefix, m.name, m.help, gauge, "name", t.Name, "type", t.Type)
			s.b = strconv.AppendInt(s.b, m.value(t), 10)
			s.end()
		}
	}
}
