package simulator

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// record runs a scenario to its end and returns the recording, seq 1, 2, ...
func record(t testing.TB, sc *Scenario, opt Options) ([]byte, *Sim) {
	t.Helper()
	s := New(sc, opt)
	var buf bytes.Buffer
	var seq int64
	for s.Step() {
		for _, ev := range s.Events() {
			seq++
			ev.Seq = seq
			buf.Write(feed.Encode(ev))
			buf.WriteByte('\n')
		}
		s.Recycle()
	}
	return buf.Bytes(), s
}

func bundledScenario(t testing.TB, name string) *Scenario {
	t.Helper()
	sc, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := record(t, bundledScenario(t, "steady-day"), Options{Duration: 3 * time.Hour})
	b, _ := record(t, bundledScenario(t, "steady-day"), Options{Duration: 3 * time.Hour})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed and scenario gave different recordings")
	}
	seed := int64(99)
	c, _ := record(t, bundledScenario(t, "steady-day"), Options{Duration: 3 * time.Hour, Seed: &seed})
	if bytes.Equal(a, c) {
		t.Fatal("a different seed gave the same recording")
	}
}

// TestFoldsToCounters: every bundled scenario (breaks, lunches, misses,
// transfers, wrap-up, surveys, drills) folds with the floor package to
// exactly the simulator's own counts, with no bad line.
func TestFoldsToCounters(t *testing.T) {
	t.Parallel()
	for _, b := range Bundled() {
		t.Run(b.Name, func(t *testing.T) {
			rec, s := record(t, b.Scenario, Options{})
			f := floor.New(floor.Options{})
			for _, line := range bytes.Split(bytes.TrimSuffix(rec, []byte("\n")), []byte("\n")) {
				if out := f.IngestLine(line, floor.Recording); out != floor.Applied {
					t.Fatalf("line %s: %v", line, out)
				}
			}
			rep := f.Report(floor.All)
			if rep.Feed.BadLines != 0 || rep.Feed.Events == 0 {
				t.Fatalf("feed stats %+v", rep.Feed)
			}
			var total Counters
			for _, c := range s.Counters() {
				total = total.Add(c)
				compare(t, c.Queue, c, rep.Queues[indexOf(t, rep, c.Queue)].Metrics)
			}
			compare(t, "floor", total, rep.Floor)
			var missed, transferred int64
			for _, a := range rep.Agents {
				missed += a.Missed
				transferred += a.Transferred
			}
			if missed != total.Missed || transferred != total.Transferred {
				t.Errorf("missed %d transferred %d in the fold, %d and %d in the simulator", missed, transferred, total.Missed, total.Transferred)
			}
			if rep.Floor.Waiting != 0 || rep.Floor.OnCall != 0 || rep.Floor.WrapUp != 0 {
				t.Errorf("calls left on the floor after the play-out: %+v", rep.Floor)
			}
		})
	}
}

func indexOf(t *testing.T, rep *floor.Report, id string) int {
	for i, q := range rep.Queues {
		if q.Queue == id {
			return i
		}
	}
	t.Fatalf("queue %s not in the fold", id)
	return -1
}

func compare(t *testing.T, what string, c Counters, m floor.Metrics) {
	t.Helper()
	ints := []struct {
		name      string
		sim, fold int64
	}{
		{"offered", c.Offered, m.Offered}, {"answered", c.Answered, m.Answered},
		{"abandoned", c.Abandoned, m.Abandoned}, {"short abandoned", c.ShortAbandoned, m.ShortAbandoned},
		{"answered within", c.AnsweredWithin, m.AnsweredWithin}, {"surveys", c.Surveys, m.Surveys},
	}
	for _, x := range ints {
		if x.sim != x.fold {
			t.Errorf("%s %s: simulator %d, fold %d", what, x.name, x.sim, x.fold)
		}
	}
	floats := []struct {
		name string
		sim  func() (float64, bool)
		fold *float64
	}{
		{"service level", c.ServiceLevel, m.ServiceLevel}, {"ASA", c.ASA, m.ASAS},
		{"AHT", c.AHT, m.AHTS}, {"abandon rate", c.AbandonRate, m.AbandonRate},
	}
	for _, x := range floats {
		v, ok := x.sim()
		if ok != (x.fold != nil) || (ok && math.Abs(v-*x.fold) > 1e-9*math.Max(1, v)) {
			t.Errorf("%s %s: simulator %v (%v), fold %v", what, x.name, v, ok, x.fold)
		}
	}
}

