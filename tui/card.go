package tui

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// Card is one agent's own card, what an agent's key shows over SSH: their
// figures against their goals and the team's, their place on the
// recognition board, the team's totals and the comments of their own
// surveys. It holds nothing of any other agent, no call id and no caller:
// it is built from a Report by NewCard and every view of it draws from it
// alone. Its JSON form is `ssh HOST status --json` for an agent's key.
type Card struct {
	Now    floor.Time `json:"now"`
	Window string     `json:"window"`
	// Agent is the agent's own entry of `status --json`, without the call
	// they are on.
	Agent floor.AgentReport `json:"agent"`
	// Place is the agent's place on the recognition board; null until a
	// handled call or a survey puts them on it.
	Place *Place `json:"place"`
	Team  Team   `json:"team"`
	// Comments are what customers wrote in the agent's surveys today,
	// newest first, praise and complaints alike.
	Comments []Comment `json:"comments"`

	pauses map[string]float64 // planned length of each aux reason
}

// Place is a place on the recognition board: Rank of Of ranked agents.
type Place struct {
	Rank int `json:"rank"`
	Of   int `json:"of"`
}

// Team is the team's totals over the card's window: the floor's figures,
// and the per-agent means an agent's own counts compare with, over the
// agents who worked in the window (staffed time or a call).
type Team struct {
	floor.Metrics
	AgentsWorked    int      `json:"agents_worked"`
	HandledPerAgent *float64 `json:"handled_per_agent"`
	MissedPerAgent  *float64 `json:"missed_per_agent"`
	AuxPerAgentS    *float64 `json:"aux_per_agent_s"`
}

// Comment is one of the agent's surveys with what the customer wrote.
type Comment = floor.SurveyComment

// NewCard is agent's card from r; false when the floor has no such agent.
func NewCard(r *floor.Report, agent string) (*Card, bool) {
	all := make([]*floor.AgentReport, len(r.Agents))
	var own *floor.AgentReport
	for i := range r.Agents {
		all[i] = &r.Agents[i]
		if all[i].Agent == agent {
			own = all[i]
		}
	}
	if own == nil {
		return nil, false
	}
	c := &Card{Now: r.Now, Window: r.Window, Agent: *own, Team: Team{Metrics: r.Floor}, Comments: []Comment{}, pauses: r.Pauses}
	c.Agent.Call = "" // a call id is the caller's business, not the card's
	board := recognitionBoard(nil, all, r.Floor.CSAT)
	if i := slices.Index(board, own); i >= 0 {
		c.Place = &Place{Rank: i + 1, Of: len(board)}
	}
	var handled, missed int64
	var aux float64
	for _, a := range all {
		if a.Occupancy != nil || a.Handled > 0 || a.AuxS > 0 {
			c.Team.AgentsWorked++
			handled, missed, aux = handled+a.Handled, missed+a.Missed, aux+a.AuxS
		}
	}
	if n := float64(c.Team.AgentsWorked); n > 0 {
		c.Team.HandledPerAgent, c.Team.MissedPerAgent, c.Team.AuxPerAgentS = ptr(float64(handled)/n), ptr(float64(missed)/n), ptr(aux/n)
	}
	c.Comments = append(c.Comments, own.Comments...)
	return c, true
}

func ptr[T any](v T) *T { return &v }

// recognitionBoard appends to dst the agents on the recognition board
// (a handled call or a survey in the window), best first.
func recognitionBoard(dst, all []*floor.AgentReport, team *float64) []*floor.AgentReport {
	for _, a := range all {
		if a.Handled > 0 || a.Surveys > 0 {
			dst = append(dst, a)
		}
	}
	slices.SortStableFunc(dst, leaderOrder(team))
	return dst
}

// stateUnknown reports an agent signed in whose state the feed has never
// told: a source without agent states (call records) names agents only in
// call events. Until the report says so itself, it is read off what the
// fold does with such an agent: offline with no time in that state, no
// time in any other, and neither a name nor skills, which come only with
// an agent.state.
func stateUnknown(a *floor.AgentReport) bool {
	return a.State == feed.StateOffline && a.StateS == 0 && a.Occupancy == nil && a.AuxS == 0 &&
		a.Name == "" && len(a.Queues) == 0
}

// WriteCard writes c as `ssh HOST status` prints it for an agent: the card
// as text, or with asJSON the Card's JSON form.
func WriteCard(w io.Writer, c *Card, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	var b strings.Builder
	for _, l := range c.lines(NewStyles(r)) {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cardKey: an agent's card answers to help and quit only; there is no
// other screen to reach.
func (m *Model) cardKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp, m.helpOff = true, 0
	}
	return nil
}

