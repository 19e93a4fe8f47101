package tui

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

var sizes = [][2]int{{80, 24}, {160, 48}}

// goldenAt draws m at each size after keys and holds each frame against
// testdata/<test>/<name>_<w>x<h>.golden.
func goldenAt(t *testing.T, name string, mk func(t *testing.T, w, h int) *Model, keys ...string) {
	t.Helper()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%s_%dx%d", name, size[0], size[1]), func(t *testing.T) {
			m := mk(t, size[0], size[1])
			press(m, keys...)
			frame := m.View()
			checkFits(t, frame, size[0], size[1])
			golden.RequireEqual(t, frame)
		})
	}
}

// fixtureLines are testdata/floor.jsonl without its hello.
func fixtureLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/floor.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.Contains(sc.Text(), `"hello"`) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// liveHub is a hub whose feed connection is st.
func liveHub(t *testing.T, st feed.ConnStatus) *live.Hub {
	t.Helper()
	g, err := floor.LoadGoals("testdata/goals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := live.NewHub(floor.New(floor.Options{Goals: g, WallClock: func() time.Time { return wallNow }}))
	h.SetConn(func() feed.ConnStatus { return st })
	return h
}

// A feed whose hello announces 110 events, 40 of them folded: no figure
// is shown, only how far the catch-up is.
func TestGoldenCatchUp(t *testing.T) {
	mk := func(t *testing.T, w, h int) *Model {
		hub := liveHub(t, feed.ConnStatus{URL: "ws://127.0.0.1:7070/", State: feed.ConnLive, LastFrame: wallNow})
		lines := fixtureLines(t)[:40]
		hello := `{"type":"hello","v":1,"feed":"acme-east","stream":"s1","seq":110,"ts":"2026-11-23T08:30:00.000Z"}`
		if hub.Frame([]byte(hello + "\n" + strings.Join(lines, "\n"))) {
			t.Fatal("gap")
		}
		return newModel(t, hub, w, h)
	}
	goldenAt(t, "history", mk)
	m := mk(t, 80, 24)
	if v := m.View(); !strings.Contains(v, "catching up 40 / 110") || strings.Contains(v, "QUEUE") || strings.Contains(v, "● live") {
		t.Errorf("catching up, the dashboard shows figures or says live:\n%s", v)
	}
	// The rest arrives: the figures appear, live.
	if m.hub.Frame([]byte(strings.Join(fixtureLines(t)[40:], "\n"))) {
		t.Fatal("gap")
	}
	m.Update(frameMsg{})
	if v := m.View(); strings.Contains(v, "catching up") || !strings.Contains(v, "● live") || !strings.Contains(v, "Billing") {
		t.Errorf("caught up, the dashboard does not show the floor live:\n%s", v)
	}
}

// The feed said the run is over (close 1000): the figures are final.
func TestGoldenRunEnded(t *testing.T) {
	goldenAt(t, "overview", func(t *testing.T, w, h int) *Model {
		hub := liveHub(t, feed.ConnStatus{State: feed.ConnClosed, Err: feed.ErrFeedEnded.Error(), LastFrame: wallNow.Add(-time.Hour)})
		if hub.Frame([]byte(`{"type":"hello","v":1,"feed":"acme-east","stream":"s1","seq":0,"ts":"2026-11-23T08:00:00.000Z"}` +
			"\n" + strings.Join(fixtureLines(t), "\n"))) {
			t.Fatal("gap")
		}
		return newModel(t, hub, w, h)
	})
}

// A drill rerun: a new stream whose clock is back at 08:00. The banner
// says so until a key is pressed.
func TestGoldenNewFloor(t *testing.T) {
	mk := func(t *testing.T, w, h int) *Model {
		hub := liveHub(t, feed.ConnStatus{State: feed.ConnLive, LastFrame: wallNow})
		lines := fixtureLines(t)
		if hub.Frame([]byte(`{"type":"hello","v":1,"feed":"acme-east","stream":"s1","seq":0,"ts":"2026-11-23T08:00:00.000Z"}` +
			"\n" + strings.Join(lines, "\n"))) {
			t.Fatal("gap")
		}
		// The rerun: its first ten events, at 08:00 again.
		if hub.Frame([]byte(`{"type":"hello","v":1,"feed":"acme-east","stream":"s2","seq":0,"ts":"2026-11-23T08:00:00.000Z"}` +
			"\n" + strings.Join(lines[:10], "\n"))) {
			t.Fatal("gap")
		}
		return newModel(t, hub, w, h)
	}
	goldenAt(t, "banner", mk)
	m := mk(t, 80, 24)
	if !strings.Contains(m.View(), "new floor") {
		t.Fatal("no banner on a rerun")
	}
	press(m, "2")
	if strings.Contains(m.View(), "new floor") {
		t.Error("a key did not hide the new-floor banner")
	}
}

// During a reconnect the figures stay, with the floor clock and its age,
// and why the feed is down.
func TestGoldenReconnecting(t *testing.T) {
	goldenAt(t, "overview", func(t *testing.T, w, h int) *Model {
		hub := testHub(t)
		hub.SetConn(func() feed.ConnStatus {
			return feed.ConnStatus{State: feed.ConnReconnecting, Err: "cannot reach feed ws://127.0.0.1:7070/: connection refused",
				LastFrame: wallNow.Add(-95 * time.Second), Retry: wallNow.Add(4 * time.Second), Attempts: 3}
		})
		return newModel(t, hub, w, h)
	})
}

// A live feed whose bridge has lost its PBX says so in the top bar and
// the banner, with the source's own words (cleaned: they come from outside).
func TestGoldenSourceLost(t *testing.T) {
	goldenAt(t, "overview", func(t *testing.T, w, h int) *Model {
		hub := testHub(t)
		hub.SetConn(func() feed.ConnStatus {
			return feed.ConnStatus{State: feed.ConnLive, LastFrame: wallNow.Add(-time.Second),
				SourceLost: "since 10:00:05 UTC: ami://floorwatch@127.0.0.1:5038: connection lost: EOF; reconnecting"}
		})
		return newModel(t, hub, w, h)
	})
}

// Aux time by reason, each against its planned length: Hana's break has
// overrun its 3 minutes.
func TestGoldenAuxByReason(t *testing.T) {
	goldenAt(t, "agents", func(t *testing.T, w, h int) *Model { return newModel(t, testHub(t), w, h) }, "3")
	goldenAt(t, "overrun_detail", func(t *testing.T, w, h int) *Model { return newModel(t, testHub(t), w, h) }, "3", "down", "enter")
}

// fakePlayer records the replay keys.
type fakePlayer struct {
	calls []string
	st    live.PlayStatus
}

func (p *fakePlayer) Status() live.PlayStatus { return p.st }
func (p *fakePlayer) TogglePause()            { p.calls = append(p.calls, "pause") }
func (p *fakePlayer) Faster()                 { p.calls = append(p.calls, "faster") }
func (p *fakePlayer) Slower()                 { p.calls = append(p.calls, "slower") }
func (p *fakePlayer) Seek(d time.Duration)    { p.calls = append(p.calls, "seek "+d.String()) }
func (p *fakePlayer) SeekStart()              { p.calls = append(p.calls, "start") }
func (p *fakePlayer) SeekEnd()                { p.calls = append(p.calls, "end") }

// A replay: where it stands under the top bar; its keys in the footer and
// the help, and each reaching the player.
func TestReplayKeys(t *testing.T) {
	p := &fakePlayer{st: live.PlayStatus{Start: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		End: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC), At: time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC), Speed: 60}}
	goldenAt(t, "overview", func(t *testing.T, w, h int) *Model {
		return newModelWith(t, testHub(t), w, h, Options{Player: p})
	})
	goldenAt(t, "help", func(t *testing.T, w, h int) *Model {
		return newModelWith(t, testHub(t), w, h, Options{Player: p})
	}, "?")
	p.calls = nil
	m := newModelWith(t, testHub(t), 160, 48, Options{Player: p})
	press(m, " ", "+", "-", "left", "right", "home", "end", "G")
	want := "pause faster slower seek -5m0s seek 5m0s start end"
	if got := strings.Join(p.calls, " "); got != want {
		t.Errorf("keys reached the player as %q, want %q", got, want)
	}
	if c := m.cursor[viewOverview]; c == 0 {
		t.Error("G no longer goes to the last row in a replay")
	}
	// A live feed has no replay keys: home still goes to the first row.
	m = newModel(t, testHub(t), 160, 48)
	press(m, "G", "home")
	if m.cursor[viewOverview] != 0 || strings.Contains(m.View(), "pause/play") {
		t.Error("a live dashboard answers to the replay keys")
	}
}
