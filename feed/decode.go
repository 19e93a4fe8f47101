package feed

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/floorwatch/floorwatch/safetext"
)

// LineError says why a line is bad: which field and what is wrong with it.
type LineError struct {
	Field string // empty when the line as a whole is wrong
	Msg   string
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// lineErr cleans its message: it may quote the line, and the reason is shown.
func lineErr(field, format string, args ...any) *LineError {
	return &LineError{Field: field, Msg: safetext.Clean(fmt.Sprintf(format, args...))}
}

// Decoded is what Decode makes of one line.
type Decoded struct {
	Event Event
	// HasSeq is true when `seq` is a JSON integer: the line then counts in
	// the seq bookkeeping even if the rest of it is bad.
	HasSeq bool
	// Unknown is true for a well-formed line whose type version 1 does not know.
	Unknown bool
	// Err is set when the line is bad (malformed, a required field missing,
	// a value out of range). Contradictions with the floor's state are
	// found by the fold, not here.
	Err *LineError
}

// The keys of a line's objects (the line's own, and a snapshot's items),
// as indexes into fields. A key that the object's type does not use is
// kept and never read: ignored whatever it holds.
const (
	kType = iota
	kSeq
	kTS
	kV
	kFeed
	kStream
	kQueue
	kAgent
	kCall
	kName
	kSLThresholdS
	kSLTarget
	kShortAbandonS
	kSLMode
	kChannelGoals
	kState
	kQueues
	kAgents
	kCalls
	kReason
	kChannel
	kCSAT
	kNPS
	kCES
	kComment
	kCaller
	kTo
	kID
	kBy
	kCommand
	kResult
	kScenario
	kSeed
	kBriefing
	kCount
	kFor
	kAfterS
	kSince
	kOffered
	kAnswered
	kEnded
	numKeys
)

// keyIndex is the index of a key spelled exactly, or -1.
func keyIndex(key []byte) int {
	switch string(key) {
	case "type":
		return kType
	case "seq":
		return kSeq
	case "ts":
		return kTS
	case "v":
		return kV
	case "feed":
		return kFeed
	case "stream":
		return kStream
	case "queue":
		return kQueue
	case "agent":
		return kAgent
	case "call":
		return kCall
	case "name":
		return kName
	case "sl_threshold_s":
		return kSLThresholdS
	case "sl_target":
		return kSLTarget
	case "short_abandon_s":
		return kShortAbandonS
	case "sl_mode":
		return kSLMode
	case "channel_goals":
		return kChannelGoals
	case "state":
		return kState
	case "queues":
		return kQueues
	case "agents":
		return kAgents
	case "calls":
		return kCalls
	case "reason":
		return kReason
	case "channel":
		return kChannel
	case "csat":
		return kCSAT
	case "nps":
		return kNPS
	case "ces":
		return kCES
	case "comment":
		return kComment
	case "caller":
		return kCaller
	case "to":
		return kTo
	case "id":
		return kID
	case "by":
		return kBy
	case "command":
		return kCommand
	case "result":
		return kResult
	case "scenario":
		return kScenario
	case "seed":
		return kSeed
	case "briefing":
		return kBriefing
	case "count":
		return kCount
	case "for":
		return kFor
	case "after_s":
		return kAfterS
	case "since":
		return kSince
	case "offered":
		return kOffered
	case "answered":
		return kAnswered
	case "ended":
		return kEnded
	}
	return -1
}

// fields holds an object's members by key, each the raw bytes of its
// value, nil when absent. Keys match as encoding/json matches them to a
// struct's fields (exactly, else regardless of case and escapes), and of
// a key given twice the last counts.
type fields [numKeys][]byte

// read fills f with the members o walks; false when the object is not
// valid JSON.
func (f *fields) read(o *container) bool {
	for key, value, ok := o.member(); ok; key, value, ok = o.member() {
		k := keyIndex(key)
		if k < 0 {
			k = keyIndex(foldKey(key))
		}
		if k >= 0 {
			f[k] = value
		}
	}
	return !o.bad
}

// Decode parses and shape-checks one NDJSON line (without its newline).
// The scanner (scan.go) reads the line once, checking its syntax and
// keeping each member's raw bytes; each field the event's type uses is
// then read from them.
func Decode(line []byte) Decoded {
	var d Decoded
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		d.Err = lineErr("", "not a JSON object")
		return d
	}
	var w fields
	o := scanObject(line, 0, 1)
	if !w.read(&o) || o.i != len(line) {
		d.Err = lineErr("", "not a JSON object: %v", syntaxError(line))
		return d
	}
	ev := &d.Event

	typ, present, err := str(w[kType])
	if err != nil {
		d.Err = lineErr("type", "%v", err)
	} else if !present || typ == "" {
		d.Err = lineErr("type", "missing")
	}
	ev.Type = typ

	seq, present, err := integer(w[kSeq])
	switch {
	case err != nil:
		d.Err = firstErr(d.Err, lineErr("seq", "%v", err))
	case !present:
		d.Err = firstErr(d.Err, lineErr("seq", "missing"))
	case seq < 0:
		d.Err = firstErr(d.Err, lineErr("seq", "must not be negative, got %d", seq))
	default:
		d.HasSeq = true
		ev.Seq = seq
	}

	ts, present, err := timestamp(w[kTS])
	if err != nil {
		d.Err = firstErr(d.Err, lineErr("ts", "%v", err))
	} else if !present {
		d.Err = firstErr(d.Err, lineErr("ts", "missing"))
	}
	ev.TS = ts
	if d.Err != nil {
		return d
	}
	if !KnownType(typ) {
		d.Unknown = true
		return d
	}
	d.Err = decodeBody(typ, &w, ev)
	return d
}

