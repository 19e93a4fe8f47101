package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// recoveryRow is one line of the Recovery list: an item of the report and
// the done mark supervisors put on it, if any.
type recoveryRow struct {
	item *floor.RecoveryItem
	key  string
	done *live.Done
}

// recoveryRows is the Recovery list as the supervisor works it: items to do
// first, then those done, each newest first. It is rebuilt only when shown
// after a change: on a busy floor the day's list is long, and most views
// never look at it.
func (m *Model) recoveryRows() []recoveryRow {
	if m.recoveryStale {
		m.buildRecovery()
	}
	return m.recovery
}

func (m *Model) buildRecovery() {
	m.recoveryStale = false
	// The cursor stays on the item it was on while new items arrive above
	// it; after a mark it stays at its place, on the next item to do.
	c := m.cursor[viewRecovery]
	sel := ""
	if !m.keepIndex && c < len(m.recovery) {
		sel = m.recovery[c].key
	}
	m.keepIndex = false
	items := m.report.Recovery
	rows := m.recovery[:0]
	for i := range items {
		r := recoveryRow{item: &items[i], key: items[i].Key()}
		if d, ok := m.done[r.key]; ok {
			r.done = &d
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b recoveryRow) int {
		switch {
		case (a.done == nil) == (b.done == nil):
			return 0
		case a.done == nil:
			return -1
		}
		return 1
	})
	m.recovery = rows
	if sel != "" {
		for i, r := range rows {
			if r.key == sel {
				c = i
				break
			}
		}
	}
	m.cursor[viewRecovery] = max(0, min(c, len(rows)-1))
}

// findRecovery is the row of the item key, nil when it is not listed.
func (m *Model) findRecovery(key string) *recoveryRow {
	rows := m.recoveryRows()
	for i := range rows {
		if rows[i].key == key {
			return &rows[i]
		}
	}
	return nil
}

// toggleDone marks the item done for every view of the floor, or takes the
// mark off again.
func (m *Model) toggleDone(r *recoveryRow) {
	who := m.callerText(r.item.Caller)
	if r.done != nil {
		m.hub.Undo(r.key)
		m.flash = "back on the list: " + who
	} else {
		m.hub.MarkDone(r.key, m.opts.Supervisor, m.report.Now.Time)
		m.flash = "done: " + who
	}
	m.keepIndex = true
	m.refresh()
}

// callerText is whom to call back, as this dashboard may show it: with
// RedactCallers only the last four characters (none of a shorter id),
// behind a mask that does not give away the length.
func (m *Model) callerText(caller string) string {
	if caller == "" {
		return "unknown"
	}
	if !m.opts.RedactCallers {
		return caller
	}
	r := []rune(caller)
	if len(r) <= 4 {
		return "•••••"
	}
	return "•••••" + string(r[len(r)-4:])
}

func (m *Model) queueLabel(id string) string {
	if q := m.queueByID[id]; q != nil {
		return q.Label()
	}
	return id
}

func (m *Model) agentLabel(id string) string {
	if a := m.agentByID[id]; a != nil {
		return a.Label()
	}
	return id
}

// whyText is why the item is on the list: the reason an abandoned caller
// left (in short words for a table cell), or a survey's low scores.
func whyText(it *floor.RecoveryItem, short bool) string {
	if it.Kind != floor.RecoverySurvey {
		if short {
			return reasonWord(it.Reason, 1)
		}
		return reasonText(it.Reason)
	}
	var parts []string
	for _, sc := range []struct {
		name string
		v    *float64
	}{{"CSAT", it.CSAT}, {"NPS", it.NPS}, {"CES", it.CES}} {
		if sc.v != nil {
			parts = append(parts, fmt.Sprintf("%s %.0f", sc.name, *sc.v))
		}
	}
	return strings.Join(parts, " ")
}

// redialText says whether the caller called again since, and what became
// of that call; the style grades it (answered is good news).
func (m *Model) redialText(rd *floor.Redial) (string, lipgloss.Style) {
	s := m.styles
	if rd == nil {
		return "not called again", s.Muted
	}
	again := "called again " + clock(rd.At)
	switch rd.Outcome {
	case floor.RedialWaiting:
		return again + ", waiting now", s.Accent
	case floor.RedialAnswered, floor.RedialEnded:
		return again + " → answered by " + m.agentLabel(rd.Agent), s.Good
	case floor.RedialTransferred:
		to := rd.To
		if to == "" {
			to = m.queueLabel(rd.Queue)
		}
		return again + " → " + m.agentLabel(rd.Agent) + " transferred it to " + to, s.Good
	case floor.RedialAbandoned:
		return again + ", abandoned again", s.Bad
	}
	return again, s.App
}

