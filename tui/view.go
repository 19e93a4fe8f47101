package tui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// The smallest window the dashboard draws in; below it, it says so.
const (
	minWidth  = 50
	minHeight = 12
)

// View draws the screen. It redraws only when something it shows changed;
// otherwise Bubble Tea gets the last frame back.
func (m *Model) View() string {
	if !m.dirty && m.frame != "" {
		return m.frame
	}
	m.dirty = false
	m.renders++
	m.frame = m.draw()
	return m.frame
}

func (m *Model) draw() string {
	w, h := m.width, m.height
	if w == 0 || h == 0 {
		// Not told the size (the output is not a terminal): the classic one.
		w, h = 80, 24
	}
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("floorwatch needs at least %d×%d; this window is %d×%d. Enlarge it, or press q to quit.",
			minWidth, minHeight, w, h)
		return fit(lipgloss.NewStyle().Width(w).Render(msg), w, h)
	}
	top := m.topBar(w)
	foot := m.footer(w)
	bodyH := h - lipgloss.Height(top) - lipgloss.Height(foot)
	var body string
	if m.showHelp {
		body = m.fullHelp(w, bodyH)
	} else {
		body = m.body(w, bodyH)
	}
	return fit(top+"\n"+fit(body, w, bodyH)+"\n"+foot, w, h)
}

// fit makes s exactly h lines of at most w cells: what does not fit is cut,
// never wrapped.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) body(w, h int) string {
	switch m.view {
	case viewOverview:
		return m.overview(w, h)
	case viewQueues:
		return m.queuesView(w, h)
	case viewAgents:
		return m.agentsView(w, h)
	case viewRecovery:
		return m.recoveryView(w, h)
	case viewRecognition:
		return m.recognitionView(w, h)
	case viewFlow:
		return m.flowView(w, h)
	case viewAlerts:
		return m.alertsView(w, h)
	case viewQueueDetail:
		return m.queueDetail(w, h)
	case viewAgentDetail:
		return m.agentDetail(w, h)
	case viewRecoveryDetail:
		return m.recoveryDetail(w, h)
	}
	return ""
}

// topBar is the tab bar, with the feed's name, its connection and the floor
// clock on the right.
func (m *Model) topBar(w int) string {
	s := m.styles
	right := m.connText() + s.Muted.Render(" · ") + s.Label.Render("floor ") + s.Bold.Render(clock(m.report.Now.Time)) +
		s.Muted.Render(" · ") + s.Accent.Render(windowLabel(m.window))
	room := w - lipgloss.Width(right) - 1
	current := tabs[m.tabIndex()]
	tabText := func(short bool) string {
		var b strings.Builder
		for i, v := range tabs {
			name := viewNames[v][0]
			if short {
				name = viewNames[v][1]
			}
			label := fmt.Sprintf("%d %s", i+1, name)
			if v == viewAlerts {
				if n := m.book.Unacked(); n > 0 {
					label += fmt.Sprintf("(%d)", n)
				}
			}
			if v == current {
				// Brackets mark the tab without colour too (NO_COLOR).
				b.WriteString(s.ActiveTab.Render("[" + label + "]"))
			} else {
				b.WriteString(s.Tab.Render(label))
			}
		}
		return b.String()
	}
	left := tabText(false)
	if lipgloss.Width(left) > room {
		left = tabText(true)
	}
	if lipgloss.Width(left) > room {
		// Too narrow for the feed line as well: the tabs matter more.
		right = m.connText()
		room = w - lipgloss.Width(right) - 1
	}
	gap := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
	return ansi.Truncate(left+strings.Repeat(" ", gap)+right, w, "…")
}

// connText is the feed's name and the state of its connection.
func (m *Model) connText() string {
	s := m.styles
	name := m.report.Feed.Name
	if name == "" {
		// Before the hello names it: where it comes from.
		if u, err := url.Parse(m.conn.URL); err == nil && u.Host != "" {
			name = u.Host
		} else {
			name = "feed"
		}
	}
	out := s.Bold.Render(name) + " "
	c := m.conn
	switch c.State {
	case "":
		// No client: a replayed recording or a test floor.
		return out + s.Muted.Render("○ offline")
	case feed.ConnLive:
		if d, stale := c.Stale(m.wall, staleAfterS*time.Second); stale {
			return out + s.Warn.Render(fmt.Sprintf("◌ stale %ds", int(d.Seconds())))
		}
		return out + s.Good.Render("● live")
	case feed.ConnConnecting:
		return out + s.Warn.Render("◌ connecting")
	case feed.ConnReconnecting:
		msg := "↻ reconnecting"
		if !c.Retry.IsZero() {
			if d := c.Retry.Sub(m.wall); d > 0 {
				msg += fmt.Sprintf(" in %ds", int(d.Seconds()+0.999))
			}
		}
		if c.Err != "" {
			msg += ": " + c.Err
		}
		return out + s.Bad.Render(msg)
	case feed.ConnClosed:
		return out + s.Muted.Render("✗ closed")
	}
	return out + s.Muted.Render(c.State)
}

func (m *Model) footer(w int) string {
	s := m.styles
	if m.filtering {
		return ansi.Truncate(m.filter.View(), w, "…")
	}
	flash := ""
	if m.flash != "" {
		flash = s.Accent.Render(m.flash) + s.Muted.Render(" · ")
	}
	h := m.help
	h.Width = max(0, w-lipgloss.Width(flash))
	return ansi.Truncate(flash+h.View(keyHelp{k: m.keys, view: m.view}), w, "…")
}

func (m *Model) fullHelp(w, h int) string {
	s := m.styles
	hm := m.help
	title := s.Title.Render("Keys") + s.Muted.Render(" — any key closes this help")
	groups := keyHelp{k: m.keys, view: m.view}.FullHelp()
	hm.Width = 0 // measure it whole
	body := hm.FullHelpView(groups)
	hm.Width = w
	if lipgloss.Width(body) > w {
		// Too wide for one row of columns: two rows.
		half := (len(groups) + 1) / 2
		body = hm.FullHelpView(groups[:half]) + "\n\n" + hm.FullHelpView(groups[half:])
	}
	legend := s.App.Width(w).Render(strings.Join([]string{
		s.Good.Render("✓") + " on goal  " + s.Warn.Render("!") + fmt.Sprintf(" within %.0f points of goal  ", amberPoints*100) +
			s.Bad.Render("✗") + " off goal  " + s.Muted.Render("–") + " nothing to measure yet",
		"SL: service level, answered within the goal's seconds. ASA: average speed of answer. " +
			"AHT: average handle time. NEED: agents Erlang C says meet the goal now. ⚑: goals an agent is off.",
		"w changes the window of the counted figures; waiting, states and times in state are always now.",
	}, "\n"))
	legend = "\n" + s.Section.Render("Reading the screen") + "\n" + legend
	return fit(title+"\n\n"+body+"\n"+legend, w, h)
}

// windowLabel names a window as the selector shows it.
func windowLabel(w floor.Window) string {
	if w == floor.Today || w == floor.All {
		return w.String()
	}
	return "last " + w.String()
}
