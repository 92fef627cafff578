// Package statspage renders HAProxy's statistics page: one server-rendered
// HTML page (no JavaScript needed, a few KB per proxy) with, per proxy and
// per server, the counters of `show stat`, rows coloured by state with
// HAProxy's CSS classes and colours; the `;csv`, `;json` and `;typed`
// exports (the same bytes as `show stat`); HTTP Basic authentication
// (`stats auth`, `stats realm`); the refresh header (`stats refresh`);
// and the admin form (`stats admin if COND`), whose POST applies
// ready/drain/maint/health actions and answers 303 See Other to
// `<uri>;st=DONE` like HAProxy.
//
// The package only renders and decides: it knows nothing of sockets or of
// the data plane. The HTTP engine matches the request path against
// Page.Match, evaluates the admin condition itself (it owns the ACLs),
// reads the request body, and hands a Request to Page.Serve with a Source
// that gives the rows, the process summary and the server actions. The
// engine writes the Response and logs it as server `<STATS>`.
//
// Traps:
//   - The CSV shows the addr, cookie and algo columns only with
//     `stats show-legends`, as HAProxy does (the CLI shows them to
//     operator and admin sessions).
//   - Authentication comes first: even a POST from an admin network needs
//     valid credentials when `stats auth` is set.
//   - `stats auth` passwords are plain text (HAProxy's syntax); userlists
//     with crypt(3) hashes are not used here.
//   - The form posts `b=#<iid>` (proxy id), `s=<server>` (repeated) and
//     `action=`; Serve accepts a proxy name too.
package statspage
