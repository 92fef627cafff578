// Package stick holds HAProxy's stick tables: bounded, expiring maps from
// a key (a client address, an integer, a string...) to stored data
// (counters, rates over a period, gauges, the server a client sticks to).
//
// A Table is built from config.StickTable. The data plane tracks entries
// (Track/Untrack, as `track-sc*` does), counts events on them (Count,
// IncGPC, SetGPT), reads them (Read, ReadKey: the sc_*, src_* fetches and
// table_* converters) and stores or matches a server (StoreServer,
// MatchServer: `stick on`). The runtime API commands `show table`,
// `clear table` and `set table` are functions of a Set of tables writing
// HAProxy 2.6's text; the worker registers them. Peers (issue 15) read the
// entries updated since a sequence number (Updates) and apply remote ones
// (Apply).
//
// Concurrency: a table is split into shards by key hash; one shard's mutex
// guards its map, its expiry-ordered list and the data of its entries, so
// one Track plus its counting is one short critical section. An entry
// referenced by a tracker (a live session) is never evicted nor expired;
// its data stays valid until Untrack. Expiry is lazy on access plus Sweep,
// which the owner calls periodically (Run does it until a context ends):
// no goroutine per entry.
//
// Time is milliseconds from a Clock (injectable for tests). Rates are
// HAProxy's freq_ctr over a period: the events of the current period plus
// those of the previous one weighted by the part of the period still to
// run, with a 32-bit wrapping millisecond tick as in HAProxy.
//
// Memory: an entry costs about 170 bytes plus its key and 8 bytes per
// counter or 12 per rate (HAProxy: about 50 bytes plus key and data).
package stick
