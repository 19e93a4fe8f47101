package tui

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// overview answers the three questions at a glance: are we on goal (the
// header), which queue is in trouble (worst first), who needs help (agents
// off their goals first).
func (m *Model) overview(w, h int) string {
	head := m.header(w)
	if rows := m.siteRows(w); rows != "" {
		head += "\n" + rows
	}
	if line := m.shadowLine(w); line != "" {
		head += "\n" + line
	}
	rest := h - lipgloss.Height(head)
	nq, na := len(m.queues), len(m.attention)
	// The queues get up to 40% of the space, at least three rows; agents
	// the rest. With no queues yet their table is a title and a line that
	// says so.
	qh := min(max(nq, 1)+1, max(4, rest*2/5))
	ah := rest - qh
	c := m.cursor[viewOverview]
	qCursor, aCursor := -1, -1
	if c < nq {
		qCursor = c
	} else {
		aCursor = c - nq
	}
	qt := m.queueTable(w, qh, qCursor, "overview.queues", m.title("QUEUE", fmt.Sprintf("%d, worst first", nq)))
	var at string
	if ah > 1 {
		off := scroll(m.offset, "overview.agents", aCursor, ah-1)
		at = m.agentTable(w, ah, aCursor, off, m.attention, m.title("AGENT", fmt.Sprintf("%d, off goal first", na)))
	}
	return head + "\n" + qt + "\n" + at
}

// title is a table's title: what it lists, the span its counted figures
// cover, then the rest, which a narrow column cuts first.
func (m *Model) title(what, rest string) string {
	t := what + " " + spanTag(m.window)
	if rest != "" {
		t += " (" + rest + ")"
	}
	return t
}

// spanTag is a window as a table's title says it: "today", "30m", "all".
func spanTag(w floor.Window) string { return w.String() }

// scroll keeps the cursor's row inside a list of the given height and
// returns the first row to show.
func scroll(offsets map[string]int, list string, cursor, rows int) int {
	off := offsets[list]
	if cursor >= 0 {
		if cursor < off {
			off = cursor
		}
		if cursor >= off+rows {
			off = cursor - rows + 1
		}
	}
	off = max(0, off)
	offsets[list] = off
	return off
}

// header is the floor at a glance: the service level, big and coloured by
// its gap to the goal, and the figures that explain it.
func (m *Model) header(w int) string {
	s := m.styles
	f := &m.report.Floor
	lvl := slLevel(f.ServiceLevel, f.SLTarget)
	big := bigText(pct(f.ServiceLevel)) // a dash until there are calls
	st := s.Level(lvl).Bold(true)
	goal := "goal " + pct0(f.SLTarget) + " " + levelMark(lvl)
	if f.ServiceLevel != nil {
		goal += fmt.Sprintf(" %+.1f pts", (*f.ServiceLevel-f.SLTarget)*100)
	} else {
		goal = "no calls yet · goal " + pct0(f.SLTarget)
	}
	leftW := max(lipgloss.Width(big[0]), lipgloss.Width(goal))
	left := []string{st.Render(big[0]), st.Render(big[1]), st.Render(big[2]), s.Level(lvl).Render(goal)}
	for i := range left {
		left[i] += strings.Repeat(" ", leftW-lipgloss.Width(left[i]))
	}
	rw := w - leftW - 2
	right := []string{
		m.callLine(rw),
		m.agentLine(rw),
		m.sparkLine(rw),
		m.feedLine(rw),
	}
	out := make([]string, 4)
	for i := range out {
		out[i] = left[i] + "  " + right[i]
	}
	return strings.Join(out, "\n")
}

// fitItems joins the items that fit in w, in order of importance: one that
// does not fit is left out and the next ones are tried.
func (s Styles) fitItems(items []string, w int) string {
	sep := s.Muted.Render(" · ")
	var b strings.Builder
	used := 0
	for _, it := range items {
		iw := lipgloss.Width(it)
		if used > 0 {
			iw += 3
		}
		if used+iw > w {
			continue
		}
		if used > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it)
		used += iw
	}
	return b.String()
}

func (m *Model) kv(label, value string, st lipgloss.Style) string {
	return m.styles.Label.Render(label+" ") + st.Render(value)
}

// waitLevel grades the longest wait: red when some queue's oldest call has
// waited past its answer-time threshold, amber past half of it.
func (m *Model) waitLevel() Level {
	worst := LevelNone
	for _, q := range m.queues {
		worst = max(worst, queueWaitLevel(q))
	}
	return worst
}

