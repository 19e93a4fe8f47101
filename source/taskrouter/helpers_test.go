package taskrouter

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// T0 is the epoch the flows count from: "+10" in a comment is T0+10 s.
var T0 = time.Unix(1700000000, 0).UTC()

// tr is one Event Callback as TaskRouter posts it: its form fields.
type tr struct {
	at   float64 // seconds after T0
	typ  string
	form url.Values
}

var eventSeq int

// ev makes a callback of type typ at T0+at from fields given as name,
// value pairs; its Sid is new and its timestamps are those of at.
func ev(at float64, typ string, fields ...url.Values) tr {
	eventSeq++
	ms := T0.UnixMilli() + int64(math.Round(at*1000))
	f := url.Values{"EventType": {typ}, "Sid": {fmt.Sprintf("EV%030d", eventSeq)},
		"AccountSid": {"AC00000000000000000000000000000000"}, "WorkspaceSid": {"WS00000000000000000000000000000000"},
		"Timestamp": {strconv.FormatInt(ms/1000, 10)}, "TimestampMs": {strconv.FormatInt(ms, 10)}}
	for _, more := range fields {
		for k, v := range more {
			f[k] = v
		}
	}
	return tr{at: at, typ: typ, form: f}
}

// queues of the flows: sid → name.
var queueSids = map[string]string{"Support": "WQ0000000000000000000000000000s001", "Billing": "WQ0000000000000000000000000000b002"}

// taskF is a task's fields: sid, queue name, channel, caller.
func taskF(sid, queue, channel, from string) url.Values {
	attrs, _ := json.Marshal(map[string]any{"from": from, "type": "inbound", "call_sid": "CA" + sid[2:]})
	f := url.Values{"TaskSid": {sid}, "TaskAttributes": {string(attrs)}, "TaskAge": {"3"}, "TaskPriority": {"0"},
		"TaskChannelUniqueName": {channel}, "ResourceType": {"Task"}}
	if queue != "" {
		f.Set("TaskQueueSid", queueSids[queue])
		f.Set("TaskQueueName", queue)
	}
	return f
}

// workerF is a worker's fields: sid, name, activity.
var workerNames = map[string]string{"WK01": "Ana Lima", "WK02": "Ben Okafor"}

func workerF(sid, activity string) url.Values {
	attrs, _ := json.Marshal(map[string]any{"full_name": workerNames[sid], "routing": map[string]any{"skills": []string{"support"}}})
	return url.Values{"WorkerSid": {sid}, "WorkerName": {sid + "@example.com"}, "WorkerAttributes": {string(attrs)},
		"WorkerActivityName": {activity}, "WorkerActivitySid": {"WA" + activity}}
}

func resF(sid string) url.Values {
	return url.Values{"ReservationSid": {sid}, "ResourceType": {"Reservation"}}
}

func kv(pairs ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		f.Set(pairs[i], pairs[i+1])
	}
	return f
}

// result is a converted flow: its events, tally, and the floor they fold
// into.
type result struct {
	events []*feed.Event
	tally  source.Tally
	report *floor.Report
}

// convert runs callbacks, already in time order, through the form parser
// and a converter, then folds the events as the bridge would serve them.
// Every callback must parse and every event apply.
func convert(t *testing.T, acts *Activities, cbs ...tr) *result {
	t.Helper()
	r := &result{}
	c := NewConverter(acts, func(ev *feed.Event) { r.events = append(r.events, ev) })
	for _, e := range cbs {
		cb, err := parseCallback(e.form, time.Now())
		if err != nil {
			t.Fatalf("+%v %s: %v", e.at, e.typ, err)
		}
		c.Apply(cb)
	}
	r.tally = c.Tally()
	if r.tally.Malformed > 0 {
		t.Errorf("malformed: %s", r.tally.FirstMalformed)
	}
	r.report = fold(t, r.events, floor.Options{}).Report(floor.All)
	return r
}

// fold feeds events to a floor numbered as the bridge numbers them, and
// fails on an event out of time order or one the floor does not apply.
func fold(t *testing.T, events []*feed.Event, opts floor.Options) *floor.Floor {
	t.Helper()
	f := floor.New(opts)
	var last time.Time
	for i, ev := range events {
		e := *ev
		e.Seq = int64(i + 1)
		line := feed.Encode(&e)
		if e.TS.Before(last) {
			t.Errorf("event %d is before the one before it: %s", i+1, line)
		}
		last = e.TS
		if o := f.IngestLine(line, floor.Recording); o != floor.Applied {
			t.Errorf("event %d not applied (%v: %s): %s", i+1, o, f.Stats().LastError, line)
		}
	}
	if s := f.Stats(); s.BadLines != 0 {
		t.Errorf("%d bad lines", s.BadLines)
	}
	return f
}

