//go:build !linux

package proxy

import "time"

// parkLot: only Linux parks idle connections; elsewhere each waits on
// its goroutine.
type parkLot struct{}

// parkAfter is unused without a lot.
const parkAfter = time.Duration(0)

func newParkLot(done <-chan struct{}) (*parkLot, error) { return nil, errNoLot }

func (p *parkLot) park(s *httpSession, deadline time.Time) bool { return false }

func (p *parkLot) release(s *httpSession) {}

func (p *parkLot) parkedCount() int { return 0 }
