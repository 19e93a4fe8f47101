package alerts

import (
	"fmt"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// alert is one of the fold's alerts: kind on sales, begun at +began
// minutes, ended at +ended (active when ended < 0).
func alert(kind string, began, ended int) floor.Alert {
	a := floor.Alert{Key: fmt.Sprintf("%s:sales@%d", kind, began), Kind: kind, Subject: "sales", SubjectName: "Sales", Began: at(began)}
	if ended >= 0 {
		a.Ended = at(ended)
	}
	return a
}

// report is the fold's report at +now minutes with its alert log (newest
// first, as the fold gives it).
func report(now int, caughtUp bool, log ...floor.Alert) *floor.Report {
	return &floor.Report{Now: floor.Time{Time: at(now)}, CaughtUp: caughtUp, Alerts: log}
}

func keys(as []Alert) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key)
	}
	return fmt.Sprint(out)
}

// A dashboard that connects mid-morning lists the morning's alerts, but
// rings for none of what it catches up on: only for what is wrong when it
// has caught up, and then for each alert raised after.
func TestRaisedOnlyOnceCaughtUp(t *testing.T) {
	b := New(Options{})
	morning := alert(KindServiceLevel, 0, 30)
	wait := alert(KindLongWait, 40, -1)
	if got := b.Observe(report(35, false, morning)); len(got) != 0 {
		t.Fatalf("catching up raised %v", keys(got))
	}
	if got := b.Observe(report(60, true, wait, morning)); keys(got) != "[long_wait:sales@40]" {
		t.Fatalf("first caught-up report raised %v, want the active long wait only", keys(got))
	}
	if got := b.Observe(report(61, true, wait, morning)); len(got) != 0 {
		t.Fatalf("the same alert raised again: %v", keys(got))
	}
	abandon := alert(KindAbandonRate, 62, -1)
	brief := alert(KindUnderstaffed, 62, 63) // began and ended between two looks
	if got := b.Observe(report(64, true, abandon, brief, wait, morning)); keys(got) != "[abandon_rate:sales@62]" {
		t.Fatalf("raised %v, want the new abandon rate", keys(got))
	}
	if b.Active() != 2 || b.Unacked() != 2 || len(b.List()) != 4 {
		t.Errorf("active %d, unacked %d, listed %d; want 2, 2, 4", b.Active(), b.Unacked(), len(b.List()))
	}
	// Older reports (a view switching windows mid-frame) change nothing.
	if got := b.Observe(report(10, true)); got != nil || len(b.List()) != 4 {
		t.Errorf("an older report raised %v or changed the list", keys(got))
	}
}

// An acknowledgement is signed and timed on the floor clock, and lasts
// while the fold keeps the alert (a return inside the cooldown is the same
// alert).
func TestAcknowledge(t *testing.T) {
	b := New(Options{By: "ana"})
	sl, wait := alert(KindServiceLevel, 0, -1), alert(KindLongWait, 1, -1)
	b.Observe(report(2, true, wait, sl))
	if !b.Ack(sl.Key) || b.Ack(sl.Key) || b.Ack("nope") {
		t.Fatal("Ack: want true once for a known alert, then false")
	}
	l := b.List()
	if keys(l) != "[long_wait:sales@1 service_level:sales@0]" {
		t.Fatalf("order %v: the unacknowledged first", keys(l))
	}
	if a := l[1]; !a.Acked || !a.AckedAt.Equal(at(2)) || a.AckedBy != "ana" {
		t.Errorf("acknowledged %+v, want at +2m by ana", a)
	}
	sl.Ended = at(3)
	b.Observe(report(3, true, wait, sl))
	sl.Ended, sl.Returns = time.Time{}, 1
	b.Observe(report(4, true, wait, sl))
	if !b.List()[1].Acked || b.Unacked() != 1 {
		t.Error("a breach back inside the cooldown lost its acknowledgement")
	}
	if n := b.AckAll(); n != 1 || b.Unacked() != 0 {
		t.Errorf("AckAll acknowledged %d, leaving %d", n, b.Unacked())
	}
	// Ended alerts sort after active ones, most recently ended first.
	wait.Ended = at(5)
	old := alert(KindAbandonRate, 0, 1)
	b.Observe(report(5, true, wait, sl, old))
	if got := keys(b.List()); got != "[service_level:sales@0 long_wait:sales@1 abandon_rate:sales@0]" {
		t.Errorf("order %v", got)
	}
}

// A rerun starts a new floor: the book starts over with it.
func TestNewFloorStartsANewBook(t *testing.T) {
	b := New(Options{})
	sl := alert(KindServiceLevel, 0, -1)
	b.Observe(report(5, true, sl))
	b.Ack(sl.Key)
	rerun := report(1, true, sl) // the same alert again, in the new run
	rerun.NewFloor = &floor.NewFloor{Count: 1, At: at(0), Previous: at(5)}
	if got := b.Observe(rerun); keys(got) != "[service_level:sales@0]" {
		t.Fatalf("the new floor's alert raised %v", keys(got))
	}
	if b.Unacked() != 1 {
		t.Error("an acknowledgement of the old run carried over")
	}
}

// shared is an Acks as a hub keeps them: replaced on each acknowledgement.
type shared struct{ acks map[string]Ack }

func (s *shared) AlertAcks() map[string]Ack { return s.acks }
func (s *shared) AckAlert(key, by string, at time.Time) {
	next := map[string]Ack{key: {At: at, By: by}}
	for k, a := range s.acks {
		if k != key {
			next[k] = a
		}
	}
	s.acks = next
}

// Two supervisors' books on one floor: what one acknowledges shows as
// theirs in the other's, at the other's next look; each rings on its own.
func TestAcknowledgementsShared(t *testing.T) {
	store := &shared{}
	ana, ben := New(Options{By: "ana", Shared: store}), New(Options{By: "ben", Shared: store})
	wait := alert(KindLongWait, 40, -1)
	r := report(45, true, wait)
	if got := ana.Observe(r); len(got) != 1 {
		t.Fatalf("ana's book raised %v", keys(got))
	}
	if got := ben.Observe(r); len(got) != 1 {
		t.Fatalf("ben's book raised %v: each book rings for itself", keys(got))
	}
	if !ana.Ack(wait.Key) || ana.Unacked() != 0 {
		t.Fatal("ana's acknowledgement did not take")
	}
	if ben.Unacked() != 1 {
		t.Error("ben's book changed before it looked again")
	}
	ben.Observe(report(46, true, wait))
	if l := ben.List(); ben.Unacked() != 0 || !l[0].Acked || l[0].AckedBy != "ana" || !l[0].AckedAt.Equal(at(45)) {
		t.Errorf("ben's book after ana acknowledged: %+v", l)
	}
	if ben.Ack(wait.Key) {
		t.Error("ben acknowledged an alert ana already had")
	}
}