// TestAgentStatesFollowCalls: clients know agents only from agent.state,
// so after every instant an agent talking has state on_call, one in
// wrap-up wrap_up, and one with no call neither; an answered call goes to
// an agent who was available; timestamps never go backwards.
func TestAgentStatesFollowCalls(t *testing.T) {
	for _, name := range []string{"steady-day", "outage-recovery", "monday-surge"} {
		lines, _ := play(t, bundledScenario(t, name), Options{})
		agentStatesFollowCalls(t, name, decode(t, lines))
	}
}

func agentStatesFollowCalls(t *testing.T, name string, evs []feed.Event) {
	t.Helper()
	state := map[string]string{}
	work := map[string]string{} // agent → "talk" or "wrap"
	for i, ev := range evs {
		if i > 0 && ev.TS.Before(evs[i-1].TS) {
			t.Fatalf("%s: ts went back from %v to %v", name, evs[i-1].TS, ev.TS)
		}
		switch ev.Type {
		case feed.TypeAgentState:
			state[ev.Agent] = ev.State
		case feed.TypeAnswered:
			if state[ev.Agent] != feed.StateAvailable {
				t.Fatalf("%s: %s answered %s while %s", name, ev.Agent, ev.Call, state[ev.Agent])
			}
			work[ev.Agent] = "talk"
		case feed.TypeEnded:
			work[ev.Agent] = "wrap"
		case feed.TypeWrapped, feed.TypeTransferred:
			delete(work, ev.Agent)
		}
		if i+1 < len(evs) && evs[i+1].TS.Equal(ev.TS) {
			continue // the instant is not over
		}
		for a, st := range state {
			want := map[string]string{"talk": feed.StateOnCall, "wrap": feed.StateWrapUp}[work[a]]
			if want != "" && st != want || want == "" && (st == feed.StateOnCall || st == feed.StateWrapUp) {
				t.Fatalf("%s at %v: agent %s is %q on the feed but %q in fact", name, ev.TS, a, st, work[a])
			}
		}
	}
}

// TestMinimalExample: the contract's minimal example loads as written and
// has no breaks, misses, transfers or wrap-up; its first events are the
// queue's config and the agents, all available.
func TestMinimalExample(t *testing.T) {
	const minimal = `{"name": "steady", "seed": 7, "start": "2026-11-23T08:00:00Z", "duration": "8h",
 "queues": [{"queue": "support", "name": "Support", "sl_threshold_s": 20,
             "sl_target": 0.8, "calls_per_hour": 300, "aht_s": 180,
             "handle": "exponential", "wrap_s": 0, "patience_s": 120}],
 "agents": [{"count": 17, "queues": ["support"]}]}`
	sc, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	s := New(sc, Options{})
	s.Step()
	first := s.Events()
	if len(first) != 18 || first[0].Type != feed.TypeQueueConfig || first[0].Config.SLTarget != 0.8 || first[0].Config.Name != "Support" {
		t.Fatalf("start: %d events, first %+v", len(first), first[0])
	}
	for _, ev := range first[1:] {
		if ev.Type != feed.TypeAgentState || ev.State != feed.StateAvailable || !ev.HasSkills {
			t.Fatalf("start: %+v", ev)
		}
	}
	s.Recycle()
	for s.Step() {
		for _, ev := range s.Events() {
			switch {
			case ev.Type == feed.TypeMissed, ev.Type == feed.TypeTransferred,
				ev.Type == feed.TypeAgentState && (ev.State == feed.StateAux || ev.State == feed.StateWrapUp || ev.State == feed.StateOffline):
				t.Fatalf("the minimal scenario did not ask for %s %s", ev.Type, ev.State)
			}
		}
		s.Recycle()
	}
	if got := s.Now().Sub(sc.Start.Time); got < 8*time.Hour {
		t.Errorf("ran for %v, want the whole 8h", got)
	}
}

