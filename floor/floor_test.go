package floor

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// script feeds a Floor hand-written events, numbering seq itself.
type script struct {
	t    *testing.T
	f    *Floor
	seq  int64
	mode Mode
}

func newScript(t *testing.T, opts Options) *script {
	return &script{t: t, f: New(opts)}
}

// at sends an event at t0+sec with the given field/value pairs.
func (s *script) at(sec float64, typ string, kv ...any) Outcome {
	s.t.Helper()
	s.seq++
	return s.line(s.seq, sec, typ, kv...)
}

func (s *script) line(seq int64, sec float64, typ string, kv ...any) Outcome {
	s.t.Helper()
	m := map[string]any{"type": typ, "seq": seq, "ts": ts(sec)}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.f.IngestLine(b, s.mode)
}

// must sends an event that has to apply.
func (s *script) must(sec float64, typ string, kv ...any) {
	s.t.Helper()
	if o := s.at(sec, typ, kv...); o != Applied {
		s.t.Fatalf("%s at +%vs: %v (%s)", typ, sec, o, s.f.stats.LastError)
	}
}

func ts(sec float64) string {
	return t0.Add(time.Duration(sec * float64(time.Second))).Format("2006-01-02T15:04:05.000Z")
}

func approx(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = null, want %v", what, want)
		return
	}
	if math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

func isNull(t *testing.T, what string, got *float64) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want null", what, *got)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func queueOf(t *testing.T, r *Report, id string) QueueReport {
	t.Helper()
	for _, q := range r.Queues {
		if q.Queue == id {
			return q
		}
	}
	t.Fatalf("no queue %q in report", id)
	return QueueReport{}
}

func agentOf(t *testing.T, r *Report, id string) AgentReport {
	t.Helper()
	for _, a := range r.Agents {
		if a.Agent == id {
			return a
		}
	}
	t.Fatalf("no agent %q in report", id)
	return AgentReport{}
}

// basicFloor is a small floor whose figures are worked out by hand below.
func basicFloor(t *testing.T, mode string) *script {
	s := newScript(t, Options{})
	s.must(0, "queue.config", "queue", "q1", "name", "Support", "sl_threshold_s", 20, "sl_target", 0.8, "short_abandon_s", 5, "sl_mode", mode)
	s.must(0, "agent.state", "agent", "a1", "name", "Ann", "state", "available", "queues", []string{"q1"})
	s.must(0, "agent.state", "agent", "a2", "name", "Bob", "state", "available", "queues", []string{"q1"})
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(0, "call.offered", "call", "c2", "queue", "q1")
	s.must(5, "call.offered", "call", "c3", "queue", "q1")
	s.must(5, "call.offered", "call", "c4", "queue", "q1")
	s.must(8, "call.abandoned", "call", "c3", "queue", "q1")                // wait 3: short
	s.must(10, "call.answered", "call", "c1", "queue", "q1", "agent", "a1") // wait 10: within
	s.must(10, "agent.state", "agent", "a1", "state", "on_call")
	s.must(30, "call.answered", "call", "c2", "queue", "q1", "agent", "a2") // wait 30: late
	s.must(30, "agent.state", "agent", "a2", "state", "on_call")
	s.must(45, "call.abandoned", "call", "c4", "queue", "q1") // wait 40
	s.must(150, "call.ended", "call", "c2", "agent", "a2")
	s.must(150, "call.wrapped", "call", "c2", "agent", "a2") // handle 120
	s.must(150, "agent.state", "agent", "a2", "state", "available")
	s.must(180, "agent.state", "agent", "a2", "state", "aux", "reason", "break")
	s.must(190, "call.ended", "call", "c1", "agent", "a1")
	s.must(190, "agent.state", "agent", "a1", "state", "wrap_up")
	s.must(220, "call.wrapped", "call", "c1", "agent", "a1") // handle 210
	s.must(220, "agent.state", "agent", "a1", "state", "available")
	s.must(230, "survey.submitted", "call", "c1", "agent", "a1", "queue", "q1", "csat", 5, "nps", 10, "ces", 2)
	s.must(240, "survey.submitted", "call", "c2", "agent", "a2", "queue", "q1", "csat", 2, "nps", 3, "comment", "too slow")
	s.must(270, "call.offered", "call", "c5", "queue", "q1")
	if o := s.at(300, "heartbeat"); o != Control {
		t.Fatalf("heartbeat: %v", o)
	}
	return s
}

