package floor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/floorwatch/floorwatch/feed"
)

// The guard: what a feed may ask of the fold. A line that would pass a
// bound is bad, with a reason that names the bound and its flag, and changes
// nothing: the clock stays where it was and no map grows. Every check is on
// the decoded line and the state before it applies, so the fold itself
// never has to undo anything.

// Default bounds: well above the largest real floor, so that only a broken
// or hostile feed meets them.
const (
	// DefaultMaxClockJump is how far ahead of the floor clock a line may be:
	// real queue_log files and recordings have quiet weeks (holidays, a
	// seasonal queue), so a quarter.
	DefaultMaxClockJump = 92 * 24 * time.Hour
	DefaultMaxQueues    = 5_000
	DefaultMaxAgents    = 50_000
	DefaultMaxCalls     = 200_000 // live: waiting, talking or in wrap-up
	DefaultMaxLine      = 1 << 20 // bytes
)

// Fixed bounds, far from anything a phone system sends; each keeps one
// kind of thing a feed can multiply from growing without end.
const (
	// farFuture is how far ahead of this machine's clock even a recording
	// may be: a scenario can be dated next year, but ten years ahead is a
	// 9999-12-31 placeholder or milliseconds read as seconds.
	farFuture = 3653 * 24 * time.Hour
	// snapshotItemBytes is what a snapshot may add to --max-line for each
	// queue, agent and call it lists: a real item is 100–300 bytes, one
	// with a hundred skills about 2 KiB.
	snapshotItemBytes = 2 << 10
	// MaxText is the most bytes of an id or a label (name, reason, channel,
	// caller); a source cuts or refuses longer ones the same way.
	MaxText           = 256
	maxFreeText       = 4 << 10 // bytes of a survey comment or a briefing kept; the rest is cut
	maxSkills         = 128     // queues in one agent's skills (Avaya allows 120)
	maxAgentAux       = 32      // distinct aux reasons in one agent's aux_by_reason
	maxAuxReasons     = 128     // distinct aux reasons on the floor
	maxAbandonReasons = 64      // distinct abandon reasons on the floor, besides the protocol's
	maxChannels       = 64      // distinct channels on the floor, besides the usual four
)

// Other is the label an aux reason, an abandon reason or a channel is
// counted under once the agent or the floor has as many distinct ones as it
// keeps: the state or the call still counts, under a merged label.
const Other = "other"

