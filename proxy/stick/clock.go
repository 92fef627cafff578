package stick

// Now is the table's clock: the date, in ms, that its rates' ticks
// (Freq.Tick, as a wrapping uint32) and expiry dates are counted from.
// Peers turn ticks into ages and back with it.
func (t *Table) Now() int64 { return t.clock() }