func TestBasicFloorExcludeShort(t *testing.T) {
	s := basicFloor(t, "exclude_short")
	r := s.f.Report(All)
	q := queueOf(t, r, "q1")
	// offered c1..c5 = 5; answered c1, c2; within: c1 only; abandoned c3 (short), c4.
	eq(t, "offered", q.Offered, 5)
	eq(t, "answered", q.Answered, 2)
	eq(t, "answered_within", q.AnsweredWithin, 1)
	eq(t, "abandoned", q.Abandoned, 2)
	eq(t, "short_abandoned", q.ShortAbandoned, 1)
	// exclude_short: 1 / (2 + 2 - 1)
	approx(t, "service_level", q.ServiceLevel, 1.0/3)
	approx(t, "asa_s", q.ASAS, (10+30)/2.0)
	approx(t, "aht_s", q.AHTS, (210+120)/2.0)
	// (2 - 1) / (5 - 1)
	approx(t, "abandon_rate", q.AbandonRate, 0.25)
	eq(t, "waiting", q.Waiting, 1)
	approx(t, "longest_wait_s", q.LongestWaitS, 30) // c5 since 270, now 300
	// a1 available, a2 aux at now
	eq(t, "staffed", q.Staffed, 2)
	eq(t, "available", q.Available, 1)
	eq(t, "aux", q.Aux, 1)
	eq(t, "on_call", q.OnCall, 0)
	// a1: available 10+80, busy 180+30; a2: available 30+30, busy 120, aux 120.
	// (210 + 120) / ((90 + 210) + (60 + 120))
	approx(t, "occupancy", q.Occupancy, 330.0/480)
	approx(t, "csat", q.CSAT, 3.5)
	approx(t, "nps", q.NPS, 0) // one promoter, one detractor
	approx(t, "ces", q.CES, 2)
	eq(t, "now", r.Now.Time, t0.Add(300*time.Second))

	a1 := agentOf(t, r, "a1")
	eq(t, "a1 handled", a1.Handled, 1)
	approx(t, "a1 aht", a1.AHTS, 210)
	approx(t, "a1 occupancy", a1.Occupancy, 210.0/300)
	approx(t, "a1 csat", a1.CSAT, 5)
	eq(t, "a1 state_s", a1.StateS, 80)
	a2 := agentOf(t, r, "a2")
	eq(t, "a2 state", a2.State, "aux")
	eq(t, "a2 aux_s", a2.AuxS, 120)
	eq(t, "a2 aux break", a2.AuxByReason["break"], 120)
	approx(t, "a2 occupancy", a2.Occupancy, 120.0/180)

	eq(t, "events", r.Feed.Events, 24)
	eq(t, "bad", r.Feed.BadLines, 0)
	// Floor = the one queue.
	approx(t, "floor service_level", r.Floor.ServiceLevel, 1.0/3)
	// Recovery: c4 abandoned after 40 s (> 20 s goal), c2's survey scored 2.
	if len(r.Recovery) != 2 || r.Recovery[0].Call != "c2" || r.Recovery[1].Call != "c4" {
		t.Errorf("recovery = %+v, want c2's survey then c4's abandon", r.Recovery)
	}
}

func TestServiceLevelModes(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want float64
	}{
		{"exclude_short", 1.0 / 3},       // 1 / (2 + 2 - 1)
		{"answered_only", 1.0 / 2},       // 1 / 2
		{"abandons_in_sl_good", 2.0 / 4}, // (1 within + c3 abandoned within 20 s) / (2 + 2)
	} {
		t.Run(tc.mode, func(t *testing.T) {
			r := basicFloor(t, tc.mode).f.Report(All)
			approx(t, "service_level", queueOf(t, r, "q1").ServiceLevel, tc.want)
		})
	}
}

