package config

import "time"

// serverFunc parses the value v of an option of a server or
// default-server line; it returns false after an error.
type serverFunc func(p *parser, l *serverLine, v string) bool

// skw returns a row of the server option table: an option taking one
// value unless the row says otherwise.
func skw(name string, parse serverFunc) keyword[serverFunc] { return kw(name, parse).takes(1) }

// Why goha refuses or ignores server options.
const (
	whyNPN             = "Go has no NPN (clients use ALPN)"
	whyProxyV2SSL      = "the PROXY protocol v2 TLS fields are not sent"
	whyServerTraffic   = "changes how or where traffic goes"
	whyServerReactions = "reactions to errors and state changes: sessions are not killed, servers not marked down early"
	whyServerTuning    = "connection pool, slow start and agent tuning"
)

// serverTable is HAProxy 2.6's server options. A row without a parser
// is accepted and ignored (after its status is reported, if any).
var serverTable = newTable("server",
	skw("addr", (*parser).serverCheckAddr),
	skw("agent-addr", (*parser).serverAgentAddr),
	skw("agent-check", serverFlag(func(s *Server) *bool { return &s.Agent.Check }, true)).takes(0),
	skw("agent-inter", serverInterval(func(s *Server) *time.Duration { return &s.Agent.Inter })),
	skw("agent-port", (*parser).serverAgentPort),
	skw("agent-send", (*parser).serverAgentSend),
	skw("allow-0rtt", nil).takes(0),
	skw("alpn", serverProtoList(func(t *ServerTLS) *[]string { return &t.ALPN }, "ALPN")).forTLS(),
	skw("backup", serverFlag(func(s *Server) *bool { return &s.Backup }, true)).takes(0),
	skw("ca-file", (*parser).serverCAFile).forTLS(),
	skw("check", serverFlag(func(s *Server) *bool { return &s.Check }, true)).takes(0),
	skw("check-alpn", serverProtoList(func(t *ServerTLS) *[]string { return &t.CheckALPN }, "ALPN")).forTLS(),
	skw("check-proto", nil).refused(whyServerTraffic),
	skw("check-send-proxy", nil).takes(0).refused(whyServerTraffic),
	skw("check-sni", serverTLSString(func(t *ServerTLS) *string { return &t.CheckSNI }, "missing SNI")).forTLS(),
	skw("check-ssl", serverFlag(func(s *Server) *bool { return &s.CheckSSL }, true)).takes(0).forTLS(),
	skw("check-via-socks4", nil).takes(0).refused(whyServerTraffic),
	skw("ciphers", serverTLSString(func(t *ServerTLS) *string { return &t.Ciphers }, "missing cipher suite")).forTLS(),
	skw("ciphersuites", serverTLSString(func(t *ServerTLS) *string { return &t.Ciphersuites }, "missing cipher suite")).forTLS(),
	skw("cookie", (*parser).serverCookie),
	skw("crl-file", (*parser).serverCRLFile).forTLS(),
	skw("crt", (*parser).serverCrt).forTLS(),
	skw("disabled", serverFlag(func(s *Server) *bool { return &s.Disabled }, true)).takes(0),
	skw("downinter", serverInterval(func(s *Server) *time.Duration { return &s.DownInter })),
	skw("enabled", serverFlag(func(s *Server) *bool { return &s.Disabled }, false)).takes(0),
	skw("error-limit", nil).ignored(whyServerReactions),
	skw("fall", serverCount(func(s *Server) *int { return &s.Fall })),
	skw("fastinter", serverInterval(func(s *Server) *time.Duration { return &s.FastInter })),
	skw("force-sslv3", (*parser).serverMethod).takes(0),
	skw("force-tlsv10", (*parser).serverMethod).takes(0),
	skw("force-tlsv11", (*parser).serverMethod).takes(0),
	skw("force-tlsv12", (*parser).serverMethod).takes(0),
	skw("force-tlsv13", (*parser).serverMethod).takes(0),
	skw("id", (*parser).serverID),
	skw("init-addr", (*parser).serverInitAddr),
	skw("inter", serverInterval(func(s *Server) *time.Duration { return &s.Inter })),
	skw("log-proto", nil).ignored(whyServerTuning),
	skw("maxconn", serverInt(func(s *Server) *int { return &s.Maxconn })),
	skw("maxqueue", serverInt(func(s *Server) *int { return &s.Maxqueue })),
	skw("max-reuse", nil).ignored(whyServerTuning),
	skw("minconn", nil).ignored(whyServerTuning),
	skw("namespace", nil).refused(whyServerTraffic),
	skw("no-agent-check", serverFlag(func(s *Server) *bool { return &s.Agent.Check }, false)).takes(0),
	skw("no-backup", serverFlag(func(s *Server) *bool { return &s.Backup }, false)).takes(0),
	skw("no-check", serverFlag(func(s *Server) *bool { return &s.Check }, false)).takes(0),
	skw("no-check-ssl", serverFlag(func(s *Server) *bool { return &s.CheckSSL }, false)).takes(0),
	skw("no-send-proxy", serverFlag(func(s *Server) *bool { return &s.SendProxy }, false)).takes(0),
	skw("no-send-proxy-v2", serverFlag(func(s *Server) *bool { return &s.SendProxyV2 }, false)).takes(0),
	skw("no-send-proxy-v2-ssl", nil).takes(0),
	skw("no-send-proxy-v2-ssl-cn", nil).takes(0),
	skw("no-ssl", serverFlag(func(s *Server) *bool { return &s.SSL }, false)).takes(0),
	skw("no-ssl-reuse", serverTLSFlag(func(t *ServerTLS) *bool { return &t.NoSSLReuse }, true)).takes(0),
	skw("no-sslv3", (*parser).serverMethod).takes(0),
	skw("no-tfo", nil).takes(0).ignored(whyServerTuning),
	skw("no-tls-tickets", serverTLSFlag(func(t *ServerTLS) *bool { return &t.NoTLSTickets }, true)).takes(0),
	skw("no-tlsv10", (*parser).serverMethod).takes(0),
	skw("no-tlsv11", (*parser).serverMethod).takes(0),
	skw("no-tlsv12", (*parser).serverMethod).takes(0),
	skw("no-tlsv13", (*parser).serverMethod).takes(0),
	skw("no-verifyhost", serverTLSFlag(func(t *ServerTLS) *bool { return &t.NoVerifyHost }, true)).takes(0),
	skw("npn", serverProtoList(func(t *ServerTLS) *[]string { return &t.NPN }, "NPN")).forTLS().ignored(whyNPN),
	skw("observe", nil).ignored(whyServerReactions),
	skw("on-error", nil).ignored(whyServerReactions),
	skw("on-marked-down", nil).ignored(whyServerReactions),
	skw("on-marked-up", nil).ignored(whyServerReactions),
	skw("pool-low-conn", nil).ignored(whyServerTuning),
	skw("pool-max-conn", nil).ignored(whyServerTuning),
	skw("pool-purge-delay", nil).ignored(whyServerTuning),
	skw("port", (*parser).serverPort),
	skw("proto", (*parser).serverProto),
	skw("proxy-v2-options", nil),
	skw("redir", nil).refused(whyServerTraffic),
	skw("resolve-net", (*parser).serverResolveNet),
	skw("resolve-opts", (*parser).serverResolveOpts),
	skw("resolve-prefer", (*parser).serverResolvePrefer),
	skw("resolvers", serverString(func(s *Server) *string { return &s.Resolvers })),
	skw("rise", serverCount(func(s *Server) *int { return &s.Rise })),
	skw("send-proxy", serverFlag(func(s *Server) *bool { return &s.SendProxy }, true)).takes(0),
	skw("send-proxy-v2", serverFlag(func(s *Server) *bool { return &s.SendProxyV2 }, true)).takes(0),
	skw("send-proxy-v2-ssl", nil).takes(0).forTLS().refused(whyProxyV2SSL),
	skw("send-proxy-v2-ssl-cn", nil).takes(0).forTLS().refused(whyProxyV2SSL),
	skw("shard", nil).ignored(whyServerTuning),
	skw("slowstart", nil).ignored(whyServerTuning),
	skw("sni", (*parser).serverSNI).forTLS(),
	skw("socks4", nil).refused(whyServerTraffic),
	skw("source", (*parser).serverSource),
	skw("ssl", serverFlag(func(s *Server) *bool { return &s.SSL }, true)).takes(0).forTLS(),
	skw("ssl-max-ver", (*parser).serverMinMax),
	skw("ssl-min-ver", (*parser).serverMinMax),
	skw("ssl-reuse", serverTLSFlag(func(t *ServerTLS) *bool { return &t.NoSSLReuse }, false)).takes(0),
	skw("stick", nil).takes(0).ignored(whyServerTuning),
	skw("tcp-ut", nil).ignored(whyServerTuning),
	skw("tfo", nil).takes(0).ignored(whyServerTuning),
	skw("tls-tickets", serverTLSFlag(func(t *ServerTLS) *bool { return &t.NoTLSTickets }, false)).takes(0),
	skw("track", (*parser).serverTrack),
	skw("verify", (*parser).serverVerify).forTLS(),
	skw("verifyhost", serverTLSString(func(t *ServerTLS) *string { return &t.VerifyHost }, "missing hostname to verify against")).forTLS(),
	skw("weight", (*parser).serverWeight),
	skw("ws", nil).refused(whyServerTraffic),
	// part of another option's syntax (source ADDR usesrc ...): unknown on its own
	skw("usesrc", (*parser).serverUseSrc).hidden(),
)