func firstErr(have, next *LineError) *LineError {
	if have != nil {
		return have
	}
	return next
}

// fieldReader collects the first error while a body's fields are read.
type fieldReader struct{ err *LineError }

func (r *fieldReader) fail(field string, err error) {
	if r.err == nil {
		r.err = lineErr(field, "%v", err)
	}
}

func (r *fieldReader) id(field string, raw []byte, required bool) string {
	s, present, err := str(raw)
	switch {
	case err != nil:
		r.fail(field, err)
	case required && (!present || s == ""):
		if r.err == nil {
			r.err = lineErr(field, "missing")
		}
	}
	return s
}

func (r *fieldReader) number(field string, raw []byte, def, lo, hi float64) float64 {
	v, present, err := number(raw)
	if err != nil {
		r.fail(field, err)
		return def
	}
	if !present {
		return def
	}
	if v < lo || v > hi {
		r.fail(field, fmt.Errorf("%v is out of range %v..%v", v, lo, hi))
	}
	return v
}

func (r *fieldReader) score(field string, raw []byte, lo, hi float64) *float64 {
	v, present, err := number(raw)
	if err != nil {
		r.fail(field, err)
		return nil
	}
	if !present {
		return nil
	}
	if v < lo || v > hi {
		r.fail(field, fmt.Errorf("score %v is out of range %v..%v", v, lo, hi))
	}
	return &v
}

const maxSeconds = 1e9 // a threshold longer than ~30 years is a mistake, not a goal

