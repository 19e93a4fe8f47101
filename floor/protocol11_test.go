package floor

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// byReason compares an abandoned_by_reason with the one worked out by hand.
func byReason(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	if got == nil || !maps.Equal(got, want) {
		t.Errorf("%s abandoned_by_reason = %v, want %v", what, got, want)
	}
}

// reasonsFloor abandons a call for every reason, short and not, beside two
// answered calls, in q1 (20 s goal, short under 5 s) of the given sl_mode.
// Every call is offered at 0, so each wait is its abandon or answer time.
func reasonsFloor(t *testing.T, mode string, opts Options) *script {
	s := newScript(t, opts)
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20, "short_abandon_s", 5, "sl_mode", mode)
	for _, c := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		s.must(0, "call.offered", "call", c, "queue", "q1", "caller", "cust-"+c)
	}
	s.must(2, "call.abandoned", "call", "f", "queue", "q1", "reason", "voicemail_full") // kept as is; 2 s but not short
	s.must(3, "call.abandoned", "call", "a", "queue", "q1", "reason", "caller")         // short
	s.must(3, "call.abandoned", "call", "b", "queue", "q1", "reason", "timeout")        // 3 s but not short
	s.must(4, "call.abandoned", "call", "h", "queue", "q1", "reason", nil)              // null is caller: short
	s.must(10, "call.abandoned", "call", "d", "queue", "q1", "reason", "exit_key")
	s.must(10, "call.answered", "call", "i", "queue", "q1", "agent", "a1") // within
	s.must(25, "call.abandoned", "call", "g", "queue", "q1", "reason", "") // "" is caller: 25 s, late
	s.must(30, "call.abandoned", "call", "c", "queue", "q1", "reason", "no_agents")
	s.must(30, "call.answered", "call", "j", "queue", "q1", "agent", "a2") // late
	s.must(40, "call.abandoned", "call", "e", "queue", "q1", "reason", "withdrawn")
	if o := s.at(41, "call.abandoned", "call", "x", "queue", "q1", "reason", 5); o != Bad {
		t.Fatalf("a reason that is not a string: %v, want bad", o)
	}
	return s
}

func TestAbandonReasons(t *testing.T) {
	// Abandoned: f 2 s, a 3 s, b 3 s, h 4 s, d 10 s, g 25 s, c 30 s, e 40 s = 8.
	// Short (caller and under 5 s): a, h = 2. Within 20 s: f, a, b, h, d = 5.
	// Answered: i 10 s (within), j 30 s (late).
	for _, tc := range []struct {
		mode string
		sl   float64
	}{
		{"exclude_short", 1.0 / 8},             // 1 / (2 + 8 - 2)
		{"answered_only", 1.0 / 2},             // 1 / 2
		{"abandons_in_sl_good", (1 + 5) / 10.}, // (1 + 5) / (2 + 8): a timeout within 20 s is within goal too
	} {
		t.Run(tc.mode, func(t *testing.T) {
			r := reasonsFloor(t, tc.mode, Options{}).f.Report(All)
			q := queueOf(t, r, "q1")
			eq(t, "offered", q.Offered, 10)
			eq(t, "abandoned", q.Abandoned, 8)
			eq(t, "short_abandoned", q.ShortAbandoned, 2)
			approx(t, "service_level", q.ServiceLevel, tc.sl)
			approx(t, "abandon_rate", q.AbandonRate, (8-2)/(10-2.)) // every reason is an abandon
			byReason(t, "q1", q.AbandonedByReason, map[string]int64{"caller": 3, "timeout": 1, "no_agents": 1,
				"exit_key": 1, "withdrawn": 1, "voicemail_full": 1})
			eq(t, "bad", r.Feed.BadLines, 1)
		})
	}
}

