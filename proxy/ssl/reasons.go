package ssl

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
)

// Handshake failure reasons, as HAProxy 2.6 words them (its connection
// error strings: `%[fc_err_str]` and the log line of a failed
// handshake).
const (
	ReasonHandshakeFailure = "SSL handshake failure"
	ReasonEmpty            = "Connection closed during SSL handshake"
	ReasonAborted          = "Connection error during SSL handshake"
	ReasonTimeout          = "Timeout during SSL handshake"
	ReasonCrtFail          = "SSL client certificate not trusted"
	ReasonCAFail           = "SSL client CA chain cannot be verified"
	ReasonServerMismatch   = "Server presented an SSL certificate different from the expected one"
)

// HandshakeReason maps a crypto/tls handshake error to HAProxy's
// reason text for logs. server is true for a connection goha opened to a
// server (where a verification failure is the server's certificate).
func HandshakeReason(err error, server bool) string {
	var ve *VerifyError
	var rh tls.RecordHeaderError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ve) && server && ve.Code == VerifyHostnameMismatch:
		return ReasonServerMismatch
	case errors.As(err, &ve) && server:
		return ReasonHandshakeFailure
	case errors.As(err, &ve) && ve.Depth == 0:
		return ReasonCrtFail
	case errors.As(err, &ve):
		return ReasonCAFail
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return ReasonEmpty
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return ReasonTimeout
	case errors.As(err, &rh):
		return ReasonHandshakeFailure
	case errors.Is(err, net.ErrClosed):
		return ReasonAborted
	case strings.Contains(err.Error(), "connection reset"):
		// HAProxy 2.6 (OpenSSL 3) logs a reset mid-handshake so.
		return ReasonHandshakeFailure
	}
	return ReasonHandshakeFailure
}
