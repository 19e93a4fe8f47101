package tui

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
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
	if k, ok := m.frameKey(); ok {
		m.frame = m.opts.Share.sharedFrame(k, m.countedDraw)
		return m.frame
	}
	m.frame = m.countedDraw()
	return m.frame
}

func (m *Model) countedDraw() string {
	m.renders++
	return m.draw()
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
	// An agent's card and the wallboard are whole screens of their own.
	switch {
	case m.opts.Agent != "":
		return m.cardScreen(w, h)
	case m.board.on:
		return m.wallboardScreen(w, h)
	}
	top := m.topBar(w)
	if b := m.banner(w); b != "" {
		top += "\n" + b
	}
	foot := m.footer(w)
	bodyH := h - lipgloss.Height(top) - lipgloss.Height(foot)
	var body string
	switch {
	case m.showHelp:
		body = m.fullHelp(w, bodyH)
	case m.act.form != nil:
		body = m.formView(w, bodyH)
	case m.act.briefing:
		body = m.briefingView(w, bodyH)
	case m.catchingUp():
		body = m.catchUpScreen(w)
	default:
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
	case viewActions:
		return m.actionsView(w, h)
	case viewDay:
		return m.dayView(w, h)
	}
	return ""
}

// topBar is the tab bar, with the state of the feed, the floor clock and
// the window of the counted figures on the right. The feed's name goes
// first when room is short, then the tab names: the state, the clock and
// the span always stay.
func (m *Model) topBar(w int) string {
	s := m.styles
	sep := s.Muted.Render(" · ")
	state, clockText, span := m.stateText(), m.clockText(true), s.Accent.Render(windowLabel(m.window))
	name := s.Bold.Render(m.feedName())
	rights := []string{
		name + " " + state + sep + clockText + sep + span,
		state + sep + clockText + sep + span,
		state + " " + m.clockText(false) + " " + span,
	}
	forms := []struct{ tabs, right int }{{0, 0}, {1, 0}, {1, 1}, {1, 2}, {2, 1}, {2, 2}}
	for i, form := range forms {
		left, right := m.tabText(form.tabs), rights[form.right]
		if lipgloss.Width(left)+1+lipgloss.Width(right) <= w || i == len(forms)-1 {
			gap := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
			return ansi.Truncate(left+strings.Repeat(" ", gap)+right, w, "…")
		}
	}
	return ""
}

// tabText is the tab bar in one of three forms: long names, short names,
// or the current tab's short name and the others' numbers.
func (m *Model) tabText(form int) string {
	s := m.styles
	current := tabs[m.tabIndex()]
	var b strings.Builder
	for i, v := range tabs {
		label := fmt.Sprintf("%d %s", i+1, viewNames[v][min(form, 1)])
		if form == 2 && v != current {
			label = itoa(i + 1)
		}
		if v == viewAlerts {
			if n := m.book.Unacked(); n > 0 {
				label += fmt.Sprintf("(%d)", n)
			}
		}
		switch {
		case form > 0 && v == current:
			b.WriteString(" " + s.ActiveTab.Render("["+label+"]"))
		case form == 2:
			b.WriteString(s.Tab.Padding(0, 0).Render(" " + label))
		case v == current:
			// Brackets mark the tab without colour too (NO_COLOR).
			b.WriteString(s.ActiveTab.Render("[" + label + "]"))
		case form == 1:
			b.WriteString(s.Tab.Padding(0, 0, 0, 1).Render(label))
		default:
			b.WriteString(s.Tab.Render(label))
		}
	}
	return b.String()
}

