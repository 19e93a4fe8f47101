// Package source is the room where phone systems come in: each source
// family (source/queuelog, source/csvcdr, …) is a pure converter from the
// vendor's records to feed events plus a thin reader, and registers itself
// here, so `floorwatch bridge` knows only this list and never names a vendor.
package source

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// Options is what the bridge's flags give a source. A source uses the
// fields it needs and says so in its Kind's Help.
type Options struct {
	// Goals supplies what the source does not carry: queue goals, names,
	// and the wrap-up time of systems that log no wrap-up end.
	Goals *floor.Goals
	// MapFile is the column mapping of a call-record export (--map).
	MapFile string
	// AgentsFile maps a system's names for one agent to one id (--agents).
	AgentsFile string
	// Follow keeps reading a file as it grows, across rotation (--follow).
	Follow bool
	// ActivitiesFile maps a system's agent activities to states (--activities).
	ActivitiesFile string
	// AuthTokenFile holds the secret callbacks are signed with (--auth-token-file).
	AuthTokenFile string
	// PublicURL is the URL the system was told to call, as it calls it,
	// when a proxy sits in between (--public-url).
	PublicURL string
	// SecretFile holds a login secret (--secret-file), so that it never
	// shows in ps as a flag value would.
	SecretFile string
}

// Source turns a phone system's records into feed events.
type Source interface {
	// Run reads the source and hands its events to emit, in time order,
	// without seq (the bridge numbers them). A finite source returns nil at
	// its end; a followed or live one runs until ctx is done. emit is
	// called from Run's goroutine only.
	Run(ctx context.Context, emit func(*feed.Event)) error
	// Tally is the reading so far; it may be called from another goroutine
	// while Run works.
	Tally() Tally
}

// Kind is one source family: how `bridge SCHEME:ARG` opens it.
type Kind struct {
	Scheme string // "queue-log", "csv", …: what comes before the colon
	// Live sources (a manager connection, an HTTP endpoint) report the
	// floor as it is now: the feed's clock runs on the wall clock between
	// events, and the bridge writes and reports as it goes, as it does for
	// a followed file.
	Live  bool
	Usage string // e.g. "queue-log:PATH"
	Help  string // one line for `floorwatch bridge --help`
	Open  func(arg string, opt Options) (Source, error)
	// Check, when set, prints the first rows as the source reads them and
	// what each became (`bridge SOURCE --check`), so a user can get a
	// mapping right in a minute.
	Check func(arg string, opt Options, w io.Writer, rows int) error
}

var (
	kindsMu sync.Mutex
	kinds   = map[string]Kind{}
)

// Register adds a source family; each package calls it from init.
func Register(k Kind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[k.Scheme]; dup {
		panic("source: " + k.Scheme + " registered twice")
	}
	kinds[k.Scheme] = k
}

// Kinds lists the registered families by scheme.
func Kinds() []Kind {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scheme < out[j].Scheme })
	return out
}

// Open finds the family of spec ("queue-log:/var/log/asterisk/queue_log")
// and opens it.
func Open(spec string, opt Options) (Source, error) {
	k, arg, err := Lookup(spec)
	if err != nil {
		return nil, err
	}
	return k.Open(arg, opt)
}

// Lookup finds the family of spec and the argument after its scheme.
func Lookup(spec string) (Kind, string, error) {
	scheme, arg, ok := strings.Cut(spec, ":")
	kindsMu.Lock()
	k, known := kinds[scheme]
	kindsMu.Unlock()
	if !ok || !known {
		var names []string
		for _, k := range Kinds() {
			names = append(names, k.Usage)
		}
		return Kind{}, "", fmt.Errorf("source %q: want one of %s", spec, strings.Join(names, ", "))
	}
	return k, arg, nil
}

// Tally counts what a source made of its input, so nothing is dropped
// silently: every line is read, and then either becomes events, is skipped
// (not a call-centre record: counted by kind) or is malformed (counted, the
// first one named).
type Tally struct {
	Lines     int64            // lines or rows read
	Skipped   map[string]int64 // by kind, e.g. "CONFIGRELOAD": 3, "no queue time": 2
	Malformed int64
	// FirstMalformed is the first malformed line's number and reason.
	FirstMalformed string
	// Notes are things the user should know and can act on, e.g. agent
	// names the source could not join to one agent.
	Notes []string
	// Lost says, while a live source cannot reach what it reads (a PBX's
	// manager interface), since when and why; "" while it can. The bridge
	// puts it in its heartbeats, so that dashboards say so.
	Lost string
}

// maxSkipKinds bounds the kinds a hostile file can make up.
const maxSkipKinds = 64

// Skip counts a line skipped as kind (a vendor's verb, so it is cleaned).
func (t *Tally) Skip(kind string) {
	if t.Skipped == nil {
		t.Skipped = map[string]int64{}
	}
	kind = safetext.Clean(kind)
	if _, ok := t.Skipped[kind]; !ok && len(t.Skipped) >= maxSkipKinds {
		kind = "other"
	}
	t.Skipped[kind]++
}

// Bad counts a malformed line and remembers the first; the reason may
// quote the line, so it is cleaned.
func (t *Tally) Bad(line int64, reason string) {
	t.Malformed++
	if t.FirstMalformed == "" {
		t.FirstMalformed = safetext.Clean(fmt.Sprintf("line %d: %s", line, reason))
	}
}

// Clone is a copy another goroutine may keep.
func (t Tally) Clone() Tally {
	c := t
	if t.Skipped != nil {
		c.Skipped = make(map[string]int64, len(t.Skipped))
		for k, v := range t.Skipped {
			c.Skipped[k] = v
		}
	}
	c.Notes = slices.Clone(t.Notes)
	return c
}

// Line is the bridge's one-line account: lines read, events written, lines
// skipped by kind, malformed lines with the first one's number and reason.
func (t Tally) Line(events int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d lines read, %d events written", t.Lines, events)
	var skipped int64
	kinds := make([]string, 0, len(t.Skipped))
	for k, n := range t.Skipped {
		skipped += n
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(&b, ", %d skipped", skipped)
	if skipped > 0 {
		parts := make([]string, 0, len(kinds))
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s %d", k, t.Skipped[k]))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, ", %d malformed", t.Malformed)
	if t.FirstMalformed != "" {
		fmt.Fprintf(&b, " (first: %s)", t.FirstMalformed)
	}
	return b.String()
}

// Label is a caller, reason, name or destination from a source, cut to the
// fold's bound (floor.MaxText bytes, on a character boundary, marked with
// "…"), so that no event a source makes is refused for its length.
func Label(s string) string {
	if len(s) <= floor.MaxText {
		return s
	}
	n := floor.MaxText - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
