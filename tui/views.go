package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// queuesView: every queue, worst first, and below it the selected queue's
// detail and the agents serving it.
func (m *Model) queuesView(w, h int) string {
	sum := m.summary(w)
	rest := h - 1
	if len(m.queues) == 0 {
		return sum + "\n" + m.styles.Muted.Render("no queues yet")
	}
	qh := min(len(m.queues)+1, max(4, rest/2))
	c := m.cursor[viewQueues]
	qt := m.queueTable(w, qh, c, "queues", m.title("QUEUE", fmt.Sprintf("%d, worst first", len(m.queues))))
	q := m.queues[c]
	dh := rest - qh
	if dh < 3 {
		return sum + "\n" + qt
	}
	facts := m.queueFacts(q, w)
	serving := m.servingOf(nil, q.Queue)
	lines := []string{m.styles.Section.Render(q.Label()) + m.styles.Muted.Render(" — enter for detail"), facts}
	head := strings.Join(lines, "\n")
	ah := dh - lipgloss.Height(head)
	out := sum + "\n" + qt + "\n" + head
	if ch := m.channelTable(q, w, min(len(q.Channels)+1, ah-3)); ch != "" {
		out += "\n" + ch
		ah -= lipgloss.Height(ch)
	}
	if ah > 1 {
		out += "\n" + m.agentTable(w, ah, -1, 0, serving, m.title("SERVING", fmt.Sprintf("%s, %d", q.Label(), len(serving))))
	}
	return out
}

// queueFacts is a queue's goal and figures as label-value items.
func (m *Model) queueFacts(q *floor.QueueReport, w int) string {
	s := m.styles
	need := dash
	if q.AgentsNeeded != nil {
		need = fmt.Sprintf("%d (staffed %d)", *q.AgentsNeeded, q.Staffed)
	}
	lvl := slLevel(q.ServiceLevel, q.SLTarget)
	items := []string{
		s.Label.Render("SL ") + s.Level(lvl).Render(pct(q.ServiceLevel)+" "+levelMark(lvl)),
		m.kv("goal", pct0(q.SLTarget)+" in "+threshold(q.SLThresholdS), s.App),
		m.kv("need", need, s.App),
		m.kv("offered", fmt.Sprint(q.Offered), s.App),
		m.kv("answered", fmt.Sprint(q.Answered), s.App),
		m.kv("abandoned", fmt.Sprintf("%d (%d short)", q.Abandoned, q.ShortAbandoned), s.App),
	}
	if !onlyHungUp(q.AbandonedByReason) {
		items = append(items, s.Warn.Render(abandonReasons(q.AbandonedByReason, false)))
	}
	return s.fitItems(append(items,
		m.kv("arrivals", fmt.Sprintf("%.0f/h", q.ArrivalsPerHour), s.App),
		m.kv("mode", q.SLMode, s.Muted),
	), w)
}

// agentsView: accountability, every agent against the goals, sortable and
// filterable.
func (m *Model) agentsView(w, h int) string {
	s := m.styles
	count := itoa(len(m.agents))
	if len(m.agents) != len(m.report.Agents) {
		count += fmt.Sprintf(" of %d", len(m.report.Agents))
	}
	title := m.title("AGENT", count)
	info := s.Label.Render("sort ") + s.Accent.Render(agentSorts[m.sortIdx].name)
	if f := m.filter.Value(); f != "" {
		info += s.Label.Render(" · filter ") + s.Filter.Render(f) + s.Muted.Render(" (esc clears)")
	}
	head := info
	if rest := w - lipgloss.Width(info) - 3; rest > 20 {
		head += s.Muted.Render(" · ") + m.summary(rest)
	}
	c := m.cursor[viewAgents]
	th := h - 1
	off := scroll(m.offset, "agents", c, th-1)
	return head + "\n" + m.agentTable(w, th, c, off, m.agents, title)
}

var leaderColumns = []column{
	{title: "#", right: true},
	{title: "AGENT", flex: true},
	{title: "RANKED", right: true},
	{title: "CSAT", right: true},
	{title: "HANDLED", right: true, prio: 1},
	{title: "GOALS MET", prio: 1},
	{title: "AHT", prio: 2, right: true},
	{title: "OCC", prio: 3, right: true},
	{title: "MISSED", prio: 4, right: true},
	{title: "XFER", prio: 5, right: true},
}

