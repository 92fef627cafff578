package master

import (
	"strings"
	"testing"
)

func TestParseMasterCLI(t *testing.T) {
	tests := []struct {
		spec    string
		network string
		addr    string
		mode    uint32
		uid     int
		level   string
		err     string
	}{
		{"/run/goha-master.sock", "unix", "/run/goha-master.sock", 0, -1, "admin", ""},
		{"/run/m.sock,mode,600,uid,1000,gid,1000", "unix", "/run/m.sock", 0o600, 1000, "admin", ""},
		{"unix@/tmp/x.sock,level,user", "unix", "/tmp/x.sock", 0, -1, "user", ""},
		{"127.0.0.1:1234", "tcp", "127.0.0.1:1234", 0, -1, "admin", ""},
		{"ipv4@127.0.0.1:1234", "tcp4", "127.0.0.1:1234", 0, -1, "admin", ""},
		{"master.sock", "unix", "master.sock", 0, -1, "admin", ""},
		{"/x,mode", "", "", 0, 0, "", "expects an argument"},
		{"/x,mode,999", "", "", 0, 0, "", "octal"},
		{"/x,level,root", "", "", 0, 0, "", "'level' only supports"},
		{"/x,bogus,1", "", "", 0, 0, "", "unknown option 'bogus'"},
		{"", "", "", 0, 0, "", "missing address"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			b, err := ParseMasterCLI(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseMasterCLI(%q) error = %v; want %q", tt.spec, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMasterCLI(%q) error = %v", tt.spec, err)
			}
			if b.Network != tt.network || b.Addr != tt.addr || b.Mode != tt.mode || b.UID != tt.uid || b.Level != tt.level {
				t.Errorf("ParseMasterCLI(%q) = %+v", tt.spec, b)
			}
		})
	}
}
