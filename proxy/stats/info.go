package stats

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Info is the `show info` snapshot of a process. Build it with NewInfo,
// which fills every field HAProxy always prints with its zero value, then
// Set what the process knows.
type Info struct {
	Fields [NumInfoFields]Field
}

// NewInfo returns an Info with HAProxy's always-present fields at zero,
// Name "HAProxy"-like product fields left for the caller, and Nbproc and
// Process_num at 1.
func NewInfo() Info {
	var in Info
	for i, sp := range info {
		if !sp.conditional {
			in.Fields[i] = sp.proto
		}
	}
	in.Set(InfNbproc, 1)
	in.Set(InfProcessNum, 1)
	return in
}

// Set stores an integer in field i, typed as HAProxy types it.
func (in *Info) Set(i int, v int64) {
	if i >= 0 && i < NumInfoFields {
		in.Fields[i] = info[i].proto.withInt(v)
	}
}

// SetStr stores a string in field i.
func (in *Info) SetStr(i int, s string) {
	if i < 0 || i >= NumInfoFields {
		return
	}
	f := info[i].proto
	if f.Type != TypeStr {
		var v int64
		fmt.Sscan(s, &v)
		in.Fields[i] = f.withInt(v)
		return
	}
	f.str = s
	in.Fields[i] = f
}

// Clear empties field i (it is then not printed).
func (in *Info) Clear(i int) {
	if i >= 0 && i < NumInfoFields {
		in.Fields[i] = Field{}
	}
}

// SetUptime sets Uptime ("0d 0h00m07s", HAProxy's `show info` layout) and
// Uptime_sec from d.
func (in *Info) SetUptime(d time.Duration) {
	s := int64(d / time.Second)
	in.SetStr(InfUptime, fmt.Sprintf("%dd %dh%02dm%02ds", s/86400, s/3600%24, s/60%60, s%60))
	in.Set(InfUptimeSec, s)
}

// InfoName returns a `show info` field's name ("Uptime_sec").
func InfoName(i int) string {
	if i < 0 || i >= NumInfoFields {
		return ""
	}
	return infoTable[i].name
}

// ParseInfoArgs parses the words after `show info`: `typed`, `json`,
// `desc` (`float` is accepted and ignored: goha has no float fields).
func ParseInfoArgs(args []string) (format Format, desc bool) {
	for _, a := range args {
		switch a {
		case "typed":
			format = FormatTyped
		case "json":
			format = FormatJSON
		case "desc":
			desc = true
		}
	}
	return format, desc
}

// WriteInfo writes `show info` in the given form: "Name: value" lines,
// typed lines (`6.Pid.1:SGP:u32:25758`), or a JSON array. Empty fields are
// skipped.
func WriteInfo(w io.Writer, in *Info, format Format, desc bool) error {
	var b []byte
	proc := uint64(uint32(in.Fields[InfProcessNum].num))
	first := true
	if format == FormatJSON {
		b = append(b, '[')
	}
	for i := range in.Fields {
		f := in.Fields[i]
		if f.Type == TypeEmpty {
			continue
		}
		switch format {
		case FormatTyped:
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, '.')
			b = append(b, infoTable[i].name...)
			b = append(b, '.')
			b = strconv.AppendUint(b, proc, 10)
			b = appendTypedValue(b, f)
		case FormatJSON:
			if !first {
				b = append(b, ',')
			}
			b = append(b, `{"field":{"pos":`...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, `,"name":"`...)
			b = append(b, infoTable[i].name...)
			b = append(b, `"},"processNum":`...)
			b = strconv.AppendUint(b, proc, 10)
			b = append(b, ',')
			b = f.appendJSONTags(b)
			b = append(b, ',')
			b = f.appendJSONValue(b)
			b = append(b, '}')
		default:
			b = append(b, infoTable[i].name...)
			b = append(b, ": "...)
			b = f.appendCSV(b)
		}
		first = false
		if format != FormatJSON {
			if desc {
				b = append(b, ":\""...)
				b = append(b, infoTable[i].desc...)
				b = append(b, '"')
			}
			b = append(b, '\n')
		}
	}
	if format == FormatJSON {
		b = append(b, "]\n"...)
	}
	_, err := w.Write(b)
	return err
}

// InfoDesc returns a `show info` field's description, as `show info desc`
// prints it (the Prometheus exporter's HELP text of that field).
func InfoDesc(i int) string {
	if i < 0 || i >= NumInfoFields {
		return ""
	}
	return infoTable[i].desc
}
