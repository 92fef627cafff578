package stick

// NumCounters is the number of stick counters a session has (sc0, sc1,
// sc2: HAProxy's MAX_SESS_STKCTR).
const NumCounters = 3

// SC is one stick counter: the entry it tracks and its table (both
// nil when it tracks nothing).
type SC struct {
	T *Table
	E *Entry
}

// Counters are the stick counters of a connection (HAProxy's session and
// stream stkctr together): what `track-sc*` filled, read by the sc_*
// fetches and counted on as the connection's traffic goes. A counter
// tracked by a per-request rule (tcp-request content, http-request) is
// released when the request ends (EndRequest); one tracked by
// tcp-request connection or session rules when the connection ends
// (Release). Set and Own serve the fetches that name a table or read the
// proxy's own (src_*). Counters are used by one goroutine at a time.
type Counters struct {
	SC [NumCounters]SC
	// Set finds tables by name; Own is the table of the proxy whose
	// rules run (src_* without a table argument).
	Set *Set
	Own *Table
	// perReq marks the counters tracked for the current request only.
	perReq uint8
}

// Track makes counter i track k's entry of t, unless it already tracks
// something (HAProxy ignores a track-sc on a busy counter). perRequest
// says the counter ends with the request. It reports whether the counter
// now tracks this entry; a full table tracks nothing.
func (c *Counters) Track(i int, t *Table, k Key, perRequest bool) bool {
	if c.SC[i].E != nil {
		return false
	}
	e, err := t.Track(k)
	if err != nil {
		return false
	}
	c.SC[i] = SC{T: t, E: e}
	if perRequest {
		c.perReq |= 1 << i
	}
	return true
}

// Tracking reports whether any counter tracks an entry.
func (c *Counters) Tracking() bool {
	return c.SC[0].E != nil || c.SC[1].E != nil || c.SC[2].E != nil
}

// Count adds n occurrences of ev on every tracked entry.
func (c *Counters) Count(ev Event, n uint64) {
	for i := range c.SC {
		if sc := &c.SC[i]; sc.E != nil {
			sc.T.Count(sc.E, ev, n)
		}
	}
}

// EndRequest releases the counters tracked for the request.
func (c *Counters) EndRequest() {
	if c.perReq == 0 {
		return
	}
	for i := range c.SC {
		if c.perReq&(1<<i) != 0 {
			c.untrack(i)
		}
	}
	c.perReq = 0
}

// Release releases every counter (the connection ends).
func (c *Counters) Release() {
	for i := range c.SC {
		c.untrack(i)
	}
	c.perReq = 0
}

func (c *Counters) untrack(i int) {
	if sc := &c.SC[i]; sc.E != nil {
		sc.T.Untrack(sc.E)
		*sc = SC{}
	}
}
