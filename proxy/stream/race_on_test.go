//go:build race

package stream

// raceEnabled: the race detector slows data-heavy tests down ~8 times.
const raceEnabled = true
