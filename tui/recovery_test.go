package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// recoveryFloor is a morning of protocol 1.1 from
// 09:00 to 09:15, newest first as the Recovery view lists it:
//   - 09:13:00 survey of c3 (Ana Silva): CSAT 1, "Took two calls to reach anyone"
//   - 09:11:00 c11 +15550001111 (Support) hung up after 1:00; called again
//     09:11:30 (c12), Ben Okri transferred it out to +18005550100
//   - 09:10:00 c9 +441632960000 (Sales) left after 1:00 for callback_offered,
//     a reason of the source's own
//   - 09:09:00 c8 cust-8812 (Support, chat) withdrawn after 1:00
//   - 09:07:30 c7 +15551234567 (Support) hung up after 1:00: the redial of c2
//   - 09:06:00 c5 +4930123456 (Sales) pressed a key after 1:00; called again
//     09:12:30 (c6), waiting now
//   - 09:05:00 c4, no caller (Support): no agents, after 1:00
//   - 09:02:40 c2 +15551234567 (Support) timed out after 0:40; called again
//     09:06:30 (c7) and abandoned again
//   - 09:01:30 c1 +33612345678 (Sales) hung up after 1:30; called again
//     09:03:00 (c3), answered by Ana Silva
const recoveryFloor = "testdata/recovery.jsonl"

func TestGoldenRecovery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		redact bool
		keys   []string
	}{
		{"list", false, []string{"4"}},
		{"redacted", true, []string{"4"}},
		// The newest abandon marked done: it goes to the end, dimmed and ✓;
		// the cursor stays at its place, on the next one to call.
		{"one_done", false, []string{"4", "down", "d"}},
		{"detail_redial", false, []string{"4", "G", "enter"}},
		{"detail_survey_redacted", true, []string{"4", "enter"}},
		// Abandons by reason wherever abandons are shown.
		{"overview", false, nil},
		{"queues", false, []string{"2"}},
		{"queue_detail", false, []string{"2", "enter"}},
		{"flow", false, []string{"6"}},
	} {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				m := newModelWith(t, replayHub(t, recoveryFloor), size[0], size[1], Options{RedactCallers: tc.redact})
				press(m, tc.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}

func TestRedialInWords(t *testing.T) {
	m := newModel(t, replayHub(t, recoveryFloor), 160, 48)
	press(m, "4")
	frame := m.View()
	for _, want := range []string{
		"called again 09:03:00 → answered by Ana Silva",
		"called again 09:06:30, abandoned again",
		"called again 09:12:30, waiting now",
		"called again 09:11:30 → Ben Okri transferred it to +18005550100",
		"hung up", "timed out", "no agents", "pressed a key", "withdrawn", "callback_offered",
		"Support · chat", "unknown", "not called again",
		"9 to call back · 0 done",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("the Recovery view lacks %q:\n%s", want, frame)
		}
	}
}

// A done mark is the floor's, not the screen's: two dashboards on one hub
// (two SSH sessions) see each other's marks, and either can take one off.
func TestDoneMarksAreSharedByEveryView(t *testing.T) {
	hub := replayHub(t, recoveryFloor)
	ana := newModelWith(t, hub, 160, 48, Options{Supervisor: "ana"})
	ben := newModelWith(t, hub, 160, 48, Options{Supervisor: "ben"})
	press(ana, "4", "down")
	first := ana.recoveryRows()[1].item.Call
	next := ana.recoveryRows()[2].item.Call
	press(ana, "d")
	if got := ana.recoveryRows()[1].item.Call; got != next {
		t.Errorf("after marking %s the cursor's row is %s, want the next one, %s", first, got, next)
	}
	if !strings.Contains(ana.View(), "8 to call back · 1 done") {
		t.Errorf("the marking view does not count the mark:\n%s", ana.View())
	}
	// Ben's dashboard learns of the change as from the feed: a frame later.
	press(ben, "4")
	ben.Update(frameMsg{})
	rows := ben.recoveryRows()
	last := rows[len(rows)-1]
	if last.item.Call != first || last.done == nil || last.done.By != "ana" {
		t.Fatalf("Ben's last row is %s done %+v, want %s done by ana", last.item.Call, last.done, first)
	}
	press(ben, "G", "enter")
	if f := ben.View(); !strings.Contains(f, "✓ done 09:15:00 by ana") {
		t.Errorf("the detail does not say who marked it, and when:\n%s", f)
	}
	press(ben, "d")
	ana.Update(frameMsg{})
	for _, r := range ana.recoveryRows() {
		if r.done != nil {
			t.Errorf("%s is still done after Ben undid it", r.item.Call)
		}
	}
	if f := ana.View(); !strings.Contains(f, "9 to call back · 0 done") {
		t.Errorf("after the undo:\n%s", f)
	}
}