// cardScreen is the whole screen of an agent's dashboard: a line of
// context, the banner when there is one, and the card.
func (m *Model) cardScreen(w, h int) string {
	s := m.styles
	left := s.Title.Render("Your card") + "  " + s.Bold.Render(m.feedName()) + " " + m.stateText() + s.Muted.Render(" · ") + m.clockText(true)
	right := s.Muted.Render("? help · q quit")
	top := ansi.Truncate(left+strings.Repeat(" ", max(1, w-lipgloss.Width(left)-lipgloss.Width(right)))+right, w, "…")
	if b := m.banner(w); b != "" {
		top += "\n" + b
	}
	bodyH := h - lipgloss.Height(top)
	var body string
	switch {
	case m.showHelp:
		body = m.fullHelp(w, bodyH)
	case m.catchingUp():
		body = m.catchUpScreen(w)
	default:
		if c, ok := NewCard(m.report, m.opts.Agent); ok {
			body = strings.Join(c.lines(s), "\n")
		} else {
			body = s.Warn.Render("Agent " + m.opts.Agent + " is not on this floor now: the feed has not named them since it started.")
		}
	}
	return fit(top+"\n"+fit(body, w, bodyH), w, h)
}

func (m *Model) cardLegend() []string {
	s := m.styles
	return []string{
		s.Good.Render("✓") + " on your goal  " + s.Bad.Render("✗") + " off it (goals are judged on the day)  " + dash + " nothing to measure yet",
		"team: the team's figures over the same span; \"each\" is the mean of the agents who worked in it. " +
			"AHT average handle time, answer to end of wrap-up. Occupancy: time on calls and in wrap-up, of your time signed in and not in aux. " +
			"CSAT 1–5, the mean of your surveys.",
		"Recognition: your place on the team's board, by best CSAT (with " + itoa(priorSurveys) +
			" surveys at the team's mean added, so one 5 does not come first), then goals met, then calls handled.",
	}
}

// lines draws the card, a line each; nothing is cut (the screen cuts).
func (c *Card) lines(s Styles) []string {
	a := &c.Agent
	who := a.Agent
	if a.Name != "" {
		who = a.Name + " (" + a.Agent + ")"
	}
	span := c.span()
	out := []string{
		s.Title.Render(who) + s.Muted.Render(" — your card, ") + s.Accent.Render(span) +
			s.Muted.Render(" at "+clock(c.Now.Time)+" · goals judged on the day"),
	}
	g, t := a.Goals, &c.Team
	mark := func(goal bool, flag string) (string, lipgloss.Style) {
		switch {
		case !goal:
			return "", s.App
		case slices.Contains(a.Flags, flag):
			return " ✗", s.Bad
		}
		return " ✓", s.Good
	}
	// row is one figure: the agent's, marked against their goal, with a
	// note after the mark; the goal; the team's.
	row := func(label, have, note string, goal bool, flag, goalText, team string) [4]cell {
		sign, st := mark(goal, flag)
		if !goal {
			goalText = "no goal"
		}
		return [4]cell{txt(label), styled(have+sign+note, st), txt(goalText), txt(team)}
	}
	csat := dash
	if a.CSAT != nil {
		csat = fmt.Sprintf("%.2f", *a.CSAT)
	}
	missedGoal := ""
	if g.Missed != nil {
		missedGoal = fmt.Sprintf("goal ≤ %d", *g.Missed)
	}
	rows := [][4]cell{
		{txt("state"), c.stateCell(s), txt(""), txt("")},
		{txt("handled"), txt(fmt.Sprintf("%d calls · %d transferred", a.Handled, a.Transferred)), txt(""), txt("team " + each(t.HandledPerAgent, num1))},
		row("AHT", durp(a.AHTS), "", g.AHTS != nil, "aht", "goal ≤ "+durp(g.AHTS), "team "+durp(t.AHTS)),
		row("missed", fmt.Sprint(a.Missed), "", g.Missed != nil, "missed", missedGoal, "team "+each(t.MissedPerAgent, num1)),
		row("aux", dur(a.AuxS), "", g.AuxS != nil, "aux", "goal ≤ "+durp(g.AuxS), "team "+each(t.AuxPerAgentS, durp)),
		{txt("aux by reason"), txt(c.auxText()), txt(""), txt("")},
		row("occupancy", pct(a.Occupancy), "", g.Occupancy != nil, "occupancy", "goal ≥ "+pctp0(g.Occupancy), "team "+pct(t.Occupancy)),
		row("CSAT", csat, " · "+plural(int(a.Surveys), "survey"), g.CSAT != nil, "csat", "goal ≥ "+num1(g.CSAT), "team "+num1(t.CSAT)),
		{txt("recognition"), c.placeCell(s), txt(""), txt("")},
	}
	if p := a.Pause; p != nil {
		now := fmt.Sprintf("%s %s of %s planned", p.Reason, dur(p.ElapsedS), dur(p.PlannedS))
		if p.OverrunS > 0 {
			rows = append(rows, [4]cell{txt("pause now"), styled(now+": "+dur(p.OverrunS)+" over ✗", s.Bad), txt(""), txt("")})
		} else {
			rows = append(rows, [4]cell{txt("pause now"), styled(now+" ✓", s.Good), txt(""), txt("")})
		}
	}
	if len(a.Flags) > 0 {
		rows = append(rows, [4]cell{txt("off goal"), styled("⚑ "+strings.Join(a.Flags, ", "), s.Bad), txt(""), txt("")})
	}
	out = append(out, cardTable(s, rows)...)

	lvl := slLevel(t.ServiceLevel, t.SLTarget)
	out = append(out, "", s.Section.Render("Your team, "+span),
		s.Label.Render("service level ")+s.Level(lvl).Bold(true).Render(pct(t.ServiceLevel)+" "+levelMark(lvl))+
			s.Label.Render(" goal "+pct0(t.SLTarget))+s.Muted.Render(" · ")+
			fmt.Sprintf("%d answered of %d offered · abandon %s", t.Answered, t.Offered, pct(t.AbandonRate)),
		fmt.Sprintf("waiting %d · longest %s · %d staffed · %d available · %d on call", t.Waiting, durp(t.LongestWaitS), t.Staffed, t.Available, t.OnCall),
		fmt.Sprintf("AHT %s · CSAT %s (%s) · occupancy %s", durp(t.AHTS), num1(t.CSAT), plural(int(t.Surveys), "survey"), pct(t.Occupancy)))

	out = append(out, "", s.Section.Render("What your customers wrote")+s.Muted.Render(" — today, surveys that scored low"))
	if len(c.Comments) == 0 {
		out = append(out, s.Muted.Render("no comment to follow up"))
	}
	for _, cm := range c.Comments {
		var scores []string
		for _, sc := range []struct {
			name string
			v    *float64
		}{{"CSAT", cm.CSAT}, {"NPS", cm.NPS}, {"CES", cm.CES}} {
			if sc.v != nil {
				scores = append(scores, fmt.Sprintf("%s %.0f", sc.name, *sc.v))
			}
		}
		out = append(out, s.Bold.Render(clock(cm.At.Time))+" "+s.Warn.Render(strings.Join(scores, " · "))+" “"+cm.Comment+"”")
	}
	return out
}

