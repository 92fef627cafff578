//go:build !linux

package proxy

import "time"

// tcpRelay is the relay loop's session state; only Linux has the loop.
type tcpRelay struct{}

func (r *tcpRelay) shutdownLocked() {}

// startRelay: without the Linux relay loop the session relays on its own
// goroutine.
func (s *tcpSession) startRelay(tmoCli, tmoSrv time.Duration) bool { return false }
