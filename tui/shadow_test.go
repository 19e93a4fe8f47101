package tui

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// fakeShadow is a drill's shadow floor that keeps what it was asked: the
// drill it was started for, and the floor time, window and number of
// actions of each report set beside it.
type fakeShadow struct {
	started *floor.DrillStart
	asked   []string
	err     error
}

func (f *fakeShadow) start(d *floor.DrillStart) (Comparer, error) {
	f.started = d
	if f.err != nil {
		return nil, f.err
	}
	return func(with *floor.Report, w floor.Window, actions []*feed.Drill) (string, string) {
		f.asked = append(f.asked, fmt.Sprintf("%s %s %d", clock(with.Now.Time), w, len(actions)))
		return "service level 78.0% (without your actions 64.0%), 212 more callers answered within goal, 31 hang-ups avoided, 8 agent-hours of overtime",
			"SL 78.0% (without you 64.0%) · +212 in goal · 31 hang-ups avoided · 8 h overtime"
	}, nil
}

// shadowModel is a dashboard on the fixed drill with sh as its shadow
// floor, started as Bubble Tea would start it: the command the first
// refresh returned, its message handed back; the briefing closed.
func shadowModel(t *testing.T, w, h int, sh *fakeShadow, opts Options) *Model {
	t.Helper()
	opts.Shadow = sh.start
	m := newModelWith(t, drillHub(t), w, h, opts)
	if sh.started != nil {
		t.Fatal("the shadow floor was started on the dashboard's goroutine, not from a tea.Cmd")
	}
	msg := m.ring()
	if _, ok := msg.(shadowMsg); !ok {
		t.Fatalf("the first refresh's command gave %T, not the shadow floor", msg)
	}
	m.Update(msg)
	press(m, "x")
	return m
}

// The Overview of a drill with the comparison under its header: in full
// where it fits, in short where it does not, wrapped at 80 columns.
func TestGoldenShadow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		t.Run(fmt.Sprintf("overview_%dx%d", size[0], size[1]), func(t *testing.T) {
			m := shadowModel(t, size[0], size[1], &fakeShadow{}, Options{})
			frame := m.View()
			checkFits(t, frame, size[0], size[1])
			golden.RequireEqual(t, frame)
		})
	}
}

// The shadow floor is started for the drill the feed names, then set
// beside each report at its floor time, over the window the Overview
// shows, with the drill's actions: the window changed, the line follows.
func TestShadowFollowsTheReport(t *testing.T) {
	sh := &fakeShadow{}
	m := shadowModel(t, 120, 40, sh, Options{})
	if d := sh.started; d.Scenario != "monday-surge" || d.Seed != 7 {
		t.Errorf("started for %+v, want monday-surge seed 7", d)
	}
	press(m, "w") // 30m → 1h
	want := []string{
		"08:30:00 30m 5", // primed in the tea.Cmd
		"08:30:00 30m 5", // the report when the shadow came
		"08:30:00 1h 5",
	}
	if strings.Join(sh.asked, "\n") != strings.Join(want, "\n") {
		t.Errorf("the shadow was asked for\n%s\nwant\n%s", strings.Join(sh.asked, "\n"), strings.Join(want, "\n"))
	}
	if v := m.View(); !strings.Contains(v, "SL 78.0% (without you 64.0%)") {
		t.Errorf("the Overview shows no comparison:\n%s", v)
	}
	// Not on another view: the line is the Overview's.
	press(m, "2")
	if v := m.View(); strings.Contains(v, "without you") {
		t.Errorf("the Queues view shows the comparison:\n%s", v)
	}
}

// A shadow floor that cannot be made says why on the Overview, in one line.
func TestShadowErrorSaysWhy(t *testing.T) {
	m := shadowModel(t, 80, 24, &fakeShadow{err: errors.New(`the drill is of scenario "x", this is "y"`)}, Options{})
	v := m.View()
	checkFits(t, v, 80, 24)
	if !strings.Contains(v, "no comparison with the floor without your actions: the drill is of") {
		t.Errorf("the Overview does not say why there is no comparison:\n%s", v)
	}
}

// The drill's run has ended: the banner says where quitting writes the
// debrief, wrapped rather than cut.
func TestGoldenDrillEnded(t *testing.T) {
	goldenAt(t, "overview", func(t *testing.T, w, h int) *Model {
		hub := liveHub(t, feed.ConnStatus{State: feed.ConnClosed, Err: feed.ErrFeedEnded.Error(), LastFrame: wallNow})
		drill, err := os.ReadFile("testdata/drill.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if hub.Frame([]byte(`{"type":"hello","v":1,"feed":"demo monday-surge","stream":"s1","seq":0,"ts":"2026-11-23T08:00:00.000Z"}` +
			"\n" + strings.Join(fixtureLines(t), "\n") + "\n" + string(drill))) {
			t.Fatal("gap")
		}
		m := newModelWith(t, hub, w, h, Options{Debrief: "debrief-monday-surge-20261123-083001.md and .html"})
		press(m, "x")
		return m
	})
}

// The actions set beside the shadow are the drill.action lines whole, the
// result with them: overtime counts against the trainee only when it was
// taken ("ok"), so an action without its result would count none.
func TestShadowGetsWholeActions(t *testing.T) {
	m := newModel(t, drillHub(t), 120, 40)
	got := m.drillActions()
	if len(got) == 0 {
		t.Fatal("the drill fixture has no drill.action")
	}
	for i, d := range got {
		a := m.report.Actions[i]
		if d.Result != a.Result || d.ID != a.ID || d.By != a.By || d.Command != a.Command || d.Count != a.Count || d.For != a.For {
			t.Errorf("action %d handed on as %+v, the line said %+v", i, *d, a)
		}
	}
}
