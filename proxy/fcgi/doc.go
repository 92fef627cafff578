// Package fcgi is goha's FastCGI gateway: the client side of the
// FastCGI protocol, speaking to PHP-FPM and other FastCGI applications
// as HAProxy 2.6's `proto fcgi` servers do.
//
// It follows the design of the HTTP/2 client (package h2): the stream
// writes one HTTP/1.1 request into a Conn as it would into a dialed
// connection and reads an HTTP/1.1 response back; the Conn translates.
// The request head becomes FCGI_BEGIN_REQUEST and the CGI parameters
// (FCGI_PARAMS, built as HAProxy builds them: see Params), the body
// streams as FCGI_STDIN records, the application's FCGI_STDOUT (a CGI
// response: `Status:`, `Location:` and header lines, then the body) is
// turned into an HTTP/1.1 response (Content-Length when the whole body
// is at hand, chunked otherwise), FCGI_STDERR lines go to a callback
// (the log) and FCGI_END_REQUEST ends the exchange, leaving the
// connection ready for the next request when the application keeps it
// (FCGI_KEEP_CONN).
//
// Bad input from the application never hangs and never crashes: a
// malformed or oversized record, an unknown record type or response
// headers that do not fit are protocol errors (ErrProtocol, which the
// stream answers with a 502 and the PH termination flags); a close
// before the headers is an early close (502 SH); a close in the body
// cuts the response short; a missing FCGI_END_REQUEST after a complete
// FCGI_STDOUT still serves the answer.
//
// Memory is bounded: bodies are relayed record by record through a
// reader of ReadBufSize bytes, whatever their size.
package fcgi
