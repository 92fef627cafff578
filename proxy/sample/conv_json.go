package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// json_query: a value out of a JSON document.
var jsonConvs = []convKw{
	{"json_query", compileJSONQuery},
}

func init() { registerConvs(jsonConvs) }

// jsonStep is one step of a JSON path: a member name, or an array index
// when isIdx.
type jsonStep struct {
	name  string
	idx   int
	isIdx bool
}

// parseJSONPath parses the subset of JSON paths HAProxy 2.6 accepts:
// $.name, $['name'], $[index], chained.
func parseJSONPath(p string) ([]jsonStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("JSON path %q must start with '$'", p)
	}
	var steps []jsonStep
	s := p[1:]
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			if end == 0 {
				return nil, fmt.Errorf("JSON path %q: empty member name", p)
			}
			steps = append(steps, jsonStep{name: s[:end]})
			s = s[end:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("JSON path %q: missing ']'", p)
			}
			in := s[1:end]
			s = s[end+1:]
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
				steps = append(steps, jsonStep{name: in[1 : len(in)-1]})
				continue
			}
			n, err := strconv.Atoi(in)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("JSON path %q: invalid index %q", p, in)
			}
			steps = append(steps, jsonStep{idx: n, isIdx: true})
		default:
			return nil, fmt.Errorf("JSON path %q: unexpected %q", p, s[0])
		}
	}
	return steps, nil
}

// compileJSONQuery compiles json_query(path[,output type]).
func compileJSONQuery(c *conv, _ *Options) error {
	if len(c.args) < 1 || len(c.args) > 2 {
		return fmt.Errorf("expects a JSON path and an optional output type")
	}
	steps, err := parseJSONPath(c.args[0])
	if err != nil {
		return err
	}
	asInt := false
	if len(c.args) == 2 {
		if c.args[1] != "int" {
			return fmt.Errorf("output type %q: only 'int' is known", c.args[1])
		}
		asInt = true
	}
	c.fn = func(x *Ctx, _ *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		raw, ok := jsonWalk(v.s, steps)
		if !ok {
			return false
		}
		return jsonValue(x, raw, asInt, v)
	}
	return nil
}

// jsonWalk follows the path through doc and returns the raw value.
func jsonWalk(doc []byte, steps []jsonStep) (json.RawMessage, bool) {
	cur := json.RawMessage(doc)
	for _, st := range steps {
		if st.isIdx {
			var arr []json.RawMessage
			if json.Unmarshal(cur, &arr) != nil || st.idx >= len(arr) {
				return nil, false
			}
			cur = arr[st.idx]
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(cur, &obj) != nil {
			return nil, false
		}
		next, ok := obj[st.name]
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// jsonValue sets v from a raw JSON value as HAProxy's json_query types
// it: strings unquoted, integers as integers, other numbers as text,
// true/false as booleans, objects and arrays as their JSON text, null
// as nothing.
func jsonValue(x *Ctx, raw json.RawMessage, asInt bool, v *smpVal) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		x.setStr(v, append(x.scratch(), s...))
	case 't', 'f':
		v.t, v.i = stBool, b2i(raw[0] == 't')
	case 'n':
		return false
	case '{', '[':
		x.setStr(v, append(x.scratch(), raw...))
	default:
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			v.t, v.i = stInt, n
			return true
		}
		if asInt {
			f, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return false
			}
			v.t, v.i = stInt, int64(f)
			return true
		}
		x.setStr(v, append(x.scratch(), raw...))
	}
	return true
}
