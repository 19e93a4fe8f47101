package floor

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func mustGoals(t *testing.T, yaml string) *Goals {
	t.Helper()
	g, err := ParseGoals([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (s *script) heartbeat(sec float64) {
	s.t.Helper()
	if o := s.f.IngestLine(fmt.Appendf(nil, `{"type":"heartbeat","seq":%d,"ts":%q}`, s.seq, ts(sec)), s.mode); o != Control {
		s.t.Fatalf("heartbeat at +%vs: %v", sec, o)
	}
}

// answered offers a call at sec and answers it wait seconds later.
func (s *script) answered(id string, sec, wait float64) {
	s.t.Helper()
	s.must(sec, "call.offered", "call", id, "queue", "q1")
	s.must(sec+wait, "call.answered", "call", id, "queue", "q1", "agent", "a1")
}

// alertDay: a queue held to 80% in 20 s, judged on 5 minutes, two calls
// at least, with a 2-minute cooldown.
//
//	08:00  c1, c2 answered after 30 s: late
//	08:01  boundary: 0 of 2 within → SL 0.0% < 80%: raised
//	08:03  c3…c10 answered after 5 s
//	08:04  boundary: 8 of 10 within → 80%: ended
//	08:04  c11…c13 answered after 30 s
//	08:05  boundary: 8 of 13 → 61.5%: back within the cooldown, reopened
//	08:05  c14 offered; still waiting at 08:06 (60 s ≥ 3 × 20 s): long wait
//	08:06:30 c14 answered; the 08:07 boundary ends the long wait
func alertDay(s *script) {
	s.must(0, "queue.config", "queue", "q1", "name", "Sales", "sl_threshold_s", 20, "sl_target", 0.8)
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", []string{"q1"})
	s.answered("c1", 0, 30)
	s.answered("c2", 10, 30)
	for i := 3; i <= 10; i++ {
		s.answered(fmt.Sprintf("c%d", i), 180+float64(i), 5)
	}
	for i := 11; i <= 13; i++ {
		s.answered(fmt.Sprintf("c%d", i), 240+float64(i), 30)
	}
	s.must(300, "call.offered", "call", "c14", "queue", "q1")
	s.must(390, "call.answered", "call", "c14", "queue", "q1", "agent", "a1")
	s.heartbeat(420)
}

const alertDayGoals = "alerts: {window: 5m, cooldown: 2m, min_calls: 2, understaffed: false}"

func TestAlertsJudgedEachMinuteOfTheFloorClock(t *testing.T) {
	s := newScript(t, Options{Goals: mustGoals(t, alertDayGoals)})
	alertDay(s)
	r := s.f.Report(Today)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	// The service level's detail is the last boundary's: [08:02, 08:07)
	// holds c3…c10 within and c11…c14 late, 8 of 12.
	want := []Alert{ // newest first
		{Key: "long_wait:q1@2026-11-23T08:06:00.000Z", Kind: AlertLongWait, Subject: "q1", SubjectName: "Sales",
			Detail: "oldest call waiting 1m00s ≥ 1m00s", Began: at(6), Ended: at(7)},
		{Key: "service_level:floor@2026-11-23T08:01:00.000Z", Kind: AlertServiceLevel, Subject: FloorSubject, SubjectName: "Floor",
			Detail: "SL 66.7% < goal 80%", Began: at(1), Returns: 1},
		{Key: "service_level:q1@2026-11-23T08:01:00.000Z", Kind: AlertServiceLevel, Subject: "q1", SubjectName: "Sales",
			Detail: "SL 66.7% < goal 80%", Began: at(1), Returns: 1},
	}
	if len(r.Alerts) != len(want) {
		t.Fatalf("alerts %+v\nwant %+v", r.Alerts, want)
	}
	for i := range want {
		if r.Alerts[i] != want[i] {
			t.Errorf("alert %d:\n got %+v\nwant %+v", i, r.Alerts[i], want[i])
		}
	}

	// A dashboard that connects at 08:07 and catches up sees the same day.
	late := newScript(t, Options{Goals: mustGoals(t, alertDayGoals)})
	late.mode = Live
	late.f.IngestLine(hello("s", 30, 420), Live) // 2 + 28 call events to come
	alertDay(late)
	lr := late.f.Report(Today)
	if !lr.CaughtUp || fmt.Sprint(lr.Alerts) != fmt.Sprint(r.Alerts) {
		t.Fatalf("after catching up (caught up %v):\n%+v\nwant\n%+v", lr.CaughtUp, lr.Alerts, r.Alerts)
	}
}

func TestPauseOverrun(t *testing.T) {
	s := newScript(t, Options{Goals: mustGoals(t, "pauses: {lunch: 45m, break: 15m}\nteam: {aux_s: 1800}")})
	s.must(0, "agent.state", "agent", "a1", "name", "Ann", "state", "aux", "reason", "lunch")
	s.must(0, "agent.state", "agent", "a2", "state", "aux", "reason", "training") // no plan
	s.heartbeat(52 * 60)
	r := s.f.Report(Today)
	a := agentOf(t, r, "a1")
	if a.Pause == nil || *a.Pause != (Pause{Reason: "lunch", PlannedS: 2700, ElapsedS: 3120, OverrunS: 420}) {
		t.Fatalf("pause %+v, want lunch 52:00 of 45:00 planned, 7:00 over", a.Pause)
	}
	eq(t, "flags", strings.Join(a.Flags, ","), "aux,pause")
	if p := agentOf(t, r, "a2").Pause; p != nil {
		t.Errorf("an unplanned reason has a pause %+v", p)
	}
	eq(t, "plan", fmt.Sprint(r.Pauses), "map[break:900 lunch:2700]")
	// 45:00 is not over 45 minutes: the alert begins at 08:46.
	want := Alert{Key: "pause_overrun:a1@2026-11-23T08:46:00.000Z", Kind: AlertPauseOverrun, Subject: "a1", SubjectName: "Ann",
		Detail: "lunch 52:00 > 45:00 planned", Began: t0.Add(46 * time.Minute)}
	if len(r.Alerts) != 1 || r.Alerts[0] != want {
		t.Fatalf("alerts %+v, want %+v", r.Alerts, want)
	}

	// Back at 08:53:30: the 08:54 boundary ends it, and the flag goes.
	s.must(53*60+30, "agent.state", "agent", "a1", "state", "available")
	s.heartbeat(54 * 60)
	r = s.f.Report(Today)
	eq(t, "ended", r.Alerts[0].Ended, t0.Add(54*time.Minute))
	eq(t, "detail at the last boundary in the pause", r.Alerts[0].Detail, "lunch 53:00 > 45:00 planned")
	eq(t, "flags after the pause", strings.Join(agentOf(t, r, "a1").Flags, ","), "aux")
}

// Thresholds come from the goals file, per queue where one is given: the
// same abandons are an alert in a queue held to 5% and not in one that
// accepts 60%.
func TestAlertLimitsPerQueue(t *testing.T) {
	s := newScript(t, Options{Goals: mustGoals(t, `
alerts:
  min_calls: 2
  understaffed: false
  queues:
    q2: {abandon_rate: 0.6}
`)})
	for _, q := range []string{"q1", "q2"} {
		s.must(0, "queue.config", "queue", q, "sl_threshold_s", 20, "sl_target", 0.5)
		// Each queue: one answered at once, one abandoned after 30 s.
		s.must(0, "call.offered", "call", q+"a", "queue", q)
		s.must(1, "call.answered", "call", q+"a", "queue", q, "agent", "a"+q)
		s.must(0, "call.offered", "call", q+"b", "queue", q)
		s.must(30, "call.abandoned", "call", q+"b", "queue", q)
	}
	s.heartbeat(60)
	// Abandon rate 1 of 2 = 50% in each queue and on the floor; SL 1 of 2
	// = 50%, on its goal.
	var got []string
	for _, a := range s.f.Report(Today).Alerts {
		got = append(got, a.Key+" "+a.Detail)
	}
	eq(t, "alerts", strings.Join(got, "; "), "abandon_rate:floor@2026-11-23T08:01:00.000Z abandon 50.0% > 5.0%; "+
		"abandon_rate:q1@2026-11-23T08:01:00.000Z abandon 50.0% > 5.0%")
}

func TestAlertRulesChecked(t *testing.T) {
	g := mustGoals(t, "alerts: {window: 30m, cooldown: 90s, occupancy: 0.9, queues: {q: {long_wait: 2}}}\npauses: {lunch: 1h}")
	r := g.alertRules()
	eq(t, "window", r.window, 30*time.Minute)
	eq(t, "cooldown", r.cooldown, 90*time.Second)
	eq(t, "floor occupancy", r.floor.occupancy, 0.9)
	eq(t, "q long wait", r.queue("q").longWait, 2.0)
	eq(t, "q keeps the floor's abandon rate", r.queue("q").abandonRate, DefaultMaxAbandonRate)
	eq(t, "other queue", r.queue("x").longWait, float64(DefaultLongWaitFactor))
	eq(t, "lunch", r.pauses["lunch"], time.Hour)
	def := (*Goals)(nil).alertRules()
	eq(t, "default window", def.window, DefaultAlertWindow)
	eq(t, "default min calls", def.floor.minCalls, int64(DefaultAlertMinCalls))

	for _, bad := range []string{
		"alerts: {window: 2h}", "alerts: {window: 30}", "alerts: {abandon_rate: 5}", "alerts: {queues: {q: {occupancy: -1}}}",
		"alerts: {min_calls: -1}", "alerts: {bell: true}", "pauses: {lunch: 45}", "pauses: {lunch: soon}",
		"team: {occupancy_min_staffed_s: -5}",
	} {
		if _, err := ParseGoals([]byte(bad)); err == nil {
			t.Errorf("goals %q: no error", bad)
		}
	}
}

// An occupancy limit raises an alert for the floor and the agents' queues
// when they were busier than it over the window.
func TestOccupancyAlert(t *testing.T) {
	s := newScript(t, Options{Goals: mustGoals(t, "alerts: {occupancy: 0.9, understaffed: false}")})
	s.must(0, "queue.config", "queue", "q1")
	s.must(0, "agent.state", "agent", "a1", "state", "on_call", "queues", []string{"q1"})
	s.must(0, "agent.state", "agent", "a2", "state", "available", "queues", []string{"q1"})
	s.heartbeat(60)
	// At 08:01: a1 busy 60 s, a2 available 60 s: 50%.
	eq(t, "no alert at 50%", len(s.f.Report(Today).Alerts), 0)
	s.must(60, "agent.state", "agent", "a2", "state", "on_call")
	s.heartbeat(20 * 60)
	// At boundary 08:0m the window holds m minutes, one of them a2's
	// available one: (2m−1)/2m, over 90% from 08:06 (11/12). At 08:20,
	// over [08:05, 08:20), both were busy throughout: 100%.
	var got []string
	for _, a := range s.f.Report(Today).Alerts {
		got = append(got, a.Key+" "+a.Detail)
	}
	eq(t, "alerts", strings.Join(got, "; "), "occupancy:floor@2026-11-23T08:06:00.000Z occupancy 100.0% > 90.0%; "+
		"occupancy:q1@2026-11-23T08:06:00.000Z occupancy 100.0% > 90.0%")
}

// Erlang C at the window's arrival rate and AHT: a call a minute of three
// minutes each is 3 erlangs; to answer 80% within 20 s takes 5 agents:
//
//	N = 4: C = 13.5 / (13 + 13.5) = 0.509, SL = 1 − 0.509·e^(−20/180) = 54.4%
//	N = 5: C = 5.0625 / (16.375 + 5.0625) = 0.236, SL = 1 − 0.236·e^(−40/180) = 81.1%
func TestUnderstaffedAlert(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20, "sl_target", 0.8)
	for _, a := range []string{"a1", "a2"} {
		s.must(0, "agent.state", "agent", a, "state", "available", "queues", []string{"q1"})
	}
	for i := range 10 {
		id, agent, sec := fmt.Sprintf("c%d", i), []string{"a1", "a2"}[i%2], float64(60*i)
		s.must(sec, "call.offered", "call", id, "queue", "q1")
		s.must(sec, "call.answered", "call", id, "queue", "q1", "agent", agent)
		s.must(sec+180, "call.ended", "call", id, "agent", agent)
		s.must(sec+180, "call.wrapped", "call", id, "agent", agent)
	}
	// The first AHT sample is the wrap-up at 08:03:00, which the 08:03
	// boundary judges before it happens: the alert begins at 08:04, when
	// 4 calls in 4 minutes are 60 an hour.
	r := s.f.Report(Today)
	if len(r.Alerts) != 1 {
		t.Fatalf("alerts %+v", r.Alerts)
	}
	eq(t, "key", r.Alerts[0].Key, "understaffed:q1@2026-11-23T08:04:00.000Z")
	eq(t, "detail", r.Alerts[0].Detail, "needs 5 agents, 2 staffed")
	if q := queueOf(t, r, "q1"); q.AgentsNeeded == nil || *q.AgentsNeeded != 5 {
		t.Errorf("the report's own staffing says %v agents", q.AgentsNeeded)
	}
}

// A long silence (a recording with no heartbeats overnight) ends what its
// first minutes end, at the minute they end it.
func TestAlertsAcrossASilence(t *testing.T) {
	s := newScript(t, Options{Goals: mustGoals(t, alertDayGoals)})
	alertDay(s)
	s.heartbeat(10 * 3600)
	// [08:04, 08:09) holds c11…c14, all late; [08:05, 08:10) c14 alone,
	// under the 2 calls judged: the breach ends at 08:10.
	for _, a := range s.f.Report(All).Alerts {
		if a.Kind == AlertServiceLevel && !a.Ended.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("%s ended %v, want 08:10", a.Key, a.Ended)
		}
	}
}