func TestFloorSumsQueuesNotAveragesPercentages(t *testing.T) {
	s := basicFloor(t, "exclude_short")
	s.must(300, "queue.config", "queue", "q2", "sl_threshold_s", 30, "sl_mode", "answered_only", "sl_target", 0.9)
	s.must(300, "agent.state", "agent", "a3", "state", "available", "queues", []string{"q2", "q1"})
	s.must(300, "call.offered", "call", "c6", "queue", "q2")
	s.must(325, "call.answered", "call", "c6", "queue", "q2", "agent", "a3") // wait 25 <= 30
	r := s.f.Report(All)
	approx(t, "q2 service_level", queueOf(t, r, "q2").ServiceLevel, 1)
	// (1 + 1) / (3 + 1), not the mean of 33% and 100%.
	approx(t, "floor service_level", r.Floor.ServiceLevel, 0.5)
	eq(t, "floor offered", r.Floor.Offered, 6)
	// ASA: (10 + 30 + 25) / 3
	approx(t, "floor asa", r.Floor.ASAS, 65.0/3)
	// abandon rate: (2 - 1) / (6 - 1)
	approx(t, "floor abandon_rate", r.Floor.AbandonRate, 0.2)
	// the SL goal weights each queue's target by its SL denominator: (0.8*3 + 0.9*1) / 4
	approx(t, "floor sl_target", &r.Floor.SLTarget, (0.8*3+0.9*1)/4)
	// a3 counts once on the floor, in both of its queues.
	eq(t, "floor staffed", r.Floor.Staffed, 3)
	eq(t, "q1 staffed", queueOf(t, r, "q1").Staffed, 3)
	eq(t, "q2 staffed", queueOf(t, r, "q2").Staffed, 1)
}

func TestNullRatios(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "queue.config", "queue", "q1")
	r := s.f.Report(All)
	q := queueOf(t, r, "q1")
	for name, v := range map[string]*float64{"service_level": q.ServiceLevel, "asa": q.ASAS, "aht": q.AHTS,
		"abandon_rate": q.AbandonRate, "longest_wait": q.LongestWaitS, "occupancy": q.Occupancy,
		"csat": q.CSAT, "nps": q.NPS, "ces": q.CES} {
		isNull(t, name, v)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "NaN") || !strings.Contains(string(b), `"service_level":null`) {
		t.Errorf("JSON does not write missing ratios as null: %s", b)
	}
	// Defaults for a queue configured with nothing.
	eq(t, "threshold", q.SLThresholdS, 20)
	eq(t, "target", q.SLTarget, 0.8)
	eq(t, "mode", q.SLMode, "exclude_short")
}

func TestTransferAndMiss(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "c7", "queue", "q1") // q1 made by the call, with defaults
	s.must(3, "call.missed", "call", "c7", "queue", "q1", "agent", "a9")
	s.must(5, "call.answered", "call", "c7", "queue", "q1", "agent", "a1")
	s.must(65, "call.transferred", "call", "c7", "agent", "a1", "queue", "q2")
	s.must(75, "call.answered", "call", "c7", "queue", "q2", "agent", "a3") // waited 10 s in q2
	s.must(135, "call.ended", "call", "c7", "agent", "a3")
	s.must(145, "call.wrapped", "call", "c7", "agent", "a3")
	r := s.f.Report(All)
	q1, q2 := queueOf(t, r, "q1"), queueOf(t, r, "q2")
	eq(t, "q1 offered", q1.Offered, 1)
	eq(t, "q1 answered", q1.Answered, 1)
	isNull(t, "q1 aht (a transfer has no AHT sample)", q1.AHTS)
	eq(t, "q2 offered (the transfer is a new offer)", q2.Offered, 1)
	approx(t, "q2 asa (timed from the transfer)", q2.ASAS, 10)
	approx(t, "q2 aht", q2.AHTS, 70)
	a1, a3, a9 := agentOf(t, r, "a1"), agentOf(t, r, "a3"), agentOf(t, r, "a9")
	eq(t, "a1 handled", a1.Handled, 1)
	eq(t, "a1 transferred", a1.Transferred, 1)
	isNull(t, "a1 aht", a1.AHTS)
	eq(t, "a3 handled", a3.Handled, 1)
	approx(t, "a3 aht", a3.AHTS, 70)
	eq(t, "a9 missed", a9.Missed, 1)
	eq(t, "a9 state (created by a call event: offline)", a9.State, "offline")
	s.must(200, "agent.state", "agent", "a9", "state", "offline")
	eq(t, "a9 offline since its first agent.state", agentOf(t, s.f.Report(All), "a9").StateS, 0)
	s.at(260, "heartbeat")
	eq(t, "a9 offline for 60 s", agentOf(t, s.f.Report(All), "a9").StateS, 60)
	eq(t, "floor offered", r.Floor.Offered, 2)
}

