package tui

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/floorwatch/floorwatch/feed"
)

// Palette: every colour of the dashboard, adaptive so that it reads on light
// and dark terminals. With NO_COLOR the renderer drops colours; meaning is
// always carried by text as well (a ✓/!/✗ mark, a word), never by colour alone.
var (
	colGood   = lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"}
	colBad    = lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"}
	colMuted  = lipgloss.AdaptiveColor{Light: "#6e7781", Dark: "#8b949e"}
	colAccent = lipgloss.AdaptiveColor{Light: "#0969da", Dark: "#58a6ff"}
	colInfo   = lipgloss.AdaptiveColor{Light: "#8250df", Dark: "#bc8cff"}
	colSelBg  = lipgloss.AdaptiveColor{Light: "#ddf4ff", Dark: "#1f3a5f"}
)

// Thresholds of the traffic light, decided here and nowhere else.
const (
	// A service level within amberPoints of its goal (below it) is amber;
	// further below is red.
	amberPoints = 0.05
	// staleAfter: a feed silent this long (wall clock) shows as stale; the
	// server sends a heartbeat at least every 2 s.
	staleAfterS = 5
)

// Level is a traffic-light grade.
type Level int

// Levels, best first.
const (
	LevelNone Level = iota
	LevelGood
	LevelWarn
	LevelBad
)

// Styles is every style the dashboard draws with, built from one renderer so
// that over SSH each session gets its own terminal's colours.
type Styles struct {
	App       lipgloss.Style
	Title     lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Muted     lipgloss.Style
	Bold      lipgloss.Style
	Accent    lipgloss.Style
	Label     lipgloss.Style

	Good lipgloss.Style
	Warn lipgloss.Style
	Bad  lipgloss.Style

	Header   lipgloss.Style // table header cells
	Cell     lipgloss.Style // table body cells
	Selected lipgloss.Style // the row under the cursor
	Section  lipgloss.Style // a heading inside a view

	States map[string]lipgloss.Style // agent state colours
	Help   lipgloss.Style
	Filter lipgloss.Style
}

// NewStyles builds the styles on r (nil: the default renderer).
func NewStyles(r *lipgloss.Renderer) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	n := r.NewStyle
	colGood, colWarn, colBad, colMuted, colAccent, colInfo, colSelBg :=
		forProfile(r, colGood), forProfile(r, colWarn), forProfile(r, colBad), forProfile(r, colMuted),
		forProfile(r, colAccent), forProfile(r, colInfo), forProfile(r, colSelBg)
	s := Styles{}
	s.App = n()
	s.Title = n().Bold(true).Foreground(colAccent)
	s.Tab = n().Foreground(colMuted).Padding(0, 1)
	s.ActiveTab = n().Bold(true).Reverse(true)
	s.Muted = n().Foreground(colMuted)
	s.Bold = n().Bold(true)
	s.Accent = n().Foreground(colAccent)
	s.Label = n().Foreground(colMuted)
	s.Good = n().Foreground(colGood)
	s.Warn = n().Foreground(colWarn)
	s.Bad = n().Foreground(colBad).Bold(true)
	s.Header = n().Bold(true).Foreground(colAccent)
	s.Cell = n()
	s.Selected = n().Background(colSelBg).Bold(true)
	s.Section = n().Bold(true).Foreground(colAccent)
	s.States = map[string]lipgloss.Style{
		feed.StateAvailable: n().Foreground(colGood),
		feed.StateOnCall:    n().Foreground(colAccent),
		feed.StateWrapUp:    n().Foreground(colInfo),
		feed.StateAux:       n().Foreground(colWarn),
		feed.StateOffline:   n().Foreground(colMuted),
	}
	s.Help = n().Foreground(colMuted)
	s.Filter = n().Foreground(colAccent)
	return s
}

// forProfile is c as the renderer's terminal shows it, worked out once: on a
// 256- or 16-colour terminal the nearest colour of its palette, which
// lipgloss would otherwise look for (a perceptual distance to each) on
// every cell of every frame. The same colours, the same bytes.
func forProfile(r *lipgloss.Renderer, c lipgloss.AdaptiveColor) lipgloss.AdaptiveColor {
	p := r.ColorProfile()
	if p != termenv.ANSI256 && p != termenv.ANSI {
		return c
	}
	code := func(hex string) string {
		switch v := p.Color(hex).(type) {
		case termenv.ANSI256Color:
			if v >= 16 { // below 16 a code would read as the 16-colour palette's
				return strconv.Itoa(int(v))
			}
		case termenv.ANSIColor:
			return strconv.Itoa(int(v))
		}
		return hex
	}
	return lipgloss.AdaptiveColor{Light: code(c.Light), Dark: code(c.Dark)}
}

// Level returns the style of a traffic-light grade.
func (s Styles) Level(l Level) lipgloss.Style {
	switch l {
	case LevelGood:
		return s.Good
	case LevelWarn:
		return s.Warn
	case LevelBad:
		return s.Bad
	}
	return s.App
}

// State is the style of an agent state.
func (s Styles) State(state string) lipgloss.Style {
	if st, ok := s.States[state]; ok {
		return st
	}
	return s.App
}

// slLevel grades a service level against its goal: on goal green, within
// amberPoints below amber, further red; unknown (no calls yet) none.
func slLevel(sl *float64, target float64) Level {
	if sl == nil {
		return LevelNone
	}
	switch {
	case *sl >= target:
		return LevelGood
	case *sl >= target-amberPoints:
		return LevelWarn
	}
	return LevelBad
}

// levelMark is the text mark of a grade, so that NO_COLOR loses nothing.
func levelMark(l Level) string {
	switch l {
	case LevelGood:
		return "✓"
	case LevelWarn:
		return "!"
	case LevelBad:
		return "✗"
	}
	return "·"
}