// recognitionView: the best service, by CSAT as ranked (see priorSurveys),
// goals met and calls handled.
func (m *Model) recognitionView(w, h int) string {
	s := m.styles
	head := s.Section.Render("Recognition "+spanTag(m.window)) + s.Muted.Render(fmt.Sprintf(
		" — best CSAT ranked with %d surveys at the team's mean %s added (one 5 is not first), then goals met, then calls handled",
		priorSurveys, num1(m.report.Floor.CSAT)))
	if len(m.leaders) == 0 {
		return head + "\n" + s.Muted.Render("nobody has handled a call in this window yet")
	}
	c := m.cursor[viewRecognition]
	th := h - 1
	off := scroll(m.offset, "recognition", c, th-1)
	var rows [][]cell
	for i, a := range m.leaders[off:min(len(m.leaders), off+th-1)] {
		rank := off + i + 1
		name := txt(a.Label())
		if rank <= 3 {
			name = styled("★ "+a.Label(), s.Good)
		}
		ranked, csat := dash, dash
		if r := rankCSAT(a, m.report.Floor.CSAT); r != nil {
			ranked, csat = fmt.Sprintf("%.2f", *r), fmt.Sprintf("%.2f (%d)", *a.CSAT, a.Surveys)
		}
		goals := txt(dash)
		if n := goalsSet(a); n > 0 {
			if met := goalsMet(a); met == n {
				goals = styled(fmt.Sprintf("%d/%d ✓", n, n), s.Good)
			} else {
				goals = styled(fmt.Sprintf("%d/%d off %s", met, n, strings.Join(a.Flags, " ")), s.Warn)
			}
		}
		rows = append(rows, []cell{txt(itoa(rank)), name, txt(ranked), txt(csat), txt(fmt.Sprint(a.Handled)), goals,
			txt(durp(a.AHTS)), txt(pct(a.Occupancy)), txt(fmt.Sprint(a.Missed)), txt(fmt.Sprint(a.Transferred))})
	}
	return head + "\n" + s.render(tableSpec{cols: leaderColumns, rows: rows, width: w, height: th, cursor: c - off})
}

// flowView is a picture of the floor: calls arriving, queueing, talking,
// wrapping up and rating us, with the counts that pass between the stages.
func (m *Model) flowView(w, h int) string {
	s := m.styles
	f := &m.report.Floor
	var arrivals float64
	for _, q := range m.queues {
		arrivals += q.ArrivalsPerHour
	}
	// Calls answered in the window that are no longer in conversation have
	// ended; those answered but still talking have not.
	ended := max(0, f.Answered-int64(f.OnCall))
	stage := func(name, body string) string {
		return s.Bold.Render(fmt.Sprintf("%-9s", name)) + " " + body
	}
	arrow := func(n int64, what string) string {
		return s.Muted.Render("    │ ") + s.Accent.Render(fmt.Sprintf("%d %s", n, what)) + "\n" + s.Muted.Render("    ▼")
	}
	lvl := slLevel(f.ServiceLevel, f.SLTarget)
	lines := []string{
		s.Section.Render("Flow") + s.Muted.Render(" — "+windowLabel(m.window)+", counts on the arrows"),
		stage("arrivals", fmt.Sprintf("%.0f calls/h now", arrivals)),
		arrow(f.Offered, "offered"),
		stage("queues", s.Bold.Render(itoa(f.Waiting))+" waiting · longest "+durp(f.LongestWaitS)+" · SL "+
			s.Level(lvl).Render(pct(f.ServiceLevel)+" "+levelMark(lvl))) +
			s.Warn.Render(fmt.Sprintf("  ──▶ %d abandoned (%d short%s)", f.Abandoned, f.ShortAbandoned, reasonsAside(f))),
		arrow(f.Answered, "answered"),
		stage("agents", s.State(feed.StateOnCall).Render(itoa(f.OnCall)+" on call")+" · "+
			s.State(feed.StateAvailable).Render(itoa(f.Available)+" available")+" · "+
			s.State(feed.StateAux).Render(itoa(f.Aux)+" aux")+" · AHT "+durp(f.AHTS)),
		arrow(ended, "ended"),
		stage("wrap-up", s.State(feed.StateWrapUp).Render(itoa(f.WrapUp)+" wrapping up")),
		arrow(f.Surveys, "surveys"),
		stage("surveys", "CSAT "+num1(f.CSAT)+" · NPS "+num1(f.NPS)+" · CES "+num1(f.CES)),
	}
	pic := strings.Join(lines, "\n")
	rest := h - lipgloss.Height(pic) - 1
	if rest < 2 || len(m.queues) == 0 {
		return pic
	}
	cols := []column{{title: "QUEUE", flex: true}, {title: "ARR/H", right: true}, {title: "OFFERED", right: true},
		{title: "WAITING", prio: 1}, {title: "ANSWERED", right: true, prio: 2}, {title: "ABAND", right: true, prio: 2},
		{title: "ON CALL/STAFFED", right: true, prio: 3}}
	maxWait := 1
	for _, q := range m.queues {
		maxWait = max(maxWait, q.Waiting)
	}
	var rows [][]cell
	for _, q := range m.queues[:min(len(m.queues), rest-1)] {
		bar := strings.Repeat("█", q.Waiting*12/maxWait)
		rows = append(rows, []cell{txt(q.Label()), txt(fmt.Sprintf("%.0f", q.ArrivalsPerHour)), txt(fmt.Sprint(q.Offered)),
			styled(fmt.Sprintf("%3d %s", q.Waiting, bar), s.Accent), txt(fmt.Sprint(q.Answered)), txt(fmt.Sprint(q.Abandoned)),
			txt(fmt.Sprintf("%d/%d", q.OnCall, q.Staffed))})
	}
	return pic + "\n\n" + s.render(tableSpec{cols: cols, rows: rows, width: w, height: rest, cursor: -1})
}

