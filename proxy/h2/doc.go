// Package h2 is goha's HTTP/2 gateway: it puts HTTP/2 in front of the
// HTTP/1.1 stream instead of beside it, as HAProxy 1.8 first did.
//
// On the server side (clients speaking HTTP/2 to goha), ServeConn reads
// the frames of one connection and presents each HTTP/2 stream to the
// caller as a virtual net.Conn (a *StreamConn) carrying exactly one
// HTTP/1.1 request: the request line is built from :method and :path
// (authority-form for CONNECT), Host from :authority, cookie crumbs are
// joined with "; ", the body is sent with Content-Length when the client
// declared it and chunked otherwise, and trailers follow the last chunk.
// The HTTP/1.1 response the caller writes back into that conn is parsed
// with proxy/http1 and turned into HEADERS and DATA frames: the status
// comes from the status line, connection-specific fields are dropped,
// 1xx interim responses become extra HEADERS, a chunked body is decoded
// and its trailers become a final HEADERS frame.
//
// On the client side (goha speaking HTTP/2 to a server), a ClientConn
// multiplexes many streams over one connection: RoundTripConn returns a
// virtual conn into which the proxy writes one HTTP/1.1 request and from
// which it reads the HTTP/1.1 response converted back from frames.
//
// What is taken from where: golang.org/x/net/http2's Framer is the frame
// codec (frame layout, CONTINUATION ordering, header list size limits,
// field name and value validity, pseudo-header duplicates) and
// golang.org/x/net/http2/hpack decodes HPACK. Stream states, flow
// control, limits, abuse counters, the HTTP/1.1 conversion and HPACK
// encoding are this package's: what goha sends uses no dynamic table and
// no Huffman coding, as HAProxy does (hpackenc.go), so that a connection
// holds no table of past fields and a head is encoded from the parsed
// HTTP/1 bytes outside the writer's lock.
//
// Concurrency and memory: each connection has one goroutine reading
// frames (it also answers SETTINGS and PING) and, on the server side, a
// pooled goroutine per stream whose handler is running; at most
// MaxConcurrentStreams of them. Writers share the connection through a
// mutex and the last writer out flushes, so streams answering together
// share a write. A connection waiting for its peer holds no I/O buffer:
// the reader takes one inside the poller's read callback, once bytes
// are there. With Options.Lot (Server), a client connection with no
// stream for 100 ms is parked in the lot as an idle HTTP/1
// connection is: no goroutine either, until its client sends, closes, or
// its idle timeout passes (park.go).
// Request bodies are buffered only up to the stream window this side
// advertised; responses are not buffered beyond their head. Streams
// opened and reset by the client in the same burst of frames never start
// a handler (rapid reset, CVE-2023-44487), and past
// Options.MaxClientResets resets (net of completed exchanges) the
// connection is closed with GOAWAY ENHANCE_YOUR_CALM.
//
// # Wiring it into the stream
//
// A frontend that finds h2 (ALPN "h2" on TLS, SniffPreface on a clear
// `proto h2` bind) runs a Server (ServeConn when it cannot park) instead
// of its HTTP/1 session, with a handle that runs the HTTP/1 session on
// the *StreamConn: the session
// reads one request, answers it, then reads io.EOF and ends. The
// session should know (by type assertion) that its conn is a
// *StreamConn: logs say HTTP/2.0 (%HV), the connection is not parked
// between requests (there is no next request on a stream), and
// Underlying gives the TLS state for the ssl_fc fetches. The soft stop
// calls Server.Shutdown or cancels ServeConn's context (GOAWAY, in-flight
// streams finish); a hard stop calls Server.Kill (or closes the
// net.Conn). Options come from tune.h2.* and the
// frontend's timeouts.
//
// A backend whose server is `proto h2` (or negotiates h2 by ALPN) keeps
// ClientConns in its connection pool: RoundTripConn gives a stream to
// write the request into and read the response from, like a dialed
// HTTP/1.1 connection that carries one exchange; ErrUnavailable says to
// use or dial another connection (the server's stream limit, GOAWAY, or
// stream IDs used up), and a reset with REFUSED_STREAM (Refused reports it) is safe to retry.
package h2
