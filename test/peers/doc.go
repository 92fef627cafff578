// Package peers holds end-to-end tests of the peers protocol run on the
// real binary: two goha nodes sharing a table (entries, traffic counts,
// persistence), a restarted node resynced, the table kept across a
// master-worker reload, garbage on the peers port, goha and HAProxy 2.6
// exchanging entries both ways, and a rate limit held across a fleet of
// two goha nodes and one HAProxy (skipped where /usr/sbin/haproxy is
// absent).
package peers
