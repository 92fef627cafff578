package plog

import (
	"encoding/json"
)

// scanner walks the top-level fields of one flat JSON object as written
// by zerolog. Values are returned as text: strings unquoted, anything
// else as written.
type scanner struct {
	fields [][2]string
	i      int
}

func newScanner(p []byte) *scanner {
	var m map[string]json.RawMessage
	s := &scanner{}
	if err := json.Unmarshal(p, &m); err != nil {
		s.fields = append(s.fields, [2]string{"message", string(p)})
		return s
	}
	// zerolog's field order is level, then fields, then message; keep a
	// stable order: message first, then the rest sorted by appearance is
	// lost in a map, so sort keys for determinism.
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		raw := m[k]
		var str string
		if err := json.Unmarshal(raw, &str); err == nil {
			s.fields = append(s.fields, [2]string{k, str})
		} else {
			s.fields = append(s.fields, [2]string{k, string(raw)})
		}
	}
	return s
}

func (s *scanner) next() (string, string, bool) {
	if s.i >= len(s.fields) {
		return "", "", false
	}
	f := s.fields[s.i]
	s.i++
	return f[0], f[1], true
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
