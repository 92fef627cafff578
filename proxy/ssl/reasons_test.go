package ssl

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestHandshakeReason: crypto/tls errors map to the words HAProxy 2.6
// logs (observed with OpenSSL 3: a FIN mid-handshake is "Connection
// closed", a reset is a plain "SSL handshake failure").
func TestHandshakeReason(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, c := range []struct {
		err  error
		want string
	}{
		{io.EOF, ReasonEmpty},
		{fmt.Errorf("tls: %w", io.ErrUnexpectedEOF), ReasonEmpty},
		{os.ErrDeadlineExceeded, ReasonTimeout},
		{reset, ReasonHandshakeFailure},
		{net.ErrClosed, ReasonAborted},
		{&VerifyError{Code: 10}, ReasonCrtFail},
		{errors.New("tls: client offered only unsupported versions"), ReasonHandshakeFailure},
	} {
		if got := HandshakeReason(c.err, false); got != c.want {
			t.Errorf("HandshakeReason(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