func (r *result) queue(t *testing.T, id string) floor.QueueReport {
	t.Helper()
	for _, q := range r.report.Queues {
		if q.Queue == id {
			return q
		}
	}
	t.Fatalf("no queue %q in %v", id, r.report.Queues)
	return floor.QueueReport{}
}

func (r *result) agent(t *testing.T, id string) floor.AgentReport {
	t.Helper()
	for _, a := range r.report.Agents {
		if a.Agent == id {
			return a
		}
	}
	t.Fatalf("no agent %q", id)
	return floor.AgentReport{}
}

// calls is the call figures of a queue (or the floor) worked by hand.
type calls struct {
	offered, answered, within, abandoned, short int64
	byReason                                    map[string]int64
	sl, asa, aht                                float64 // NaN: null
	waiting                                     int
}

var null = math.NaN()

func checkCalls(t *testing.T, what string, m floor.Metrics, want calls) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"offered", m.Offered, want.offered}, {"answered", m.Answered, want.answered},
		{"answered_within", m.AnsweredWithin, want.within}, {"abandoned", m.Abandoned, want.abandoned},
		{"short_abandoned", m.ShortAbandoned, want.short}, {"waiting", int64(m.Waiting), int64(want.waiting)}} {
		if c.got != c.want {
			t.Errorf("%s %s = %d, want %d", what, c.name, c.got, c.want)
		}
	}
	if len(m.AbandonedByReason) != len(want.byReason) {
		t.Errorf("%s abandoned_by_reason = %v, want %v", what, m.AbandonedByReason, want.byReason)
	}
	for reason, n := range want.byReason {
		if got := m.AbandonedByReason[reason]; got != n {
			t.Errorf("%s abandoned %s = %d, want %d", what, reason, got, n)
		}
	}
	approx(t, what+" service_level", m.ServiceLevel, want.sl)
	approx(t, what+" asa_s", m.ASAS, want.asa)
	approx(t, what+" aht_s", m.AHTS, want.aht)
}

// approx checks a figure to 1e-9; want NaN means null.
func approx(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	switch {
	case math.IsNaN(want) && got != nil:
		t.Errorf("%s = %v, want null", what, *got)
	case math.IsNaN(want):
	case got == nil:
		t.Errorf("%s = null, want %v", what, want)
	case math.Abs(*got-want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

// agentWant is an agent's figures worked by hand.
type agentWant struct {
	name                         string
	handled, missed, transferred int64
	aht                          float64 // NaN: null
	state, reason                string
	aux                          map[string]float64 // seconds by reason
}

func checkAgent(t *testing.T, r *result, id string, want agentWant) {
	t.Helper()
	a := r.agent(t, id)
	if a.Name != want.name {
		t.Errorf("agent %s is named %q, want %q", id, a.Name, want.name)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"handled", a.Handled, want.handled}, {"missed", a.Missed, want.missed}, {"transferred", a.Transferred, want.transferred}} {
		if c.got != c.want {
			t.Errorf("agent %s %s = %d, want %d", id, c.name, c.got, c.want)
		}
	}
	approx(t, "agent "+id+" aht_s", a.AHTS, want.aht)
	if a.State != want.state || a.Reason != want.reason {
		t.Errorf("agent %s is %s %q, want %s %q", id, a.State, a.Reason, want.state, want.reason)
	}
	if len(a.AuxByReason) != len(want.aux) {
		t.Errorf("agent %s aux_by_reason = %v, want %v", id, a.AuxByReason, want.aux)
	}
	for reason, s := range want.aux {
		if got := a.AuxByReason[reason]; math.Abs(got-s) > 1e-9 {
			t.Errorf("agent %s aux %s = %vs, want %vs", id, reason, got, s)
		}
	}
}

// types lists the events' types, agent states left out, to read a flow.
func types(events []*feed.Event) []string {
	var out []string
	for _, e := range events {
		if e.Type != feed.TypeAgentState {
			out = append(out, e.Type)
		}
	}
	return out
}
