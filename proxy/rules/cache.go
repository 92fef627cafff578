package rules

// The cache actions: http-request cache-use NAME and http-response
// cache-store NAME. The stream runs them against the cache of that
// name (proxy/stream/cache.go).

// HTTP rule kinds of the cache actions. They are numbered far from the
// other kinds so that kinds added elsewhere never collide with them.
const (
	CacheUse Kind = 200 + iota
	CacheStore
)

// The rows of the HTTP action table for the cache actions: Name is the
// cache's name.
func init() {
	for name, k := range map[string]Kind{"cache-use": CacheUse, "cache-store": CacheStore} {
		k := k
		httpActions[name] = struct {
			responses bool
			compile   func(c *ruleCompiler) error
		}{k == CacheStore, func(c *ruleCompiler) error {
			c.hr.Kind, c.hr.Name = k, []byte(c.r.Name)
			return nil
		}}
	}
}