// feedName is the name the feed's hello gave, or where it comes from.
func (m *Model) feedName() string {
	if name := m.report.Feed.Name; name != "" {
		return name
	}
	if u, err := url.Parse(m.conn.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return "feed"
}

// ended reports whether the feed closed for good: a run that is over.
func (m *Model) ended() bool {
	return m.conn.Ended()
}

// stateText is the feed's state in a word or two, with its mark.
func (m *Model) stateText() string {
	s := m.styles
	c := m.conn
	switch c.State {
	case "":
		if m.opts.Player != nil {
			return m.playText()
		}
		// No client: a test floor.
		return s.Muted.Render("○ offline")
	case feed.ConnLive:
		if !m.progress.CaughtUp {
			return s.Warn.Render("◌ catching up")
		}
		if d, stale := c.Stale(m.wall, staleAfterS*time.Second); stale {
			return s.Warn.Render(fmt.Sprintf("◌ stale %ds", int(d.Seconds())))
		}
		if c.SourceLost != "" {
			return s.Bad.Render("⚠ source lost")
		}
		return s.Good.Render("● live")
	case feed.ConnConnecting:
		return s.Warn.Render("◌ connecting")
	case feed.ConnReconnecting:
		msg := "↻ reconnecting"
		if d := c.Retry.Sub(m.wall); !c.Retry.IsZero() && d > 0 {
			msg += fmt.Sprintf(" in %ds", int(d.Seconds()+0.999))
		}
		return s.Bad.Render(msg)
	case feed.ConnClosed:
		if m.ended() {
			return s.Accent.Render("■ run ended")
		}
		return s.Muted.Render("✗ closed")
	}
	return s.Muted.Render(c.State)
}

// playText is a replay's state: playing at a speed, paused, or at its end.
func (m *Model) playText() string {
	s, p := m.styles, m.play
	switch {
	case p.Paused:
		return s.Warn.Render("⏸ paused")
	case p.Done:
		return s.Accent.Render("■ end of recording")
	}
	return s.Good.Render("▶ replay " + speedName(p.Speed))
}

func speedName(x float64) string {
	if x == 0 {
		return "max"
	}
	return fmt.Sprintf("%g×", x)
}

// clockText is the floor clock, and how old it is when the feed is not
// live and fresh: during a reconnect the figures stay, saying their age.
func (m *Model) clockText(label bool) string {
	s := m.styles
	if m.catchingUp() {
		// The hello's clock is the end of a history not yet folded.
		return s.Warn.Render(m.progressText())
	}
	out := s.Bold.Render(clock(m.report.Now.Time))
	if label {
		out = s.Label.Render("floor ") + out
	}
	if age, ok := m.age(); ok {
		out += s.Warn.Render(" (" + ageText(age) + " old)")
	}
	return out
}

// age is how long ago the last frame came, when the feed is down or quiet
// (not when a run has ended: its figures are final, not old).
func (m *Model) age() (time.Duration, bool) {
	c := m.conn
	if c.LastFrame.IsZero() || m.ended() {
		return 0, false
	}
	d, stale := c.Stale(m.wall, staleAfterS*time.Second)
	if c.State == feed.ConnLive && !stale {
		return 0, false
	}
	return d, true
}

// ageText writes a wall-clock age: 25s, 3m10s, 1h05m.
func ageText(d time.Duration) string {
	sec := int(d.Seconds())
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm%02ds", sec/60, sec%60)
	}
	return fmt.Sprintf("%dh%02dm", sec/3600, sec/60%60)
}

// banner is the one line under the top bar that says what a supervisor
// must know before reading any figure: the floor started again, the feed
// is lost, the run is over, the figures are catching up; or where a replay
// stands. "" when there is nothing to say.
func (m *Model) banner(w int) string {
	s := m.styles
	c := m.conn
	var line string
	switch nf := m.report.NewFloor; {
	case nf != nil && nf.Count > m.newFloorSeen && !m.catchingUp():
		line = s.Warn.Render(fmt.Sprintf("⟲ new floor at %s: the feed restarted from an earlier time (it was %s); counts, trends and alerts start again",
			clock(nf.At), clock(nf.Previous))) + s.Muted.Render(" · any key hides this")
	case c.State == feed.ConnReconnecting && m.caughtUp:
		line = s.Bad.Render("↻ feed lost: "+c.Err) + s.Muted.Render(" · figures as of ") + m.clockText(false)
	case c.State == feed.ConnLive && c.SourceLost != "" && m.caughtUp:
		// The feed is up but its bridge cannot reach the PBX: nothing that
		// happens on the floor now reaches these figures.
		line = s.Bad.Render("⚠ the feed's source is lost "+c.SourceLost) + s.Muted.Render(" · calls and states are as last seen")
	case m.ended() && m.opts.Debrief != "":
		// Where the debrief goes: on a line of its own if need be.
		line = s.Accent.Render("■ run ended: these figures are final · q writes the debrief to")
		where := s.Accent.Render(m.opts.Debrief)
		if lipgloss.Width(line)+1+lipgloss.Width(where) > w {
			return ansi.Truncate(line, w, "…") + "\n" + ansi.Truncate(where, w, "…")
		}
		line += " " + where
	case m.ended():
		line = s.Accent.Render("■ run ended: the feed has sent its whole run and closed; these figures are final")
	case c.State == feed.ConnLive && !m.progress.CaughtUp && m.caughtUp:
		line = s.Warn.Render("◌ catching up " + m.progressText())
	case m.opts.Player != nil:
		line = m.replayLine(w)
	default:
		return ""
	}
	return ansi.Truncate(line, w, "…")
}

// progressText is "7,729 / 11,018", the seq folded of the seq announced.
func (m *Model) progressText() string {
	return thousands(m.progress.Applied) + " / " + thousands(m.progress.Target)
}

// replayLine is where a replay stands: its floor time on a bar from the
// recording's start to its end.
func (m *Model) replayLine(w int) string {
	s, p := m.styles, m.play
	left := m.playText() + s.Label.Render(" at ") + s.Bold.Render(clock(p.At)) + " "
	right := " " + s.Muted.Render(clock(p.Start)+"–"+clock(p.End))
	bar := max(8, min(60, w-lipgloss.Width(left)-lipgloss.Width(right)))
	var done float64
	if span := p.End.Sub(p.Start); span > 0 {
		done = float64(p.At.Sub(p.Start)) / float64(span)
	}
	return left + s.Accent.Render(progressBar(done, bar)) + right
}

// progressBar draws a fraction (0..1) in n cells.
func progressBar(frac float64, n int) string {
	full := int(math.Round(max(0, min(1, frac)) * float64(n)))
	return strings.Repeat("█", full) + strings.Repeat("░", n-full)
}

