package tui

import (
	"strings"
	"testing"
)

// Two supervisors on one server: an alert one acknowledges shows as
// acknowledged, by them, on the other's Alerts view at its next frame.
func TestAlertAcknowledgementsAreShared(t *testing.T) {
	hub := testHub(t)
	ana := newModelWith(t, hub, 160, 48, Options{Supervisor: "ana"})
	ben := newModelWith(t, hub, 160, 48, Options{Supervisor: "ben"})
	press(ana, "7")
	press(ben, "7")
	before := ben.book.Unacked()
	if before == 0 {
		t.Fatal("the test floor has no active alert to acknowledge")
	}
	press(ana, "A")
	if ana.book.Unacked() != 0 {
		t.Fatalf("ana acknowledged all, %d left", ana.book.Unacked())
	}
	ben.Update(frameMsg{})
	if ben.book.Unacked() != 0 {
		t.Errorf("ben's view still has %d unacknowledged after ana acknowledged all (was %d)", ben.book.Unacked(), before)
	}
	if frame := ben.View(); !strings.Contains(frame, "08:30:00 ana") {
		t.Errorf("ben's Alerts view does not say ana acknowledged:\n%s", frame)
	}
}