func decodeBody(typ string, w *fields, ev *Event) *LineError {
	var r fieldReader
	switch typ {
	case TypeHello:
		v, present, err := integer(w[kV])
		if err != nil {
			r.fail("v", err)
		} else if present && v != ProtocolVersion {
			r.fail("v", fmt.Errorf("protocol version %d is not supported (this client speaks %d)", v, ProtocolVersion))
		}
		ev.V = int(v)
		ev.Feed = r.id("feed", w[kFeed], false)
		ev.Stream = r.id("stream", w[kStream], false)
	case TypeHeartbeat:
	case TypeSnapshot:
		ev.Snapshot = r.snapshot(w)
	case TypeQueueConfig:
		ev.Queue = r.id("queue", w[kQueue], true)
		ev.Name = r.id("name", w[kName], false)
		ev.Config = r.queueConfig("", ev.Queue, ev.Name, w[kSLThresholdS], w[kSLTarget], w[kShortAbandonS], w[kSLMode], w[kChannelGoals])
	case TypeAgentState:
		ev.Agent = r.id("agent", w[kAgent], true)
		ev.Name = r.id("name", w[kName], false)
		ev.State = r.agentState("state", w[kState])
		ev.Reason = r.id("reason", w[kReason], false)
		ev.Skills, ev.HasSkills = r.skills("queues", w[kQueues])
	case TypeOffered:
		ev.Call = r.id("call", w[kCall], true)
		ev.Queue = r.id("queue", w[kQueue], true)
		ev.Channel = channel(w[kChannel])
		ev.Caller = r.id("caller", w[kCaller], false)
	case TypeAnswered, TypeMissed:
		ev.Call = r.id("call", w[kCall], true)
		ev.Queue = r.id("queue", w[kQueue], true)
		ev.Agent = r.id("agent", w[kAgent], true)
	case TypeTransferred:
		ev.Call = r.id("call", w[kCall], true)
		ev.Agent = r.id("agent", w[kAgent], true)
		ev.Queue = r.id("queue", w[kQueue], false)
		ev.To = r.id("to", w[kTo], false)
		if r.err == nil && ev.Queue == "" && ev.To == "" {
			r.err = lineErr("queue", "missing (a transfer names a queue of this floor, or `to`: a destination outside it)")
		}
	case TypeAbandoned:
		ev.Call = r.id("call", w[kCall], true)
		ev.Queue = r.id("queue", w[kQueue], true)
		if ev.Reason = r.id("reason", w[kReason], false); ev.Reason == "" {
			ev.Reason = ReasonCaller
		}
	case TypeEnded, TypeWrapped:
		ev.Call = r.id("call", w[kCall], true)
		ev.Agent = r.id("agent", w[kAgent], true)
	case TypeSurvey:
		ev.Call = r.id("call", w[kCall], true)
		ev.Agent = r.id("agent", w[kAgent], true)
		ev.Queue = r.id("queue", w[kQueue], true)
		ev.CSAT = r.score("csat", w[kCSAT], 1, 5)
		ev.NPS = r.score("nps", w[kNPS], 0, 10)
		ev.CES = r.score("ces", w[kCES], 1, 7)
		ev.Comment = r.id("comment", w[kComment], false)
		if r.err == nil && ev.CSAT == nil && ev.NPS == nil && ev.CES == nil {
			r.err = lineErr("csat", "a survey needs at least one of csat, nps, ces")
		}
	case TypeDrillAction:
		d := &Drill{ID: r.id("id", w[kID], false), By: r.id("by", w[kBy], true),
			Command: r.id("command", w[kCommand], false), Result: r.id("result", w[kResult], true),
			Agent: r.id("agent", w[kAgent], false), Queue: r.id("queue", w[kQueue], false),
			To: r.id("to", w[kTo], false), For: r.id("for", w[kFor], false)}
		d.Queues, _ = r.skills("queues", w[kQueues])
		count, _, err := integer(w[kCount])
		if err != nil {
			r.fail("count", err)
		}
		d.Count = int(count)
		if v, present, err := number(w[kAfterS]); err != nil {
			r.fail("after_s", err)
		} else if present {
			d.AfterS = &v
		}
		ev.Drill = d
	case TypeDrillStarted:
		seed, _, err := integer(w[kSeed])
		if err != nil {
			r.fail("seed", err)
		}
		ev.Drill = &Drill{Scenario: r.id("scenario", w[kScenario], false), Seed: seed,
			Briefing: r.id("briefing", w[kBriefing], false)}
	}
	return r.err
}

// channel reads call.offered's channel: anything but a non-empty string is
// voice, as protocol 1.1 says, so an odd channel never loses the call.
func channel(raw []byte) string {
	s, _, err := str(raw)
	if err != nil || s == "" {
		return ChannelVoice
	}
	return s
}

func (r *fieldReader) agentState(field string, raw []byte) string {
	s := r.id(field, raw, true)
	if r.err == nil && !ValidAgentState(s) {
		r.err = lineErr(field, "%q is not an agent state (offline, available, on_call, wrap_up, aux)", s)
	}
	return s
}

