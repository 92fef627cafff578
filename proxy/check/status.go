package check

import "fmt"

// Status is a check status as HAProxy reports it in `show stat`
// (check_status) and in its messages.
type Status int

// Check statuses (HAProxy's HCHK_STATUS_*). L7OK is HAProxy's L7OKD.
const (
	StatusUnknown Status = iota // UNK
	StatusInit                  // INI: no check completed yet
	StatusSockErr               // SOCKERR
	StatusL4OK                  // L4OK
	StatusL4TOUT                // L4TOUT
	StatusL4CON                 // L4CON
	StatusL6OK                  // L6OK
	StatusL6TOUT                // L6TOUT
	StatusL6RSP                 // L6RSP
	StatusL7TOUT                // L7TOUT
	StatusL7RSP                 // L7RSP
	StatusL7OK                  // L7OK
	StatusL7OKC                 // L7OKC
	StatusL7STS                 // L7STS
	StatusChecked               // CHECKED: an agent answered without a health word
)

type statusInfo struct {
	name, desc string
	result     result
}

// result is the outcome class of a status (HAProxy's CHK_RES_*).
type result int

const (
	resUnknown result = iota
	resNeutral
	resFailed
	resPassed
	resCondPass
)

var statuses = [...]statusInfo{
	StatusUnknown: {"UNK", "Unknown", resUnknown},
	StatusInit:    {"INI", "Initializing", resUnknown},
	StatusSockErr: {"SOCKERR", "Socket error", resFailed},
	StatusL4OK:    {"L4OK", "Layer4 check passed", resPassed},
	StatusL4TOUT:  {"L4TOUT", "Layer4 timeout", resFailed},
	StatusL4CON:   {"L4CON", "Layer4 connection problem", resFailed},
	StatusL6OK:    {"L6OK", "Layer6 check passed", resPassed},
	StatusL6TOUT:  {"L6TOUT", "Layer6 timeout", resFailed},
	StatusL6RSP:   {"L6RSP", "Layer6 invalid response", resFailed},
	StatusL7TOUT:  {"L7TOUT", "Layer7 timeout", resFailed},
	StatusL7RSP:   {"L7RSP", "Layer7 invalid response", resFailed},
	StatusL7OK:    {"L7OK", "Layer7 check passed", resPassed},
	StatusL7OKC:   {"L7OKC", "Layer7 check conditionally passed", resCondPass},
	StatusL7STS:   {"L7STS", "Layer7 wrong status", resFailed},
	StatusChecked: {"CHECKED", "No status change", resNeutral},
}

func (s Status) info() statusInfo {
	if i := int(s - StatusProcErr); s >= StatusProcErr && i < len(statusExternal) {
		return statusExternal[i]
	}
	if s < 0 || int(s) >= len(statuses) {
		return statuses[StatusUnknown]
	}
	return statuses[s]
}

// String returns the short name shown in `show stat` check_status: "L4OK".
func (s Status) String() string { return s.info().name }

// Desc returns the description shown in `show stat` check_desc and in
// messages after "reason: ": "Layer4 check passed".
func (s Status) Desc() string { return s.info().desc }

// Passed reports whether the status is a successful check.
func (s Status) Passed() bool { r := s.info().result; return r == resPassed || r == resCondPass }

// Failed reports whether the status is a failed check.
func (s Status) Failed() bool { return s.info().result == resFailed }

// hasCode reports whether messages show the HTTP code for s (HAProxy:
// statuses from L7OK on).
func (s Status) hasCode() bool { return s >= StatusL7OK && s != StatusChecked }

// ParseStatus returns the status named name ("L4OK"), for a server-state
// file or a test.
func ParseStatus(name string) (Status, error) {
	for i, st := range statuses {
		if st.name == name {
			return Status(i), nil
		}
	}
	for i, st := range statusExternal {
		if st.name == name {
			return StatusProcErr + Status(i), nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown check status %q", name)
}
