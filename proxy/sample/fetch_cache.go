package sample

// The cache fetches: whether the response came from a cache, and from
// which.
var cacheFetches = []fetchKw{
	{"res.cache_hit", intFetch(func(x *Ctx) (int64, bool) { return b2i(x.CacheName != ""), x.Resp != nil }, stBool)},
	{"res.cache_name", strFetch(func(x *Ctx) []byte {
		if x.CacheName == "" {
			return nil
		}
		return []byte(x.CacheName)
	})},
}

func init() { registerFetches(cacheFetches) }
