package config

import "encoding/json"

// Dump renders a Config as stable, indented JSON (map keys sorted), for
// golden tests and debugging.
func Dump(c *Config) string {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "dump error: " + err.Error()
	}
	return string(b) + "\n"
}
