// Package version holds goha's version, set at link time by the Makefile.
package version

// Version is goha's version string, e.g. "0.1.0-3-gabcdef". It is
// overwritten with -ldflags -X by `make build`.
var Version = "0.1-dev"

// ReleaseDate is the date of this version, shown by -v and `show info`.
var ReleaseDate = "2026/11/25"
