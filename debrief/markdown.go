package debrief

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/floor"
)

// WriteMarkdown writes the debrief as Markdown that reads as well in a
// terminal as rendered: tables padded to their columns. Every string from
// the recording or the scenario was cleaned of control characters where
// it entered; a table cell's "|" is escaped.
func (db *Debrief) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	db.opening(&b, true)
	for _, t := range termNotes {
		fmt.Fprintf(&b, "- %s: %s\n", t[0], t[1])
	}
	b.WriteString("\n" + scoreNote + "\n\n")

	b.WriteString("## The floor, with your actions and without\n\n")
	b.WriteString(mdTable([]string{"", "with", "without", "difference"}, "lrrr", db.Floor.lines()))

	b.WriteString("\n## Queues\n\n")
	var rows [][]string
	for _, q := range db.Queues {
		rows = append(rows, []string{label(q.Queue, q.Name), floor.Pct(q.With.ServiceLevel), floor.Pct(q.Without.ServiceLevel),
			count(q.WithinGained()), count(q.HangupsAvoided()),
			floor.Pct(q.With.AbandonRate), floor.Pct(q.Without.AbandonRate),
			floor.Secs(q.With.ASAS), floor.Secs(q.Without.ASAS)})
	}
	b.WriteString(mdTable([]string{"queue", "SL with", "SL without", "within goal gained", "hang-ups avoided",
		"abandon rate with", "without", "ASA with", "without"}, "lrrrrrrrr", rows))

	b.WriteString("\n## Your actions\n\n")
	if len(db.Moves) == 0 {
		b.WriteString("None: the drill ran as its shadow did, so the two sides are the same.\n")
	} else {
		rows = rows[:0]
		for _, a := range db.Moves {
			rows = append(rows, []string{clock(a.At), a.By, a.What, a.Result})
		}
		b.WriteString(mdTable([]string{"time", "by", "command", "result"}, "llll", rows))
	}

	b.WriteString("\n## The floor by 15 minutes\n\n")
	rows = rows[:0]
	for _, r := range db.Intervals {
		rows = append(rows, []string{clock(r.Start.Time), floor.Pct(r.With.ServiceLevel), floor.Pct(r.Without.ServiceLevel),
			fmt.Sprint(r.With.WaitingMax), fmt.Sprint(r.Without.WaitingMax),
			fmt.Sprint(r.With.HungUp()), fmt.Sprint(r.Without.HungUp())})
	}
	b.WriteString(mdTable([]string{"from", "SL with", "without", "most waiting with", "without", "hung up with", "without"},
		"lrrrrrr", rows))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteSummary writes the Markdown's opening without the briefing, then
