package feed

// The decoder feed.Decode was before its scanner, kept as the reference the
// fast one must agree with on every line: the same event, the same error.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/floorwatch/floorwatch/safetext"
)

// refLineErr cleans its message: it may quote the line, and the reason is shown.
func refLineErr(field, format string, args ...any) *LineError {
	return &LineError{Field: field, Msg: safetext.Clean(fmt.Sprintf(format, args...))}
}

// refWire holds every field any event type may carry, undecoded, so that a
// field of the wrong JSON type is reported precisely and a field that the
// event's type does not use is ignored whatever it holds.
type refWire struct {
	Type          json.RawMessage `json:"type"`
	Seq           json.RawMessage `json:"seq"`
	TS            json.RawMessage `json:"ts"`
	V             json.RawMessage `json:"v"`
	Feed          json.RawMessage `json:"feed"`
	Stream        json.RawMessage `json:"stream"`
	Queue         json.RawMessage `json:"queue"`
	Agent         json.RawMessage `json:"agent"`
	Call          json.RawMessage `json:"call"`
	Name          json.RawMessage `json:"name"`
	SLThresholdS  json.RawMessage `json:"sl_threshold_s"`
	SLTarget      json.RawMessage `json:"sl_target"`
	ShortAbandonS json.RawMessage `json:"short_abandon_s"`
	SLMode        json.RawMessage `json:"sl_mode"`
	ChannelGoals  json.RawMessage `json:"channel_goals"`
	State         json.RawMessage `json:"state"`
	Queues        json.RawMessage `json:"queues"`
	Agents        json.RawMessage `json:"agents"`
	Calls         json.RawMessage `json:"calls"`
	Reason        json.RawMessage `json:"reason"`
	Channel       json.RawMessage `json:"channel"`
	CSAT          json.RawMessage `json:"csat"`
	NPS           json.RawMessage `json:"nps"`
	CES           json.RawMessage `json:"ces"`
	Comment       json.RawMessage `json:"comment"`
	Caller        json.RawMessage `json:"caller"`
	To            json.RawMessage `json:"to"`
	ID            json.RawMessage `json:"id"`
	By            json.RawMessage `json:"by"`
	Command       json.RawMessage `json:"command"`
	Result        json.RawMessage `json:"result"`
	Scenario      json.RawMessage `json:"scenario"`
	SeedN         json.RawMessage `json:"seed"`
	Briefing      json.RawMessage `json:"briefing"`
	Count         json.RawMessage `json:"count"`
	For           json.RawMessage `json:"for"`
	AfterS        json.RawMessage `json:"after_s"`
}

// refDecode parses and shape-checks one NDJSON line (without its newline).
func refDecode(line []byte) Decoded {
	var d Decoded
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		d.Err = refLineErr("", "not a JSON object")
		return d
	}
	var w refWire
	if err := json.Unmarshal(line, &w); err != nil {
		d.Err = refLineErr("", "not a JSON object: %v", err)
		return d
	}
	ev := &d.Event

	typ, present, err := refStr(w.Type)
	if err != nil {
		d.Err = refLineErr("type", "%v", err)
	} else if !present || typ == "" {
		d.Err = refLineErr("type", "missing")
	}
	ev.Type = typ

	seq, present, err := refInteger(w.Seq)
	switch {
	case err != nil:
		d.Err = refFirstErr(d.Err, refLineErr("seq", "%v", err))
	case !present:
		d.Err = refFirstErr(d.Err, refLineErr("seq", "missing"))
	case seq < 0:
		d.Err = refFirstErr(d.Err, refLineErr("seq", "must not be negative, got %d", seq))
	default:
		d.HasSeq = true
		ev.Seq = seq
	}

	ts, present, err := refTimestamp(w.TS)
	if err != nil {
		d.Err = refFirstErr(d.Err, refLineErr("ts", "%v", err))
	} else if !present {
		d.Err = refFirstErr(d.Err, refLineErr("ts", "missing"))
	}
	ev.TS = ts
	if d.Err != nil {
		return d
	}
	if !KnownType(typ) {
		d.Unknown = true
		return d
	}
	d.Err = refDecodeBody(typ, &w, ev)
	return d
}

