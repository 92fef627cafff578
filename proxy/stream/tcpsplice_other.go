//go:build !linux

package stream

import (
	"errors"
	"syscall"
)

// splicePipe: only Linux has splice(2); the goroutine relay keeps its
// buffer elsewhere.
type splicePipe struct{ n int }

var errNoSplice = errors.New("splice(2) is Linux only")

func newSplicePipe() *splicePipe                         { return nil }
func (p *splicePipe) fill(syscall.RawConn) (int, error)  { return 0, errNoSplice }
func (p *splicePipe) drain(syscall.RawConn) (int, error) { return 0, errNoSplice }
func (p *splicePipe) close()                             {}
