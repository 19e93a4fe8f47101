package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

var actionColumns = []column{
	{title: "TIME"},
	{title: "BY", flex: true, least: 8, prio: 1},
	{title: "ACTION", flex: true, least: 16},
	{title: "RESULT", flex: true, least: 12},
}

// actionsView is the drill's action log, newest first: when, who, what
// and how the drill took it; under it, the selected action in full.
func (m *Model) actionsView(w, h int) string {
	s, r := m.styles, m.report
	acts := r.Actions
	refused := 0
	for _, a := range acts {
		if a.Result != "ok" {
			refused++
		}
	}
	head := s.Section.Render(fmt.Sprintf("Actions: %s, %d refused", plural(len(acts), "action"), refused)) +
		s.Muted.Render(" — "+m.drillName()+" · "+m.keys.Briefing.Help().Key+" briefing · esc back")
	if r.ActionsDropped > 0 {
		head += s.Warn.Render(fmt.Sprintf(" · %d older ones let go", r.ActionsDropped))
	}
	if len(acts) == 0 {
		hint := "nobody has acted yet"
		if m.opts.Act != nil {
			hint += ": act from the Agents (3) or Queues (2) view, " + m.keys.Help.Help().Key + " lists the keys"
		}
		return head + "\n" + s.Muted.Render(hint)
	}
	c := m.cursor[viewActions]
	sel := acts[len(acts)-1-c]
	detail := s.App.Width(w).Render(s.Bold.Render(clock(sel.At)+" "+sel.By+": ") + actionText(drillOf(&sel)) + " — " +
		s.Level(resultLevel(sel.Result)).Render(resultMark(sel.Result)+" "+sel.Result))
	th := h - 2 - strings.Count(detail, "\n") - 1
	off := scroll(m.offset, "actions", c, th-1)
	var rows [][]cell
	for i := off; i < min(len(acts), off+th-1); i++ {
		a := &acts[len(acts)-1-i]
		rows = append(rows, []cell{txt(clock(a.At)), txt(shortBy(a.By)), txt(actionText(drillOf(a))),
			styled(resultMark(a.Result)+" "+a.Result, s.Level(resultLevel(a.Result)))})
	}
	return head + "\n" + s.render(tableSpec{cols: actionColumns, rows: rows, width: w, height: th, cursor: c - off}) + "\n\n" + detail
}

// shortBy is who acted, for a column: a key's comment without its
// fingerprint (the drill names an SSH key "ana (SHA256:…)"); the line
// under the log gives it whole.
func shortBy(by string) string {
	name, _, _ := strings.Cut(by, " (")
	return name
}

func resultLevel(result string) Level {
	if result == "ok" {
		return LevelGood
	}
	return LevelBad
}

// drillOf is an action's command as the wire gives it.
func drillOf(a *floor.DrillAction) *feed.Drill {
	return &feed.Drill{ID: a.ID, By: a.By, Command: a.Command, Result: a.Result, Agent: a.Agent, Queues: a.Queues,
		Count: a.Count, For: a.For, Queue: a.Queue, To: a.To, AfterS: a.AfterS}
}

// drillName is the drill as its drill.started line named it.
func (m *Model) drillName() string {
	d := m.report.Drill
	return fmt.Sprintf("drill %s, seed %d, from %s", d.Scenario, d.Seed, clock(d.At))
}

// briefingView is the drill's briefing, with how to act in it.
func (m *Model) briefingView(w, h int) string {
	s, k := m.styles, m.keys
	d := m.report.Drill
	keys := func(bs ...key.Binding) string {
		var parts []string
		for _, b := range bs {
			parts = append(parts, s.Bold.Render(b.Help().Key)+" "+b.Help().Desc)
		}
		return strings.Join(parts, s.Muted.Render(" · "))
	}
	lines := []string{
		s.Title.Render("Briefing: "+d.Scenario) + s.Muted.Render(fmt.Sprintf(" (seed %d, from %s)", d.Seed, clock(d.At))),
		"",
		s.App.Width(w).Render(d.Briefing),
		"",
	}
	switch {
	case m.opts.Act != nil:
		lines = append(lines, s.Section.Render("Acting")+s.Muted.Render(" — on the Agents (3) and Queues (2) views and in their details"),
			m.pairs([][2]string{
				{"on an agent", keys(k.Move, k.Release, k.SendHome)},
				{"on a queue", keys(k.Overflow, k.Callback)},
				{"on either", keys(k.Overtime)},
				{"then", "the footer says what the drill made of it; " + keys(k.Actions, k.Briefing)},
			}, w))
	case m.opts.CannotAct != "":
		lines = append(lines, s.Warn.Width(w).Render(m.opts.CannotAct), keys(k.Actions, k.Briefing))
	default:
		lines = append(lines, keys(k.Actions, k.Briefing))
	}
	lines = append(lines, "", s.Muted.Render("any key closes this"))
	return fit(strings.Join(lines, "\n"), w, h)
}
