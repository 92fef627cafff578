//go:build !race

package proxy

// raceEnabled: the race detector slows data-heavy tests down ~8 times.
const raceEnabled = false