// thousands writes n with a comma every three digits: 11,018.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// catchUpScreen stands in for every view until the dashboard has the
// feed's history: figures of a half-applied history never existed, so none
// is shown.
func (m *Model) catchUpScreen(w int) string {
	s := m.styles
	c := m.conn
	var lines []string
	switch {
	case c.State == feed.ConnLive || m.progress.Target > 0:
		pct := 0.0
		if m.progress.Target > 0 {
			pct = float64(m.progress.Applied) / float64(m.progress.Target)
		}
		lines = []string{
			s.Title.Render("Catching up with " + m.feedName()),
			s.Bold.Render("catching up "+m.progressText()) + s.Muted.Render(" events of the feed's history  ") +
				s.Accent.Render(progressBar(pct, 20)) + fmt.Sprintf(" %.0f%%", pct*100),
		}
	default:
		lines = []string{s.Title.Render("Connecting to " + m.feedName())}
	}
	if c.State != feed.ConnLive && c.Err != "" {
		lines = append(lines, s.Bad.Render(m.stateText()+": "+c.Err))
	}
	lines = append(lines, "", s.App.Width(w).Render(s.Muted.Render(
		"No figures until the dashboard has the feed's whole history: figures drawn from half of it would never have been true.")))
	return strings.Join(lines, "\n")
}

func (m *Model) footer(w int) string {
	s := m.styles
	if m.filtering {
		return ansi.Truncate(m.filter.View(), w, "…")
	}
	if m.act.form != nil {
		return ansi.Truncate(m.formFooter(w), w, "…")
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
	title := s.Title.Render("Keys") + s.Muted.Render(" — any key but ↑/↓ closes this help")
	groups := keyHelp{k: m.keys, view: m.helpView()}.FullHelp()
	hm.Width = 0 // measure it whole
	body := hm.FullHelpView(groups)
	hm.Width = w
	if lipgloss.Width(body) > w {
		// Too wide for one row of columns: two rows.
		half := (len(groups) + 1) / 2
		body = hm.FullHelpView(groups[:half]) + "\n\n" + hm.FullHelpView(groups[half:])
	}
	legend := s.App.Width(w).Render(strings.Join(m.legend(), "\n"))
	legend = "\n" + s.Section.Render("Reading the screen") + "\n" + legend
	lines := strings.Split(title+"\n\n"+body+"\n"+legend, "\n")
	if len(lines) <= h {
		return fit(strings.Join(lines, "\n"), w, h)
	}
	// Taller than the window: it scrolls, and says so.
	m.helpOff = min(m.helpOff, len(lines)-h+1)
	more := s.Muted.Render(fmt.Sprintf("↑/↓ scroll · line %d of %d · any other key closes", m.helpOff+1, len(lines)))
	return fit(strings.Join(lines[m.helpOff:m.helpOff+h-1], "\n"), w, h-1) + "\n" + more
}

// legend is the help's "Reading the screen": what the marks and figures
// mean. An agent's card has its own, which names no other screen.
func (m *Model) legend() []string {
	if m.opts.Agent != "" {
		return m.cardLegend()
	}
	s := m.styles
	return []string{
		s.Good.Render("✓") + " on goal  " + s.Warn.Render("!") + fmt.Sprintf(" within %.0f points of goal  ", amberPoints*100) +
			s.Bad.Render("✗") + " off goal  " + s.Muted.Render("–") + " nothing to measure yet  ⚑ goals an agent is off",
		"SL service level: calls answered within the queue's seconds, of those answered and abandoned (short abandons aside). " +
			"ASA average speed of answer. AHT average handle time, answer to end of wrap-up. " +
			"ABAND abandon rate: callers who hung up waiting, short abandons aside. ARR/H calls offered an hour, over the last 30 minutes. " +
			"OCC occupancy: time on calls and in wrap-up, of the time staffed and not in aux.",
		"NEED: the agents Erlang C says meet the goal at this hour's calls and AHT; ▲2 means 2 more than are staffed now. " +
			"CSAT 1–5 (mean), NPS −100 to 100 (% of 9–10 scores less % of 0–6), CES 1–7 (mean effort; lower is easier).",
		"The window (w; " + windowLabel(m.window) + " now, in the top bar and every table's title) is what counted figures cover; " +
			"waiting, longest, states and times in state are always now. Sparklines are the last 60 minutes, a point a minute. " +
			"Recognition ranks CSAT with " + itoa(priorSurveys) + " surveys at the team's mean added, so one 5 does not come first.",
		"Day: today interval by interval, for the floor or a queue (n/N), in intervals of 15m, 30m or 1h (t), counted as status counts its intervals: " +
			"a call in the interval it was answered or abandoned in. Each interval is judged on its own calls' goal; ● now marks the one in progress, " +
			"which the cursor follows while it is on the last row (G). The bar is the calls offered.",
		m.wallboardLegend(),
	}
}

// windowLabel names a window as the selector shows it.
func windowLabel(w floor.Window) string {
	if w == floor.Today || w == floor.All {
		return w.String()
	}
	return "last " + w.String()
}