var alertColumns = []column{
	{title: "STATUS"},
	{title: "WHERE", flex: true},
	{title: "BREACH"},
	{title: "RAISED", prio: 1},
	{title: "CLEARED", prio: 1},
	{title: "FOR", right: true, prio: 3},
	{title: "DETAIL", flex: true, least: 18, prio: 2},
	{title: "ACKNOWLEDGED", prio: 4},
	{title: "RETURNS", right: true, prio: 5},
}

func kindLabel(kind string) string {
	switch kind {
	case alerts.KindServiceLevel:
		return "service level"
	case alerts.KindLongWait:
		return "long wait"
	case alerts.KindUnderstaffed:
		return "understaffed"
	case alerts.KindAbandonRate:
		return "abandon rate"
	case alerts.KindOccupancy:
		return "occupancy"
	case alerts.KindPauseOverrun:
		return "pause overrun"
	}
	return kind
}

// alertsView: the day's alert log, judged in the fold on the floor clock,
// so it holds what happened before this dashboard connected. Open alerts
// first; `a` acknowledges.
func (m *Model) alertsView(w, h int) string {
	s := m.styles
	r := m.report
	head := s.Section.Render(fmt.Sprintf("Alerts today: %d active, %d unacknowledged, %d in all", m.book.Active(), m.book.Unacked(), len(m.alertList))) +
		s.Muted.Render(" — raised and cleared on the floor clock, a breach back within the cooldown reopens its alert")
	if r.AlertsDropped > 0 {
		head += s.Warn.Render(fmt.Sprintf(" · %d older ones let go", r.AlertsDropped))
	}
	if len(m.alertList) == 0 {
		return head + "\n" + s.Good.Render("✓ no goal breached today")
	}
	c := m.cursor[viewAlerts]
	th := h - 1
	off := scroll(m.offset, "alerts", c, th-1)
	var rows [][]cell
	for _, a := range m.alertList[off:min(len(m.alertList), off+th-1)] {
		status := styled("✗ ACTIVE", s.Bad)
		switch {
		case a.Active() && a.Acked:
			status = styled("! acked", s.Warn)
		case !a.Active():
			status = styled("✓ cleared", s.Muted)
		}
		end, cleared := r.Now.Time, ""
		if !a.Active() {
			end, cleared = a.Ended, clock(a.Ended)
		}
		acked := ""
		if a.Acked {
			acked = strings.TrimSpace(clock(a.AckedAt) + " " + a.AckedBy)
		}
		rows = append(rows, []cell{status, txt(a.SubjectName), txt(kindLabel(a.Kind)), txt(clock(a.Began)), txt(cleared),
			txt(dur(end.Sub(a.Began).Seconds())), txt(a.Detail), txt(acked), txt(itoa(a.Returns))})
	}
	return head + "\n" + s.render(tableSpec{cols: alertColumns, rows: rows, width: w, height: th, cursor: c - off})
}

