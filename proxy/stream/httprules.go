package stream

import (
	"bytes"
	"github.com/goha/goha/proxy/rules"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/sample"
)

// isMonitor reports whether a request target is the frontend's
// monitor-uri: compared with the path when it starts with '/', else with
// the whole target (HAProxy 2.6).
func (s *httpSession) isMonitor(uri []byte) bool {
	m := s.f.monitorURI
	if m[0] == '/' {
		return bytes.Equal(sample.URIPath(uri), m) || bytes.Equal(uri, m)
	}
	return bytes.Equal(uri, m)
}

// requestRules applies http-request rules (a frontend's, or with be set
// a backend's) to the request in s.w. done is true when the request was
// answered (deny, reject, return, auth, redirect); keep then says whether
// the connection stays open. Header and path rules that match are
// recorded in w.rules with their evaluated values.
func (s *httpSession) requestRules(set []*rules.HTTPRule, be *Backend, closeLocal bool) (done, keep bool) {
	for _, r := range set {
		if !r.Cond.Eval(&s.smp) {
			continue
		}
		act := requestActions[r.Kind]
		if act == nil {
			act = (*httpSession).reqHit
		}
		if stop, done, keep := act(s, r, be, closeLocal); stop {
			return done, keep
		}
	}
	return false, false
}

// reqAction runs one matched http-request rule. stop ends the rule
// list, and done and keep are then requestRules' answer.
type reqAction func(s *httpSession, r *rules.HTTPRule, be *Backend, closeLocal bool) (stop, done, keep bool)

// requestActions has a row per rule kind that does more than edit the
// request (those go through reqHit, recorded for buildRequest).
var requestActions = [256]reqAction{
	rules.UsePrometheus: func(s *httpSession, _ *rules.HTTPRule, be *Backend, closeLocal bool) (bool, bool, bool) {
		return true, true, s.serveMetrics(be, closeLocal)
	},
	rules.Allow:   func(*httpSession, *rules.HTTPRule, *Backend, bool) (bool, bool, bool) { return true, false, false },
	rules.Deny:    (*httpSession).reqDeny,
	rules.Reject:  (*httpSession).reqReject,
	rules.Return:  (*httpSession).reqReturn,
	rules.Auth:    (*httpSession).reqReturn,
	rules.TrackSC: (*httpSession).reqStick, rules.IncGPC: (*httpSession).reqStick, rules.SetGPT: (*httpSession).reqStick,
	rules.SetMark: (*httpSession).reqLow, rules.SetTos: (*httpSession).reqLow,
	rules.SetPrioClass: (*httpSession).reqLow, rules.SetPrioOffset: (*httpSession).reqLow,
	rules.CacheUse: func(s *httpSession, r *rules.HTTPRule, _ *Backend, _ bool) (bool, bool, bool) {
		s.cacheUse(r)
		return false, false, false
	},
	rules.Tarpit: func(s *httpSession, r *rules.HTTPRule, be *Backend, closeLocal bool) (bool, bool, bool) {
		return true, true, s.tarpit(r, be, closeLocal)
	},
	rules.SilentDrop: func(s *httpSession, _ *rules.HTTPRule, _ *Backend, _ bool) (bool, bool, bool) {
		s.httpSilentDrop()
		return true, true, false
	},
	rules.Redirect: (*httpSession).reqRedirect,
}

func (s *httpSession) reqDeny(r *rules.HTTPRule, be *Backend, closeLocal bool) (bool, bool, bool) {
	s.f.Dreq.Add(1)
	if be != nil {
		be.Dreq.Add(1)
	}
	return true, true, s.local(s.answerPage(r), r.Status, [2]byte{'P', 'R'}, closeLocal)
}

func (s *httpSession) reqReject(_ *rules.HTTPRule, be *Backend, _ bool) (bool, bool, bool) {
	s.f.Dreq.Add(1)
	if be != nil {
		be.Dreq.Add(1)
	}
	s.logLocal(-1, 0, [2]byte{'P', 'R'})
	return true, true, false
}

func (s *httpSession) reqReturn(r *rules.HTTPRule, _ *Backend, closeLocal bool) (bool, bool, bool) {
	s.f.Intercepted.Add(1)
	return true, true, s.local(s.answerPage(r), r.Status, [2]byte{'L', 'R'}, closeLocal)
}

func (s *httpSession) reqStick(r *rules.HTTPRule, be *Backend, _ bool) (bool, bool, bool) {
	s.httpStickRule(r, be)
	return false, false, false
}

func (s *httpSession) reqLow(r *rules.HTTPRule, _ *Backend, _ bool) (bool, bool, bool) {
	s.httpLowAction(r)
	return false, false, false
}

func (s *httpSession) reqRedirect(r *rules.HTTPRule, _ *Backend, closeLocal bool) (bool, bool, bool) {
	w := s.w
	a := len(w.vals)
	w.vals = r.Value.AppendTo(w.vals, &w.x, s.rt.bufsize)
	target := w.vals[a:]
	if r.IgnoreEmpty && len(target) == 0 {
		return false, false, false
	}
	s.f.Intercepted.Add(1)
	w.out = r.AppendRedirect(w.out[:0], &w.req, w.req.Host, target)
	return true, true, s.local(w.out, r.Status, [2]byte{'L', 'R'}, closeLocal)
}

