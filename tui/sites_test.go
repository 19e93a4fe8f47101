package tui

import (
	"strings"
	"testing"
	"time"
)

// A floor of several sites: a row per site on the Overview, and S narrows
// the whole dashboard to one site, then the next, then all again.
func TestSitesRowsAndNarrowing(t *testing.T) {
	all, paris := testHub(t), testHub(t)
	lisbon := foldHub(t, strings.NewReader(`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:29:00.000Z","call":"c1","queue":"billing"}`))
	sites := []Site{{Name: "paris", Hub: paris, LastMessage: wallNow}, {Name: "lisbon", Hub: lisbon, LastMessage: wallNow.Add(-time.Minute), Dropped: 3}}
	m := newModelWith(t, all, 120, 40, Options{Sites: func() []Site { return sites }})
	frame := m.View()
	for _, want := range []string{"SITES 30m (S: narrow to one)", "  paris ", "  lisbon ", "quiet 1m", "3 not published", "▸ all sites"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the overview lacks %q:\n%s", want, frame)
		}
	}
	for _, step := range []struct {
		want  string
		shown any
		flash string
	}{{"▸ paris", paris, "site paris alone"}, {"▸ lisbon", lisbon, "site lisbon alone"}, {"▸ all sites", all, "all sites"}} {
		press(m, "S")
		if m.hub != step.shown || m.flash != step.flash || !strings.Contains(m.View(), step.want) {
			t.Errorf("after S: flash %q, frame:\n%s\nwant %q and %q", m.flash, m.View(), step.flash, step.want)
		}
	}
	small := newModelWith(t, all, 80, 24, Options{Sites: func() []Site { return sites }})
	checkFits(t, small.View(), 80, 24)
}

// One site (or a websocket feed) looks exactly as before: no rows, and S
// does nothing.
func TestNoSitesNoRows(t *testing.T) {
	hub := testHub(t)
	m := newModel(t, hub, 120, 40)
	press(m, "S")
	if strings.Contains(m.View(), "SITES") || m.hub != hub {
		t.Errorf("a floor of one site shows sites:\n%s", m.View())
	}
}
