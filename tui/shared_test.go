package tui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Dashboards on one Share that sit as they opened, at one size, get one
// frame drawn for all of them, and it is the frame each would have drawn
// alone.
func TestShareDrawsOnceForTheSameScreen(t *testing.T) {
	hub := testHub(t)
	share := NewShare()
	a := newModelWith(t, hub, 120, 40, Options{Share: share})
	b := newModelWith(t, hub, 120, 40, Options{Share: share})
	alone := newModel(t, hub, 120, 40)

	fa, fb := a.View(), b.View()
	if fa != fb {
		t.Fatalf("two sessions at one size differ:\n%s\n---\n%s", fa, fb)
	}
	if want := alone.View(); fa != want {
		t.Errorf("the shared frame is not the one a dashboard draws alone:\n%s\n---\n%s", fa, want)
	}
	if handed, drawn, _ := share.ShareStats(); handed != 2 || drawn != 1 {
		t.Errorf("frames handed %d, drawn %d; want 2 handed, 1 drawn", handed, drawn)
	}
	if a.Renders()+b.Renders() != 1 {
		t.Errorf("renders %d + %d, want one between them", a.Renders(), b.Renders())
	}
	// The sorted lists are the same lists, sorted once.
	if &a.attention[0] != &b.attention[0] || &a.queues[0] != &b.queues[0] {
		t.Error("the two dashboards sorted the report each on their own")
	}

	// Another size is another frame.
	c := newModelWith(t, hub, 80, 24, Options{Share: share})
	fc := c.View()
	if fc == fa {
		t.Error("an 80×24 session got the 120×40 frame")
	}
	checkFits(t, fc, 80, 24)
	if want := newModel(t, hub, 80, 24).View(); fc != want {
		t.Errorf("the 80×24 frame is not its own:\n%s\n---\n%s", fc, want)
	}
}

// A session that does anything (a key, the mouse) draws its own screen
// from then on; the others keep sharing theirs.
func TestShareLeavesAMovedSessionItsOwnScreen(t *testing.T) {
	hub := testHub(t)
	share := NewShare()
	a := newModelWith(t, hub, 120, 40, Options{Share: share})
	b := newModelWith(t, hub, 120, 40, Options{Share: share})
	shared := a.View()
	b.View()

	press(b, "2") // the Queues view
	fb := b.View()
	if fb == shared || !strings.Contains(fb, "[2 Que") {
		t.Fatalf("after 2 the session still shows the shared Overview:\n%s", fb)
	}
	press(b, "1") // back on the Overview, but with its own state: its own frame
	if b.frameKeyOK() {
		t.Error("a session that pressed keys is still shared")
	}
	if got := b.View(); got != newModel(t, hub, 120, 40).View() {
		t.Errorf("back on the Overview the session draws a different screen:\n%s", got)
	}
	a.dirty = true
	if a.View() != shared {
		t.Error("the untouched session lost its shared frame")
	}
	_, drawn, _ := share.ShareStats()
	if drawn != 1 {
		t.Errorf("%d shared frames drawn, want 1 (the moved session draws its own)", drawn)
	}
}

// Terminals with other colours get frames of their own.
func TestShareKeepsColourProfilesApart(t *testing.T) {
	hub := testHub(t)
	share := NewShare()
	plain := newModelWith(t, hub, 120, 40, Options{Share: share})
	colour := lipgloss.NewRenderer(nil)
	colour.SetColorProfile(termenv.TrueColor)
	colour.SetHasDarkBackground(true)
	c := New(hub, Options{Share: share, Renderer: colour, Now: plain.opts.Now, Window: plain.window}).(*Model)
	c.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if plain.View() == c.View() {
		t.Error("a true-colour terminal got the colourless frame")
	}
	if !strings.Contains(c.View(), "\x1b[") {
		t.Error("the true-colour frame has no colour")
	}
}

// Many sessions redrawing at once, while the floor changes, each get the
// frame of the report they read (run under -race).
func TestShareUnderConcurrentRedraws(t *testing.T) {
	hub := testHub(t)
	share := NewShare()
	const n = 8
	models := make([]*Model, n)
	for i := range models {
		models[i] = newModelWith(t, hub, 100, 30, Options{Share: share})
	}
	var wg sync.WaitGroup
	for round := range 5 {
		hub.MarkDone(fmt.Sprintf("k%d", round), "x", time.Time{}) // a new version
		for _, m := range models {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.Update(frameMsg{})
				m.View()
			}()
		}
		wg.Wait()
		want := newModel(t, hub, 100, 30).View()
		for i, m := range models {
			if m.frame != want {
				t.Fatalf("round %d: session %d shows a frame not of the report it read", round, i)
			}
		}
	}
	if _, drawn, _ := share.ShareStats(); drawn > 6 {
		t.Errorf("%d frames drawn for 5 changes seen by %d sessions", drawn, n)
	}
}

// frameKeyOK says whether the dashboard's screen would be shared.
func (m *Model) frameKeyOK() bool {
	_, ok := m.frameKey()
	return ok
}

// The palette worked out once for a 256- or 16-colour terminal draws the
// very bytes lipgloss draws converting it on every cell.
func TestPaletteForProfileIsTheSameColour(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.ANSI256, termenv.ANSI, termenv.TrueColor, termenv.Ascii} {
		for _, dark := range []bool{true, false} {
			r := lipgloss.NewRenderer(nil)
			r.SetColorProfile(p)
			r.SetHasDarkBackground(dark)
			for _, c := range []lipgloss.AdaptiveColor{colGood, colWarn, colBad, colMuted, colAccent, colInfo, colSelBg} {
				want := r.NewStyle().Foreground(c).Background(c).Render("x")
				if got := r.NewStyle().Foreground(forProfile(r, c)).Background(forProfile(r, c)).Render("x"); got != want {
					t.Errorf("profile %d dark %v colour %v: %q, want %q", p, dark, c, got, want)
				}
			}
		}
	}
}