// queueDetail: one queue in full, and its agents.
func (m *Model) queueDetail(w, h int) string {
	s := m.styles
	q := m.queueByID[m.queueID]
	if q == nil {
		return s.Muted.Render("queue " + m.queueID + " is not in this window's report")
	}
	lvl := slLevel(q.ServiceLevel, q.SLTarget)
	title := s.Title.Render(q.Label()) + s.Muted.Render(" ("+q.Queue+") — ") + s.Accent.Render(windowLabel(m.window)) +
		s.Muted.Render(" (waiting and agents: now) · esc back")
	pairs := [][2]string{
		{"service level", s.Level(lvl).Bold(true).Render(pct(q.ServiceLevel) + " " + levelMark(lvl))},
		{"goal", fmt.Sprintf("%s answered within %s (%s; short abandon < %s)", pct0(q.SLTarget), threshold(q.SLThresholdS), q.SLMode, threshold(q.ShortAbandonS))},
		{"waiting", fmt.Sprintf("%d, longest %s", q.Waiting, durp(q.LongestWaitS))},
		{"calls", fmt.Sprintf("%d offered · %d answered (%d in goal) · %d abandoned (%d short)", q.Offered, q.Answered, q.AnsweredWithin, q.Abandoned, q.ShortAbandoned)},
		{"why abandoned", abandonedWhy(&q.Metrics)},
		{"ASA / AHT", durp(q.ASAS) + " / " + durp(q.AHTS)},
		{"abandon rate", pct(q.AbandonRate)},
		{"arrivals", fmt.Sprintf("%.0f calls/h (over the last 30 min, whatever the window)", q.ArrivalsPerHour)},
		{"agents", fmt.Sprintf("%d staffed · %d available · %d on call · %d wrap-up · %d aux", q.Staffed, q.Available, q.OnCall, q.WrapUp, q.Aux)},
		{"occupancy", pct(q.Occupancy)},
		{"Erlang C", m.neededText(q)},
		{"customers", fmt.Sprintf("CSAT %s · NPS %s · CES %s (%d surveys)", num1(q.CSAT), num1(q.NPS), num1(q.CES), q.Surveys)},
	}
	body := title + "\n" + m.pairs(pairs, w)
	if ch := m.channelTable(q, w, min(len(q.Channels)+1, h-lipgloss.Height(body)-3)); ch != "" {
		body += "\n" + ch
	}
	rest := h - lipgloss.Height(body)
	if rest > 1 {
		c := m.cursor[viewQueueDetail]
		off := scroll(m.offset, "queue.agents", c, rest-1)
		body += "\n" + m.agentTable(w, rest, c, off, m.serving, m.title("SERVING", itoa(len(m.serving))))
	}
	return body
}

func (m *Model) neededText(q *floor.QueueReport) string {
	s := m.styles
	if q.AgentsNeeded == nil {
		return dash + " (needs an arrival rate and an AHT)"
	}
	n := *q.AgentsNeeded
	if n > q.Staffed {
		return s.Bad.Render(fmt.Sprintf("%d agents needed now, %d staffed: %d short", n, q.Staffed, n-q.Staffed))
	}
	return s.Good.Render(fmt.Sprintf("%d agents needed now, %d staffed ✓", n, q.Staffed))
}