func (m *Model) callLine(w int) string {
	s := m.styles
	f := &m.report.Floor
	wl := m.waitLevel()
	waitSt := s.Bold
	if f.Waiting > 0 {
		waitSt = s.Level(max(wl, LevelWarn)).Bold(true)
	}
	items := []string{
		m.kv("waiting", itoa(f.Waiting), waitSt),
		m.kv("longest", durp(f.LongestWaitS), s.Level(wl)),
		m.kv("ASA", durp(f.ASAS), s.Bold),
		m.kv("abandon", pct(f.AbandonRate), s.Bold),
	}
	if !onlyHungUp(f.AbandonedByReason) {
		items = append(items, m.kv("abandoned", abandonedCell(f), s.Warn))
	}
	return s.fitItems(append(items,
		m.kv("offered", fmt.Sprint(f.Offered), s.App),
		m.kv("AHT", durp(f.AHTS), s.App),
		m.kv("CSAT", num1(f.CSAT), s.App),
	), w)
}

func (m *Model) agentLine(w int) string {
	s := m.styles
	f := &m.report.Floor
	return s.fitItems([]string{
		m.kv("agents", itoa(f.Staffed), s.Bold),
		s.State(feed.StateAvailable).Render(itoa(f.Available) + " available"),
		s.State(feed.StateOnCall).Render(itoa(f.OnCall) + " on call"),
		s.State(feed.StateWrapUp).Render(itoa(f.WrapUp) + " wrap-up"),
		s.State(feed.StateAux).Render(itoa(f.Aux) + " aux"),
		m.kv("occupancy", pct(f.Occupancy), s.App),
	}, w)
}

// sparkLine shows the last hour, a point a minute of the floor clock: the
// service level of the window as it stood at each minute, the most calls
// waiting and the calls offered in each minute, each with its latest value
// and labelled with what it is; a narrow screen drops series from the end,
// never the label saying what the points are.
func (m *Model) sparkLine(w int) string {
	s := m.styles
	h := &m.report.History
	lastOf := func(v []float64, f func(float64) string) string {
		if x, ok := lastValue(v); ok {
			return f(x)
		}
		return dash
	}
	count := func(x float64) string { return fmt.Sprint(int(x)) }
	all := []struct {
		label  string
		vals   []float64
		lo, hi float64
		last   string
	}{
		{"SL " + spanTag(m.window), h.ServiceLevel, 0, 1, lastOf(h.ServiceLevel, func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) })},
		{"waiting", h.Waiting, 0, 0, lastOf(h.Waiting, count)},
		{"offered", h.Arrivals, 0, 0, lastOf(h.Arrivals, count)},
	}
	lead := s.Muted.Render(fmt.Sprintf("last %s, per min: ", floor.Rolling(max(h.Span(), time.Minute))))
	for n := len(all); n > 0; n-- {
		fixed := lipgloss.Width(lead)
		for _, se := range all[:n] {
			fixed += len(se.label) + 2 + len(se.last) + 2
		}
		pts := min(60, (w-fixed)/n)
		if pts < 6 && n > 1 {
			continue
		}
		items := make([]string, n)
		for i, se := range all[:n] {
			items[i] = s.Label.Render(se.label+" ") + s.Accent.Render(sparkline(se.vals, max(1, pts), se.lo, se.hi)) + " " + s.Bold.Render(se.last)
		}
		return ansi.Truncate(lead+strings.Join(items, "  "), w, "…")
	}
	return ""
}

func (m *Model) feedLine(w int) string {
	s := m.styles
	fs := &m.report.Feed
	bad := s.App
	if fs.BadLines > 0 || fs.Gaps > 0 {
		bad = s.Warn
	}
	// The span comes first: figures without it cannot be read. The line
	// counters are for whoever runs the feed, and give way first.
	items := []string{
		m.kv("window", windowLabel(m.window), s.Accent),
		m.kv("floor", clock(m.report.Now.Time), s.Bold),
		m.kv("gaps", fmt.Sprint(fs.Gaps), bad),
		m.kv("bad", fmt.Sprint(fs.BadLines), bad),
		m.kv("events", fmt.Sprint(fs.Events), s.Muted),
		m.kv("seq", fmt.Sprint(fs.LastSeq), s.Muted),
	}
	if name := fs.Name; name != "" {
		// After the clock: the top bar leaves it out when short of room.
		items = slices.Insert(items, 2, m.kv("feed", name, s.App))
	}
	// Lines the feed got wrong are rare: named only when there are some,
	// with the reason for the last bad one last, where a narrow screen
	// drops it first.
	if fs.Duplicates > 0 {
		items = append(items, m.kv("dup", fmt.Sprint(fs.Duplicates), s.Warn))
	}
	if fs.Unknown > 0 {
		items = append(items, m.kv("unknown", fmt.Sprint(fs.Unknown), s.Warn))
	}
	if fs.LastError != "" {
		items = append(items, s.Warn.Render("last bad "+fs.LastError))
	}
	if n := m.book.Unacked(); n > 0 {
		items = append([]string{s.Bad.Render(fmt.Sprintf("⚠ %s (7)", plural(n, "alert")))}, items...)
	}
	return s.fitItems(items, w)
}