func TestContradictionsAreBadAndChangeNothing(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	for _, tc := range []struct {
		typ string
		kv  []any
	}{
		{"call.offered", []any{"call", "c1", "queue", "q1"}},                    // already waiting
		{"call.answered", []any{"call", "c1", "queue", "q2", "agent", "a1"}},    // waiting elsewhere
		{"call.answered", []any{"call", "zz", "queue", "q1", "agent", "a1"}},    // no such call
		{"call.abandoned", []any{"call", "zz", "queue", "q1"}},                  // no such call
		{"call.ended", []any{"call", "c1", "agent", "a1"}},                      // not talking
		{"call.transferred", []any{"call", "c1", "agent", "a1", "queue", "q2"}}, // not talking
		{"call.wrapped", []any{"call", "c1", "agent", "a1"}},                    // not in wrap-up
		{"survey.submitted", []any{"call", "c1", "agent", "a1", "queue", "q1"}}, // no score
		{"survey.submitted", []any{"call", "c1", "agent", "a1", "queue", "q1", "csat", 6}},
		{"survey.submitted", []any{"call", "c1", "agent", "a1", "queue", "q1", "nps", "9"}},
		{"queue.config", []any{"queue", "q1", "sl_target", 1.5}},
		{"queue.config", []any{"queue", "q1", "sl_mode", "best"}},
		{"agent.state", []any{"agent", "a1", "state", "asleep"}},
		{"call.answered", []any{"call", "c1", "queue", "q1"}}, // no agent
	} {
		if o := s.at(1, tc.typ, tc.kv...); o != Bad {
			t.Errorf("%s %v: %v, want bad", tc.typ, tc.kv, o)
		}
	}
	s.must(2, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	if o := s.at(3, "call.ended", "call", "c1", "agent", "a2"); o != Bad {
		t.Errorf("ending another agent's call: %v, want bad", o)
	}
	r := s.f.Report(All)
	eq(t, "bad_lines", r.Feed.BadLines, 15)
	eq(t, "events", r.Feed.Events, 2)
	q := queueOf(t, r, "q1")
	eq(t, "offered", q.Offered, 1)
	eq(t, "answered", q.Answered, 1)
	if len(r.Queues) != 1 {
		t.Errorf("bad lines created queues: %+v", r.Queues)
	}
	if _, ok := s.f.agents["a2"]; ok {
		t.Error("a bad line created agent a2")
	}
	// The bad lines carried seq 2..16: the next good line is no gap.
	eq(t, "gaps", r.Feed.Gaps, 0)
	eq(t, "last error names the line", strings.HasPrefix(r.Feed.LastError, "line 17: agent:"), true)
}

func TestSeqBookkeeping(t *testing.T) {
	s := newScript(t, Options{})
	put := func(line string) Outcome { return s.f.IngestLine([]byte(line), Recording) }
	eq(t, "first seq 5 is no gap", put(`{"type":"call.offered","seq":5,"ts":"2026-11-23T08:00:00.000Z","call":"c1","queue":"q"}`), Applied)
	eq(t, "duplicate", put(`{"type":"call.offered","seq":5,"ts":"2026-11-23T08:00:00.000Z","call":"c2","queue":"q"}`), Duplicate)
	eq(t, "older duplicate, even bad", put(`{"type":"nonsense","seq":3,"ts":"x"}`), Duplicate)
	eq(t, "float seq is bad", put(`{"type":"call.offered","seq":6.0,"ts":"2026-11-23T08:00:01.000Z","call":"c2","queue":"q"}`), Bad)
	eq(t, "string seq is bad", put(`{"type":"call.offered","seq":"6","ts":"2026-11-23T08:00:01.000Z","call":"c2","queue":"q"}`), Bad)
	eq(t, "unknown type", put(`{"type":"call.recorded","seq":6,"ts":"2026-11-23T08:00:01.000Z"}`), Unknown)
	eq(t, "bad ts still counts its seq", put(`{"type":"call.offered","seq":7,"ts":"yesterday","call":"c2","queue":"q"}`), Bad)
	eq(t, "no gap after bad 7", put(`{"type":"call.offered","seq":8,"ts":"2026-11-23T08:00:02.000Z","call":"c3","queue":"q"}`), Applied)
	eq(t, "jump of 3 in a recording applies", put(`{"type":"call.offered","seq":12,"ts":"2026-11-23T08:00:03.000Z","call":"c4","queue":"q"}`), Applied)
	eq(t, "heartbeat", put(`{"type":"heartbeat","seq":40,"ts":"2026-11-23T08:10:00.000Z"}`), Control)
	eq(t, "heartbeat ahead is not a gap by itself", s.f.stats.Gaps, int64(1))
	eq(t, "not an object", put(`[1,2]`), Bad)
	eq(t, "not JSON", put(`{"type":`), Bad)
	eq(t, "no type", put(`{"seq":13,"ts":"2026-11-23T08:00:03.000Z"}`), Bad)
	eq(t, "jump after missing type", put(`{"type":"call.offered","seq":15,"ts":"2026-11-23T08:00:03.000Z","call":"c5","queue":"q"}`), Applied)
	st := s.f.Stats()
	eq(t, "events", st.Events, 4)
	eq(t, "duplicates", st.Duplicates, 2)
	eq(t, "unknown", st.Unknown, 1)
	eq(t, "bad", st.BadLines, 6)
	eq(t, "gaps", st.Gaps, 2) // 8 -> 12, 13 -> 15
	eq(t, "last seq", st.LastSeq, 15)
	eq(t, "clock moved by the heartbeat", s.f.Now(), t0.Add(10*time.Minute))
}

func TestLiveGapIsNotAppliedAndResumes(t *testing.T) {
	s := newScript(t, Options{})
	s.mode = Live
	put := func(line string) Outcome { return s.f.IngestLine([]byte(line), Live) }
	put(`{"type":"hello","v":1,"feed":"f","stream":"s1","seq":3,"ts":"2026-11-23T08:00:00.000Z"}`)
	eq(t, "1", put(`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c1","queue":"q"}`), Applied)
	eq(t, "jump", put(`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c3","queue":"q"}`), Gap)
	stream, since, ok := s.f.Resume()
	if stream != "s1" || since != 1 || !ok {
		t.Fatalf("resume = %q %d %v, want s1 1 true", stream, since, ok)
	}
	// The resumed feed fills the hole.
	put(`{"type":"hello","v":1,"feed":"f","stream":"s1","seq":3,"ts":"2026-11-23T08:00:00.000Z"}`)
	eq(t, "2", put(`{"type":"call.offered","seq":2,"ts":"2026-11-23T08:00:00.000Z","call":"c2","queue":"q"}`), Applied)
	eq(t, "3", put(`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c3","queue":"q"}`), Applied)
	eq(t, "caught up", s.f.CaughtUp(), true)
	st := s.f.Stats()
	eq(t, "events", st.Events, 3)
	eq(t, "gaps", st.Gaps, 1)
	// A feed with a real hole: the same jump again after resuming is applied.
	eq(t, "jump", put(`{"type":"call.offered","seq":9,"ts":"2026-11-23T08:00:00.000Z","call":"c9","queue":"q"}`), Gap)
	eq(t, "same jump", put(`{"type":"call.offered","seq":9,"ts":"2026-11-23T08:00:00.000Z","call":"c9","queue":"q"}`), Applied)
	eq(t, "gaps", s.f.Stats().Gaps, 2)
	// A new stream starts a new sequence.
	put(`{"type":"hello","v":1,"feed":"f","stream":"s2","seq":0,"ts":"2026-11-23T08:00:00.000Z"}`)
	eq(t, "new stream seq 1", put(`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c10","queue":"q"}`), Applied)
	eq(t, "gaps", s.f.Stats().Gaps, 2)
}

func TestSnapshotMidShift(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "old", "queue", "q1") // counted: offered 1
	snap := `{"type":"snapshot","seq":50,"ts":"2026-11-23T09:00:00.000Z",
	 "queues":[{"queue":"q1","name":"Sales","sl_threshold_s":30,"sl_target":0.9,"short_abandon_s":5,"sl_mode":"answered_only"}],
	 "agents":[{"agent":"a1","name":"Ann","state":"on_call","since":"2026-11-23T08:59:00.000Z","queues":["q1"],"call":"t1"},
	           {"agent":"a2","state":"available","since":"2026-11-23T08:30:00.000Z","queues":["q1"]}],
	 "calls":[{"call":"w1","queue":"q1","offered":"2026-11-23T08:59:40.000Z","answered":null,"ended":null},
	          {"call":"t1","queue":"q1","offered":"2026-11-23T08:58:50.000Z","answered":"2026-11-23T08:59:00.000Z","agent":"a1"}]}`
	if o := s.f.IngestLine([]byte(strings.ReplaceAll(snap, "\n", "")), Recording); o != Applied {
		t.Fatalf("snapshot: %v %s", o, s.f.stats.LastError)
	}
	s.seq = 50
	// w1 waited from 08:59:40 to 09:00:10: 30 s, within the snapshot's 30 s goal.
	s.must(3610, "call.answered", "call", "w1", "queue", "q1", "agent", "a2")
	// t1 was answered at 08:59:00 before the snapshot: its AHT counts from then.
	s.must(3660, "call.ended", "call", "t1", "agent", "a1")
	s.must(3670, "call.wrapped", "call", "t1", "agent", "a1") // 09:01:10 - 08:59:00 = 130 s
	r := s.f.Report(All)
	q := queueOf(t, r, "q1")
	eq(t, "name", q.Name, "Sales")
	eq(t, "offered (snapshot calls are not offers)", q.Offered, 1)
	eq(t, "answered", q.Answered, 1)
	approx(t, "asa", q.ASAS, 30)
	approx(t, "sl (answered_only)", q.ServiceLevel, 1)
	approx(t, "aht", q.AHTS, 130)
	eq(t, "waiting (the old call is gone)", q.Waiting, 0)
	eq(t, "a2 state_s counts from since", agentOf(t, r, "a2").StateS, 3670-1800)
	eq(t, "snapshot is an event", r.Feed.Events, 5)
}

