package stick

import (
	"strings"
	"testing"
)

// FuzzCLIKey: `key K` of each key type never panics, and a key that
// parses prints as text that parses back to the same key (ip and
// integer tables print their canonical form).
func FuzzCLIKey(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1", "1", "1.1.1.1.1", "0x0a000001", "999.999.999.999", // ip: lenient reader, carries
		"::1", "::ffff:1.2.3.4", "fe80::1%eth0", // ipv6: strict, no zone
		"4294967295", "4294967296", "-1", "-0", "12abc", " +7", // integer: strtoul rules
		"a b", "abcdefghijkl", "\x00x", "=\\", // string: cut and escapes
	} {
		f.Add(s)
	}
	c := &fakeClock{}
	tables := []*Table{
		table(f, "type ip size 1", c), table(f, "type ipv6 size 1", c), table(f, "type integer size 1", c),
		table(f, "type string len 8 size 1", c), table(f, "type binary len 4 size 1", c),
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tb := range tables {
			k, err := tb.ParseCLIKey(s)
			if err != nil {
				continue
			}
			if tb.keyType == KeyIP || tb.keyType == KeyIPv6 || tb.keyType == KeyInteger {
				text := string(tb.formatKey(nil, k))
				if k2, err := tb.ParseCLIKey(text); err != nil || k2 != k {
					t.Errorf("%s table: %q -> %q -> %q, %v", tb.keyType, s, text, k2, err)
				}
			}
		}
	})
}

// FuzzFilter: data filter expressions never panic, and an accepted one
// runs on a populated table.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"data.gpc0 gt 1", "data.gpc0 gt 1 data.conn_rate eq 7", "data.gpc0 foo 1", "data.gpc0 gt",
		"data.gpc0 gt 1 extra", "data.gpc0 gt 1x", "data.server_key eq 0", "data.gpc0 eq -", "data. eq 1",
		"data.gpc0 gt 1 data.gpc0 gt 1 data.gpc0 gt 1 data.gpc0 gt 1 data.gpc0 gt 1",
	} {
		f.Add(s)
	}
	c := &fakeClock{}
	tb := table(f, "type ip size 10 expire 30s store gpc0,conn_rate(10s),server_id,server_key", c)
	set := NewSet(tb)
	set.SetData(&strings.Builder{}, cliWords("set table b key 10.0.0.1 data.gpc0 3 data.conn_rate 7"), true)
	f.Fuzz(func(t *testing.T, s string) {
		args := append([]string{"show", "table", "b"}, strings.Fields(s)...)
		var b strings.Builder
		set.Show(&b, args, true)
		if strings.HasPrefix(b.String(), "#") && strings.Count(b.String(), ": key=") > 1 {
			t.Errorf("%q listed more entries than the table has: %q", s, b.String())
		}
	})
}