// setBounds fills in the default of every bound left zero.
func (o *Options) setBounds() {
	defaults := []struct {
		v   *int
		def int
	}{{&o.MaxQueues, DefaultMaxQueues}, {&o.MaxAgents, DefaultMaxAgents}, {&o.MaxCalls, DefaultMaxCalls}, {&o.MaxLine, DefaultMaxLine}}
	for _, d := range defaults {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if o.MaxClockJump <= 0 {
		o.MaxClockJump = DefaultMaxClockJump
	}
	if o.WallClock == nil {
		o.WallClock = time.Now
	}
}

// snapshotWord is in every snapshot line as the encoder writes it.
var snapshotWord = []byte(`"snapshot"`)

// linePeek reads what the guard needs of a line before it is decoded: its
// type and seq, and how many items a snapshot lists. skipItem takes no
// memory, so counting a million items costs a scan and nothing more.
type linePeek struct {
	Type   string          `json:"type"`
	Seq    json.RawMessage `json:"seq"`
	Queues []skipItem      `json:"queues"`
	Agents []skipItem      `json:"agents"`
	Calls  []skipItem      `json:"calls"`
}

type skipItem struct{}

func (*skipItem) UnmarshalJSON([]byte) error { return nil }

// decode decodes a line the bounds allow, and refuses one they do not
// before decoding it: decoding costs memory in proportion to the line and,
// for a snapshot, to the items it lists. A line within --max-line that does
// not spell out "snapshot" goes straight to the decoder; one that escapes
// the word is decoded within --max-line and its items are counted after.
func (f *Floor) decode(line []byte) feed.Decoded {
	long := len(line) > f.opts.MaxLine
	if !long && !bytes.Contains(line, snapshotWord) {
		return feed.Decode(line)
	}
	var p linePeek
	_ = json.Unmarshal(line, &p) // a line it cannot read is the decoder's to report, or too long
	var err *feed.LineError
	switch {
	case p.Type == feed.TypeSnapshot:
		err = f.snapshotSize(len(line), len(p.Queues), len(p.Agents), len(p.Calls))
	case long:
		err = &feed.LineError{Msg: fmt.Sprintf("line is %d bytes; a line may have at most %d (--max-line)", len(line), f.opts.MaxLine)}
	}
	if err == nil {
		return feed.Decode(line)
	}
	// The line still counts in the seq bookkeeping, as any bad line does.
	d := feed.Decoded{Err: err}
	d.Event.Type = p.Type
	if seq, perr := strconv.ParseInt(string(p.Seq), 10, 64); perr == nil && seq >= 0 {
		d.HasSeq, d.Event.Seq = true, seq
	}
	return d
}

// snapshotSize refuses a snapshot line that lists more than the floor may
// hold, or that is longer than --max-line plus snapshotItemBytes an item.
func (f *Floor) snapshotSize(n, queues, agents, calls int) *feed.LineError {
	if err := f.snapshotItems(queues, agents, calls); err != nil {
		return err
	}
	items := queues + agents + calls
	if most := f.opts.MaxLine + snapshotItemBytes*items; n > most {
		return &feed.LineError{Msg: fmt.Sprintf("snapshot line is %d bytes; one listing %d queues, agents and calls may have at most %d (--max-line plus %d an item)",
			n, items, most, snapshotItemBytes)}
	}
	return nil
}

// snapshotItems refuses a snapshot that lists more than the floor may hold.
func (f *Floor) snapshotItems(queues, agents, calls int) *feed.LineError {
	for _, c := range []struct {
		what, flag string
		n, limit   int
	}{{"queues", "--max-queues", queues, f.opts.MaxQueues}, {"agents", "--max-agents", agents, f.opts.MaxAgents},
		{"calls", "--max-calls", calls, f.opts.MaxCalls}} {
		if c.n > c.limit {
			return &feed.LineError{Field: c.what, Msg: fmt.Sprintf("the snapshot lists %d; the limit is %d (%s): snapshot not applied", c.n, c.limit, c.flag)}
		}
	}
	return nil
}

// guard makes a decoded line bad when its ts would steal the clock or it
// would take the floor past a bound. Duplicates and gaps are still counted
// as such by ingest: the seq bookkeeping comes before the line's errors.
func (f *Floor) guard(d *feed.Decoded, mode Mode) {
	if d.Err != nil {
		return
	}
	if d.Err = f.checkClock(d.Event.TS, mode); d.Err != nil || d.Unknown {
		return
	}
	d.Err = f.checkBounds(&d.Event)
}

// checkClock refuses a ts too far ahead: of the floor clock, whatever the
// mode (a file keeps its own time: a quiet month is fine, a jump to 9999 is
// not); of this machine's clock for a live feed, which happens now; and of
// this machine's clock by farFuture even for a file, so that a file's first
// line, with no floor clock to judge it by, cannot steal the clock either.
func (f *Floor) checkClock(ts time.Time, mode Mode) *feed.LineError {
	if !f.now.IsZero() && !ts.After(f.now) {
		return nil // it does not move the clock (and the clock passed these checks)
	}
	jump := f.opts.MaxClockJump
	if !f.now.IsZero() && ts.After(f.now.Add(jump)) {
		return clockErr(ts, f.now, "the floor clock", fmt.Sprintf("a jump over %s is refused (--max-clock-jump)", FormatSpan(jump)))
	}
	ahead := max(jump, farFuture)
	if mode == Live {
		ahead = jump
	}
	// The clock read last time is earlier than now: a ts it lets pass, the
	// clock now lets pass too. Only a line that may fail reads it again, so
	// that a floor's many lines do not each pay for a clock read.
	if !ts.After(f.wall.Add(ahead)) {
		return nil
	}
	f.wall = f.opts.WallClock()
	switch {
	case !ts.After(f.wall.Add(ahead)):
		return nil
	case mode == Live:
		return clockErr(ts, f.wall, "this machine's clock",
			fmt.Sprintf("a live feed more than %s ahead of it is refused (--max-clock-jump)", FormatSpan(jump)))
	}
	bound := "10 years"
	if jump > farFuture {
		bound = FormatSpan(jump) + " (--max-clock-jump)"
	}
	return clockErr(ts, f.wall, "this machine's clock",
		fmt.Sprintf("no floor is more than %s ahead of it (a placeholder date, or a time in the wrong unit)", bound))
}

func clockErr(ts, ref time.Time, refName, rule string) *feed.LineError {
	return &feed.LineError{Field: "ts", Msg: fmt.Sprintf("%s is %s ahead of %s %s; %s",
		feed.FormatTime(ts), howFar(ref, ts), refName, feed.FormatTime(ref), rule)}
}

// howFar says how far to is after from, in words. It counts in seconds:
// time.Sub stops at 292 years, and a year-9999 ts is further.
func howFar(from, to time.Time) string {
	secs := to.Unix() - from.Unix()
	days := secs / 86400
	switch {
	case days >= 2*365:
		return fmt.Sprintf("%d years", int64(float64(days)/365.2425))
	case days >= 2:
		return fmt.Sprintf("%d days", days)
	}
	return FormatSpan(to.Sub(from).Round(time.Second))
}

// FormatSpan writes a span in whole days when it is one (92d), else as Go
// writes a duration, without trailing zero units (36h, 90m).
func FormatSpan(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return shortDuration(d)
}

// ParseSpan reads a span as FormatSpan writes it, or any Go duration: 92d,
// 36h, 90m.
func ParseSpan(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseUint(n, 10, 16)
		if err != nil || days == 0 {
			return 0, fmt.Errorf("%q: want a positive number of days such as 92d, or a duration such as 36h", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a positive number of days such as 92d, or a duration such as 36h", s)
	}
	return d, nil
}

// checkBounds refuses an event that would take the floor past a bound, and
// otherwise makes the strings the fold keeps many references to point at
// one copy each, and cuts free text to its bound.
func (f *Floor) checkBounds(ev *feed.Event) *feed.LineError {
	if err := checkText(ev); err != nil {
		return err
	}
	var err *feed.LineError
	switch ev.Type {
	case feed.TypeQueueConfig:
		err = f.roomForQueue(ev.Queue)
	case feed.TypeAgentState:
		if err = firstErr(f.roomForAgent(ev.Agent), f.keepSkills("", ev.Agent, ev.Skills)); err == nil {
			ev.Reason = f.auxLabel(ev.Agent, ev.State, ev.Reason)
		}
	case feed.TypeOffered:
		if err = firstErr(f.roomForQueue(ev.Queue), f.roomForCall(ev.Call)); err == nil {
			ev.Channel = f.kept.channels.label(ev.Channel)
		}
	case feed.TypeAnswered, feed.TypeMissed:
		err = f.roomForAgent(ev.Agent)
	case feed.TypeAbandoned:
		ev.Reason = f.kept.abandonReasons.label(ev.Reason)
	case feed.TypeTransferred:
		if ev.Queue != "" {
			err = f.roomForQueue(ev.Queue)
		}
	case feed.TypeSurvey:
		err = firstErr(f.roomForQueue(ev.Queue), f.roomForAgent(ev.Agent))
		ev.Comment = cut(ev.Comment, maxFreeText)
	case feed.TypeDrillStarted:
		ev.Drill.Briefing = cut(ev.Drill.Briefing, maxFreeText)
	case feed.TypeSnapshot:
		err = f.checkSnapshot(ev.Snapshot)
	}
	return err
}

func firstErr(errs ...*feed.LineError) *feed.LineError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func limitErr(what, flag string, limit int, id string) *feed.LineError {
	return &feed.LineError{Msg: fmt.Sprintf("%s limit %d reached (%s): %s %q not created", what, limit, flag, what, id)}
}

func (f *Floor) roomForQueue(id string) *feed.LineError {
	if _, ok := f.queues[id]; ok || len(f.queues) < f.opts.MaxQueues {
		return nil
	}
	return limitErr("queue", "--max-queues", f.opts.MaxQueues, id)
}

func (f *Floor) roomForAgent(id string) *feed.LineError {
	if _, ok := f.agents[id]; ok || len(f.agents) < f.opts.MaxAgents {
		return nil
	}
	return limitErr("agent", "--max-agents", f.opts.MaxAgents, id)
}

// roomForCall counts calls in wrap-up as live: they hold memory until
// call.wrapped. An offer of a call already live is a contradiction the fold
// reports, not a new call.
func (f *Floor) roomForCall(id string) *feed.LineError {
	if _, ok := f.calls[id]; ok || len(f.calls)+len(f.wrapping) < f.opts.MaxCalls {
		return nil
	}
	return limitErr("call", "--max-calls", f.opts.MaxCalls, id)
}

// keepSkills refuses more skills than an agent may have, or a skill that
// would take the floor past its distinct skills, and points each at the
// floor's one copy; where names the snapshot item ("" for an agent.state).
func (f *Floor) keepSkills(where, id string, skills []string) *feed.LineError {
	if len(skills) > maxSkills {
		return &feed.LineError{Field: where + "queues", Msg: fmt.Sprintf("agent %q has %d skills; an agent may have at most %d", id, len(skills), maxSkills)}
	}
	for i, sk := range skills {
		kept, ok := f.kept.skills.keep(sk)
		if !ok {
			// A skill is a queue id: a floor has no more distinct ones than queues.
			return &feed.LineError{Field: where + "queues", Msg: fmt.Sprintf("skill limit %d reached (--max-queues): skill %q not created", f.opts.MaxQueues, sk)}
		}
		skills[i] = kept
	}
	return nil
}

// auxLabel is the reason agent id's aux time is counted under: the reason
// itself, kept once for the floor, or Other when the agent or the floor
// already has as many distinct reasons as it keeps.
func (f *Floor) auxLabel(id, state, reason string) string {
	if state != feed.StateAux || reason == "" {
		return reason
	}
	if a := f.agents[id]; a != nil {
		_, had := a.allTime.auxBy[reason]
		n := len(a.allTime.auxBy)
		if a.state == feed.StateAux && a.reason != "" {
			if a.reason == reason {
				had = true
			} else if _, closed := a.allTime.auxBy[a.reason]; !closed {
				n++ // the aux time now running goes to its reason when it ends
			}
		}
		if !had && n >= maxAgentAux {
			return Other
		}
	}
	return f.kept.auxReasons.label(reason)
}

// checkSnapshot refuses a snapshot that would take the floor past a bound.
// Its calls replace the live ones; its queues and agents add to those the
// floor has.
func (f *Floor) checkSnapshot(s *feed.Snapshot) *feed.LineError {
	if err := f.snapshotItems(len(s.Queues), len(s.Agents), len(s.Calls)); err != nil {
		return err
	}
	newQ, newA := map[string]bool{}, map[string]bool{}
	for _, q := range s.Queues {
		fresh(f.queues, newQ, q.Queue)
	}
	for _, c := range s.Calls {
		fresh(f.queues, newQ, c.Queue)
		fresh(f.agents, newA, c.Agent)
	}
	for _, a := range s.Agents {
		fresh(f.agents, newA, a.Agent)
	}
	if n := len(f.queues) + len(newQ); n > f.opts.MaxQueues {
		return &feed.LineError{Field: "queues", Msg: fmt.Sprintf("the snapshot would make %d queues; the limit is %d (--max-queues): snapshot not applied", n, f.opts.MaxQueues)}
	}
	if n := len(f.agents) + len(newA); n > f.opts.MaxAgents {
		return &feed.LineError{Field: "agents", Msg: fmt.Sprintf("the snapshot would make %d agents; the limit is %d (--max-agents): snapshot not applied", n, f.opts.MaxAgents)}
	}
	for i := range s.Agents {
		a := &s.Agents[i]
		if err := f.keepSkills(fmt.Sprintf("agents[%d].", i), a.Agent, a.Queues); err != nil {
			return err
		}
		a.Reason = f.auxLabel(a.Agent, a.State, a.Reason)
	}
	for i := range s.Calls {
		s.Calls[i].Channel = f.kept.channels.label(s.Calls[i].Channel)
	}
	return nil
}

// fresh notes id in into when the floor's map m does not hold it yet.
func fresh[T any](m map[string]*T, into map[string]bool, id string) {
	if _, ok := m[id]; !ok && id != "" {
		into[id] = true
	}
}

// checkText refuses an id or label longer than MaxText: the fold keeps
// them per queue, agent and call, so their length multiplies.
func checkText(ev *feed.Event) *feed.LineError {
	fields := [...]struct{ name, v string }{{"queue", ev.Queue}, {"agent", ev.Agent}, {"call", ev.Call}, {"name", ev.Name},
		{"reason", ev.Reason}, {"channel", ev.Channel}, {"caller", ev.Caller}, {"to", ev.To}, {"feed", ev.Feed}, {"stream", ev.Stream}}
	for _, fl := range fields {
		if err := textErr(fl.name, fl.v); err != nil {
			return err
		}
	}
	for _, s := range ev.Skills {
		if err := textErr("queues", s); err != nil {
			return err
		}
	}
	if d := ev.Drill; d != nil {
		for _, fl := range [...]struct{ name, v string }{{"id", d.ID}, {"by", d.By}, {"command", d.Command},
			{"result", d.Result}, {"scenario", d.Scenario}, {"agent", d.Agent}, {"queue", d.Queue}, {"to", d.To}, {"for", d.For}} {
			if err := textErr(fl.name, fl.v); err != nil {
				return err
			}
		}
		for _, q := range d.Queues {
			if err := textErr("queues", q); err != nil {
				return err
			}
		}
	}
	if s := ev.Snapshot; s != nil {
		return snapshotText(s)
	}
	return nil
}

func snapshotText(s *feed.Snapshot) *feed.LineError {
	check := func(where string, fields ...string) *feed.LineError {
		for i := 0; i < len(fields); i += 2 {
			if err := textErr(where+fields[i], fields[i+1]); err != nil {
				return err
			}
		}
		return nil
	}
	for i, q := range s.Queues {
		if err := check(fmt.Sprintf("queues[%d].", i), "queue", q.Queue, "name", q.Name); err != nil {
			return err
		}
	}
	for i, a := range s.Agents {
		where := fmt.Sprintf("agents[%d].", i)
		if err := check(where, "agent", a.Agent, "name", a.Name, "reason", a.Reason, "call", a.Call); err != nil {
			return err
		}
		for _, sk := range a.Queues {
			if err := check(where, "queues", sk); err != nil {
				return err
			}
		}
	}
	for i, c := range s.Calls {
		if err := check(fmt.Sprintf("calls[%d].", i), "call", c.Call, "queue", c.Queue, "agent", c.Agent,
			"channel", c.Channel, "caller", c.Caller); err != nil {
			return err
		}
	}
	return nil
}

func textErr(field, v string) *feed.LineError {
	if len(v) <= MaxText {
		return nil
	}
	return &feed.LineError{Field: field, Msg: fmt.Sprintf("%d bytes long; an id or label may have at most %d", len(v), MaxText)}
}

// cut keeps the first n bytes of s at most, on a character boundary, and
// marks the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// keptStrings are the strings the fold refers to from many places (every
// agent with a skill, every aux interval, every abandon and call of a
// channel): one copy of each, and a bounded number of them, so that their
// number, not their references, sets what they cost.
type keptStrings struct {
	skills, auxReasons, abandonReasons, channels keptSet
}

func newKeptStrings(maxQueues int) keptStrings {
	return keptStrings{
		skills:     keptSet{limit: maxQueues},
		auxReasons: keptSet{limit: maxAuxReasons},
		abandonReasons: keptSet{limit: maxAbandonReasons}.with(feed.ReasonCaller, feed.ReasonTimeout, feed.ReasonNoAgents,
			feed.ReasonExitKey, feed.ReasonWithdraw),
		channels: keptSet{limit: maxChannels}.with(feed.ChannelVoice, "chat", "email", "social"),
	}
}

// keptSet keeps one copy of each string it is given, up to limit of them
// besides those it starts with.
type keptSet struct {
	limit int
	m     map[string]string
}

// with starts the set with values that are always kept.
func (k keptSet) with(always ...string) keptSet {
	k.m = make(map[string]string, len(always))
	for _, s := range always {
		k.m[s] = s
	}
	k.limit += len(always)
	return k
}

// keep returns the set's copy of s, adding s if there is room; ok is false
// when the set is full without it. A value stays once kept, even if its
// line then contradicts the floor: the set only bounds how many there are.
func (k *keptSet) keep(s string) (kept string, ok bool) {
	if v, ok := k.m[s]; ok {
		return v, true
	}
	if len(k.m) >= k.limit {
		return s, false
	}
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[s] = s
	return s, true
}

// label is keep for a label: past the limit, the value counts as Other.
func (k *keptSet) label(s string) string {
	if kept, ok := k.keep(s); ok {
		return kept
	}
	return Other
}
