package feed

import (
	"bytes"
	"math"
	"testing"
	"time"
)

// hostile are strings an encoder must escape exactly as encoding/json:
// quotes, backslashes, every control, HTML's specials, the JavaScript line
// separators, bytes that are not UTF-8, and text that needs nothing.
var hostile = []string{
	"", "q", `say "hi"`, `C:\queue\`, "\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f\x7f",
	"<script>&amp;</script>", "line\u2028para\u2029end", "\xff\xfe bad \xc3", "\xed\xa0\x80",
	"Hélène 北京 🎧", "\u009b31m\u202e", "\x1b]52;c;ZXZpbA==\x07",
}

// encodeCases are events of every type, each field set and left empty.
func encodeCases() []*Event {
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 123456789, time.UTC)
	f := func(v float64) *float64 { return &v }
	var evs []*Event
	for i, s := range hostile {
		ts := t0.Add(time.Duration(i) * 7 * time.Hour)
		evs = append(evs,
			&Event{Type: TypeHello, Seq: int64(i), TS: ts, Feed: s, Stream: s},
			&Event{Type: TypeHeartbeat, Seq: int64(i), TS: ts},
			&Event{Type: TypeQueueConfig, Seq: 1, TS: ts, Config: QueueConfig{Queue: s, Name: s, SLThresholdS: 20, SLTarget: 0.8, ShortAbandonS: 5, SLMode: s,
				ChannelGoals: map[string]ChannelGoal{s: {60, 0.7}, "chat": {1e-7, 1}, "email": {14400, 0.9}}}},
			&Event{Type: TypeAgentState, Seq: 2, TS: ts, Agent: s, Name: s, State: s, Reason: s, Skills: []string{s, "q"}, HasSkills: true},
			&Event{Type: TypeOffered, Seq: 3, TS: ts, Call: s, Queue: s, Channel: s, Caller: s},
			&Event{Type: TypeAnswered, Seq: 4, TS: ts, Call: s, Queue: s, Agent: s},
			&Event{Type: TypeMissed, Seq: 5, TS: ts, Call: s, Queue: s, Agent: s},
			&Event{Type: TypeAbandoned, Seq: 6, TS: ts, Call: s, Queue: s, Reason: s},
			&Event{Type: TypeTransferred, Seq: 7, TS: ts, Call: s, Queue: s, Agent: s, To: s},
			&Event{Type: TypeEnded, Seq: 8, TS: ts, Call: s, Agent: s},
			&Event{Type: TypeWrapped, Seq: 9, TS: ts, Call: s, Agent: s},
			&Event{Type: TypeSurvey, Seq: 10, TS: ts, Call: s, Queue: s, Agent: s, CSAT: f(4), NPS: f(0), CES: f(6.5), Comment: s},
			&Event{Type: TypeDrillAction, Seq: 11, TS: ts, Drill: &Drill{ID: s, By: s, Command: s, Result: s, Agent: s, Queues: []string{s},
				Count: -3, For: s, Queue: s, To: s, AfterS: f(math.Copysign(0, -1))}},
			&Event{Type: TypeDrillStarted, Seq: 12, TS: ts, Drill: &Drill{Scenario: s, Seed: -7, Briefing: s}},
			&Event{Type: s, Seq: 13, TS: ts, Call: s, Queue: s, Agent: s, Name: s},
			&Event{Type: TypeSnapshot, Seq: 14, TS: ts, Snapshot: &Snapshot{
				Queues: []QueueConfig{{Queue: s, Name: s, SLMode: s, SLTarget: 1e21}, {ChannelGoals: map[string]ChannelGoal{s: {}}}},
				Agents: []AgentSnap{{Agent: s, Name: s, State: s, Since: ts, Queues: []string{s}, Reason: s, Call: s}, {}},
				Calls: []CallSnap{{Call: s, Queue: s, Offered: ts, Answered: ts, Ended: ts, Agent: s, Channel: s, Caller: s},
					{Channel: ChannelVoice}}}},
		)
	}
	// Empty and default forms: no optional field, nil lists, nil drill.
	return append(evs,
		&Event{Type: TypeAgentState, HasSkills: true},
		&Event{Type: TypeAgentState, Skills: []string{"ignored without HasSkills"}},
		&Event{Type: TypeOffered, Channel: ChannelVoice},
		&Event{Type: TypeAbandoned, Reason: ReasonCaller},
		&Event{Type: TypeSurvey},
		&Event{Type: TypeDrillAction},
		&Event{Type: TypeDrillAction, Drill: &Drill{Queues: []string{}}},
		&Event{Type: TypeDrillStarted},
		&Event{Type: TypeSnapshot},
		&Event{Type: TypeSnapshot, Snapshot: &Snapshot{}},
		&Event{Type: TypeQueueConfig},
	)
}

// odd times: before 1970, the first and last of the years the layout
// writes, beyond them, another zone, a leap day.
var oddTimes = []time.Time{
	{}, time.Unix(-1, 999_999_999), time.Unix(-86400*365, 5e8), time.Unix(0, 0),
	time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, time.UTC),
	time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 3, 29, 2, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
}

func TestEncoderMatchesReflective(t *testing.T) {
	var enc Encoder // one for all, as a producer uses it: dates change line to line
	check := func(ev *Event) {
		t.Helper()
		want := refEncode(ev)
		if got := enc.Append(nil, ev); !bytes.Equal(got, want) {
			t.Errorf("Encoder\n got %s\nwant %s", got, want)
		}
		if got := Encode(ev); !bytes.Equal(got, want) {
			t.Errorf("Encode\n got %s\nwant %s", got, want)
		}
	}
	for _, ev := range encodeCases() {
		check(ev)
	}
	for _, ts := range oddTimes {
		check(&Event{Type: TypeSnapshot, TS: ts, Snapshot: &Snapshot{Agents: []AgentSnap{{Since: ts}}, Calls: []CallSnap{{Offered: ts, Answered: ts.Add(time.Millisecond)}}}})
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1e-6, 9.99e-7, 1e-7, 123e-9, 1e20, 1e21, -1e21, 5e-324, math.MaxFloat64, 0.1 + 0.2, 20, 1234567.875} {
		check(&Event{Type: TypeSurvey, CSAT: &v, NPS: &v, CES: &v})
		check(&Event{Type: TypeQueueConfig, Config: QueueConfig{SLThresholdS: v, SLTarget: -v, ShortAbandonS: v, ChannelGoals: map[string]ChannelGoal{"c": {v, v}}}})
	}
	// Appending keeps what the buffer held.
	if got := string(enc.Append([]byte("x"), &Event{Type: TypeHeartbeat})); got != `x{"type":"heartbeat","seq":0,"ts":"0001-01-01T00:00:00.000Z"}` {
		t.Errorf("append to a buffer: %s", got)
	}
}

func TestEncoderRefusesNaN(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		ev := &Event{Type: TypeSurvey, CSAT: &v}
		var want any
		func() {
			defer func() { want = recover() }()
			refEncode(ev)
		}()
		func() {
			defer func() {
				if got := recover(); got != want {
					t.Errorf("%v: panic %v, want %v", v, got, want)
				}
			}()
			Encode(ev)
		}()
	}
}

func FuzzEncoder(f *testing.F) {
	for i, s := range hostile {
		f.Add(s, "q", int64(i)*1e15, 0.8, int64(i))
	}
	f.Fuzz(func(t *testing.T, s, s2 string, nanos int64, v float64, seq int64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		ts := time.Unix(0, nanos)
		var enc Encoder
		for _, ev := range encodeCases() {
			ev.Seq, ev.TS = seq, ts
			ev.Call, ev.Agent, ev.Queue, ev.Caller, ev.Name, ev.Reason = s, s2, s, s2, s, s2
			if ev.Type == TypeSurvey {
				ev.CSAT, ev.Comment = &v, s
			}
			if ev.Type == TypeQueueConfig {
				ev.Config.SLTarget, ev.Config.ChannelGoals = v, map[string]ChannelGoal{s: {v, v}, s2: {}}
			}
			if got, want := enc.Append(nil, ev), refEncode(ev); !bytes.Equal(got, want) {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		}
	})
}

// BenchmarkEncoder: a simulated floor's mix of lines, one reused buffer.
func BenchmarkEncoder(b *testing.B) {
	evs := benchMix()
	var enc Encoder
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = enc.Append(buf[:0], evs[i%len(evs)])
	}
}

// BenchmarkEncoderReflective: the same with the encoder it replaced.
func BenchmarkEncoderReflective(b *testing.B) {
	evs := benchMix()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		refEncode(evs[i%len(evs)])
	}
}

// benchMix is one call's lines on the issue-16 floor, a survey included.
func benchMix() []*Event {
	t0 := time.Date(2026, 11, 23, 9, 41, 7, 132e6, time.UTC)
	five := 5.0
	return []*Event{
		{Type: TypeOffered, Seq: 1002, TS: t0, Call: "c17388", Queue: "q", Caller: "+1 555 039 2268"},
		{Type: TypeAnswered, Seq: 1003, TS: t0, Call: "c17388", Queue: "q", Agent: "a0294"},
		{Type: TypeAgentState, Seq: 1004, TS: t0, Agent: "a0294", State: StateOnCall},
		{Type: TypeEnded, Seq: 1005, TS: t0.Add(301 * time.Second), Call: "c17388", Agent: "a0294"},
		{Type: TypeWrapped, Seq: 1006, TS: t0.Add(301 * time.Second), Call: "c17388", Agent: "a0294"},
		{Type: TypeAgentState, Seq: 1007, TS: t0.Add(301 * time.Second), Agent: "a0294", State: StateAvailable},
		{Type: TypeSurvey, Seq: 1008, TS: t0.Add(340 * time.Second), Call: "c17388", Queue: "q", Agent: "a0294", CSAT: &five, NPS: &five, CES: &five},
	}
}