var recoveryColumns = []column{
	{title: ""}, // ✓ when done: the mark reads without colour too
	{title: "AT"},
	{title: "CALLER", flex: true, least: 13}, // a whole number; an id of a CRM's may be cut
	{title: "QUEUE", prio: 3},
	{title: "WAITED", right: true, prio: 2},
	{title: "WHY"},
	// Whether the caller has called since is what decides a call back: on
	// a narrow screen the queue and the wait give way to it.
	{title: "CALLED AGAIN / COMMENT", flex: true, least: 36, prio: 1},
}

// recoveryView: the day's abandoned callers and unhappy customers, a list to
// work through: whom to call back, why they left, whether they have called
// again since; d marks one done on every supervisor's screen.
func (m *Model) recoveryView(w, h int) string {
	s := m.styles
	rows := m.recoveryRows()
	done := 0
	for _, r := range rows {
		if r.done != nil {
			done++
		}
	}
	head := s.Section.Render(fmt.Sprintf("%d to call back · %d done", len(rows)-done, done)) +
		s.Muted.Render(" — today's abandoned callers and low surveys, newest first; d marks done, enter shows all")
	if n := m.report.RecoveryDropped; n > 0 {
		head += s.Warn.Render(fmt.Sprintf(" · %d oldest let go", n))
	}
	if len(rows) == 0 {
		return head + "\n" + s.Muted.Render("nobody to call back today")
	}
	c := m.cursor[viewRecovery]
	th := h - 1
	off := scroll(m.offset, "recovery", c, th-1)
	var cells [][]cell
	for _, r := range rows[off:min(len(rows), off+th-1)] {
		it := r.item
		queue := m.queueLabel(it.Queue)
		if it.Channel != "" && it.Channel != feed.ChannelVoice {
			queue += " · " + it.Channel
		}
		waited := ""
		why := styled(whyText(it, true), s.Warn)
		var detail cell
		if it.Kind == floor.RecoverySurvey {
			why.style = &s.Bad
			text := "no comment"
			if it.Comment != "" {
				text = "“" + it.Comment + "”"
			}
			detail = txt(text + " — " + m.agentLabel(it.Agent))
		} else {
			waited = dur(it.WaitS)
			text, st := m.redialText(it.Redial)
			detail = styled(text, st)
		}
		row := []cell{txt(" "), txt(clock(it.At)), txt(m.callerText(it.Caller)), txt(queue), txt(waited), why, detail}
		if r.done != nil {
			// Done: dimmed, every cell, with the mark in words.
			row[0] = txt("✓")
			for i := range row {
				row[i].style = &s.Muted
			}
		}
		cells = append(cells, row)
	}
	return head + "\n" + s.render(tableSpec{cols: recoveryColumns, rows: cells, width: w, height: th, cursor: c - off})
}

// recoveryDetail: one item in full.
func (m *Model) recoveryDetail(w, h int) string {
	s := m.styles
	r := m.findRecovery(m.recoveryKey)
	if r == nil {
		return s.Muted.Render("this item is no longer on today's list (a new day or a new floor) — esc back")
	}
	it := r.item
	what := "abandoned call"
	if it.Kind == floor.RecoverySurvey {
		what = "low survey"
	}
	title := s.Title.Render(m.callerText(it.Caller)) + s.Muted.Render(" — "+what+" · esc back")
	channel := it.Channel
	if channel == "" {
		channel = feed.ChannelVoice
	}
	status := s.Warn.Render("to call back") + s.Muted.Render(" — d marks it done for every supervisor")
	if d := r.done; d != nil {
		by := ""
		if d.By != "" {
			by = " by " + d.By
		}
		status = s.Good.Render("✓ done "+clock(d.At)+by) + s.Muted.Render(" — d puts it back on the list")
	}
	pairs := [][2]string{
		{"status", status},
		{"caller", m.callerText(it.Caller)},
		{"queue", m.queueLabel(it.Queue) + s.Muted.Render(" ("+it.Queue+") · "+channel)},
		{"when", clock(it.At) + s.Muted.Render(", "+dur(m.report.Now.Sub(it.At).Seconds())+" ago")},
	}
	if it.Kind == floor.RecoverySurvey {
		pairs = append(pairs,
			[2]string{"scores", s.Bad.Render(whyText(it, false))},
			[2]string{"agent", m.agentLabel(it.Agent) + s.Muted.Render(" ("+it.Agent+")")})
	} else {
		since, st := m.redialText(it.Redial)
		if rd := it.Redial; rd != nil {
			since += s.Muted.Render(" · in " + m.queueLabel(rd.Queue) + " · call " + rd.Call)
			if rd.Outcome == floor.RedialAnswered {
				since += s.Muted.Render(" · talking now")
			}
		}
		pairs = append(pairs,
			[2]string{"waited", dur(it.WaitS)},
			[2]string{"why", reasonText(it.Reason)},
			[2]string{"since", st.Render(since)})
	}
	pairs = append(pairs, [2]string{"call", it.Call})
	body := title + "\n" + m.pairs(pairs, w)
	if it.Comment != "" {
		body += "\n\n" + s.Section.Render("Comment") + "\n" + s.App.Width(w).Render(it.Comment)
	}
	return body
}
