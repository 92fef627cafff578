//go:build race

package metrics

// raceOn: sync.Pool drops items at random under the race detector.
const raceOn = true