func TestAbandonReasonsInEveryWindowAndOnTheFloor(t *testing.T) {
	s := reasonsFloor(t, "exclude_short", Options{})
	// An hour later, one more timeout in q1 and one in q2.
	s.must(3600, "call.offered", "call", "k", "queue", "q1")
	s.must(3610, "call.abandoned", "call", "k", "queue", "q1", "reason", "timeout")
	s.must(3600, "call.offered", "call", "m", "queue", "q2")
	s.must(3650, "call.abandoned", "call", "m", "queue", "q2", "reason", "timeout")
	s.must(3650, "queue.config", "queue", "q3") // nothing abandoned there
	all := map[string]int64{"caller": 3, "timeout": 2, "no_agents": 1, "exit_key": 1, "withdrawn": 1, "voicemail_full": 1}
	for _, w := range []Window{All, Today} {
		r := s.f.Report(w)
		byReason(t, w.String()+" q1", queueOf(t, r, "q1").AbandonedByReason, all)
		byReason(t, w.String()+" q2", queueOf(t, r, "q2").AbandonedByReason, map[string]int64{"timeout": 1})
		// The floor sums the queues: q1's and q2's timeouts together.
		all2 := maps.Clone(all)
		all2["timeout"]++
		byReason(t, w.String()+" floor", r.Floor.AbandonedByReason, all2)
	}
	// The last 30 minutes hold only the two timeouts of the last hour.
	r := s.f.Report(Rolling(30 * time.Minute))
	byReason(t, "30m q1", queueOf(t, r, "q1").AbandonedByReason, map[string]int64{"timeout": 1})
	byReason(t, "30m floor", r.Floor.AbandonedByReason, map[string]int64{"timeout": 2})
	byReason(t, "30m q3", queueOf(t, r, "q3").AbandonedByReason, map[string]int64{})
	// Where nothing was abandoned the JSON says {}, never null.
	b, err := json.Marshal(queueOf(t, r, "q3"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"abandoned_by_reason":{}`) {
		t.Errorf("q3 JSON: %s", b)
	}
}

func TestTransferOutOfTheFloor(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(5, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(65, "call.transferred", "call", "c1", "agent", "a1", "to", "+15551230000") // leaves the floor
	// c2: both a queue and `to`: the queue wins, a new offer in q2.
	s.must(100, "call.offered", "call", "c2", "queue", "q1")
	s.must(110, "call.answered", "call", "c2", "queue", "q1", "agent", "a2")
	s.must(170, "call.transferred", "call", "c2", "agent", "a2", "queue", "q2", "to", "ext-200")
	s.must(180, "call.answered", "call", "c2", "queue", "q2", "agent", "a3") // waited 10 s in q2
	s.must(240, "call.ended", "call", "c2", "agent", "a3")
	s.must(250, "call.wrapped", "call", "c2", "agent", "a3") // 250 - 180 = 70 s
	for _, tc := range []struct {
		typ string
		kv  []any
	}{
		{"call.ended", []any{"call", "c1", "agent", "a1"}},       // c1 is gone
		{"call.transferred", []any{"call", "c1", "agent", "a1"}}, // neither queue nor to
	} {
		if o := s.at(260, tc.typ, tc.kv...); o != Bad {
			t.Errorf("%s %v: %v, want bad", tc.typ, tc.kv, o)
		}
	}
	r := s.f.Report(All)
	q1, q2 := queueOf(t, r, "q1"), queueOf(t, r, "q2")
	eq(t, "q1 offered (c1, c2; the transfer out is no offer)", q1.Offered, 2)
	eq(t, "q1 answered", q1.Answered, 2)
	isNull(t, "q1 aht (neither leg wrapped in q1)", q1.AHTS)
	eq(t, "q2 offered (c2, the queue won over `to`)", q2.Offered, 1)
	approx(t, "q2 asa", q2.ASAS, 10)
	approx(t, "q2 aht", q2.AHTS, 70)
	eq(t, "floor offered", r.Floor.Offered, 3)
	eq(t, "floor waiting", r.Floor.Waiting, 0)
	eq(t, "queues (no queue made of `to`)", len(r.Queues), 2)
	a1, a2 := agentOf(t, r, "a1"), agentOf(t, r, "a2")
	eq(t, "a1 handled (counted at the answer)", a1.Handled, 1)
	eq(t, "a1 transferred", a1.Transferred, 1)
	isNull(t, "a1 aht (no sample)", a1.AHTS)
	eq(t, "a2 handled", a2.Handled, 1)
	eq(t, "a2 transferred", a2.Transferred, 1)
	eq(t, "live calls", len(s.f.Snapshot().Calls), 0)
}

func TestChannelAndCallerKeptThroughTransferAndSnapshot(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "c1", "queue", "q1", "channel", "chat", "caller", "+442071234567")
	s.must(0, "call.offered", "call", "c2", "queue", "q1") // voice, no caller
	s.must(5, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(60, "call.transferred", "call", "c1", "agent", "a1", "queue", "q2")
	snap := s.f.Snapshot()
	want := []feed.CallSnap{
		{Call: "c1", Queue: "q2", Offered: t0.Add(60 * time.Second), Channel: "chat", Caller: "+442071234567"},
		{Call: "c2", Queue: "q1", Offered: t0, Channel: "voice"},
	}
	if len(snap.Calls) != 2 || snap.Calls[0] != want[0] || snap.Calls[1] != want[1] {
		t.Fatalf("snapshot calls = %+v, want %+v", snap.Calls, want)
	}
	// A second floor fed only the snapshot keeps them, and lists c1's
	// caller and channel when c1 is abandoned there.
	fresh := New(Options{})
	b, _ := json.Marshal(map[string]any{"type": "snapshot", "seq": 1, "ts": ts(60), "queues": snap.Queues, "agents": snap.Agents, "calls": snap.Calls})
	if o := fresh.IngestLine(b, Recording); o != Applied {
		t.Fatalf("snapshot: %v %s", o, fresh.stats.LastError)
	}
	if got := fresh.Snapshot().Calls; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("round trip calls = %+v, want %+v", got, want)
	}
	b, _ = json.Marshal(map[string]any{"type": "call.abandoned", "seq": 2, "ts": ts(90), "call": "c1", "queue": "q2"})
	if o := fresh.IngestLine(b, Recording); o != Applied {
		t.Fatalf("abandon: %v %s", o, fresh.stats.LastError)
	}
	rec := fresh.Report(All).Recovery
	if len(rec) != 1 || rec[0].Caller != "+442071234567" || rec[0].Channel != "chat" || rec[0].Queue != "q2" || rec[0].WaitS != 30 {
		t.Errorf("recovery = %+v, want c1's abandon in q2 after 30 s with its caller and channel", rec)
	}
}

// recoveryOf is the item of kind for call on the recovery list, or fails.
func recoveryOf(t *testing.T, r *Report, kind, call string) RecoveryItem {
	t.Helper()
	for _, it := range r.Recovery {
		if it.Kind == kind && it.Call == call {
			return it
		}
	}
	t.Fatalf("no %s of %q on the recovery list %+v", kind, call, r.Recovery)
	return RecoveryItem{}
}

func redialIs(t *testing.T, r *Report, call string, want *Redial) {
	t.Helper()
	got := recoveryOf(t, r, RecoveryAbandon, call).Redial
	switch {
	case want == nil && got != nil:
		t.Errorf("%s redial = %+v, want none", call, *got)
	case want != nil && (got == nil || *got != *want):
		t.Errorf("%s redial = %+v, want %+v", call, got, *want)
	}
}

func TestRedialAndWhatBecameOfIt(t *testing.T) {
	s := newScript(t, Options{})
	// Ann's caller: abandons c1 after 40 s, calls again (c2): answered, ended.
	s.must(0, "call.offered", "call", "c1", "queue", "q1", "caller", "555-0101")
	s.must(40, "call.abandoned", "call", "c1", "queue", "q1")
	s.must(60, "call.offered", "call", "c2", "queue", "q1", "caller", "555-0101")
	c2 := Redial{Call: "c2", At: t0.Add(60 * time.Second), Queue: "q1", Outcome: RedialWaiting}
	redialIs(t, s.f.Report(All), "c1", &c2)
	s.must(70, "call.answered", "call", "c2", "queue", "q1", "agent", "a1")
	c2.Outcome, c2.Agent = RedialAnswered, "a1"
	redialIs(t, s.f.Report(All), "c1", &c2)
	before := s.f.Report(All) // a Report never changes afterwards
	s.must(130, "call.ended", "call", "c2", "agent", "a1")
	c2.Outcome = RedialEnded
	redialIs(t, s.f.Report(All), "c1", &c2)
	eq(t, "an earlier report keeps its outcome", recoveryOf(t, before, RecoveryAbandon, "c1").Redial.Outcome, RedialAnswered)

	// A second caller: c3 abandoned (timeout), c4 answered then sent to q2,
	// then out of the floor.
	s.must(200, "call.offered", "call", "c3", "queue", "q1", "caller", "555-0202")
	s.must(203, "call.abandoned", "call", "c3", "queue", "q1", "reason", "timeout")
	s.must(300, "call.offered", "call", "c4", "queue", "q1", "caller", "555-0202")
	s.must(310, "call.answered", "call", "c4", "queue", "q1", "agent", "a2")
	s.must(320, "call.transferred", "call", "c4", "agent", "a2", "queue", "q2")
	redialIs(t, s.f.Report(All), "c3", &Redial{Call: "c4", At: t0.Add(300 * time.Second), Queue: "q2",
		Outcome: RedialTransferred, Agent: "a2"})
	s.must(330, "call.answered", "call", "c4", "queue", "q2", "agent", "a3")
	s.must(390, "call.transferred", "call", "c4", "agent", "a3", "to", "+18005550000")
	redialIs(t, s.f.Report(All), "c3", &Redial{Call: "c4", At: t0.Add(300 * time.Second), Queue: "q2",
		Outcome: RedialTransferred, Agent: "a3", To: "+18005550000"})

	// A third caller abandons twice, then calls a third time: both abandons
	// point at the latest call; the second pointed at nothing before it.
	s.must(400, "call.offered", "call", "c5", "queue", "q1", "caller", "555-0303")
	s.must(430, "call.abandoned", "call", "c5", "queue", "q1")
	s.must(440, "call.offered", "call", "c6", "queue", "q1", "caller", "555-0303")
	s.must(470, "call.abandoned", "call", "c6", "queue", "q1", "reason", "no_agents")
	r := s.f.Report(All)
	redialIs(t, r, "c5", &Redial{Call: "c6", At: t0.Add(440 * time.Second), Queue: "q1", Outcome: RedialAbandoned})
	redialIs(t, r, "c6", nil)
	s.must(500, "call.offered", "call", "c7", "queue", "q1", "caller", "555-0303")
	c7 := &Redial{Call: "c7", At: t0.Add(500 * time.Second), Queue: "q1", Outcome: RedialWaiting}
	r = s.f.Report(All)
	redialIs(t, r, "c5", c7)
	redialIs(t, r, "c6", c7)

	// No caller: nothing to match. A short abandon is not listed, so its
	// caller's next call is no redial.
	s.must(600, "call.offered", "call", "c8", "queue", "q1")
	s.must(650, "call.abandoned", "call", "c8", "queue", "q1")
	s.must(660, "call.offered", "call", "c9", "queue", "q1")
	s.must(700, "call.offered", "call", "c10", "queue", "q1", "caller", "555-0404")
	s.must(702, "call.abandoned", "call", "c10", "queue", "q1") // 2 s: short
	s.must(710, "call.offered", "call", "c11", "queue", "q1", "caller", "555-0404")
	r = s.f.Report(All)
	redialIs(t, r, "c8", nil)
	for _, it := range r.Recovery {
		if it.Call == "c10" {
			t.Errorf("a short abandon is listed: %+v", it)
		}
	}
	// Listed newest first: c8 650, c6 470, c5 430, c3 203, c1 40.
	var calls []string
	for _, it := range r.Recovery {
		calls = append(calls, it.Call)
	}
	eq(t, "order", strings.Join(calls, ","), "c8,c6,c5,c3,c1")
}

func TestRedialFollowedThroughASnapshot(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "call.offered", "call", "c1", "queue", "q1", "caller", "555-0101")
	s.must(40, "call.abandoned", "call", "c1", "queue", "q1")
	// A resync: the snapshot lists the caller's new call, already answered.
	s.seq = 10
	b, _ := json.Marshal(map[string]any{"type": "snapshot", "seq": 10, "ts": ts(100), "queues": []any{},
		"agents": []any{}, "calls": []feed.CallSnap{{Call: "c2", Queue: "q1", Offered: t0.Add(60 * time.Second),
			Answered: t0.Add(90 * time.Second), Agent: "a1", Caller: "555-0101"}}})
	if o := s.f.IngestLine(b, Recording); o != Applied {
		t.Fatalf("snapshot: %v %s", o, s.f.stats.LastError)
	}
	redialIs(t, s.f.Report(All), "c1", &Redial{Call: "c2", At: t0.Add(60 * time.Second), Queue: "q1",
		Outcome: RedialAnswered, Agent: "a1"})
	s.must(200, "call.ended", "call", "c2", "agent", "a1")
	redialIs(t, s.f.Report(All), "c1", &Redial{Call: "c2", At: t0.Add(60 * time.Second), Queue: "q1",
		Outcome: RedialEnded, Agent: "a1"})
}

func TestRecoveryListIsTheDays(t *testing.T) {
	// The day starts at 09:00; t0 is 08:00, the day before's.
	s := newScript(t, Options{DayStartHour: 9})
	s.must(0, "call.offered", "call", "y1", "queue", "q1", "caller", "555-0101")
	s.must(600, "call.abandoned", "call", "y1", "queue", "q1")                              // 08:10, yesterday
	s.must(1200, "survey.submitted", "call", "y0", "agent", "a1", "queue", "q1", "csat", 1) // 08:20, yesterday
	eq(t, "yesterday's list", len(s.f.Report(All).Recovery), 2)
	s.at(3610, "heartbeat") // 09:00:10: a new day, nothing in it yet
	eq(t, "a new day's list", len(s.f.Report(All).Recovery), 0)
	s.must(3630, "call.offered", "call", "d1", "queue", "q1", "caller", "555-0101") // 09:00:30: no redial of yesterday's
	s.must(3660, "call.abandoned", "call", "d1", "queue", "q1", "reason", "timeout")
	s.must(3700, "survey.submitted", "call", "d0", "agent", "a1", "queue", "q1", "nps", 2)
	s.at(5400, "heartbeat") // 09:30
	for _, w := range []Window{All, Today, Rolling(10 * time.Minute)} {
		r := s.f.Report(w)
		// Whatever the window: the day's items, no more, no fewer.
		if len(r.Recovery) != 2 || r.Recovery[0].Call != "d0" || r.Recovery[1].Call != "d1" || r.Recovery[1].Redial != nil {
			t.Errorf("%v: recovery = %+v, want d0's survey and d1's abandon, no redial", w, r.Recovery)
		}
	}
	it := recoveryOf(t, s.f.Report(All), RecoveryAbandon, "d1")
	eq(t, "reason", it.Reason, "timeout")
	eq(t, "wait", it.WaitS, 30)
	eq(t, "key", it.Key(), "abandon/d1@2026-11-23T09:01:00.000Z")
}

func TestRecoveryAbandonWaitRule(t *testing.T) {
	g, err := ParseGoals([]byte("recovery: {abandon_wait_s: 20}"))
	if err != nil {
		t.Fatal(err)
	}
	// Waits above 20 s, whatever the reason: g 25 s, c 30 s, e 40 s.
	r := reasonsFloor(t, "exclude_short", Options{Goals: g}).f.Report(All)
	var calls []string
	for _, it := range r.Recovery {
		calls = append(calls, it.Call+" "+it.Reason)
	}
	eq(t, "listed", strings.Join(calls, ","), "e withdrawn,c no_agents,g caller")
	// Without the rule: every abandon but the short ones (a, h).
	r = reasonsFloor(t, "exclude_short", Options{}).f.Report(All)
	calls = calls[:0]
	for _, it := range r.Recovery {
		calls = append(calls, it.Call)
	}
	eq(t, "listed", strings.Join(calls, ","), "e,c,g,d,b,f")
	eq(t, "caller kept", recoveryOf(t, r, RecoveryAbandon, "b").Caller, "cust-b")
}

func TestRecoveryListIsBounded(t *testing.T) {
	var d recoveryDay
	day := t0
	// Each of the first five items has a caller of its own; they are the
	// ones let go when five more than the list holds arrive.
	for i := range maxRecoveryItems + 5 {
		it := RecoveryItem{At: t0.Add(time.Duration(i) * time.Second), Kind: RecoveryAbandon, Call: "c" + strconv.Itoa(i)}
		if i < 5 {
			it.Caller = "early-" + strconv.Itoa(i)
		}
		d.add(day, it)
	}
	list, dropped := d.list(day)
	eq(t, "kept", len(list), maxRecoveryItems)
	eq(t, "dropped", dropped, 5)
	eq(t, "newest", list[0].Call, "c"+strconv.Itoa(maxRecoveryItems+4))
	eq(t, "oldest kept", list[len(list)-1].Call, "c5")
	eq(t, "callers forgotten with their items", len(d.callers), 0)
	// A new day starts empty.
	d.add(day.Add(24*time.Hour), RecoveryItem{At: t0.Add(25 * time.Hour), Kind: RecoverySurvey, Call: "s"})
	list, dropped = d.list(day.Add(24 * time.Hour))
	eq(t, "next day", len(list), 1)
	eq(t, "next day dropped", dropped, 0)
	list, _ = d.list(day)
	eq(t, "the old day is over", len(list), 0)
}

func TestDrillLinesChangeNoFigure(t *testing.T) {
	s := basicFloor(t, "exclude_short")
	before := s.f.Report(All)
	s.must(310, "drill.started", "scenario", "lunch-rush", "seed", 7, "briefing", "Two agents call in sick.")
	s.must(320, "drill.action", "id", "k1", "by", "sam", "command", "release", "agent", "a2", "result", "ok")
	s.must(330, "drill.action", "by", "sam", "command", nil, "result", "refused: not a JSON object")
	if o := s.at(340, "drill.action", "by", "sam"); o != Bad {
		t.Errorf("drill.action without result: %v, want bad", o)
	}
	after := s.f.Report(All)
	eq(t, "events", after.Feed.Events, before.Feed.Events+3)
	eq(t, "clock", after.Now.Time, t0.Add(330*time.Second)) // moved by the drill lines, not by the bad one
	for _, m := range [][2]Metrics{{before.Floor, after.Floor}, {before.Queues[0].Metrics, after.Queues[0].Metrics}} {
		// The longest wait and occupancy move with the clock; every counted
		// figure stays.
		m[0].LongestWaitS, m[1].LongestWaitS = nil, nil
		m[0].Occupancy, m[1].Occupancy = nil, nil
		a, _ := json.Marshal(m[0])
		b, _ := json.Marshal(m[1])
		if string(a) != string(b) {
			t.Errorf("figures changed:\n%s\n%s", a, b)
		}
	}
	want := DrillStart{At: t0.Add(310 * time.Second), Scenario: "lunch-rush", Seed: 7, Briefing: "Two agents call in sick."}
	if after.Drill == nil || *after.Drill != want {
		t.Errorf("drill = %+v, want %+v", after.Drill, want)
	}
	wantActions := []DrillAction{
		{At: t0.Add(320 * time.Second), ID: "k1", By: "sam", Command: "release", Result: "ok", Agent: "a2"},
		{At: t0.Add(330 * time.Second), By: "sam", Result: "refused: not a JSON object"},
	}
	if !reflect.DeepEqual(after.Actions, wantActions) {
		t.Errorf("actions = %+v, want %+v", after.Actions, wantActions)
	}
	b, _ := json.Marshal(after)
	if strings.Contains(string(b), "lunch-rush") || strings.Contains(string(b), "release") {
		t.Errorf("status --json carries the drill: %s", b)
	}
}

func TestDrillActionsAreBounded(t *testing.T) {
	s := newScript(t, Options{})
	for i := range maxDrillActions + 5 {
		s.must(float64(i), "drill.action", "id", "k"+strconv.Itoa(i), "by", "sam", "result", "ok")
	}
	r := s.f.Report(All)
	eq(t, "kept", len(r.Actions), maxDrillActions)
	eq(t, "dropped", r.ActionsDropped, 5)
	eq(t, "oldest kept", r.Actions[0].ID, "k5")
}

// The protocol 1.1 sample recording, worked out by hand in testdata/README.md.
func TestProtocol11Sample(t *testing.T) {
	b, err := os.ReadFile("../testdata/protocol-1.1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f := New(Options{})
	feed.EachLine(b, func(line []byte) bool {
		if o := f.IngestLine(line, Recording); o != Applied && o != Control {
			t.Fatalf("%s: %v %s", line, o, f.stats.LastError)
		}
		return true
	})
	r := f.Report(All)
	eq(t, "events", r.Feed.Events, 31)
	support, billing := queueOf(t, r, "support"), queueOf(t, r, "billing")
	eq(t, "support offered", support.Offered, 4)
	approx(t, "support sl", support.ServiceLevel, 2.0/4)
	approx(t, "support aht", support.AHTS, 150)
	byReason(t, "support", support.AbandonedByReason, map[string]int64{"caller": 1, "no_agents": 1})
	eq(t, "billing offered", billing.Offered, 4)
	eq(t, "billing short", billing.ShortAbandoned, 1)
	approx(t, "billing sl", billing.ServiceLevel, 1)
	approx(t, "billing abandon rate", billing.AbandonRate, 2.0/3)
	isNull(t, "billing aht", billing.AHTS)
	byReason(t, "billing", billing.AbandonedByReason, map[string]int64{"caller": 1, "timeout": 1, "queue_full": 1})
	approx(t, "floor sl", r.Floor.ServiceLevel, 6.0/8)
	approx(t, "floor abandon rate", r.Floor.AbandonRate, 4.0/7)
	byReason(t, "floor", r.Floor.AbandonedByReason, map[string]int64{"caller": 2, "no_agents": 1, "timeout": 1, "queue_full": 1})
	a1, a2 := agentOf(t, r, "a1"), agentOf(t, r, "a2")
	eq(t, "a1 handled", a1.Handled, 2)
	eq(t, "a1 transferred", a1.Transferred, 1)
	approx(t, "a1 aht", a1.AHTS, 150)
	eq(t, "a2 handled", a2.Handled, 1)
	eq(t, "a2 transferred", a2.Transferred, 1)

	var got []string
	for _, it := range r.Recovery {
		got = append(got, it.Kind+" "+it.Call)
	}
	eq(t, "recovery", strings.Join(got, ", "), "survey c5, abandon c7, abandon c6, abandon c3, abandon c1")
	c1 := recoveryOf(t, r, RecoveryAbandon, "c1")
	eq(t, "c1 caller", c1.Caller, "+14155550101")
	eq(t, "c1 channel", c1.Channel, "voice")
	redialIs(t, r, "c1", &Redial{Call: "c2", At: t0.Add(2 * time.Minute), Queue: "support",
		Outcome: RedialTransferred, Agent: "a1", To: "+18005550000"})
	redialIs(t, r, "c3", &Redial{Call: "c7", At: t0.Add(9*time.Minute + 40*time.Second), Queue: "billing",
		Outcome: RedialAbandoned})
	redialIs(t, r, "c7", nil)
	c6 := recoveryOf(t, r, RecoveryAbandon, "c6")
	if c6.Caller != "" || c6.Channel != "email" || c6.Reason != "no_agents" || c6.WaitS != 30 {
		t.Errorf("c6 = %+v", c6)
	}
}

// An agent's own surveys with a comment, praise and complaint alike, are
// kept for the day, newest first, at most maxAgentComments; the next day
// starts with none.
func TestAgentSurveyComments(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "agent.state", "agent", "a1", "state", "available")
	s.must(1, "survey.submitted", "call", "c1", "agent", "a1", "queue", "q", "csat", 5, "comment", "Lovely, thank you")
	s.must(2, "survey.submitted", "call", "c2", "agent", "a1", "queue", "q", "csat", 1, "comment", "Rude")
	s.must(3, "survey.submitted", "call", "c3", "agent", "a1", "queue", "q", "csat", 4) // no comment: not kept
	s.must(4, "survey.submitted", "call", "c4", "agent", "a2", "queue", "q", "csat", 5, "comment", "Someone else's")
	got := agentOf(t, s.f.Report(All), "a1").Comments
	if len(got) != 2 || got[0].Comment != "Rude" || *got[0].CSAT != 1 || got[1].Comment != "Lovely, thank you" {
		t.Fatalf("a1's comments %+v, want Rude then Lovely", got)
	}
	for i := 0; i < maxAgentComments+5; i++ {
		s.must(float64(10+i), "survey.submitted", "call", fmt.Sprintf("x%d", i), "agent", "a1", "queue", "q", "nps", 9, "comment", fmt.Sprintf("n%d", i))
	}
	got = agentOf(t, s.f.Report(All), "a1").Comments
	if len(got) != maxAgentComments || got[0].Comment != fmt.Sprintf("n%d", maxAgentComments+4) {
		t.Fatalf("%d comments, newest %q", len(got), got[0].Comment)
	}
	s.must(86400, "agent.state", "agent", "a1", "state", "available", "reason", "next day")
	if got := agentOf(t, s.f.Report(All), "a1").Comments; len(got) != 0 {
		t.Fatalf("a new day keeps %d comments", len(got))
	}
}

// A low survey comes after its call has left the fold; the call's caller
// and channel are remembered for it, so the recovery list says whom to call
// back. A survey of a call the fold never saw finish has no caller.
func TestSurveyRecoveryKnowsTheCaller(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", []string{"q1"})
	s.must(1, "call.offered", "call", "c1", "queue", "q1", "caller", "555-0199", "channel", "chat")
	s.must(5, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(65, "call.ended", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(70, "call.wrapped", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(400, "survey.submitted", "call", "c1", "agent", "a1", "queue", "q1", "csat", 1)
	s.must(410, "survey.submitted", "call", "zz", "agent", "a1", "queue", "q1", "csat", 1)
	r := s.f.Report(All)
	it := recoveryOf(t, r, RecoverySurvey, "c1")
	eq(t, "caller", it.Caller, "555-0199")
	eq(t, "channel", it.Channel, "chat")
	eq(t, "unknown call's caller", recoveryOf(t, r, RecoverySurvey, "zz").Caller, "")
}

func TestFinishedCallsAreBounded(t *testing.T) {
	var fc finishedCalls
	for i := range maxFinishedCalls + 3 {
		fc.add(&call{id: "c" + strconv.Itoa(i), caller: "n" + strconv.Itoa(i)})
	}
	eq(t, "remembered", len(fc.byCall), maxFinishedCalls)
	eq(t, "oldest forgotten", fc.byCall["c2"].caller, "")
	eq(t, "next kept", fc.byCall["c3"].caller, "n3")
	eq(t, "newest kept", fc.byCall["c"+strconv.Itoa(maxFinishedCalls+2)].caller, "n"+strconv.Itoa(maxFinishedCalls+2))
}
