package proxy

// statsPage is a frontend's stats page (stats enable / stats uri).
type statsPage struct{}

// initStatsPages builds the stats page of every frontend that has one.
func (rt *Runtime) initStatsPages() error { return nil }