// reqHit records an editing rule (set-header, rewrites ...) for
// buildRequest; a rewrite that cannot be applied ends the request.
func (s *httpSession) reqHit(r *rules.HTTPRule, be *Backend, closeLocal bool) (bool, bool, bool) {
	if !s.ruleHit(r, false) {
		return true, true, s.rewriteFailed(be, closeLocal)
	}
	return false, false, false
}

// answerPage returns a deny/return rule's answer, built per request when
// it has log-format parts.
func (s *httpSession) answerPage(r *rules.HTTPRule) []byte {
	if !r.Dynamic() {
		return r.Page
	}
	w := s.w
	a := len(w.vals)
	w.vals = r.AppendDynPage(w.vals, &w.x)
	return w.vals[a:]
}

// responseRules applies the http-response rules (the backend's, then the
// frontend's) and collects the http-after-response ones for the response
// in w.resp, recording header hits in w.rules. It returns the deny (or
// silent-drop) rule that matched, if any.
func (s *httpSession) responseRules(be *Backend) *rules.HTTPRule {
	f, w := s.f, s.w
	w.rules = w.rules[:0]
	w.vals = w.vals[:0]
	var brs *rules.Set
	if be != nil && be.Cfg != f.Cfg {
		brs = s.rt.beRules[be]
	}
	sets := [2][]*rules.HTTPRule{nil, f.rspRules}
	if brs != nil {
		sets[0] = brs.Rsp
	}
	for _, set := range sets {
	set:
		for _, r := range set {
			if !r.Cond.Eval(&s.smp) {
				continue
			}
			switch r.Kind {
			case rules.Allow:
				break set
			case rules.Deny, rules.SilentDrop:
				return r
			case rules.TrackSC, rules.IncGPC, rules.SetGPT:
				s.httpStickRule(r, be)
			case rules.SetMark, rules.SetTos:
				s.httpLowAction(r)
			case rules.CacheStore:
				s.cacheStore(r)
			default:
				s.ruleHit(r, true)
			}
		}
	}
	s.afterRules(be)
	return nil
}

// afterRules records the http-after-response header hits (backend's
// rules first, then the frontend's).
func (s *httpSession) afterRules(be *Backend) {
	f := s.f
	sets := [2][]*rules.HTTPRule{nil, f.afterRules}
	if be != nil && be.Cfg != f.Cfg {
		if brs := s.rt.beRules[be]; brs != nil {
			sets[0] = brs.After
		}
	}
	for _, set := range sets {
	set:
		for _, r := range set {
			if !r.Cond.Eval(&s.smp) {
				continue
			}
			if r.Kind == rules.Allow {
				break set
			}
			s.ruleHit(r, true)
		}
	}
}

// hasAfterRules reports whether any http-after-response rule may apply.
func (s *httpSession) hasAfterRules(be *Backend) bool {
	if len(s.f.afterRules) > 0 {
		return true
	}
	if be != nil && be.Cfg != s.f.Cfg {
		if brs := s.rt.beRules[be]; brs != nil && len(brs.After) > 0 {
			return true
		}
	}
	return false
}

// afterPage applies the http-after-response rules to a response goha
// generates itself (error pages, deny, return, redirect, monitor-uri):
// the page is rewritten into w.out. Without rules it is returned as is.
func (s *httpSession) afterPage(page []byte, be *Backend) []byte {
	if !s.hasAfterRules(be) {
		return page
	}
	w := s.w
	var buf []byte
	if len(page) <= len(w.rsp) {
		buf = w.rsp[:copy(w.rsp, page)]
	} else {
		buf = append([]byte(nil), page...)
	}
	resp := &w.resp
	if err := http1.ParseResponse(buf, len(buf), resp); err != nil {
		return page
	}
	from := len(w.rules)
	w.x.Resp = resp
	w.rws.dirty = false
	s.afterRules(be)
	if len(w.rules) == from && !w.rws.dirty {
		return page
	}
	// buf holds a copy of the page: w.out (where a redirect is built)
	// can be overwritten.
	out := w.out[:0]
	out = append(out, resp.Line...)
	out = append(out, "\r\n"...)
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if removedByRules(w.rules, from, h.Name) {
			continue
		}
		out = appendHeader(out, h.Name, h.Value)
	}
	out = w.appendAdded(out, from)
	out = append(out, "\r\n"...)
	out = append(out, buf[resp.HeadLen:]...)
	w.out = out
	return out
}

// ruleHit is a header or path rule that matched a request or response,
// with its evaluated value: vals[a:b] of the work area, or the rule's
// literal value when a < 0.
type ruleHit struct {
	r    *rules.HTTPRule
	a, b int32
}

// evalValue evaluates a matching rule's value into w.vals and records the
// hit.
func (w *work) hit(r *rules.HTTPRule, x *sample.Ctx, max int) {
	h := ruleHit{r: r, a: -1}
	if r.Value != nil && !r.Value.Static() {
		a := len(w.vals)
		w.vals = r.Value.AppendTo(w.vals, x, max)
		h.a, h.b = int32(a), int32(len(w.vals))
	}
	w.rules = append(w.rules, h)
}

// valueOf returns a hit's value.
func (w *work) valueOf(h *ruleHit) []byte {
	if h.a < 0 {
		if h.r.Value == nil {
			return nil
		}
		return h.r.Value.Literal()
	}
	return w.vals[h.a:h.b]
}
