// Package promtext is a strict reader of the Prometheus text exposition
// format 0.0.4, for tests: the exporter's own (package metrics) and the
// end-to-end ones that scrape the real binary. It imports only the
// standard library (no github.com/prometheus/common).
package promtext

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Family is what Validate learns of one metric family: its name, HELP
// text, TYPE and number of samples.
type Family struct {
	Name, Help, Type string
	Samples          int
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	metaLine   = regexp.MustCompile(`^# (HELP|TYPE) ([^ ]+)(?: (.*))?$`)
)

// Validate is a strict reader of the text exposition format 0.0.4, as
// Prometheus and the acceptance check read it, plus the rules HAProxy's
// output keeps: the text is UTF-8 and ends with a newline; no empty line;
// every family has exactly one HELP then one TYPE (counter or gauge)
// before its samples, which come in one group; sample names and label
// names are valid; label values use only the \\ \" \n escapes; no label
// is given twice and no series twice; values are numbers (NaN, +Inf, -Inf
// spelled so); no timestamps. It returns the families in order.
func Validate(text string) ([]Family, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("not UTF-8")
	}
	if text == "" {
		return nil, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("no final newline")
	}
	var fams []Family
	index := map[string]int{}
	series := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n++
		if line == "" {
			return nil, fmt.Errorf("line %d: empty", n)
		}
		if strings.HasPrefix(line, "#") {
			if err := meta(line, &fams, index); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			continue
		}
		name, key, err := sample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v: %q", n, err, line)
		}
		i, ok := index[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("line %d: sample of %s without HELP and TYPE", n, name)
		case i != len(fams)-1:
			return nil, fmt.Errorf("line %d: sample of %s apart from its group", n, name)
		case fams[i].Type == "":
			return nil, fmt.Errorf("line %d: sample of %s before its TYPE", n, name)
		case series[key]:
			return nil, fmt.Errorf("line %d: series %s twice", n, key)
		}
		series[key] = true
		fams[i].Samples++
	}
	for _, f := range fams {
		if f.Samples == 0 {
			return nil, fmt.Errorf("family %s has no sample", f.Name)
		}
	}
	return fams, nil
}

// meta reads a HELP or TYPE line.
func meta(line string, fams *[]Family, index map[string]int) error {
	m := metaLine.FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("comment other than HELP or TYPE: %q", line)
	}
	kind, name, rest := m[1], m[2], m[3]
	if !metricName.MatchString(name) {
		return fmt.Errorf("bad metric name %q", name)
	}
	i, seen := index[name]
	switch {
	case kind == "HELP" && seen:
		return fmt.Errorf("second HELP for %s", name)
	case kind == "HELP":
		if err := checkEscapes(rest, `\n`); err != nil {
			return fmt.Errorf("HELP of %s: %v", name, err)
		}
		index[name] = len(*fams)
		*fams = append(*fams, Family{Name: name, Help: rest})
	case !seen || i != len(*fams)-1:
		return fmt.Errorf("TYPE of %s not right after its HELP", name)
	case (*fams)[i].Type != "" || (*fams)[i].Samples > 0:
		return fmt.Errorf("second TYPE for %s", name)
	case rest != "counter" && rest != "gauge":
		return fmt.Errorf("type %q of %s: want counter or gauge", rest, name)
	default:
		(*fams)[i].Type = rest
	}
	return nil
}

// checkEscapes fails on a backslash not starting one of the escapes
// (each a backslash and one of the letters of allowed, or a backslash).
func checkEscapes(s, allowed string) error {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i+1 == len(s) || s[i+1] != '\\' && !strings.ContainsRune(allowed, rune(s[i+1])) {
			return fmt.Errorf("bad escape at %d in %q", i, s)
		}
		i++
	}
	return nil
}

// sample reads `name{l="v",...} value` and returns the name and the
// series key (name and sorted labels).
func sample(line string) (name, key string, err error) {
	sp := strings.LastIndexByte(line, ' ')
	if sp < 0 {
		return "", "", fmt.Errorf("no value")
	}
	head, value := line[:sp], line[sp+1:]
	if err := checkValue(value); err != nil {
		return "", "", err
	}
	name, labels, hasLabels := strings.Cut(head, "{")
	if !metricName.MatchString(name) {
		return "", "", fmt.Errorf("bad metric name %q", name)
	}
	if !hasLabels {
		return name, name, nil
	}
	if !strings.HasSuffix(labels, "}") {
		return "", "", fmt.Errorf("labels not closed")
	}
	pairs, err := readLabels(strings.TrimSuffix(labels, "}"))
	if err != nil {
		return "", "", err
	}
	return name, name + "{" + strings.Join(pairs, ",") + "}", nil
}

// readLabels reads `l="v",...` and returns the pairs sorted by name.
func readLabels(s string) ([]string, error) {
	var pairs []string
	seen := map[string]bool{}
	for s != "" {
		eq := strings.Index(s, `="`)
		if eq < 0 {
			return nil, fmt.Errorf("label without =\"")
		}
		ln := s[:eq]
		if !labelName.MatchString(ln) || seen[ln] {
			return nil, fmt.Errorf("bad or repeated label name %q", ln)
		}
		seen[ln] = true
		s = s[eq+2:]
		end := -1
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '"' {
				end = i
				break
			}
			if s[i] == '\n' {
				return nil, fmt.Errorf("raw newline in a label value")
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("label value of %s not closed", ln)
		}
		if err := checkEscapes(s[:end], `"n`); err != nil {
			return nil, err
		}
		pairs = insertSorted(pairs, ln+"="+s[:end])
		s = s[end+1:]
		if s != "" {
			if s[0] != ',' || len(s) == 1 {
				return nil, fmt.Errorf("labels not separated by one comma")
			}
			s = s[1:]
		}
	}
	return pairs, nil
}

func insertSorted(a []string, s string) []string {
	i := len(a)
	for i > 0 && a[i-1] > s {
		i--
	}
	a = append(a, "")
	copy(a[i+1:], a[i:])
	a[i] = s
	return a
}

// checkValue accepts Go/Prometheus float syntax with NaN, +Inf and -Inf
// spelled exactly so.
func checkValue(v string) error {
	switch v {
	case "NaN", "+Inf", "-Inf":
		return nil
	}
	low := strings.ToLower(strings.TrimLeft(v, "+-"))
	if strings.HasPrefix(low, "nan") || strings.HasPrefix(low, "inf") {
		return fmt.Errorf("value %q: spell NaN, +Inf, -Inf", v)
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return fmt.Errorf("value %q is not a number", v)
	}
	return nil
}
