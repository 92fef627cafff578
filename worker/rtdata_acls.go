package worker

import "github.com/goha/goha/proxy/acl"

// ACLs returns the live ACL pattern references (ACLData).
func (d *rtData) ACLs() *acl.Refs { return d.rt.ACLs() }