// summary is the one-line header of the views other than the overview.
func (m *Model) summary(w int) string {
	s := m.styles
	f := &m.report.Floor
	lvl := slLevel(f.ServiceLevel, f.SLTarget)
	return s.fitItems([]string{
		s.Accent.Render(spanTag(m.window)+":") + s.Label.Render(" SL ") + s.Level(lvl).Bold(true).Render(pct(f.ServiceLevel)+" "+levelMark(lvl)) +
			s.Label.Render(" goal "+pct0(f.SLTarget)),
		m.kv("waiting", itoa(f.Waiting), s.Bold),
		m.kv("longest", durp(f.LongestWaitS), s.Level(m.waitLevel())),
		m.kv("ASA", durp(f.ASAS), s.App),
		m.kv("abandon", pct(f.AbandonRate), s.App),
		s.State(feed.StateAvailable).Render(itoa(f.Available) + " available"),
		s.State(feed.StateOnCall).Render(itoa(f.OnCall) + " on call"),
	}, w)
}

// queueColumns are the queue table's columns, by priority.
var queueColumns = []column{
	{title: "QUEUE", flex: true},
	{title: "WAIT", right: true},
	{title: "LONGEST", prio: 1, right: true},
	{title: "SL", right: true},
	{title: "GOAL", prio: 4, right: true},
	{title: "ASA", prio: 2, right: true},
	{title: "AHT", prio: 5, right: true},
	{title: "ABAND", prio: 3, right: true},
	{title: "ABANDONED", prio: 6, right: true},
	{title: "STAFF/AVAIL", prio: 3, right: true},
	{title: "NEED", prio: 1, right: true},
	{title: "OCC", prio: 6, right: true},
	{title: "OFFERED", prio: 6, right: true},
	{title: "ARR/H", prio: 7, right: true},
	{title: "CSAT", prio: 7, right: true},
}

func (m *Model) queueRow(q *floor.QueueReport) []cell {
	s := m.styles
	lvl := slLevel(q.ServiceLevel, q.SLTarget)
	longest := txt(durp(q.LongestWaitS))
	if q.LongestWaitS != nil && *q.LongestWaitS >= q.SLThresholdS {
		longest = styled(longest.text, s.Bad)
	}
	need := txt(dash)
	if q.AgentsNeeded != nil {
		n := *q.AgentsNeeded
		if n > q.Staffed {
			need = styled(fmt.Sprintf("%d ▲%d", n, n-q.Staffed), s.Bad)
		} else {
			need = styled(fmt.Sprintf("%d ✓", n), s.Good)
		}
	}
	wait := txt(itoa(q.Waiting))
	if q.Waiting > 0 && q.Available == 0 {
		wait = styled(wait.text, s.Warn)
	}
	return []cell{
		txt(q.Label() + channelTag(q)),
		wait,
		longest,
		styled(pct(q.ServiceLevel)+" "+levelMark(lvl), s.Level(lvl)),
		txt(pct0(q.SLTarget) + "/" + threshold(q.SLThresholdS)),
		txt(durp(q.ASAS)),
		txt(durp(q.AHTS)),
		txt(pct(q.AbandonRate)),
		txt(abandonedCell(&q.Metrics)),
		txt(fmt.Sprintf("%d/%d", q.Staffed, q.Available)),
		need,
		txt(pct(q.Occupancy)),
		txt(fmt.Sprint(q.Offered)),
		txt(fmt.Sprintf("%.0f", q.ArrivalsPerHour)),
		txt(num1(q.CSAT)),
	}
}

// queueTable draws the queues worst first with the cursor on row cursor
// (-1: none).
func (m *Model) queueTable(w, h, cursor int, list, title string) string {
	cols := withTitle(queueColumns, title)
	off := scroll(m.offset, list, cursor, h-1)
	rows := make([][]cell, 0, min(len(m.queues), h))
	// Only the rows on screen are built; the rest are never looked at.
	for _, q := range m.queues[off:min(len(m.queues), off+h-1)] {
		rows = append(rows, m.queueRow(q))
	}
	if len(rows) == 0 {
		return m.styles.Header.Render(title) + "\n" + m.styles.Muted.Render("no queues yet")
	}
	return m.styles.render(tableSpec{cols: cols, rows: rows, width: w, height: h, offset: 0, cursor: cursor - off})
}

