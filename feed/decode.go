package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

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

// wire holds every field any event type may carry, undecoded, so that a
// field of the wrong JSON type is reported precisely and a field that the
// event's type does not use is ignored whatever it holds.
type wire struct {
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

// Decode parses and shape-checks one NDJSON line (without its newline).
func Decode(line []byte) Decoded {
	var d Decoded
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		d.Err = lineErr("", "not a JSON object")
		return d
	}
	var w wire
	if err := json.Unmarshal(line, &w); err != nil {
		d.Err = lineErr("", "not a JSON object: %v", err)
		return d
	}
	ev := &d.Event

	typ, present, err := str(w.Type)
	if err != nil {
		d.Err = lineErr("type", "%v", err)
	} else if !present || typ == "" {
		d.Err = lineErr("type", "missing")
	}
	ev.Type = typ

	seq, present, err := integer(w.Seq)
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

	ts, present, err := timestamp(w.TS)
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

func (r *fieldReader) id(field string, raw json.RawMessage, required bool) string {
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

func (r *fieldReader) number(field string, raw json.RawMessage, def, lo, hi float64) float64 {
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

func (r *fieldReader) score(field string, raw json.RawMessage, lo, hi float64) *float64 {
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

func decodeBody(typ string, w *wire, ev *Event) *LineError {
	var r fieldReader
	switch typ {
	case TypeHello:
		v, present, err := integer(w.V)
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
		ev.Channel = channel(w.Channel)
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
			r.err = lineErr("queue", "missing (a transfer names a queue of this floor, or `to`: a destination outside it)")
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
			r.err = lineErr("csat", "a survey needs at least one of csat, nps, ces")
		}
	case TypeDrillAction:
		d := &Drill{ID: r.id("id", w.ID, false), By: r.id("by", w.By, true),
			Command: r.id("command", w.Command, false), Result: r.id("result", w.Result, true),
			Agent: r.id("agent", w.Agent, false), Queue: r.id("queue", w.Queue, false),
			To: r.id("to", w.To, false), For: r.id("for", w.For, false)}
		d.Queues, _ = r.skills("queues", w.Queues)
		count, _, err := integer(w.Count)
		if err != nil {
			r.fail("count", err)
		}
		d.Count = int(count)
		if v, present, err := number(w.AfterS); err != nil {
			r.fail("after_s", err)
		} else if present {
			d.AfterS = &v
		}
		ev.Drill = d
	case TypeDrillStarted:
		seed, _, err := integer(w.SeedN)
		if err != nil {
			r.fail("seed", err)
		}
		ev.Drill = &Drill{Scenario: r.id("scenario", w.Scenario, false), Seed: seed,
			Briefing: r.id("briefing", w.Briefing, false)}
	}
	return r.err
}

// channel reads call.offered's channel: anything but a non-empty string is
// voice, as protocol 1.1 says, so an odd channel never loses the call.
func channel(raw json.RawMessage) string {
	s, _, err := str(raw)
	if err != nil || s == "" {
		return ChannelVoice
	}
	return s
}

func (r *fieldReader) agentState(field string, raw json.RawMessage) string {
	s := r.id(field, raw, true)
	if r.err == nil && !ValidAgentState(s) {
		r.err = lineErr(field, "%q is not an agent state (offline, available, on_call, wrap_up, aux)", s)
	}
	return s
}

func (r *fieldReader) skills(field string, raw json.RawMessage) ([]string, bool) {
	if absent(raw) {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		r.fail(field, fmt.Errorf("want an array of queue ids"))
		return nil, false
	}
	// Each id goes through str, like every other string of a line, so it is
	// cleaned and matches the queue id it names.
	skills := make([]string, 0, len(items))
	for _, it := range items {
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
func (r *fieldReader) queueConfig(prefix, id, name string, threshold, target, short, mode, channelGoals json.RawMessage) QueueConfig {
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
func (r *fieldReader) channelGoals(field string, raw json.RawMessage, q QueueConfig) map[string]ChannelGoal {
	if absent(raw) {
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
	for ch, g := range byChannel {
		ch = safetext.Clean(ch)
		if ch == "" {
			r.fail(field, fmt.Errorf("a channel's name is empty"))
			return nil
		}
		goals[ch] = ChannelGoal{
			SLThresholdS: r.number(field+"."+ch+".sl_threshold_s", g.SLThresholdS, q.SLThresholdS, 0, maxSeconds),
			SLTarget:     r.number(field+"."+ch+".sl_target", g.SLTarget, q.SLTarget, 0, 1),
		}
	}
	return goals
}

// snapshot items are decoded field by field, like events, so a bad item is
// reported by its place in the array.
type wireAgent struct {
	Agent  json.RawMessage `json:"agent"`
	Name   json.RawMessage `json:"name"`
	State  json.RawMessage `json:"state"`
	Since  json.RawMessage `json:"since"`
	Queues json.RawMessage `json:"queues"`
	Reason json.RawMessage `json:"reason"`
	Call   json.RawMessage `json:"call"`
}

type wireCall struct {
	Call     json.RawMessage `json:"call"`
	Queue    json.RawMessage `json:"queue"`
	Offered  json.RawMessage `json:"offered"`
	Answered json.RawMessage `json:"answered"`
	Ended    json.RawMessage `json:"ended"`
	Agent    json.RawMessage `json:"agent"`
	Channel  json.RawMessage `json:"channel"`
	Caller   json.RawMessage `json:"caller"`
}

type wireQueue struct {
	Queue         json.RawMessage `json:"queue"`
	Name          json.RawMessage `json:"name"`
	SLThresholdS  json.RawMessage `json:"sl_threshold_s"`
	SLTarget      json.RawMessage `json:"sl_target"`
	ShortAbandonS json.RawMessage `json:"short_abandon_s"`
	SLMode        json.RawMessage `json:"sl_mode"`
	ChannelGoals  json.RawMessage `json:"channel_goals"`
}

func (r *fieldReader) array(field string, raw json.RawMessage, into any) bool {
	if absent(raw) {
		if r.err == nil {
			r.err = lineErr(field, "missing (a snapshot lists queues, agents and calls, empty or not)")
		}
		return false
	}
	if err := json.Unmarshal(raw, into); err != nil {
		r.fail(field, fmt.Errorf("want an array of objects"))
		return false
	}
	return true
}

func (r *fieldReader) snapshot(w *wire) *Snapshot {
	var qs []wireQueue
	var as []wireAgent
	var cs []wireCall
	if !r.array("queues", w.Queues, &qs) || !r.array("agents", w.Agents, &as) || !r.array("calls", w.Calls, &cs) {
		return nil
	}
	s := &Snapshot{Queues: make([]QueueConfig, 0, len(qs)), Agents: make([]AgentSnap, 0, len(as)), Calls: make([]CallSnap, 0, len(cs))}
	for i, q := range qs {
		prefix := fmt.Sprintf("queues[%d].", i)
		var ir fieldReader
		id := ir.id(prefix+"queue", q.Queue, true)
		name := ir.id(prefix+"name", q.Name, false)
		c := ir.queueConfig(prefix, id, name, q.SLThresholdS, q.SLTarget, q.ShortAbandonS, q.SLMode, q.ChannelGoals)
		r.err = firstErr(r.err, ir.err)
		s.Queues = append(s.Queues, c)
	}
	for i, a := range as {
		prefix := fmt.Sprintf("agents[%d].", i)
		var ir fieldReader
		ag := AgentSnap{
			Agent:  ir.id(prefix+"agent", a.Agent, true),
			Name:   ir.id(prefix+"name", a.Name, false),
			State:  ir.agentState(prefix+"state", a.State),
			Reason: ir.id(prefix+"reason", a.Reason, false),
			Call:   ir.id(prefix+"call", a.Call, false),
		}
		ag.Queues, _ = ir.skills(prefix+"queues", a.Queues)
		ag.Since = ir.time(prefix+"since", a.Since, true)
		r.err = firstErr(r.err, ir.err)
		s.Agents = append(s.Agents, ag)
	}
	for i, c := range cs {
		prefix := fmt.Sprintf("calls[%d].", i)
		var ir fieldReader
		call := CallSnap{
			Call:     ir.id(prefix+"call", c.Call, true),
			Queue:    ir.id(prefix+"queue", c.Queue, true),
			Agent:    ir.id(prefix+"agent", c.Agent, false),
			Offered:  ir.time(prefix+"offered", c.Offered, true),
			Answered: ir.time(prefix+"answered", c.Answered, false),
			Ended:    ir.time(prefix+"ended", c.Ended, false),
			Channel:  channel(c.Channel),
			Caller:   ir.id(prefix+"caller", c.Caller, false),
		}
		if ir.err == nil && !call.Answered.IsZero() && call.Agent == "" {
			ir.err = lineErr(prefix+"agent", "missing for a call that was answered")
		}
		if ir.err == nil && !call.Ended.IsZero() && call.Answered.IsZero() {
			ir.err = lineErr(prefix+"answered", "missing for a call that has ended")
		}
		r.err = firstErr(r.err, ir.err)
		s.Calls = append(s.Calls, call)
	}
	return s
}

func (r *fieldReader) time(field string, raw json.RawMessage, required bool) time.Time {
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
func absent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

func str(raw json.RawMessage) (string, bool, error) {
	if absent(raw) {
		return "", false, nil
	}
	if raw[0] != '"' {
		return "", true, fmt.Errorf("want a string, got %s", clip(raw))
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

func integer(raw json.RawMessage) (int64, bool, error) {
	if absent(raw) {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("want a JSON integer, got %s", clip(raw))
	}
	return v, true, nil
}

func number(raw json.RawMessage) (float64, bool, error) {
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

func timestamp(raw json.RawMessage) (time.Time, bool, error) {
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

// clip keeps error messages short when a field holds something large.
func clip(raw json.RawMessage) string {
	const max = 40
	if len(raw) > max {
		return string(raw[:max]) + "…"
	}
	return string(raw)
}