// auxPlanned is the agent's aux time by reason, the most first, each with
// its planned length where the goals file gives one: "lunch 45:00 (plan
// 45:00) · missed 1:00".
func (m *Model) auxPlanned(a *floor.AgentReport) string {
	parts := []string{}
	for _, r := range auxReasons(a) {
		part := r + " " + dur(a.AuxByReason[r])
		if plan, ok := m.report.Pauses[r]; ok {
			part += m.styles.Muted.Render(" (planned " + dur(plan) + " each)")
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return dash
	}
	return strings.Join(parts, m.styles.Muted.Render(" · "))
}

// pairs lays out label: value lines.
func (m *Model) pairs(p [][2]string, w int) string {
	lw := 0
	for _, kv := range p {
		lw = max(lw, lipgloss.Width(kv[0]))
	}
	lines := make([]string, len(p))
	for i, kv := range p {
		lines[i] = m.styles.Label.Render(fmt.Sprintf("%-*s ", lw, kv[0])) + kv[1]
	}
	return fit(strings.Join(lines, "\n"), w, len(lines))
}

// agentDetail: one agent against the team's and their own goals.
func (m *Model) agentDetail(w, h int) string {
	s := m.styles
	a := m.agentByID[m.agentID]
	if a == nil {
		return s.Muted.Render("agent " + m.agentID + " is not in this window's report")
	}
	title := s.Title.Render(a.Label()) + s.Muted.Render(" ("+a.Agent+") — ") + s.Accent.Render(windowLabel(m.window)) +
		s.Muted.Render(" (goals judged on the day) · esc back")
	state := stateLabel(a.State)
	if a.Reason != "" {
		state += " (" + a.Reason + ")"
	}
	state = s.State(a.State).Render(state + " for " + dur(a.StateS))
	if stateUnknown(a) {
		state = s.Muted.Render("signed in, state unknown: the feed has named this agent only in calls")
	}
	if a.Call != "" {
		state += s.Muted.Render(" · call " + a.Call)
	}
	g := a.Goals
	vs := func(have string, goal *float64, format func(float64) string, worse bool) string {
		if goal == nil {
			return have + s.Muted.Render(" (no goal)")
		}
		if worse {
			return s.Bad.Render(have+" ✗") + s.Muted.Render(" goal "+format(*goal))
		}
		return s.Good.Render(have+" ✓") + s.Muted.Render(" goal "+format(*goal))
	}
	flagged := func(name string) bool { return slices.Contains(a.Flags, name) }
	missedGoal := (*float64)(nil)
	if g.Missed != nil {
		v := float64(*g.Missed)
		missedGoal = &v
	}
	aux := dur(a.AuxS) + " in all"
	csat := dash
	if a.CSAT != nil {
		csat = fmt.Sprintf("%.2f", *a.CSAT)
	}
	pairs := [][2]string{
		{"state", state},
		{"skills", strings.Join(a.Queues, ", ")},
		{"handled", fmt.Sprintf("%d calls · %d transferred", a.Handled, a.Transferred)},
		{"AHT", vs(durp(a.AHTS), g.AHTS, dur, flagged("aht"))},
		{"CSAT", vs(csat, g.CSAT, func(v float64) string { return fmt.Sprintf("%.1f", v) }, flagged("csat")) + s.Muted.Render(" · "+plural(int(a.Surveys), "survey"))},
		{"missed", vs(fmt.Sprint(a.Missed), missedGoal, func(v float64) string { return fmt.Sprintf("≤ %.0f", v) }, flagged("missed"))},
		{"aux", vs(aux, g.AuxS, dur, flagged("aux"))},
		{"aux by reason", m.auxPlanned(a)},
		{"occupancy", vs(pct(a.Occupancy), g.Occupancy, pct0, flagged("occupancy"))},
	}
	if p := a.Pause; p != nil {
		now := fmt.Sprintf("%s %s of %s planned", p.Reason, dur(p.ElapsedS), dur(p.PlannedS))
		if p.OverrunS > 0 {
			now = s.Bad.Render(now + ": " + dur(p.OverrunS) + " over ✗")
		} else {
			now = s.Good.Render(now + " ✓")
		}
		pairs = append(pairs, [2]string{"pause now", now})
	}
	if len(a.Flags) > 0 {
		pairs = append(pairs, [2]string{"off goal", s.Bad.Render("⚑ " + strings.Join(a.Flags, ", "))})
	}
	body := title + "\n" + m.pairs(pairs, w)
	// The agent's customers to win back.
	var rec []string
	for _, it := range m.report.Recovery {
		if it.Agent != a.Agent {
			continue
		}
		line := clock(it.At) + " " + it.Kind + " " + it.Call
		if it.CSAT != nil {
			line += fmt.Sprintf(" CSAT %.0f", *it.CSAT)
		}
		if it.Comment != "" {
			line += " “" + it.Comment + "”"
		}
		rec = append(rec, line)
	}
	if len(rec) > 0 && h-lipgloss.Height(body) > 2 {
		body += "\n\n" + s.Section.Render("To follow up") + "\n" + strings.Join(rec, "\n")
	}
	return body
}
