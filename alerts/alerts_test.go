package alerts

import (
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func f(v float64) *float64 { return &v }

// report is a floor with one queue "sales" (goal 80% in 20 s) whose service
// level is sl after 20 judged calls; the floor carries the same figures.
func report(at time.Duration, sl float64) *floor.Report {
	m := floor.Metrics{Offered: 20, Answered: 20, ServiceLevel: f(sl), SLTarget: 0.8, AbandonRate: f(0), Staffed: 5}
	return &floor.Report{
		Now:    floor.Time{Time: t0.Add(at)},
		Floor:  m,
		Queues: []floor.QueueReport{{Queue: "sales", Name: "Sales", Metrics: m, SLThresholdS: 20}},
	}
}

func keys(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key)
	}
	return out
}

func TestBreachBeginsAndEndsOnTheFloorClock(t *testing.T) {
	b := New(Options{})
	if b.Observe(report(0, 0.85)) {
		t.Fatal("a floor on goal raised an alert")
	}
	if !b.Observe(report(time.Minute, 0.70)) {
		t.Fatal("SL 70% < 80% raised nothing")
	}
	got := b.List()
	if want := []string{"service_level:floor", "service_level:sales"}; len(got) != 2 || !sameSet(keys(got), want) {
		t.Fatalf("alerts %v, want %v", keys(got), want)
	}
	for _, a := range got {
		if !a.Began.Equal(t0.Add(time.Minute)) || !a.Active() {
			t.Errorf("%s began %v active %v, want began at +1m and active", a.Key, a.Began, a.Active())
		}
	}
	if got[0].Detail != "SL 70.0% < goal 80%" {
		t.Errorf("detail %q", got[0].Detail)
	}
	// Still in breach: nothing changes but the detail.
	if b.Observe(report(2*time.Minute, 0.72)) {
		t.Error("a continuing breach reported a change")
	}
	if d := b.List()[0].Detail; d != "SL 72.0% < goal 80%" {
		t.Errorf("detail not refreshed: %q", d)
	}
	if !b.Observe(report(3*time.Minute, 0.81)) {
		t.Fatal("recovery reported no change")
	}
	for _, a := range b.List() {
		if !a.Ended.Equal(t0.Add(3*time.Minute)) || a.Active() {
			t.Errorf("%s ended %v, want +3m", a.Key, a.Ended)
		}
	}
	if b.Active() != 0 || b.Unacked() != 0 {
		t.Errorf("active %d unacked %d after recovery", b.Active(), b.Unacked())
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestCooldownReopensInsteadOfRepeating(t *testing.T) {
	b := New(Options{Cooldown: 5 * time.Minute})
	b.Observe(report(0, 0.5))             // begins
	b.Observe(report(time.Minute, 0.9))   // ends at +1m
	b.Observe(report(4*time.Minute, 0.5)) // back 3m later: inside the cooldown
	got := b.List()
	if len(got) != 2 {
		t.Fatalf("%d alerts after a return inside the cooldown, want 2 (floor and sales, reopened)", len(got))
	}
	for _, a := range got {
		if !a.Began.Equal(t0) || !a.Active() || a.Returns != 1 {
			t.Errorf("%s: began %v active %v returns %d; want the first alert reopened", a.Key, a.Began, a.Active(), a.Returns)
		}
	}
	b.Observe(report(5*time.Minute, 0.9))  // ends at +5m
	b.Observe(report(10*time.Minute, 0.5)) // exactly the cooldown later: a new alert
	got = b.List()
	if len(got) != 4 {
		t.Fatalf("%d alerts, want 4 (two ended, two new)", len(got))
	}
	if !got[0].Active() || !got[0].Began.Equal(t0.Add(10*time.Minute)) || got[0].Returns != 0 {
		t.Errorf("newest alert %+v, want begun at +10m", got[0])
	}
	if got[3].Active() {
		t.Errorf("old alert still active: %+v", got[3])
	}
}

func TestAcknowledgeSurvivesAReturn(t *testing.T) {
	b := New(Options{})
	b.Observe(report(0, 0.5))
	if b.Unacked() != 2 {
		t.Fatalf("unacked %d, want 2", b.Unacked())
	}
	if !b.Ack("service_level:sales") {
		t.Fatal("ack of an open alert failed")
	}
	if b.Ack("service_level:sales") {
		t.Error("second ack reported a change")
	}
	if b.Ack("nope") {
		t.Error("ack of an unknown key reported a change")
	}
	if b.Unacked() != 1 {
		t.Errorf("unacked %d, want 1", b.Unacked())
	}
	// Unacknowledged active alerts sort first.
	if l := b.List(); l[0].Key != "service_level:floor" || l[1].Key != "service_level:sales" || !l[1].Acked {
		t.Errorf("order %v", keys(l))
	}
	b.Observe(report(time.Minute, 0.9))
	b.Observe(report(2*time.Minute, 0.5))
	for _, a := range b.List() {
		if a.Key == "service_level:sales" && !a.Acked {
			t.Error("a breach back inside the cooldown lost its acknowledgement")
		}
	}
	if n := b.AckAll(); n != 1 {
		t.Errorf("AckAll acknowledged %d, want 1", n)
	}
	if b.Unacked() != 0 {
		t.Errorf("unacked %d after AckAll", b.Unacked())
	}
}

func TestEveryKindOfBreach(t *testing.T) {
	need := 7
	m := floor.Metrics{Offered: 40, Answered: 30, Abandoned: 10, ServiceLevel: f(0.9), SLTarget: 0.8,
		AbandonRate: f(0.25), LongestWaitS: f(60), Staffed: 5}
	r := &floor.Report{Now: floor.Time{Time: t0}, Floor: m,
		Queues: []floor.QueueReport{{Queue: "q", Name: "Q", Metrics: m, SLThresholdS: 20, AgentsNeeded: &need}}}
	b := New(Options{})
	b.Observe(r)
	want := []string{"abandon_rate:floor", "abandon_rate:q", "long_wait:q", "understaffed:q"}
	if got := keys(b.List()); !sameSet(got, want) {
		t.Fatalf("alerts %v, want %v", got, want)
	}
	// 59 s is under 3 × 20 s; 5 needed of 5 staffed is enough.
	m.LongestWaitS, m.AbandonRate = f(59), f(0.05)
	need = 5
	r2 := &floor.Report{Now: floor.Time{Time: t0.Add(time.Second)}, Floor: m,
		Queues: []floor.QueueReport{{Queue: "q", Metrics: m, SLThresholdS: 20, AgentsNeeded: &need}}}
	b.Observe(r2)
	if b.Active() != 0 {
		t.Errorf("still active: %v", keys(b.List()[:b.Active()]))
	}
}

func TestTooFewCallsAreNotJudged(t *testing.T) {
	m := floor.Metrics{Offered: 9, Answered: 5, Abandoned: 4, ServiceLevel: f(0.2), SLTarget: 0.8, AbandonRate: f(0.44)}
	b := New(Options{})
	b.Observe(&floor.Report{Now: floor.Time{Time: t0}, Floor: m})
	if b.Active() != 0 {
		t.Errorf("9 calls raised %v", keys(b.List()))
	}
}

func TestOlderReportIgnoredAndHistoryBounded(t *testing.T) {
	b := New(Options{Keep: 3, Cooldown: time.Second})
	for i := 0; i < 10; i++ {
		b.Observe(report(time.Duration(2*i)*time.Minute, 0.5))
		b.Observe(report(time.Duration(2*i+1)*time.Minute, 0.9))
	}
	if n := len(b.List()); n != 3 {
		t.Errorf("%d alerts remembered, want 3", n)
	}
	if b.Observe(report(0, 0.5)) {
		t.Error("a report older than the last one changed the alerts")
	}
}