func TestScenarioErrors(t *testing.T) {
	base := "duration: 1h\nqueues: [{queue: s, aht_s: 100, calls_per_hour: 10}]\nagents: [{count: 2, queues: [s]}]\n"
	cases := []struct{ yaml, want string }{
		{"", "empty"},
		{base + "drils: []\n", `no key "drils"; valid keys: name, description, briefing, goal, seed`},
		{"duration: 1h\nqueues: [{queue: s, aht_s: 100, patience: 60}]\nagents: [{count: 2, queues: [s]}]\n", `line 2: a queue has no key "patience"`},
		{strings.Replace(base, "1h", "1 hour", 1), `"1 hour" is not a duration; write it like 8h`},
		{strings.Replace(base, "duration: 1h\n", "", 1), "duration: must be set"},
		{strings.Replace(base, "aht_s: 100", "aht_s: 0", 1), "queues[0] (s).aht_s: must be more than 0"},
		{strings.Replace(base, "aht_s: 100", "aht_s: 100, handle: gamma", 1), `handle: "gamma" is not a distribution; use exponential or lognormal`},
		{strings.Replace(base, "aht_s: 100", "aht_s: 100, sl_target: 80", 1), "sl_target: must be between 0 and 1"},
		{strings.Replace(base, "aht_s: 100", "aht_s: 100, patience_s: -1", 1), "patience_s: must be more than 0"},
		{strings.Replace(base, "queues: [s]", "queues: [x]", 1), `agents[0].queues: "x" is not a queue; queues are s`},
		{strings.Replace(base, "count: 2", "count: 0", 1), "agents[0].count: must be 1 or more"},
		{base + "drills: [{type: flood, at: \"10:00\"}]\n", `drills[0].type: "flood" is not a drill; use surge, callout, outage or long_calls`},
		{base + "drills: [{type: surge, at: \"10:00\", for: 1h}]\n", "drills[0].factor: a surge needs a factor"},
		{base + "drills: [{type: outage, at: \"25:00\", for: 1h}]\n", `"25:00" is not a time of day`},
		{strings.Replace(base, "calls_per_hour: 10", "calls_per_hour: lots", 1), "cannot use !!str `lots` as a number"},
		{"duration: 1h\nqueues: [{queue: s, aht_s: 1}, {queue: t, aht_s: 1}]\nagents: [{count: 1, queues: [s]}]\n", `no agent group has queue "t"`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("scenario %q:\n got error %v\nwant one containing %q", c.yaml, err, c.want)
		}
	}
	if _, err := Load("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "bundled: callout, lunch-rush") {
		t.Errorf("Load of a missing name: %v", err)
	}
}

// TestMemoryBounded: the model's own state (heap, call slots, queues,
// idle lists) does not grow with the length of the run.
func TestMemoryBounded(t *testing.T) {
	t.Parallel()
	size := func(d time.Duration) int {
		s := New(bundledScenario(t, "steady-day"), Options{Duration: d})
		peak := 0
		for s.Step() {
			n := cap(s.h.items) + cap(s.calls) + cap(s.free)
			for _, q := range s.queues {
				n += len(q.waiting.buf) + len(q.idle.buf)
			}
			peak = max(peak, n)
			s.Recycle()
		}
		return peak
	}
	day, week := size(24*time.Hour), size(7*24*time.Hour)
	if week > 2*day {
		t.Errorf("model state peaks at %d slots over a day but %d over a week", day, week)
	}
}

func TestRunPaced(t *testing.T) {
	sc := bundledScenario(t, "steady-day")
	s := New(sc, Options{Duration: 2 * time.Minute})
	var n int
	start := time.Now()
	// 2 simulated minutes at 600x, then the play-out of the last calls:
	// well under 2 s of wall time.
	if err := Run(t.Context(), s, 600, func(b []*feed.Event) { n += len(b) }); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	if el < 150*time.Millisecond || el > 5*time.Second {
		t.Errorf("2 simulated minutes at 600x took %v of wall time", el)
	}
	if n == 0 || !s.Done() || s.Clock().Before(s.End()) {
		t.Errorf("paced run: %d events, done %v, clock %v", n, s.Done(), s.Clock())
	}
}

// TestStrandedCallsEndTheRun: when every agent of a queue calls out for
// good and its callers never hang up, the calls left waiting at the end can
// never end; the run still stops (it used to run the agents' days on for
// ever), leaving them waiting on the floor.
func TestStrandedCallsEndTheRun(t *testing.T) {
	sc, err := Parse([]byte(`duration: 1h
queues: [{queue: s, aht_s: 100, calls_per_hour: 60}, {queue: t, aht_s: 100, calls_per_hour: 60}]
agents:
  - {count: 2, queues: [s], breaks: [{at: "10:00", length: 15m}]}
  - {count: 2, queues: [t], breaks: [{at: "10:00", length: 15m}]}
drills: [{type: callout, at: "08:30", agents: 2, queue: s}]
`))
	if err != nil {
		t.Fatal(err)
	}
	s := New(sc, Options{})
	f := floor.New(floor.Options{})
	var seq int64
	for steps := 0; s.Step(); steps++ {
		if steps > 1e5 {
			t.Fatalf("still running at %v", s.Now())
		}
		for _, ev := range s.Events() {
			seq++
			ev.Seq = seq
			f.IngestLine(feed.Encode(ev), floor.Recording)
		}
		s.Recycle()
	}
	if s.Now().After(s.End().Add(time.Hour)) {
		t.Errorf("the play-out ran on to %v, %v after the end", s.Now(), s.Now().Sub(s.End()))
	}
	rep := f.Report(floor.All)
	for _, q := range rep.Queues {
		if want := q.Queue == "s"; (q.Waiting > 0) != want {
			t.Errorf("queue %s: %d calls left waiting", q.Queue, q.Waiting)
		}
	}
}