// New items arrive at the top of the list while a supervisor reads it: the
// cursor stays on the item it was on.
func TestCursorStaysOnItsItemAsTheListGrows(t *testing.T) {
	hub := replayHub(t, recoveryFloor)
	m := newModel(t, hub, 160, 48)
	press(m, "4", "down", "down")
	want := m.recoveryRows()[2].item.Call
	seq := hub.Report(floor.All).Feed.LastSeq
	hub.Frame(fmt.Appendf(nil, "%s\n%s\n",
		fmt.Sprintf(`{"type":"call.offered","seq":%d,"ts":"2026-11-23T09:14:00.000Z","call":"c20","queue":"sales","caller":"+3900000000"}`, seq+1),
		fmt.Sprintf(`{"type":"call.abandoned","seq":%d,"ts":"2026-11-23T09:15:00.000Z","call":"c20","queue":"sales"}`, seq+2)))
	m.Update(frameMsg{})
	m.View()
	if got := m.recoveryRows()[m.cursor[viewRecovery]].item.Call; got != want {
		t.Errorf("the cursor moved from %s to %s when c20 arrived", want, got)
	}
	if m.recoveryRows()[0].item.Call != "c20" {
		t.Errorf("the newest abandon is not first: %s", m.recoveryRows()[0].item.Call)
	}
}

// With --redact-callers no full number is drawn anywhere: not in the list,
// the details, the flash after a mark, nor the help.
func TestRedactedCallersShowTheLastFourOnly(t *testing.T) {
	m := newModelWith(t, replayHub(t, recoveryFloor), 160, 48, Options{RedactCallers: true})
	var frames []string
	press(m, "4")
	for i := range m.recoveryRows() {
		press(m, "4", "g")
		for range i {
			press(m, "down")
		}
		frames = append(frames, m.View())
		press(m, "enter")
		frames = append(frames, m.View())
		press(m, "d")
		frames = append(frames, m.View())
	}
	for _, tab := range []string{"1", "2", "3", "5", "6", "7"} {
		press(m, tab)
		frames = append(frames, m.View())
	}
	all := strings.Join(frames, "\n")
	for _, full := range []string{"+33612345678", "+15551234567", "+4930123456", "cust-8812", "+441632960000", "+15550001111",
		"3361234", "1555123", "4930123", "cust-"} {
		if strings.Contains(all, full) {
			t.Errorf("a redacted dashboard shows %q", full)
		}
	}
	for _, want := range []string{"•••••5678", "•••••4567", "•••••3456", "•••••8812", "unknown", "done: •••••"} {
		if !strings.Contains(all, want) {
			t.Errorf("a redacted dashboard never shows %q", want)
		}
	}
}

func TestCallerTextRedaction(t *testing.T) {
	m := &Model{opts: Options{RedactCallers: true}}
	for in, want := range map[string]string{
		"":             "unknown",
		"+33612345678": "•••••5678",
		"王小明的电话号码":     "•••••电话号码",
		"1234":         "•••••", // as short as the part shown: nothing of it
	} {
		if got := m.callerText(in); got != want {
			t.Errorf("callerText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAbandonReasonsMostFirst(t *testing.T) {
	by := map[string]int64{feed.ReasonCaller: 9, feed.ReasonTimeout: 3, feed.ReasonNoAgents: 3, "callback": 3, feed.ReasonExitKey: 0}
	if got, want := abandonReasons(by, false), "9 hung up · 3 timed out · 3 no agents · 3 callback"; got != want {
		t.Errorf("long: %q, want %q", got, want)
	}
	if got, want := abandonReasons(by, true), "9 hung up, 3 timed out, 3 no agents, 3 callback"; got != want {
		t.Errorf("short: %q, want %q", got, want)
	}
	m := floor.Metrics{Abandoned: 4, AbandonedByReason: map[string]int64{feed.ReasonCaller: 4}}
	if got := abandonedCell(&m); got != "4" {
		t.Errorf("a version 1 floor's cell: %q, want the bare count", got)
	}
}
