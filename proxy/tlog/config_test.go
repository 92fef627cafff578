package tlog

import (
	"testing"

	"github.com/goha/goha/config"
)

// Target must keep config.LogTarget's fields so the parsed targets convert
// with a plain type conversion; this fails to compile if they drift apart.
var _ = Target(config.LogTarget{})

func TestConfigFacilityLevelNamesAgree(t *testing.T) {
	// the config parser and tlog number facilities and levels alike
	for i := range 24 {
		if f, err := ParseFacility(FacilityName(i)); err != nil || f != i {
			t.Errorf("facility %d: %q -> %d, %v", i, FacilityName(i), f, err)
		}
	}
}
