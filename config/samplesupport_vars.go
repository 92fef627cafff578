package config

// The fetches and converters of variables, the unique-id, header and URL
// addresses, response cookies, the buffered body, JSON, keyed digests
// and dates, added to SupportedSampleFetches and SupportedConverters
// (proxy/sample's fetch_var.go, conv_more.go and conv_json.go hold the
// rows that implement them).
var (
	varSampleFetches = []string{"var", "unique-id", "req.hdr_ip", "hdr_ip", "res.hdr_ip", "shdr_ip",
		"req.hdr_val", "hdr_val", "res.hdr_val", "res.cook", "scook", "req.cook_cnt", "cook_cnt",
		"res.cook_cnt", "scook_cnt", "url_ip", "url_port", "req.body", "req.body_len", "req.body_size",
		"req.body_param"}
	varConverters = []string{"concat", "strcmp", "secure_memcmp", "set-var", "unset-var", "hmac", "digest",
		"ltime", "utime", "json_query"}
)

func init() {
	for _, n := range varSampleFetches {
		SupportedSampleFetches[n] = true
	}
	SupportedLogVars["ID"], SupportedLogVars["rt"] = true, true
	haproxyFetches["unique-id"] = true
	for _, n := range varConverters {
		SupportedConverters[n] = true
	}
}