// stateCell is the agent's state now and for how long.
func (c *Card) stateCell(s Styles) cell {
	a := &c.Agent
	if stateUnknown(a) {
		return styled("signed in, state unknown", s.Muted)
	}
	state := stateLabel(a.State)
	if a.Reason != "" {
		state += " (" + a.Reason + ")"
	}
	return styled(state+" for "+dur(a.StateS), s.State(a.State))
}

// placeCell is the agent's place on the recognition board: "3rd of 26 ★".
func (c *Card) placeCell(s Styles) cell {
	p := c.Place
	if p == nil {
		return styled("not on the board yet: a handled call or a survey puts you on it", s.Muted)
	}
	text := ordinal(p.Rank) + " of " + itoa(p.Of)
	if p.Rank <= 3 {
		return styled(text+" ★", s.Good)
	}
	return txt(text)
}

// auxText is the agent's aux time by reason, the most first, each with its
// planned length where the goals file gives one.
func (c *Card) auxText() string {
	a := &c.Agent
	parts := []string{}
	for _, r := range auxReasons(a) {
		part := r + " " + dur(a.AuxByReason[r])
		if plan, ok := c.pauses[r]; ok {
			part += " (planned " + dur(plan) + " each)"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return dash
	}
	return strings.Join(parts, " · ")
}

// cardTable lays out rows of label, the agent's figure, the goal and the
// team's, in columns.
func cardTable(s Styles, rows [][4]cell) []string {
	var widths [4]int
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], lipgloss.Width(c.text))
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		var b strings.Builder
		for j, c := range r {
			// Only the agent's own figures stand out.
			st := s.Label
			if j == 1 && c.style != nil {
				st = *c.style
			} else if j == 1 {
				st = s.App
			}
			b.WriteString(st.Render(padRight(c.text, widths[j])))
			if j < len(r)-1 {
				b.WriteString("  ")
			}
		}
		out[i] = b.String()
	}
	return out
}

// each is a per-agent mean: "11.2 each".
func each(v *float64, format func(*float64) string) string {
	if v == nil {
		return dash
	}
	return format(v) + " each"
}

// pctp0 is pct0 of an optional goal.
func pctp0(v *float64) string {
	if v == nil {
		return dash
	}
	return pct0(*v)
}

// span names the card's window as the dashboard does.
func (c *Card) span() string {
	w, err := floor.ParseWindow(c.Window)
	if err != nil {
		return c.Window
	}
	return windowLabel(w)
}

// ordinal writes a place: 1st, 2nd, 3rd, 4th, 11th, 21st.
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return itoa(n) + suffix
}
