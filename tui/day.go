package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/floor"
)

// The Day view: today interval by interval, for the floor or one queue, as
// `status --window today --intervals 15m` counts it (the same Report).

// daySizes are the interval sizes `t` cycles through.
var daySizes = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour}

// dayState is what the Day view shows: its report, asked of the hub only
// while the view is up (it costs a Report of its own), the interval size
// and the scope.
type dayState struct {
	report *floor.Report
	size   int    // index in daySizes
	queue  string // the queue shown; "" for the whole floor
}

// loadDay reads the Day view's report when the view is up. The cursor
// follows now (the interval in progress) while it is on the last row, and
// always when follow is set: a new size or scope starts at now again.
func (m *Model) loadDay(follow bool) {
	if m.view != viewDay || m.catchingUp() {
		return
	}
	follow = follow || m.day.report == nil || m.cursor[viewDay] >= len(m.dayIntervals())-1
	m.day.report = m.hub.Report(floor.Today.WithIntervals(daySizes[m.day.size]))
	if follow {
		m.cursor[viewDay] = len(m.dayIntervals()) - 1
	}
	m.clamp(viewDay, m.cursor[viewDay])
}

// dayQueue is the queue the Day view shows, nil for the floor (or a queue
// no longer in the report).
func (m *Model) dayQueue() *floor.QueueReport {
	if r := m.day.report; r != nil && m.day.queue != "" {
		for i := range r.Queues {
			if r.Queues[i].Queue == m.day.queue {
				return &r.Queues[i]
			}
		}
	}
	return nil
}

// dayIntervals are the intervals the Day view lists.
func (m *Model) dayIntervals() []floor.Interval {
	if m.day.report == nil {
		return nil
	}
	if q := m.dayQueue(); q != nil {
		return q.Intervals
	}
	return m.day.report.Floor.Intervals
}

// dayKey handles the Day view's own keys and reports whether msg was one:
// n and N step the scope from the floor through each queue, t the size.
func (m *Model) dayKey(msg tea.KeyMsg) bool {
	k := m.keys
	switch {
	case key.Matches(msg, k.DayScope):
		m.stepDayScope(msg.String() == "N")
		m.loadDay(true)
		m.flash = "today of " + m.dayScopeLabel()
	case key.Matches(msg, k.DaySize):
		m.day.size = (m.day.size + 1) % len(daySizes)
		m.loadDay(true)
		m.flash = "intervals of " + floor.FormatSpan(daySizes[m.day.size])
	default:
		return false
	}
	return true
}

// stepDayScope moves the scope to the next queue (by id, as the report
// lists them), back to the floor after the last; back steps the other way.
func (m *Model) stepDayScope(back bool) {
	r := m.day.report
	if r == nil {
		return
	}
	ids := []string{""}
	for _, q := range r.Queues {
		ids = append(ids, q.Queue)
	}
	i := 0
	for j, id := range ids {
		if id == m.day.queue {
			i = j
		}
	}
	step := 1
	if back {
		step = len(ids) - 1
	}
	m.day.queue = ids[(i+step)%len(ids)]
}

// dayScopeLabel names what the Day view shows: the floor or a queue.
func (m *Model) dayScopeLabel() string {
	if q := m.dayQueue(); q != nil {
		return q.Label()
	}
	return "Floor"
}

// dayColumns are the Day view's columns, by priority.
var dayColumns = []column{
	{title: "INTERVAL"},
	{title: "OFFERED", right: true},
	{title: "ANSWERED", right: true, prio: 2},
	{title: "ABANDONED", right: true, prio: 1},
	{title: "SL", right: true},
	{title: "GOAL", right: true, prio: 4},
	{title: "ASA", right: true, prio: 1},
	{title: "AHT", right: true, prio: 2},
	{title: "ABAND", right: true, prio: 5},
	{title: "VOLUME", prio: 3},
}

// dayView: the day so far in intervals, the one in progress marked and
// followed, each judged against its own goal (the goal of its calls).
func (m *Model) dayView(w, h int) string {
	s := m.styles
	r := m.day.report
	if r == nil {
		return s.Muted.Render("no figures yet")
	}
	zone := r.Zone
	if zone == nil {
		zone = time.UTC
	}
	size := floor.FormatSpan(r.IntervalSize)
	metrics, goal := &r.Floor, "goal "+pct(&r.Floor.SLTarget)
	if q := m.dayQueue(); q != nil {
		metrics, goal = &q.Metrics, "goal "+pct(&q.SLTarget)+" in "+threshold(q.SLThresholdS)
	}
	lvl := slLevel(metrics.ServiceLevel, metrics.SLTarget)
	title := s.Section.Render(m.dayScopeLabel()+" today by "+size) + s.Muted.Render(" · ") + s.Bold.Render(goal) +
		s.Muted.Render(fmt.Sprintf(" · the day from %s %s", r.DayStart.In(zone).Format("15:04"), zone))
	sum := s.fitItems([]string{
		s.Accent.Render("today:") + s.Label.Render(" SL ") + s.Level(lvl).Bold(true).Render(pct(metrics.ServiceLevel)+" "+levelMark(lvl)),
		m.kv("offered", fmt.Sprint(metrics.Offered), s.App),
		m.kv("answered", fmt.Sprint(metrics.Answered), s.App),
		m.kv("abandoned", abandonedShort(metrics.Abandoned, metrics.ShortAbandoned), s.App),
		m.kv("ASA", durp(metrics.ASAS), s.App),
		m.kv("AHT", durp(metrics.AHTS), s.App),
	}, w)
	list := m.dayIntervals()
	if len(list) == 0 {
		return title + "\n" + s.Muted.Render("no call today yet")
	}
	c := m.cursor[viewDay]
	th := h - 2
	off := scroll(m.offset, "day", c, th-1)
	// The bar of the busiest interval fills the column.
	most := int64(1)
	for _, iv := range list {
		most = max(most, iv.Offered)
	}
	barW := max(8, min(40, w/5))
	layout := "15:04"
	if list[0].Start.In(zone).Format("MST") != list[len(list)-1].Start.In(zone).Format("MST") {
		// A clock change today: the hour it repeats reads as two.
		layout = "15:04 MST"
	}
	var rows [][]cell
	for _, iv := range list[off:min(len(list), off+th-1)] {
		lvl := slLevel(iv.ServiceLevel, iv.SLTarget)
		when := txt(iv.Start.In(zone).Format(layout))
		switch {
		case iv.InProgress:
			when = styled(when.text+" ● now", s.Accent)
		case lvl == LevelWarn || lvl == LevelBad:
			when = styled(when.text, s.Level(lvl))
		}
		rows = append(rows, []cell{
			when,
			txt(fmt.Sprint(iv.Offered)),
			txt(fmt.Sprint(iv.Answered)),
			txt(abandonedShort(iv.Abandoned, iv.ShortAbandoned)),
			styled(pct(iv.ServiceLevel)+" "+levelMark(lvl), s.Level(lvl)),
			txt(pct(&iv.SLTarget)),
			txt(durp(iv.ASAS)),
			txt(durp(iv.AHTS)),
			txt(pct(iv.AbandonRate)),
			styled(strings.Repeat("█", int(iv.Offered*int64(barW)/most)), s.Accent),
		})
	}
	return title + "\n" + sum + "\n" + s.render(tableSpec{cols: dayColumns, rows: rows, width: w, height: th, cursor: c - off})
}