func TestRollingWindowAndToday(t *testing.T) {
	s := newScript(t, Options{DayStartHour: 9})
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", []string{"q1"})
	// Offers at 08:00, 08:40, 09:10 and 09:50; the last is answered at 09:50:10.
	for i, sec := range []float64{0, 2400, 4200, 6600} {
		s.must(sec, "call.offered", "call", "c"+string(rune('0'+i)), "queue", "q1")
	}
	s.must(6610, "call.answered", "call", "c3", "queue", "q1", "agent", "a1")
	s.must(6610, "agent.state", "agent", "a1", "state", "on_call")
	s.at(7200, "heartbeat") // now 10:00
	all := s.f.Report(All)
	eq(t, "all offered", queueOf(t, all, "q1").Offered, 4)
	w30 := s.f.Report(Rolling(30 * time.Minute))
	eq(t, "30m offered (09:50 only)", queueOf(t, w30, "q1").Offered, 1)
	eq(t, "30m answered", queueOf(t, w30, "q1").Answered, 1)
	// In the last 30 min a1 was available 20m10s - 30m ... : 09:30-09:50:10 available, then on call.
	approx(t, "30m occupancy", agentOf(t, w30, "a1").Occupancy, 590.0/1800)
	w60 := s.f.Report(Rolling(time.Hour))
	eq(t, "60m offered (09:10, 09:50)", queueOf(t, w60, "q1").Offered, 2)
	today := s.f.Report(Today) // the day starts at 09:00
	eq(t, "today offered", queueOf(t, today, "q1").Offered, 2)
	// today: available 09:00-09:50:10 (3010 s), on call 590 s
	approx(t, "today occupancy", agentOf(t, today, "a1").Occupancy, 590.0/3600)
	// all: available 08:00-09:50:10 (6610 s), on call 590 s
	approx(t, "all occupancy", agentOf(t, all, "a1").Occupancy, 590.0/7200)
	eq(t, "window name", w30.Window, "30m")
	// Arrivals over the last 30 minutes: one call = 2 an hour.
	eq(t, "arrivals per hour", queueOf(t, all, "q1").ArrivalsPerHour, 2.0)
}

