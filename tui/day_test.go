package tui

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// omnichannel is a floor of two queues from 05:00 to 10:05 on the floor
// clock (testdata/omnichannel.jsonl, made by a script; jsonl holds no
// comments, so it is told here):
//   - Calls (calls): voice held to 80% in 20s, its chats (escalated, one
//     every half hour at :07, from 05:07) to their channel goal of 85% in
//     1m. Voice calls rise from 1 or 2 an interval at 05:00 to 6 at 07:30
//     and fall back to 2 by 09:45; at 07:30 and 07:45 every other one waits
//     35s (late), at 07:45 one caller hangs up after 50s, at 08:30 one after
//     3s (a short abandon). The 08:07 chat waits 90s and the 09:07 one 75s,
//     over chat's minute: chat's 8 of 10 is under its 85%, and 09:00's 4 of
//     5 just under that interval's 81.0% goal.
//   - Email (email): email held to 90% in 4h; two, offered at 06:20 and
//     08:10, answered an hour and an hour and a half later.
//
// The floor clock stops at 10:05, in the 10:00 interval: a call answered at
// 10:01 is still in conversation and one offered at 10:04:30 is waiting.
const omnichannel = "testdata/omnichannel.jsonl"

// The Day view at the smallest terminal and a wide one: the floor, where
// the cursor follows the interval in progress (scrolled to it at 80×24),
// 07:30 and 07:45 well under goal and 09:00 just under; then the Calls
// queue by 30 minutes.
func TestGoldenDay(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, v := range []struct {
			name string
			keys []string
		}{
			{"floor", []string{"8"}},
			{"calls_30m", []string{"8", "n", "t"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				m := newModel(t, replayHub(t, omnichannel), size[0], size[1])
				press(m, v.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}

// The Day view shows the fold's own intervals, those `status --window today
// --intervals 15m` prints: every row of the floor and of Calls on screen
// is the Report's interval, figure for figure.
func TestDayIsTheFoldsIntervals(t *testing.T) {
	want := replayHub(t, omnichannel).Report(floor.Today.WithIntervals(15 * time.Minute))
	m := newModel(t, replayHub(t, omnichannel), 160, 48)
	press(m, "8")
	checkDayRows(t, "floor", m.View(), want.Floor.Intervals)
	press(m, "n")
	calls := want.Queues[slices.IndexFunc(want.Queues, func(q floor.QueueReport) bool { return q.Queue == "calls" })]
	checkDayRows(t, "calls", m.View(), calls.Intervals)

	// By hand, the floor at 07:30: six voice calls offered at 07:30:30 and
	// every 2m20s after, waiting 8, 35, 12, 35, 16 and 35 s, and the 07:37
	// chat waiting 45 s, all answered in the interval. Within goal: the
	// three voice calls under 20 s and the chat under its 1m: 4 of 7 is
	// 57.1%, under a goal of (6 × 80% + 85%) / 7 = 80.7%. ASA (8+35+12+35+
	// 16+35+45) / 7 = 26.6 s; AHT: voice talks 150 to 200 s by tens with
	// 20 s of wrap-up, the chat 300 s with 10: (1050 + 120 + 310) / 7 =
	// 211.4 s.
	press(m, "n", "n") // Email, then the floor again
	if line := dayLine(m.View(), "07:30"); !strings.HasPrefix(line, "07:30 7 7 0 57.1% ✗ 80.7% 0:27 3:31 0.0% █") {
		t.Errorf("07:30 on the floor reads %q", line)
	}
}

// checkDayRows fails unless frame has a row for each interval of list, in
// order, reading the interval's figures.
func checkDayRows(t *testing.T, what, frame string, list []floor.Interval) {
	t.Helper()
	if len(list) == 0 {
		t.Fatalf("%s: no interval in the fold", what)
	}
	var starts []string
	for _, line := range strings.Split(frame, "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "›")); len(f) > 0 && len(f[0]) == 5 && f[0][2] == ':' {
			starts = append(starts, f[0])
		}
	}
	if len(starts) != len(list) {
		t.Fatalf("%s: %d rows on screen (%v), the fold has %d intervals", what, len(starts), starts, len(list))
	}
	for i, iv := range list {
		start := iv.Start.UTC().Format("15:04")
		abandoned := fmt.Sprint(iv.Abandoned)
		if iv.ShortAbandoned > 0 {
			abandoned += fmt.Sprintf(" (%d short)", iv.ShortAbandoned)
		}
		now := ""
		if iv.InProgress {
			now = " ● now"
		}
		want := fmt.Sprintf("%s%s %d %d %s %s %s %s %s %s %s", start, now, iv.Offered, iv.Answered, abandoned, pct(iv.ServiceLevel),
			levelMark(slLevel(iv.ServiceLevel, iv.SLTarget)), pct(&iv.SLTarget), durp(iv.ASAS), durp(iv.AHTS), pct(iv.AbandonRate))
		if starts[i] != start {
			t.Errorf("%s: row %d is %s, the fold's interval %s", what, i, starts[i], start)
		}
		if got := dayLine(frame, start); !strings.HasPrefix(got, want) {
			t.Errorf("%s %s:\n got %q\nwant %q", what, start, got, want)
		}
	}
}

// dayLine is the Day view's row of the interval starting at start, its
// cells one space apart.
func dayLine(frame, start string) string {
	for _, line := range strings.Split(frame, "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "›")); len(f) > 0 && f[0] == start {
			return strings.Join(f, " ")
		}
	}
	return ""
}

// The Day view follows the interval in progress as the day goes on, until
// the supervisor scrolls back; G follows it again. Its report is asked for
// only while it is up.
func TestDayFollowsNow(t *testing.T) {
	data, err := os.ReadFile(omnichannel)
	if err != nil {
		t.Fatal(err)
	}
	// The floor up to its first line after 09:50 (its clock still in the
	// 09:45 interval), then the rest of the day.
	cut := bytes.Index(data, []byte(`"ts":"2026-11-23T09:5`))
	cut = bytes.LastIndexByte(data[:cut], '\n') + 1
	feedMore := func(hub *live.Hub) {
		if err := hub.Replay(bytes.NewReader(data[cut:])); err != nil {
			t.Fatal(err)
		}
	}
	cursorAt := func(m *Model) string {
		return m.dayIntervals()[m.cursor[viewDay]].Start.UTC().Format("15:04")
	}

	hub := foldHub(t, bytes.NewReader(data[:cut]))
	m := newModel(t, hub, 80, 24)
	if m.day.report != nil {
		t.Error("the Day view's report was made with the view not shown")
	}
	press(m, "8")
	if got := cursorAt(m); got != "09:45" {
		t.Errorf("the Day view opened on %s, not the interval in progress (09:45)", got)
	}
	feedMore(hub)
	m.Update(frameMsg{})
	if got := cursorAt(m); got != "10:00" {
		t.Errorf("with the floor at 10:05 the cursor is on %s, not 10:00", got)
	}
	if !strings.Contains(m.View(), "›10:00 ● now") {
		t.Errorf("the interval in progress is not on screen and marked:\n%s", m.View())
	}

	hub = foldHub(t, bytes.NewReader(data[:cut]))
	m = newModel(t, hub, 80, 24)
	press(m, "8", "k", "k")
	feedMore(hub)
	m.Update(frameMsg{})
	if got := cursorAt(m); got != "09:15" {
		t.Errorf("scrolled back to 09:15, the next interval took the cursor to %s", got)
	}
	press(m, "G")
	if got := cursorAt(m); got != "10:00" {
		t.Errorf("G went to %s, not the interval in progress", got)
	}

	// t cycles the size, n and N the scope; each starts at now again.
	press(m, "g", "t")
	if got, size := cursorAt(m), m.day.report.IntervalSize; got != "10:00" || size != 30*time.Minute {
		t.Errorf("t: intervals of %v, cursor on %s; want 30m on 10:00", size, got)
	}
	press(m, "t", "t")
	if size := m.day.report.IntervalSize; size != 15*time.Minute {
		t.Errorf("t three times: intervals of %v, want 15m again", size)
	}
	for _, step := range []struct{ key, want string }{{"n", "Calls"}, {"n", "Email"}, {"n", "Floor"}, {"N", "Email"}} {
		press(m, step.key)
		if got := m.dayScopeLabel(); got != step.want {
			t.Errorf("%s went to %s, want %s", step.key, got, step.want)
		}
	}
}
