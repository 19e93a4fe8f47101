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
	"github.com/floorwatch/floorwatch/source/sourcetest"
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

func (r *result) queue(t *testing.T, id string) floor.QueueReport {
	t.Helper()
	return sourcetest.Queue(t, r.report, id)
}

func (r *result) agent(t *testing.T, id string) floor.AgentReport {
	t.Helper()
	return sourcetest.Agent(t, r.report, id)
}

var fold = sourcetest.Fold

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