func (r *fieldReader) skills(field string, raw []byte) ([]string, bool) {
	if absent(raw) {
		return nil, false
	}
	if raw[0] != '[' {
		r.fail(field, fmt.Errorf("want an array of queue ids"))
		return nil, false
	}
	// Each id goes through str, like every other string of a line, so it is
	// cleaned and matches the queue id it names.
	skills := make([]string, 0, 4)
	a := scanArray(raw, 0, 1)
	for it, ok := a.element(); ok; it, ok = a.element() {
		s, _, err := str(it)
		if err != nil || absent(it) {
			r.fail(field, fmt.Errorf("want an array of queue ids"))
			return nil, false
		}
		skills = append(skills, s)
	}
	return skills, true
}

// queueConfig reads a queue's goal; prefix names where it stands (a
// snapshot's "queues[i].", or nothing in a queue.config).
func (r *fieldReader) queueConfig(prefix, id, name string, threshold, target, short, mode, channelGoals []byte) QueueConfig {
	c := DefaultQueueConfig(id)
	c.Name = name
	c.SLThresholdS = r.number(prefix+"sl_threshold_s", threshold, DefaultSLThresholdS, 0, maxSeconds)
	c.SLTarget = r.number(prefix+"sl_target", target, DefaultSLTarget, 0, 1)
	c.ShortAbandonS = r.number(prefix+"short_abandon_s", short, DefaultShortAbandonS, 0, maxSeconds)
	m, present, err := str(mode)
	switch {
	case err != nil:
		r.fail(prefix+"sl_mode", err)
	case present && !ValidSLMode(m):
		r.fail(prefix+"sl_mode", fmt.Errorf("%q is not a service-level mode (exclude_short, answered_only, abandons_in_sl_good)", m))
	case present:
		c.SLMode = m
	}
	c.ChannelGoals = r.channelGoals(prefix+"channel_goals", channelGoals, c)
	return c
}

// channelGoals reads {channel: {sl_threshold_s, sl_target}}; a field a
// channel leaves out is the queue's own.
func (r *fieldReader) channelGoals(field string, raw []byte, q QueueConfig) map[string]ChannelGoal {
	if absent(raw) {
		return nil
	}
	// As a map: of a channel named twice the last counts, and a channel
	// whose goal is not an object (or null) spoils the whole.
	byChannel, ok := map[string][]byte{}, raw[0] == '{'
	if ok {
		o := scanObject(raw, 0, 1)
		for key, value, more := o.member(); more; key, value, more = o.member() {
			byChannel[keyText(key)] = value
			ok = ok && (value[0] == '{' || absent(value))
		}
	}
	if !ok {
		r.fail(field, fmt.Errorf("want {channel: {sl_threshold_s, sl_target}}"))
		return nil
	}
	goals := make(map[string]ChannelGoal, len(byChannel))
	var g fields
	// In byte order, so that of several mistakes the same is named each time.
	for _, ch := range slices.Sorted(maps.Keys(byChannel)) {
		g.readItem(byChannel[ch])
		ch = safetext.Clean(ch)
		if ch == "" {
			r.fail(field, fmt.Errorf("a channel's name is empty"))
			return nil
		}
		goals[ch] = ChannelGoal{
			SLThresholdS: r.number(field+"."+ch+".sl_threshold_s", g[kSLThresholdS], q.SLThresholdS, 0, maxSeconds),
			SLTarget:     r.number(field+"."+ch+".sl_target", g[kSLTarget], q.SLTarget, 0, 1),
		}
	}
	return goals
}

// keyText is a map key as encoding/json reads it: its escapes decoded, a
// byte that is not UTF-8 read as U+FFFD.
func keyText(key []byte) string {
	if bytes.IndexByte(key, '\\') < 0 && utf8.Valid(key) {
		return string(key)
	}
	s, _ := unquote(key) // the scanner has checked the key
	return s
}

// readItem resets f and reads into it an object, or null (no members, as
// encoding/json reads null into a struct), that the scanner has checked.
func (f *fields) readItem(raw []byte) {
	*f = fields{}
	if !absent(raw) {
		o := scanObject(raw, 0, 1)
		f.read(&o)
	}
}