func TestGoalsOverrideAndFlags(t *testing.T) {
	g, err := ParseGoals([]byte(`
queues:
  q1: {sl_threshold_s: 40}
team: {aht_s: 200, csat: 4, missed: 0}
agents:
  a2: {aht_s: 100}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := newScript(t, Options{Goals: g})
	s.mode = Recording
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(30, "call.answered", "call", "c1", "queue", "q1", "agent", "a1") // 30 s: late by the feed, within by the file
	s.must(180, "call.ended", "call", "c1", "agent", "a1")
	s.must(180, "call.wrapped", "call", "c1", "agent", "a1") // AHT 150
	s.must(181, "survey.submitted", "call", "c1", "agent", "a1", "queue", "q1", "csat", 3)
	s.must(190, "call.offered", "call", "c2", "queue", "q1")
	s.must(191, "call.answered", "call", "c2", "queue", "q1", "agent", "a2")
	s.must(341, "call.ended", "call", "c2", "agent", "a2")
	s.must(341, "call.wrapped", "call", "c2", "agent", "a2") // AHT 150
	r := s.f.Report(All)
	approx(t, "sl with the file's 40 s threshold", queueOf(t, r, "q1").ServiceLevel, 1)
	eq(t, "threshold shown", queueOf(t, r, "q1").SLThresholdS, 40)
	eq(t, "a1 flags", strings.Join(agentOf(t, r, "a1").Flags, ","), "csat")
	eq(t, "a2 flags (own AHT goal 100)", strings.Join(agentOf(t, r, "a2").Flags, ","), "aht")

	for _, bad := range []string{"team: {csat: 9}", "queues: {q: {sl_mode: x}}", "colour: red", "day: {time_zone: Mars/Base}"} {
		if _, err := ParseGoals([]byte(bad)); err == nil {
			t.Errorf("goals %q: no error", bad)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := basicFloor(t, "exclude_short")
	snap := s.f.Snapshot()
	fresh := New(Options{})
	// A second floor fed only the snapshot sees the same live state.
	b, _ := json.Marshal(map[string]any{"type": "snapshot", "seq": 1, "ts": ts(300), "queues": snap.Queues, "agents": snap.Agents, "calls": snap.Calls})
	if o := fresh.IngestLine(b, Recording); o != Applied {
		t.Fatalf("snapshot: %v %s", o, fresh.stats.LastError)
	}
	a, b2 := s.f.Report(All), fresh.Report(All)
	eq(t, "waiting", b2.Floor.Waiting, a.Floor.Waiting)
	eq(t, "staffed", b2.Floor.Staffed, a.Floor.Staffed)
	eq(t, "aux", b2.Floor.Aux, a.Floor.Aux)
	approx(t, "longest wait", b2.Floor.LongestWaitS, *a.Floor.LongestWaitS)
}

// A live feed whose one unreadable line took a seq: resuming would only
// bring the same line back, to be counted bad again and again. The next
// line fills the hole by one, so it applies, and the figures are those of
// the same lines read from a recording: one bad line, one gap.
func TestLiveUnreadableLineIsCountedOnce(t *testing.T) {
	lines := []string{
		`{"type":"hello","v":1,"feed":"f","stream":"s1","seq":4,"ts":"2026-11-23T08:00:00.000Z"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c1","queue":"q"}`,
		`{"type":"call.offered","seq":2,"ts":"2026-11-23T08:00:00.000Z","call":"c2","queue":"q"}` + "\x00junk",
		`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:01.000Z","call":"c3","queue":"q"}`,
		`not even JSON`,
		`{"type":"call.offered","seq":7,"ts":"2026-11-23T08:00:02.000Z","call":"c7","queue":"q"}`,
	}
	want := []Outcome{Control, Applied, Bad, Applied, Bad, Gap}
	for _, mode := range []Mode{Live, Recording} {
		f := New(Options{})
		for i, l := range lines {
			o := f.IngestLine([]byte(l), mode)
			if mode == Recording && i == 5 {
				continue // a recording applies the line after any jump
			}
			eq(t, fmt.Sprintf("%v line %d", mode, i), o, want[i])
		}
		st := f.Stats()
		eq(t, fmt.Sprintf("%v bad", mode), st.BadLines, 2)
		// 1 -> 3 fills the unreadable 2's place; 3 -> 7 jumps over three.
		eq(t, fmt.Sprintf("%v gaps", mode), st.Gaps, 2)
		eq(t, fmt.Sprintf("%v events", mode), st.Events, map[Mode]int64{Live: 2, Recording: 3}[mode])
	}
}
