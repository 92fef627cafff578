package main

import (
	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/tlog"
)

// syslogEvents makes a daemon's process log reach the global `log`
// targets too. A daemon's stderr is /dev/null once it serves, so without
// this, what it has to say later (a failed SIGUSR2 upgrade and why, a soft
// stop, a hard-stop-after) would be lost. Messages keep their level:
// ALERT as err, WARNING as warning, NOTICE as notice. The targets are
// opened on hub, before the privilege drop.
func syslogEvents(log zerolog.Logger, hub *tlog.Hub, g config.Global) zerolog.Logger {
	if len(g.Logs) == 0 {
		return log
	}
	ts := make([]tlog.Target, 0, len(g.Logs))
	for _, t := range g.Logs {
		ts = append(ts, tlog.Target{Addr: t.Addr, Len: t.Len, Format: t.Format, Facility: t.Facility, Level: t.Level, MinLevel: t.MinLevel})
	}
	l, err := tlog.NewLogger(hub, tlog.LoggerOptions{Targets: ts})
	if err != nil {
		log.Warn().Msgf("process events will not reach the global log targets: %v", err)
		return log
	}
	return log.Hook(zerolog.HookFunc(func(_ *zerolog.Event, level zerolog.Level, msg string) {
		switch {
		case level >= zerolog.ErrorLevel:
			l.Send(tlog.Err, msg)
		case level == zerolog.WarnLevel:
			l.Send(tlog.Warning, msg)
		case level == zerolog.InfoLevel:
			l.Send(tlog.Notice, msg)
		}
	}))
}
