package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// In a drill the Overview sets the floor beside its shadow: the same
// callers with no command taken (Options.Shadow), over the window the
// Overview's own figures cover, at the same floor time. The shadow is
// started once, from a tea.Cmd, when the drill's drill.started line has
// come; after that each refresh (a frame, not an event) sets the new report
// beside it.

// Comparer sets with, a report of the drill for window w, beside its
// shadow floor over the same span, given the drill's actions (for the
// overtime they called in); it returns the comparison in full ("service
// level 78.0% (without your actions 64.0%), …") and in short ("SL 78.0%
// (without you 64.0%) · …"). The dashboard calls it from its own
// goroutine, with reports in floor-time order.
type Comparer func(with *floor.Report, w floor.Window, actions []*feed.Drill) (full, short string)

// shadowState is the dashboard's side of the shadow floor.
type shadowState struct {
	asked       bool     // Options.Shadow has been called
	compare     Comparer // nil until the shadow is ready
	err         string   // why there is none
	full, short string   // the current report beside the shadow
}

// shadowMsg brings the shadow floor from the tea.Cmd that made it.
type shadowMsg struct {
	compare Comparer
	err     error
}

// shadowRefresh sets a new report beside the shadow floor, or starts the
// shadow once the report says which drill this is.
func (m *Model) shadowRefresh() tea.Cmd {
	sh := &m.shadow
	d := m.report.Drill
	switch {
	case m.opts.Shadow == nil || d == nil:
		return nil
	case sh.compare != nil:
		sh.full, sh.short = sh.compare(m.report, m.window, m.drillActions())
		return nil
	case sh.asked:
		return nil
	}
	sh.asked = true
	start, r, w, actions := m.opts.Shadow, m.report, m.window, m.drillActions()
	// Running the day and folding it up to now take a moment: not on the
	// dashboard's goroutine. Reports are never changed, so r may be read
	// here; the frames after it fold only what came since.
	return func() tea.Msg {
		c, err := start(d)
		if err == nil {
			c(r, w, actions)
		}
		return shadowMsg{compare: c, err: err}
	}
}

// shadowReady takes the shadow floor the tea.Cmd made, and sets the
// report beside it: it may have moved on, or changed window, meanwhile.
func (m *Model) shadowReady(msg shadowMsg) {
	sh := &m.shadow
	if msg.err != nil {
		sh.err = msg.err.Error()
		return
	}
	sh.compare = msg.compare
	sh.full, sh.short = sh.compare(m.report, m.window, m.drillActions())
}

// drillActions are the report's drill.actions as the wire gives them.
func (m *Model) drillActions() []*feed.Drill {
	out := make([]*feed.Drill, len(m.report.Actions))
	for i := range m.report.Actions {
		out[i] = drillOf(&m.report.Actions[i])
	}
	return out
}

// shadowLine is the comparison under the Overview's header: in full if it
// fits on one line, else in short, wrapped at w if need be; "" outside a
// drill with a shadow floor.
func (m *Model) shadowLine(w int) string {
	s, sh := m.styles, &m.shadow
	switch {
	case sh.err != "":
		return ansi.Truncate(s.Warn.Render("no comparison with the floor without your actions: "+sh.err), w, "…")
	case sh.full == "":
		return ""
	case lipgloss.Width(sh.full) <= w:
		return s.Accent.Render(sh.full)
	case lipgloss.Width(sh.short) <= w:
		return s.Accent.Render(sh.short)
	}
	return s.Accent.Width(w).Render(sh.short)
}