// objects checks that a snapshot's list is an array of objects (null
// items count as objects without members, as encoding/json reads them) and
// counts them.
func (r *fieldReader) objects(field string, raw []byte) (n int, ok bool) {
	if absent(raw) {
		if r.err == nil {
			r.err = lineErr(field, "missing (a snapshot lists queues, agents and calls, empty or not)")
		}
		return 0, false
	}
	if ok = raw[0] == '['; ok {
		a := scanArray(raw, 0, 1)
		for it, more := a.element(); more; it, more = a.element() {
			ok = ok && (it[0] == '{' || absent(it))
			n++
		}
	}
	if !ok {
		r.fail(field, fmt.Errorf("want an array of objects"))
	}
	return n, ok
}

// eachObject calls fn with each item of a list objects has checked.
func eachObject(raw []byte, fn func(i int, item *fields)) {
	var f fields
	a := scanArray(raw, 0, 1)
	for i := 0; ; i++ {
		it, ok := a.element()
		if !ok {
			return
		}
		f.readItem(it)
		fn(i, &f)
	}
}

// snapshot items are decoded field by field, like events, so a bad item is
// reported by its place in the array.
func (r *fieldReader) snapshot(w *fields) *Snapshot {
	nq, ok := r.objects("queues", w[kQueues])
	if !ok {
		return nil
	}
	na, ok := r.objects("agents", w[kAgents])
	if !ok {
		return nil
	}
	nc, ok := r.objects("calls", w[kCalls])
	if !ok {
		return nil
	}
	s := &Snapshot{Queues: make([]QueueConfig, 0, nq), Agents: make([]AgentSnap, 0, na), Calls: make([]CallSnap, 0, nc)}
	eachObject(w[kQueues], func(i int, q *fields) {
		prefix := fmt.Sprintf("queues[%d].", i)
		var ir fieldReader
		id := ir.id(prefix+"queue", q[kQueue], true)
		name := ir.id(prefix+"name", q[kName], false)
		c := ir.queueConfig(prefix, id, name, q[kSLThresholdS], q[kSLTarget], q[kShortAbandonS], q[kSLMode], q[kChannelGoals])
		r.err = firstErr(r.err, ir.err)
		s.Queues = append(s.Queues, c)
	})
	eachObject(w[kAgents], func(i int, a *fields) {
		prefix := fmt.Sprintf("agents[%d].", i)
		var ir fieldReader
		ag := AgentSnap{
			Agent:  ir.id(prefix+"agent", a[kAgent], true),
			Name:   ir.id(prefix+"name", a[kName], false),
			State:  ir.agentState(prefix+"state", a[kState]),
			Reason: ir.id(prefix+"reason", a[kReason], false),
			Call:   ir.id(prefix+"call", a[kCall], false),
		}
		ag.Queues, _ = ir.skills(prefix+"queues", a[kQueues])
		ag.Since = ir.time(prefix+"since", a[kSince], true)
		r.err = firstErr(r.err, ir.err)
		s.Agents = append(s.Agents, ag)
	})
	eachObject(w[kCalls], func(i int, c *fields) {
		prefix := fmt.Sprintf("calls[%d].", i)
		var ir fieldReader
		call := CallSnap{
			Call:     ir.id(prefix+"call", c[kCall], true),
			Queue:    ir.id(prefix+"queue", c[kQueue], true),
			Agent:    ir.id(prefix+"agent", c[kAgent], false),
			Offered:  ir.time(prefix+"offered", c[kOffered], true),
			Answered: ir.time(prefix+"answered", c[kAnswered], false),
			Ended:    ir.time(prefix+"ended", c[kEnded], false),
			Channel:  channel(c[kChannel]),
			Caller:   ir.id(prefix+"caller", c[kCaller], false),
		}
		if ir.err == nil && !call.Answered.IsZero() && call.Agent == "" {
			ir.err = lineErr(prefix+"agent", "missing for a call that was answered")
		}
		if ir.err == nil && !call.Ended.IsZero() && call.Answered.IsZero() {
			ir.err = lineErr(prefix+"answered", "missing for a call that has ended")
		}
		r.err = firstErr(r.err, ir.err)
		s.Calls = append(s.Calls, call)
	})
	return s
}