// withTitle puts title on the first column. The part before its
// parenthesis (what the table lists and over which span) is never cut.
func withTitle(cols []column, title string) []column {
	out := append([]column(nil), cols...)
	out[0].title = title
	keep, _, _ := strings.Cut(title, " (")
	out[0].least = max(out[0].least, lipgloss.Width(keep)+2)
	return out
}

// agentColumns are the agent table's columns, by priority. Aux time is
// shown by reason, so it gives way late; a wide screen adds transfers,
// surveys and skills.
var agentColumns = []column{
	{title: "AGENT", flex: true},
	{title: "STATE"},
	{title: "HANDLED", prio: 2, right: true},
	{title: "AHT", prio: 3, right: true},
	{title: "MISSED", prio: 4, right: true},
	{title: "AUX BY REASON", prio: 2, flex: true, least: 12},
	{title: "CSAT", prio: 4, right: true},
	{title: "OCC", prio: 5, right: true},
	{title: "FLAGS", prio: 1},
	{title: "XFER", prio: 6, right: true},
	{title: "QUEUES", prio: 7},
}

func stateLabel(state string) string { return strings.ReplaceAll(state, "_", " ") }

// auxReasons are the reasons an agent was in aux, the most time first.
func auxReasons(a *floor.AgentReport) []string {
	return slices.SortedFunc(maps.Keys(a.AuxByReason), func(x, y string) int {
		return cmp.Or(cmp.Compare(a.AuxByReason[y], a.AuxByReason[x]), cmp.Compare(x, y))
	})
}

// auxByReason is an agent's aux time by reason, the most first: "45:00
// lunch · 1:00 missed", never one reason's name on the total.
func auxByReason(a *floor.AgentReport, sep string) string {
	parts := []string{}
	for _, r := range auxReasons(a) {
		if a.AuxByReason[r] > 0 {
			parts = append(parts, dur(a.AuxByReason[r])+" "+r)
		}
	}
	return strings.Join(parts, sep)
}

// stateCell is the agent's state and time in it; a pause past its planned
// length says by how much.
func (m *Model) stateCell(a *floor.AgentReport) cell {
	s := m.styles
	if stateUnknown(a) {
		return styled("state unknown", s.Muted)
	}
	state := stateLabel(a.State)
	if a.Reason != "" && a.State == feed.StateAux {
		state += " " + a.Reason
	}
	state += " " + dur(a.StateS)
	if p := a.Pause; p != nil && p.OverrunS > 0 {
		return styled(state+" ✗+"+dur(p.OverrunS), s.Bad)
	}
	return styled(state, s.State(a.State))
}

func (m *Model) agentRow(a *floor.AgentReport) []cell {
	s := m.styles
	// The marks are the day's, as the flags are: a daily goal is judged
	// on the day, whatever the window the figure is shown over.
	aht := txt(durp(a.AHTS))
	if a.Goals.AHTS != nil && a.AHTS != nil {
		if slices.Contains(a.Flags, "aht") {
			aht = styled(aht.text+" ✗", s.Bad)
		} else {
			aht = styled(aht.text+" ✓", s.Good)
		}
	}
	csat := txt(dash)
	if a.CSAT != nil {
		csat = txt(fmt.Sprintf("%.1f (%d)", *a.CSAT, a.Surveys))
		if slices.Contains(a.Flags, "csat") {
			csat = styled(csat.text, s.Bad)
		}
	}
	missed := txt(fmt.Sprint(a.Missed))
	if a.Missed > 0 {
		missed = styled(missed.text, s.Warn)
	}
	flags := txt("")
	if len(a.Flags) > 0 {
		flags = styled("⚑ "+strings.Join(a.Flags, " "), s.Bad)
	}
	return []cell{
		txt(a.Label()),
		m.stateCell(a),
		txt(fmt.Sprint(a.Handled)),
		aht,
		missed,
		txt(auxByReason(a, " · ")),
		csat,
		txt(pct(a.Occupancy)),
		flags,
		txt(fmt.Sprint(a.Transferred)),
		txt(strings.Join(a.Queues, ",")),
	}
}

// agentTable draws list from row off, h lines high with its header.
func (m *Model) agentTable(w, h, cursor, off int, list []*floor.AgentReport, title string) string {
	cols := withTitle(agentColumns, title)
	end := min(len(list), off+h-1)
	rows := make([][]cell, 0, max(0, end-off))
	for _, a := range list[min(off, end):end] {
		rows = append(rows, m.agentRow(a))
	}
	if len(rows) == 0 {
		return m.styles.Header.Render(title) + "\n" + m.styles.Muted.Render("no agents")
	}
	return m.styles.render(tableSpec{cols: cols, rows: rows, width: w, height: h, cursor: cursor - off})
}
