package config

// Source is one configuration file's bytes and the name used in messages
// (the path as given on the command line).
type Source struct {
	Name string
	Data []byte
}

// ParseOptions are the environment of a parse.
//
// Zero values: Getenv nil means os.LookupEnv; ReadFile nil means
// os.ReadFile (used for `acl -f` pattern files and errorfiles).
type ParseOptions struct {
	Getenv   func(name string) (string, bool)
	ReadFile func(path string) ([]byte, error)
	// Resolve turns a host name into an IP address; nil means the
	// system resolver. Tests pass a fake.
	Resolve func(host string) (string, error)
	// MasterWorker is true when -W was given (sets HAPROXY_MWORKER for
	// `.if defined(HAPROXY_MWORKER)`).
	MasterWorker bool
	// DefaultMaxconn is -N (per-proxy default maxconn), 0 = unset.
	DefaultMaxconn int
}
