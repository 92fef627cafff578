package config

import (
	"fmt"
	"strconv"
)

// The rule actions that pass a request's importance on: to the backend's
// queue (set-priority-class, set-priority-offset) and to the network
// below (set-mark, set-tos on the client connection). They are parsed as
// the stick counter actions are (a TrackAction whose Value holds the
// argument): set-mark and set-tos hold a decimal integer, the priority
// actions a sample expression or an integer.

// lowActions are these actions' names.
var lowActions = map[string]bool{
	"set-mark": true, "set-tos": true, "set-priority-class": true, "set-priority-offset": true,
}

// parseLowAction reads the one argument of a low action into t.Value;
// it returns "" or the end of HAProxy's error.
func (p *parser) parseLowAction(t *TrackAction, action string, body []string) string {
	if p.afterResponse {
		return fmt.Sprintf("action '%s' is a known HAProxy action that goha does not support yet in http-after-response.", action)
	}
	if len(body) == 0 || body[0] == "" {
		if action == "set-mark" || action == "set-tos" {
			return "expects exactly 1 argument (integer/hex value)"
		}
		return "expects exactly 1 argument"
	}
	if len(body) > 1 {
		return fmt.Sprintf("unexpected argument '%s'.", body[1])
	}
	if action == "set-mark" || action == "set-tos" {
		n, err := strconv.ParseUint(body[0], 0, 32)
		if err != nil {
			return fmt.Sprintf("invalid value '%s' (integer/hex value expected).", body[0])
		}
		t.Value = strconv.FormatUint(n, 10)
		return ""
	}
	t.Value = body[0]
	return ""
}