func refFirstErr(have, next *LineError) *LineError {
	if have != nil {
		return have
	}
	return next
}

// refFieldReader collects the first error while a body's fields are read.
type refFieldReader struct{ err *LineError }

func (r *refFieldReader) fail(field string, err error) {
	if r.err == nil {
		r.err = refLineErr(field, "%v", err)
	}
}

func (r *refFieldReader) id(field string, raw json.RawMessage, required bool) string {
	s, present, err := refStr(raw)
	switch {
	case err != nil:
		r.fail(field, err)
	case required && (!present || s == ""):
		if r.err == nil {
			r.err = refLineErr(field, "missing")
		}
	}
	return s
}

func (r *refFieldReader) number(field string, raw json.RawMessage, def, lo, hi float64) float64 {
	v, present, err := refNumber(raw)
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

func (r *refFieldReader) score(field string, raw json.RawMessage, lo, hi float64) *float64 {
	v, present, err := refNumber(raw)
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

const refMaxSeconds = 1e9 // a threshold longer than ~30 years is a mistake, not a goal

func refDecodeBody(typ string, w *refWire, ev *Event) *LineError {
	var r refFieldReader
	switch typ {
	case TypeHello:
		v, present, err := refInteger(w.V)
		if err != nil {
			r.fail("v", err)
		} else if present && v != ProtocolVersion {
			r.fail("v", fmt.Errorf("protocol version %d is not supported (this client speaks %d)", v, ProtocolVersion))
		}
		ev.V = int(v)
		ev.Feed = r.id("feed", w.Feed, false)
		ev.Stream = r.id("stream", w.Stream, false)
	case TypeHeartbeat:
	case TypeSnapshot:
		ev.Snapshot = r.snapshot(w)
	case TypeQueueConfig:
		ev.Queue = r.id("queue", w.Queue, true)
		ev.Name = r.id("name", w.Name, false)
		ev.Config = r.queueConfig("", ev.Queue, ev.Name, w.SLThresholdS, w.SLTarget, w.ShortAbandonS, w.SLMode, w.ChannelGoals)
	case TypeAgentState:
		ev.Agent = r.id("agent", w.Agent, true)
		ev.Name = r.id("name", w.Name, false)
		ev.State = r.agentState("state", w.State)
		ev.Reason = r.id("reason", w.Reason, false)
		ev.Skills, ev.HasSkills = r.skills("queues", w.Queues)
	case TypeOffered:
		ev.Call = r.id("call", w.Call, true)
		ev.Queue = r.id("queue", w.Queue, true)
		ev.Channel = refChannel(w.Channel)
		ev.Caller = r.id("caller", w.Caller, false)
	case TypeAnswered, TypeMissed:
		ev.Call = r.id("call", w.Call, true)
		ev.Queue = r.id("queue", w.Queue, true)
		ev.Agent = r.id("agent", w.Agent, true)
	case TypeTransferred:
		ev.Call = r.id("call", w.Call, true)
		ev.Agent = r.id("agent", w.Agent, true)
		ev.Queue = r.id("queue", w.Queue, false)
		ev.To = r.id("to", w.To, false)
		if r.err == nil && ev.Queue == "" && ev.To == "" {
			r.err = refLineErr("queue", "missing (a transfer names a queue of this floor, or `to`: a destination outside it)")
		}
	case TypeAbandoned:
		ev.Call = r.id("call", w.Call, true)
		ev.Queue = r.id("queue", w.Queue, true)
		if ev.Reason = r.id("reason", w.Reason, false); ev.Reason == "" {
			ev.Reason = ReasonCaller
		}
	case TypeEnded, TypeWrapped:
		ev.Call = r.id("call", w.Call, true)
		ev.Agent = r.id("agent", w.Agent, true)
	case TypeSurvey:
		ev.Call = r.id("call", w.Call, true)
		ev.Agent = r.id("agent", w.Agent, true)
		ev.Queue = r.id("queue", w.Queue, true)
		ev.CSAT = r.score("csat", w.CSAT, 1, 5)
		ev.NPS = r.score("nps", w.NPS, 0, 10)
		ev.CES = r.score("ces", w.CES, 1, 7)
		ev.Comment = r.id("comment", w.Comment, false)
		if r.err == nil && ev.CSAT == nil && ev.NPS == nil && ev.CES == nil {
			r.err = refLineErr("csat", "a survey needs at least one of csat, nps, ces")
		}
	case TypeDrillAction:
		d := &Drill{ID: r.id("id", w.ID, false), By: r.id("by", w.By, true),
			Command: r.id("command", w.Command, false), Result: r.id("result", w.Result, true),
			Agent: r.id("agent", w.Agent, false), Queue: r.id("queue", w.Queue, false),
			To: r.id("to", w.To, false), For: r.id("for", w.For, false)}
		d.Queues, _ = r.skills("queues", w.Queues)
		count, _, err := refInteger(w.Count)
		if err != nil {
			r.fail("count", err)
		}
		d.Count = int(count)
		if v, present, err := refNumber(w.AfterS); err != nil {
			r.fail("after_s", err)
		} else if present {
			d.AfterS = &v
		}
		ev.Drill = d
	case TypeDrillStarted:
		seed, _, err := refInteger(w.SeedN)
		if err != nil {
			r.fail("seed", err)
		}
		ev.Drill = &Drill{Scenario: r.id("scenario", w.Scenario, false), Seed: seed,
			Briefing: r.id("briefing", w.Briefing, false)}
	}
	return r.err
}

// refChannel reads call.offered's refChannel: anything but a non-empty string is
// voice, as protocol 1.1 says, so an odd refChannel never loses the call.
func refChannel(raw json.RawMessage) string {
	s, _, err := refStr(raw)
	if err != nil || s == "" {
		return ChannelVoice
	}
	return s
}

func (r *refFieldReader) agentState(field string, raw json.RawMessage) string {
	s := r.id(field, raw, true)
	if r.err == nil && !ValidAgentState(s) {
		r.err = refLineErr(field, "%q is not an agent state (offline, available, on_call, wrap_up, aux)", s)
	}
	return s
}

func (r *refFieldReader) skills(field string, raw json.RawMessage) ([]string, bool) {
	if refAbsent(raw) {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		r.fail(field, fmt.Errorf("want an array of queue ids"))
		return nil, false
	}
	// Each id goes through refStr, like every other string of a line, so it is
	// cleaned and matches the queue id it names.
	skills := make([]string, 0, len(items))
	for _, it := range items {
		s, _, err := refStr(it)
		if err != nil || refAbsent(it) {
			r.fail(field, fmt.Errorf("want an array of queue ids"))
			return nil, false
		}
		skills = append(skills, s)
	}
	return skills, true
}

// queueConfig reads a queue's goal; prefix names where it stands (a
// snapshot's "queues[i].", or nothing in a queue.config).
func (r *refFieldReader) queueConfig(prefix, id, name string, threshold, target, short, mode, channelGoals json.RawMessage) QueueConfig {
	c := DefaultQueueConfig(id)
	c.Name = name
	c.SLThresholdS = r.number(prefix+"sl_threshold_s", threshold, DefaultSLThresholdS, 0, refMaxSeconds)
	c.SLTarget = r.number(prefix+"sl_target", target, DefaultSLTarget, 0, 1)
	c.ShortAbandonS = r.number(prefix+"short_abandon_s", short, DefaultShortAbandonS, 0, refMaxSeconds)
	m, present, err := refStr(mode)
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
// refChannel leaves out is the queue's own.
func (r *refFieldReader) channelGoals(field string, raw json.RawMessage, q QueueConfig) map[string]ChannelGoal {
	if refAbsent(raw) {
		return nil
	}
	var byChannel map[string]struct {
		SLThresholdS json.RawMessage `json:"sl_threshold_s"`
		SLTarget     json.RawMessage `json:"sl_target"`
	}
	if err := json.Unmarshal(raw, &byChannel); err != nil {
		r.fail(field, fmt.Errorf("want {channel: {sl_threshold_s, sl_target}}"))
		return nil
	}
	goals := make(map[string]ChannelGoal, len(byChannel))
	// The decoder it was went through the channels in the map's random
	// order; byte order is one of those orders, and the one Decode takes.
	for _, ch := range slices.Sorted(maps.Keys(byChannel)) {
		g := byChannel[ch]
		ch = safetext.Clean(ch)
		if ch == "" {
			r.fail(field, fmt.Errorf("a channel's name is empty"))
			return nil
		}
		goals[ch] = ChannelGoal{
			SLThresholdS: r.number(field+"."+ch+".sl_threshold_s", g.SLThresholdS, q.SLThresholdS, 0, refMaxSeconds),
			SLTarget:     r.number(field+"."+ch+".sl_target", g.SLTarget, q.SLTarget, 0, 1),
		}
	}
	return goals
}

// snapshot items are decoded field by field, like events, so a bad item is
// reported by its place in the array.
type refWireAgent struct {
	Agent  json.RawMessage `json:"agent"`
	Name   json.RawMessage `json:"name"`
	State  json.RawMessage `json:"state"`
	Since  json.RawMessage `json:"since"`
	Queues json.RawMessage `json:"queues"`
	Reason json.RawMessage `json:"reason"`
	Call   json.RawMessage `json:"call"`
}

type refWireCall struct {
	Call     json.RawMessage `json:"call"`
	Queue    json.RawMessage `json:"queue"`
	Offered  json.RawMessage `json:"offered"`
	Answered json.RawMessage `json:"answered"`
	Ended    json.RawMessage `json:"ended"`
	Agent    json.RawMessage `json:"agent"`
	Channel  json.RawMessage `json:"channel"`
	Caller   json.RawMessage `json:"caller"`
}

type refWireQueue struct {
	Queue         json.RawMessage `json:"queue"`
	Name          json.RawMessage `json:"name"`
	SLThresholdS  json.RawMessage `json:"sl_threshold_s"`
	SLTarget      json.RawMessage `json:"sl_target"`
	ShortAbandonS json.RawMessage `json:"short_abandon_s"`
	SLMode        json.RawMessage `json:"sl_mode"`
	ChannelGoals  json.RawMessage `json:"channel_goals"`
}

func (r *refFieldReader) array(field string, raw json.RawMessage, into any) bool {
	if refAbsent(raw) {
		if r.err == nil {
			r.err = refLineErr(field, "missing (a snapshot lists queues, agents and calls, empty or not)")
		}
		return false
	}
	if err := json.Unmarshal(raw, into); err != nil {
		r.fail(field, fmt.Errorf("want an array of objects"))
		return false
	}
	return true
}

func (r *refFieldReader) snapshot(w *refWire) *Snapshot {
	var qs []refWireQueue
	var as []refWireAgent
	var cs []refWireCall
	if !r.array("queues", w.Queues, &qs) || !r.array("agents", w.Agents, &as) || !r.array("calls", w.Calls, &cs) {
		return nil
	}
	s := &Snapshot{Queues: make([]QueueConfig, 0, len(qs)), Agents: make([]AgentSnap, 0, len(as)), Calls: make([]CallSnap, 0, len(cs))}
	for i, q := range qs {
		prefix := fmt.Sprintf("queues[%d].", i)
		var ir refFieldReader
		id := ir.id(prefix+"queue", q.Queue, true)
		name := ir.id(prefix+"name", q.Name, false)
		c := ir.queueConfig(prefix, id, name, q.SLThresholdS, q.SLTarget, q.ShortAbandonS, q.SLMode, q.ChannelGoals)
		r.err = refFirstErr(r.err, ir.err)
		s.Queues = append(s.Queues, c)
	}
	for i, a := range as {
		prefix := fmt.Sprintf("agents[%d].", i)
		var ir refFieldReader
		ag := AgentSnap{
			Agent:  ir.id(prefix+"agent", a.Agent, true),
			Name:   ir.id(prefix+"name", a.Name, false),
			State:  ir.agentState(prefix+"state", a.State),
			Reason: ir.id(prefix+"reason", a.Reason, false),
			Call:   ir.id(prefix+"call", a.Call, false),
		}
		ag.Queues, _ = ir.skills(prefix+"queues", a.Queues)
		ag.Since = ir.time(prefix+"since", a.Since, true)
		r.err = refFirstErr(r.err, ir.err)
		s.Agents = append(s.Agents, ag)
	}
	for i, c := range cs {
		prefix := fmt.Sprintf("calls[%d].", i)
		var ir refFieldReader
		call := CallSnap{
			Call:     ir.id(prefix+"call", c.Call, true),
			Queue:    ir.id(prefix+"queue", c.Queue, true),
			Agent:    ir.id(prefix+"agent", c.Agent, false),
			Offered:  ir.time(prefix+"offered", c.Offered, true),
			Answered: ir.time(prefix+"answered", c.Answered, false),
			Ended:    ir.time(prefix+"ended", c.Ended, false),
			Channel:  refChannel(c.Channel),
			Caller:   ir.id(prefix+"caller", c.Caller, false),
		}
		if ir.err == nil && !call.Answered.IsZero() && call.Agent == "" {
			ir.err = refLineErr(prefix+"agent", "missing for a call that was answered")
		}
		if ir.err == nil && !call.Ended.IsZero() && call.Answered.IsZero() {
			ir.err = refLineErr(prefix+"answered", "missing for a call that has ended")
		}
		r.err = refFirstErr(r.err, ir.err)
		s.Calls = append(s.Calls, call)
	}
	return s
}

func (r *refFieldReader) time(field string, raw json.RawMessage, required bool) time.Time {
	t, present, err := refTimestamp(raw)
	switch {
	case err != nil:
		r.fail(field, err)
	case required && !present:
		if r.err == nil {
			r.err = refLineErr(field, "missing")
		}
	}
	return t
}

// refAbsent reports whether a field was left out or set to null.
func refAbsent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

func refStr(raw json.RawMessage) (string, bool, error) {
	if refAbsent(raw) {
		return "", false, nil
	}
	if raw[0] != '"' {
		return "", true, fmt.Errorf("want a string, got %s", refClip(raw))
	}
	// Every string of a line is text from outside: it is cleaned here, where
	// it enters, so no view can show a control character from it. The fast
	// path: a string without escapes is its bytes between the quotes.
	if bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 {
		return safetext.Clean(string(raw[1 : len(raw)-1])), true, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, err
	}
	return safetext.Clean(s), true, nil
}

func refInteger(raw json.RawMessage) (int64, bool, error) {
	if refAbsent(raw) {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("want a JSON integer, got %s", refClip(raw))
	}
	return v, true, nil
}

func refNumber(raw json.RawMessage) (float64, bool, error) {
	if refAbsent(raw) {
		return 0, false, nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, true, fmt.Errorf("want a number, got %s", refClip(raw))
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, true, fmt.Errorf("want a number, got %s", refClip(raw))
	}
	return v, true, nil
}

func refTimestamp(raw json.RawMessage) (time.Time, bool, error) {
	s, present, err := refStr(raw)
	if err != nil || !present {
		if err != nil {
			err = fmt.Errorf("want an RFC 3339 timestamp string, got %s", refClip(raw))
		}
		return time.Time{}, present, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t.UTC(), true, nil
}

// refClip keeps error messages short when a field holds something large.
func refClip(raw json.RawMessage) string {
	const max = 40
	if len(raw) > max {
		return string(raw[:max]) + "…"
	}
	return string(raw)
}