func (r *fieldReader) time(field string, raw []byte, required bool) time.Time {
	t, present, err := timestamp(raw)
	switch {
	case err != nil:
		r.fail(field, err)
	case required && !present:
		if r.err == nil {
			r.err = lineErr(field, "missing")
		}
	}
	return t
}

// absent reports whether a field was left out or set to null.
func absent(raw []byte) bool { return len(raw) == 0 || string(raw) == "null" }

func str(raw []byte) (string, bool, error) {
	if absent(raw) {
		return "", false, nil
	}
	if raw[0] != '"' {
		return "", true, fmt.Errorf("want a string, got %s", clip(raw))
	}
	// Every string of a line is text from outside: it is cleaned here, where
	// it enters, so no view can show a control character from it. The fast
	// path: a string without escapes is its bytes between the quotes.
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return word(inner), true, nil
	}
	s, err := unquote(inner)
	if err != nil {
		return "", true, err
	}
	return safetext.Clean(s), true, nil
}

// word is a string without escapes, cleaned. The protocol's own words, on
// almost every line, are its constants: no allocation for them.
func word(b []byte) string {
	switch string(b) {
	case TypeOffered:
		return TypeOffered
	case TypeAnswered:
		return TypeAnswered
	case TypeAgentState:
		return TypeAgentState
	case TypeEnded:
		return TypeEnded
	case TypeWrapped:
		return TypeWrapped
	case TypeAbandoned:
		return TypeAbandoned
	case TypeSurvey:
		return TypeSurvey
	case TypeHeartbeat:
		return TypeHeartbeat
	case StateAvailable:
		return StateAvailable
	case StateOnCall:
		return StateOnCall
	case StateWrapUp:
		return StateWrapUp
	case StateAux:
		return StateAux
	case StateOffline:
		return StateOffline
	}
	return safetext.Clean(string(b))
}

func integer(raw []byte) (int64, bool, error) {
	if absent(raw) {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("want a JSON integer, got %s", clip(raw))
	}
	return v, true, nil
}

func number(raw []byte) (float64, bool, error) {
	if absent(raw) {
		return 0, false, nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, true, fmt.Errorf("want a number, got %s", clip(raw))
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, true, fmt.Errorf("want a number, got %s", clip(raw))
	}
	return v, true, nil
}

func timestamp(raw []byte) (time.Time, bool, error) {
	if t, ok := canonicalTime(raw); ok {
		return t, true, nil
	}
	s, present, err := str(raw)
	if err != nil || !present {
		if err != nil {
			err = fmt.Errorf("want an RFC 3339 timestamp string, got %s", clip(raw))
		}
		return time.Time{}, present, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t.UTC(), true, nil
}

// canonicalTime reads the form every encoder writes, TimeLayout in UTC
// ("2026-11-23T08:00:00.000Z", quoted), without the general parser, which
// decides every other form. ok is false for any other form or a date or
// time of day that does not exist.
func canonicalTime(raw []byte) (t time.Time, ok bool) {
	if len(raw) != len(`"2006-01-02T15:04:05.000Z"`) || raw[0] != '"' || raw[5] != '-' || raw[8] != '-' || raw[11] != 'T' ||
		raw[14] != ':' || raw[17] != ':' || raw[20] != '.' || raw[24] != 'Z' || raw[25] != '"' {
		return t, false
	}
	n := func(from, to int) int {
		v := 0
		for _, c := range raw[from:to] {
			if !isDigit(c) {
				ok = false
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	ok = true
	year, month, day := n(1, 5), n(6, 8), n(9, 11)
	hour, minute, second, ms := n(12, 14), n(15, 17), n(18, 20), n(21, 24)
	if !ok || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59 {
		return t, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, ms*1e6, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// clip keeps error messages short when a field holds something large.
func clip(raw []byte) string {
	const max = 40
	if len(raw) > max {
		return string(raw[:max]) + "…"
	}
	return string(raw)
}
