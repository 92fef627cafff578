// Package regulate holds end-to-end tests of stick tables and traffic
// regulation run on the real binary: request-rate limits, connection
// caps, gpc flags, tarpit, stick on persistence and the table commands
// of the runtime API.
package regulate
