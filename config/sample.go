package config

import (
	"fmt"
	"strings"
)

// sampleConv is one converter of a sample expression: name and the raw
// words of its argument list.
type sampleConv struct {
	Name string
	Args []string
}

// splitSample splits FETCH[(ARGS)][,CONV[(ARGS)]]... at the top-level
// commas. msg reports unbalanced parentheses.
func splitSample(expr string) (fetch, fetchArg string, convs []sampleConv, msg string) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, expr[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, expr[start:])
	name, arg, ok := cutCall(parts[0])
	if !ok {
		return name, "", nil, fmt.Sprintf("missing closing ')' after arguments to fetch keyword '%s'", name)
	}
	for _, c := range parts[1:] {
		cn, ca, ok := cutCall(c)
		if !ok {
			return name, arg, convs, fmt.Sprintf("syntax error: missing ')' after converter '%s'", cn)
		}
		var args []string
		if ca != "" {
			args = strings.Split(ca, ",")
		}
		convs = append(convs, sampleConv{Name: cn, Args: args})
	}
	return name, arg, convs, ""
}

// cutCall splits "name(args)" into name and args; ok is false when the
// parenthesis is not closed at the end.
func cutCall(s string) (name, args string, ok bool) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, "", true
	}
	if !strings.HasSuffix(s, ")") {
		return s[:i], "", false
	}
	return s[:i], s[i+1 : len(s)-1], true
}

// checkConverters validates converter names and opens the files map
// converters name, as HAProxy does while parsing; msg is its error text.
func (p *parser) checkConverters(convs []sampleConv) string {
	for _, c := range convs {
		if !haproxyConverters[c.Name] {
			return fmt.Sprintf("unknown converter '%s'", c.Name)
		}
		if (c.Name == "map" || strings.HasPrefix(c.Name, "map_")) && len(c.Args) > 0 {
			file := strings.Trim(c.Args[0], "'\"")
			data, err := p.opts.ReadFile(p.filePath(file))
			if err != nil {
				return fmt.Sprintf("invalid args in converter '%s' : failed to open pattern file <%s>", c.Name, file)
			}
			if p.cfg == nil {
				continue
			}
			if p.cfg.MapFiles == nil {
				p.cfg.MapFiles = map[string][]byte{}
			}
			if _, seen := p.cfg.MapFiles[file]; !seen {
				p.cfg.MapFiles[file] = data
			}
		}
	}
	return ""
}

// checkSampleExpr validates a sample expression (fetch and converters);
// msg is HAProxy's error text after "failed to parse sample expression
// <EXPR> : ".
func (p *parser) checkSampleExpr(expr string) string {
	fetch, _, convs, msg := splitSample(expr)
	if msg != "" {
		return msg
	}
	if !haproxyFetches[fetch] {
		return fmt.Sprintf("unknown fetch method '%s'", fetch)
	}
	return p.checkConverters(convs)
}

// logFormatVars are the %X variables of HAProxy's log-format strings.
var logFormatVars = set("o", "OG", "B", "CC", "CS", "H", "ID", "ST", "T", "Ta", "Tc", "Th", "Ti", "Tl", "Tq",
	"Tr", "TR", "Td", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi", "bp", "bq", "ci", "cp", "f", "fc",
	"fi", "fp", "ft", "hr", "hrl", "hs", "hsl", "HM", "HP", "HPO", "HQ", "HU", "HV", "lc", "ms", "pid", "r",
	"rc", "rt", "s", "sc", "si", "sp", "sq", "sslc", "sslv", "t", "tr", "ts", "tsc")

// scanLogFormat walks a log-format string and calls onVar for each %X
// variable name and onExpr for the text of each %[...] sample expression
// (without its brackets); it stops at the first non-empty message they
// return. A malformed string (a missing '}' or ']') is reported in
// synErr with HAProxy's words.
func scanLogFormat(s string, onVar, onExpr func(string) string) (msg, synErr string) {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 || i+1 >= len(s) {
			return "", ""
		}
		s = s[i+1:]
		if s[0] == '%' {
			s = s[1:]
			continue
		}
		if s[0] == '{' {
			j := strings.IndexByte(s, '}')
			if j < 0 {
				return "", "missing '}'"
			}
			s = s[j+1:]
		}
		if s == "" {
			return "", ""
		}
		if s[0] != '[' {
			j := 0
			for j < len(s) && isAlpha(s[j]) {
				j++
			}
			if j > 0 {
				if msg := onVar(s[:j]); msg != "" {
					return msg, ""
				}
			}
			s = s[j:]
			continue
		}
		s = s[1:]
		depth, end := 0, -1
		for j := 0; j < len(s) && end < 0; j++ {
			switch s[j] {
			case '(':
				depth++
			case ')':
				depth--
			case ']':
				if depth <= 0 {
					end = j
				}
			}
		}
		if end < 0 {
			return "", fmt.Sprintf("missing ']' after '%s'", s)
		}
		if msg := onExpr(s[:end]); msg != "" {
			return msg, ""
		}
		s = s[end+1:]
	}
}

// checkLogFormat validates a log-format string: its %X variables and
// the %[...] sample expressions (fetches, converters, map files); msg
// is HAProxy's error text (after "failed to parse ...: ").
func (p *parser) checkLogFormat(s string) string {
	msg, synErr := scanLogFormat(s,
		func(name string) string {
			if !logFormatVars[name] {
				return fmt.Sprintf("no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'", name)
			}
			return ""
		},
		func(expr string) string {
			if msg := p.checkSampleExpr(expr); msg != "" {
				return fmt.Sprintf("failed to parse sample expression <%s]> : %s", expr, msg)
			}
			return ""
		})
	if msg != "" {
		return msg
	}
	return synErr
}
