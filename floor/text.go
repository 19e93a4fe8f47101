package floor

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/feed"
)

// WriteJSON writes r as `status --json` prints it.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r as readable tables: the floor, its queues, its agents.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	name := ""
	if r.Feed.Name != "" {
		name = " " + r.Feed.Name
	}
	now := "-"
	if !r.Now.IsZero() {
		now = feed.FormatTime(r.Now.Time)
	}
	fmt.Fprintf(&b, "floor%s at %s, window %s\n", name, now, r.Window)
	s := r.Feed
	fmt.Fprintf(&b, "feed: last seq %d, %d events, %d bad lines, %d unknown, %d duplicates, %d gaps\n",
		s.LastSeq, s.Events, s.BadLines, s.Unknown, s.Duplicates, s.Gaps)
	if s.LastError != "" {
		fmt.Fprintf(&b, "last bad line: %s\n", s.LastError)
	}
	m := r.Floor
	short := fmt.Sprintf("%d short", m.ShortAbandoned)
	if why := ReasonsText(m.AbandonedByReason); why != "" {
		short += "; " + why
	}
	fmt.Fprintf(&b, "\nservice level %s (goal %s)  offered %d  answered %d (%d within goal)  abandoned %d (%s)  abandon rate %s\n",
		Pct(m.ServiceLevel), Pct(&m.SLTarget), m.Offered, m.Answered, m.AnsweredWithin, m.Abandoned, short, Pct(m.AbandonRate))
	fmt.Fprintf(&b, "waiting %d (longest %s)  ASA %s  AHT %s\n", m.Waiting, Secs(m.LongestWaitS), Secs(m.ASAS), Secs(m.AHTS))
	fmt.Fprintf(&b, "agents %d staffed: %d available, %d on call, %d wrap-up, %d aux  occupancy %s\n",
		m.Staffed, m.Available, m.OnCall, m.WrapUp, m.Aux, Pct(m.Occupancy))
	fmt.Fprintf(&b, "customers: CSAT %s  NPS %s  CES %s  (%d surveys)\n\n", Num(m.CSAT, 2), Num(m.NPS, 0), Num(m.CES, 2), m.Surveys)

	var tw textTable
	tw.row("QUEUE", "NAME", "SL", "GOAL", "OFFERED", "ANSWERED", "ABANDONED", "ABANDON%", "ASA", "AHT", "WAITING", "LONGEST", "STAFFED", "AVAIL", "NEEDED", "CSAT")
	for _, q := range r.Queues {
		needed := "-"
		if q.AgentsNeeded != nil {
			needed = fmt.Sprint(*q.AgentsNeeded)
		}
		abandoned := fmt.Sprint(q.Abandoned)
		if why := ReasonsText(q.AbandonedByReason); why != "" {
			abandoned += " (" + why + ")"
		}
		tw.row(q.Queue, q.Name, Pct(q.ServiceLevel), Pct(&q.SLTarget)+"/"+thresholdText(q.SLThresholdS), fmt.Sprint(q.Offered),
			fmt.Sprint(q.Answered), abandoned, Pct(q.AbandonRate), Secs(q.ASAS), Secs(q.AHTS), fmt.Sprint(q.Waiting),
			Secs(q.LongestWaitS), fmt.Sprint(q.Staffed), fmt.Sprint(q.Available), needed, Num(q.CSAT, 2))
	}
	tw.writeTo(&b)
	b.WriteString("\n")
	if len(r.Channels) > 1 || len(r.Channels) == 1 && r.Channels[0].Channel != feed.ChannelVoice {
		tw = textTable{}
		tw.row("CHANNEL", "SL", "GOAL", "OFFERED", "ANSWERED", "ABANDONED", "ABANDON%", "ASA", "AHT", "WAITING", "LONGEST")
		for _, c := range r.Channels {
			tw.row(c.Channel, Pct(c.ServiceLevel), Pct(&c.SLTarget), fmt.Sprint(c.Offered), fmt.Sprint(c.Answered),
				fmt.Sprint(c.Abandoned), Pct(c.AbandonRate), Secs(c.ASAS), Secs(c.AHTS), fmt.Sprint(c.Waiting), Secs(c.LongestWaitS))
		}
		tw.writeTo(&b)
		b.WriteString("\n")
	}
	tw = textTable{}
	tw.row("AGENT", "NAME", "STATE", "FOR", "HANDLED", "AHT", "MISSED", "XFER", "AUX", "OCC", "CSAT", "SURVEYS", "OFF GOAL")
	for _, a := range r.Agents {
		state := a.State
		if a.Reason != "" {
			state += " (" + a.Reason + ")"
		}
		tw.row(a.Agent, a.Name, state, Secs(&a.StateS), fmt.Sprint(a.Handled), Secs(a.AHTS), fmt.Sprint(a.Missed),
			fmt.Sprint(a.Transferred), auxText(a), Pct(a.Occupancy), Num(a.CSAT, 2), fmt.Sprint(a.Surveys), strings.Join(a.Flags, ","))
	}
	tw.writeTo(&b)
	if r.IntervalSize > 0 {
		writeIntervals(&b, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeIntervals writes the floor's intervals and each queue's, at the
// clock of the Report's zone.
func writeIntervals(b *strings.Builder, r *Report) {
	zone := r.Zone
	if zone == nil {
		zone = time.UTC
	}
	if !r.IntervalsFrom.IsZero() {
		fmt.Fprintf(b, "\nintervals reach back to %s: the calls before it count in the figures above, in no interval (%d days are kept)\n",
			r.IntervalsFrom.In(zone).Format("2006-01-02 15:04 MST"), maxIntervalDays)
	}
	size := shortDuration(r.IntervalSize)
	fmt.Fprintf(b, "\nfloor by %s (%s)\n", size, zone)
	writeIntervalTable(b, r.Floor.Intervals, zone)
	for _, q := range r.Queues {
		fmt.Fprintf(b, "\n%s by %s (%s)\n", q.Label(), size, zone)
		writeIntervalTable(b, q.Intervals, zone)
	}
}

func writeIntervalTable(b *strings.Builder, list []Interval, zone *time.Location) {
	if len(list) == 0 {
		b.WriteString("no call\n")
		return
	}
	// The date only when the list spans days; the zone's abbreviation
	// where it has one, so the hour a daylight-saving change repeats reads
	// as two.
	layout := "15:04"
	if first, last := list[0].Start.In(zone), list[len(list)-1].Start.In(zone); first.YearDay() != last.YearDay() || first.Year() != last.Year() {
		layout = "2006-01-02 15:04"
	}
	if zone != time.UTC {
		layout += " MST"
	}
	var tw textTable
	tw.row("START", "OFFERED", "ANSWERED", "WITHIN", "ABANDONED", "SHORT", "SL", "GOAL", "ASA", "AHT", "ABANDON%", "")
	for _, iv := range list {
		now := ""
		if iv.InProgress {
			now = "in progress"
		}
		tw.row(iv.Start.In(zone).Format(layout), fmt.Sprint(iv.Offered), fmt.Sprint(iv.Answered), fmt.Sprint(iv.AnsweredWithin),
			fmt.Sprint(iv.Abandoned), fmt.Sprint(iv.ShortAbandoned), Pct(iv.ServiceLevel), Pct(&iv.SLTarget), Secs(iv.ASAS),
			Secs(iv.AHTS), Pct(iv.AbandonRate), now)
	}
	tw.writeTo(b)
}

// thresholdText writes an answer-time goal as a person reads it: 20s, 1m,
// 4h.
func thresholdText(secs float64) string {
	return FormatSpan(time.Duration(secs * float64(time.Second)))
}

// textTable lays rows out in columns two spaces apart, measured in screen
// cells: a Chinese name or an emoji takes two cells a character, which
// text/tabwriter (counting runes) would misalign. A line ends at its last
// non-empty cell.
type textTable struct{ rows [][]string }

func (t *textTable) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) writeTo(b *strings.Builder) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	var line strings.Builder
	for _, r := range t.rows {
		line.Reset()
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		// Empty last cells leave no trailing blanks.
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

func auxText(a AgentReport) string {
	if a.AuxS == 0 {
		return "-"
	}
	reasons := make([]string, 0, len(a.AuxByReason))
	for r := range a.AuxByReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		s := a.AuxByReason[r]
		parts = append(parts, r+" "+Secs(&s))
	}
	return Secs(&a.AuxS) + " (" + strings.Join(parts, ", ") + ")"
}

// ReasonsText writes abandons by reason, most first ("timeout 3, caller
// 2"), or "" when every abandon was a caller hanging up: the word
// "abandoned" already says that, and a version 1 feed gives no other.
func ReasonsText(byReason map[string]int64) string {
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	if len(reasons) == 0 || len(reasons) == 1 && reasons[0] == feed.ReasonCaller {
		return ""
	}
	sort.Slice(reasons, func(i, j int) bool {
		if ni, nj := byReason[reasons[i]], byReason[reasons[j]]; ni != nj {
			return ni > nj
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s %d", r, byReason[r])
	}
	return strings.Join(parts, ", ")
}

// Pct writes a ratio as a percentage, "-" when there is none.
func Pct(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

// Num writes a number with the given decimals, "-" when there is none.
func Num(v *float64, decimals int) string {
	if v == nil || math.IsNaN(*v) {
		return "-"
	}
	return fmt.Sprintf("%.*f", decimals, *v)
}

// Secs writes seconds the way a supervisor reads them: 42s, 3m05s, 1h02m.
func Secs(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "-"
	}
	d := time.Duration(math.Round(*v)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
