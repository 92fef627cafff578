package stats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ServersStateVersion is the version line of the `show servers state`
// format (and of server-state files).
const ServersStateVersion = "1"

// ServersStateHeader is the column line of `show servers state`.
const ServersStateHeader = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port"

// Server operational states (srv_op_state).
const (
	OpStopped  = 0
	OpStarting = 1
	OpRunning  = 2
	OpStopping = 3
)

// Server admin state bits (srv_admin_state).
const (
	AdminForcedMaint     = 0x01
	AdminInheritedMaint  = 0x02
	AdminConfigMaint     = 0x04
	AdminForcedDrain     = 0x08
	AdminInheritedDrain  = 0x10
	AdminResolvMaint     = 0x20
	AdminHostnameFromCLI = 0x40
)

// ServerState is one line of `show servers state`. Empty strings print as
// "-", as HAProxy prints missing values.
type ServerState struct {
	BackendID   int
	BackendName string
	ID          int
	Name        string
	Addr        string
	OpState     int // OpStopped..OpStopping
	AdminState  int // Admin* bits
	UWeight     int // user-set weight
	IWeight     int // initial (configured) weight
	// LastChange is the number of seconds since the last state change.
	LastChange  int64
	CheckStatus int // HAProxy's HCHK_STATUS_* number
	CheckResult int // 0 unknown, 1 neutral, 2 failed, 3 passed, 4 conditional
	CheckHealth int
	CheckState  int // bits: 0x01 in progress, 0x02 configured, 0x04 enabled, 0x08 paused
	AgentState  int
	// BackendForcedID and ForcedID say the ids were set in the config.
	BackendForcedID bool
	ForcedID        bool
	FQDN            string
	Port            int
	SRVRecord       string
	UseSSL          bool
	CheckPort       int
	CheckAddr       string
	AgentAddr       string
	AgentPort       int
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func undash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AppendServersState appends the version line, the header and one line
// per server, as `show servers state` prints them.
func AppendServersState(b []byte, states []ServerState) []byte {
	b = append(b, ServersStateVersion+"\n"+ServersStateHeader+"\n"...)
	for i := range states {
		s := &states[i]
		b = fmt.Appendf(b, "%d %s %d %s %s %d %d %d %d %d %d %d %d %d %d %d %d %s %d %s %d %d %s %s %d\n",
			s.BackendID, s.BackendName, s.ID, s.Name, dash(s.Addr), s.OpState, s.AdminState,
			s.UWeight, s.IWeight, s.LastChange, s.CheckStatus, s.CheckResult, s.CheckHealth,
			s.CheckState, s.AgentState, bit(s.BackendForcedID), bit(s.ForcedID), dash(s.FQDN),
			s.Port, dash(s.SRVRecord), bit(s.UseSSL), s.CheckPort, dash(s.CheckAddr),
			dash(s.AgentAddr), s.AgentPort)
	}
	return b
}

// WriteServersState writes `show servers state` for states.
func WriteServersState(w io.Writer, states []ServerState) error {
	_, err := w.Write(AppendServersState(nil, states))
	return err
}

// ParseServersState reads a `show servers state` dump (a server-state
// file): the version line, then lines of at least 25 fields; comment and
// empty lines are skipped. Errors name the line.
func ParseServersState(r io.Reader) ([]ServerState, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var out []ServerState
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			if line != ServersStateVersion {
				return nil, fmt.Errorf("servers state line 1: unsupported version %q (want %q)", line, ServersStateVersion)
			}
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 25 {
			return nil, fmt.Errorf("servers state line %d: %d fields, want 25", n, len(f))
		}
		var s ServerState
		ints := []struct {
			dst *int
			i   int
		}{{&s.BackendID, 0}, {&s.ID, 2}, {&s.OpState, 5}, {&s.AdminState, 6}, {&s.UWeight, 7},
			{&s.IWeight, 8}, {&s.CheckStatus, 10}, {&s.CheckResult, 11}, {&s.CheckHealth, 12},
			{&s.CheckState, 13}, {&s.AgentState, 14}, {&s.Port, 18}, {&s.CheckPort, 21}, {&s.AgentPort, 24}}
		for _, x := range ints {
			v, err := strconv.Atoi(f[x.i])
			if err != nil {
				return nil, fmt.Errorf("servers state line %d field %d: %w", n, x.i+1, err)
			}
			*x.dst = v
		}
		lc, err := strconv.ParseInt(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("servers state line %d field 10: %w", n, err)
		}
		s.LastChange = lc
		s.BackendName, s.Name, s.Addr = f[1], f[3], undash(f[4])
		s.BackendForcedID, s.ForcedID = f[15] == "1", f[16] == "1"
		s.FQDN, s.SRVRecord, s.UseSSL = undash(f[17]), undash(f[19]), f[20] == "1"
		s.CheckAddr, s.AgentAddr = undash(f[22]), undash(f[23])
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("servers state: %w", err)
	}
	return out, nil
}

// AppendBackends appends `show backend`: "# name" then one name per line.
func AppendBackends(b []byte, names []string) []byte {
	b = append(b, "# name\n"...)
	for _, n := range names {
		b = append(b, n...)
		b = append(b, '\n')
	}
	return b
}