// the comparison in a line: for the terminal when a drill ends.
func (db *Debrief) WriteSummary(w io.Writer) error {
	var b strings.Builder
	db.opening(&b, false)
	b.WriteString((&Comparison{Floor: db.Floor, Score: db.Score}).Headline() + ".\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// opening is the title, the span, the briefing if asked for, the goal's
// verdict and the score worked out.
func (db *Debrief) opening(b *strings.Builder, briefing bool) {
	fmt.Fprintf(b, "# Drill debrief: %s (seed %d)\n\n", db.Scenario, db.Seed)
	b.WriteString(db.span() + "\n\n")
	if briefing && db.Briefing != "" {
		b.WriteString("> " + db.Briefing + "\n\n")
	}
	if g := db.Score.Goal; g != nil {
		fmt.Fprintf(b, "**Goal:** %s\n\n%s\n\n", g.Text, goalVerdict(g, func(s string) string { return "**" + s + "**" }))
	}
	fmt.Fprintf(b, "## Score: %s\n\n", points(db.Score.Points))
	b.WriteString("    " + strings.Join(db.formulaLines(), "\n    ") + "\n\n")
}

// formulaLines are the formula, then with the terms' values, then the
// result: a trainer can check it by hand.
func (db *Debrief) formulaLines() []string {
	t := db.Score.Terms
	perHour := "none (no AHT without the actions: overtime is not charged)"
	if t.CallsPerAgentHour != nil {
		perHour = fmt.Sprintf("%.2f", *t.CallsPerAgentHour)
	}
	return []string{
		formulaExpr,
		fmt.Sprintf("      = %s + %s − %s × %s", paren(t.WithinGained), paren(t.HangupsAvoided), trimFloat(t.OvertimeHours), perHour),
		"      = " + points(db.Score.Points),
	}
}

func paren(n int64) string {
	if n < 0 {
		return fmt.Sprintf("(%d)", n)
	}
	return fmt.Sprint(n)
}

// points writes a score to the nearest caller, with its sign.
func points(p float64) string {
	r := math.Round(p)
	if r == 0 {
		return "0"
	}
	return fmt.Sprintf("%+.0f", r)
}

// goalVerdict says whether the goal was met, and without the actions;
// strong marks the verdict's first word.
func goalVerdict(g *GoalResult, strong func(string) string) string {
	with := strong("Met") + " with your actions."
	if !g.Met {
		with = strong("Missed") + " with your actions: " + strings.Join(g.Missed, "; ") + "."
	}
	without := "Without them it would have been met too."
	if !g.MetWithout {
		without = "Without them it would have been missed: " + strings.Join(g.MissedWithout, "; ") + "."
	}
	return with + " " + without
}

// span says what the debrief covers.
func (db *Debrief) span() string {
	s := fmt.Sprintf("Drill from %s to %s UTC on %s, against the same callers with no action taken (the shadow floor).",
		clock(db.Start), clock(db.Until), db.Start.UTC().Format("Monday 2 January 2006"))
	if !db.Complete {
		s += " The drill stopped before its end: both sides are compared up to " + clock(db.Until) + "."
	}
	return s
}

// lines are a pair's figures side by side with their difference.
func (p *Pair) lines() [][]string {
	w, wo := &p.With, &p.Without
	return [][]string{
		{"service level", floor.Pct(w.ServiceLevel), floor.Pct(wo.ServiceLevel), pointsDiff(w.ServiceLevel, wo.ServiceLevel)},
		{"answered within goal", fmt.Sprint(w.AnsweredWithin), fmt.Sprint(wo.AnsweredWithin), count(p.WithinGained())},
		{"hung up (short aside)", fmt.Sprint(w.HungUp()), fmt.Sprint(wo.HungUp()), count(-p.HangupsAvoided())},
		{"abandon rate", floor.Pct(w.AbandonRate), floor.Pct(wo.AbandonRate), pointsDiff(w.AbandonRate, wo.AbandonRate)},
		{"ASA", floor.Secs(w.ASAS), floor.Secs(wo.ASAS), secsDiff(w.ASAS, wo.ASAS)},
		{"AHT", floor.Secs(w.AHTS), floor.Secs(wo.AHTS), secsDiff(w.AHTS, wo.AHTS)},
		{"offered", fmt.Sprint(w.Offered), fmt.Sprint(wo.Offered), count(w.Offered - wo.Offered)},
		{"answered", fmt.Sprint(w.Answered), fmt.Sprint(wo.Answered), count(w.Answered - wo.Answered)},
		{"abandoned (every reason)", fmt.Sprint(w.Abandoned), fmt.Sprint(wo.Abandoned), count(w.Abandoned - wo.Abandoned)},
	}
}

func count(n int64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%+d", n)
}

// pointsDiff is the difference of two ratios in percentage points.
func pointsDiff(a, b *float64) string {
	if a == nil || b == nil {
		return "-"
	}
	return fmt.Sprintf("%+.1f pts", 100*(*a-*b))
}

func secsDiff(a, b *float64) string {
	if a == nil || b == nil {
		return "-"
	}
	d := *a - *b
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	return sign + floor.Secs(&d)
}

func clock(t time.Time) string { return t.UTC().Format("15:04") }

// label is a queue's name with its id, or its id alone.
func label(id, name string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

// mdTable is a Markdown table padded so that it lines up in a terminal;
// align has one letter a column, l or r.
func mdTable(header []string, align string, rows [][]string) string {
	all := append([][]string{header}, rows...)
	width := make([]int, len(header))
	for _, r := range all {
		for i := range r {
			r[i] = strings.ReplaceAll(r[i], "|", `\|`)
			width[i] = max(width[i], ansi.StringWidth(r[i]), 3)
		}
	}
	var b strings.Builder
	line := func(r []string) {
		b.WriteString("|")
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-ansi.StringWidth(c))
			if align[i] == 'r' {
				c = pad + c
			} else {
				c += pad
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(all[0])
	b.WriteString("|")
	for i := range header {
		dash := strings.Repeat("-", width[i])
		if align[i] == 'r' {
			dash = dash[1:] + ":"
		}
		b.WriteString(" " + dash + " |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}
