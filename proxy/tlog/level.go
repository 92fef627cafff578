package tlog

import "fmt"

// Level is a syslog severity, 0 (emerg) to 7 (debug).
type Level int

// Syslog severities, in HAProxy's (and RFC 5424's) order.
const (
	Emerg Level = iota
	Alert
	Crit
	Err
	Warning
	Notice
	Info
	Debug
)

var levelNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// String returns HAProxy's name of the level ("err", "warning", ...).
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel returns the level named s (HAProxy's names).
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown log level %q", s)
}

var facilityNames = [...]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// FacilityName returns HAProxy's name of facility f (0..23), e.g. 16 is
// "local0".
func FacilityName(f int) string {
	if f >= 0 && f < len(facilityNames) {
		return facilityNames[f]
	}
	return fmt.Sprintf("facility(%d)", f)
}

// ParseFacility returns the number of the facility named s ("local0" is 16).
func ParseFacility(s string) (int, error) {
	for i, n := range facilityNames {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown log facility %q", s)
}

// Priority returns the syslog PRI value of a facility and a level:
// facility*8 + level (local0.info is 134).
func Priority(facility int, l Level) int { return facility<<3 | int(l) }
