package floor

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

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

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tNAME\tSL\tGOAL\tOFFERED\tANSWERED\tABANDONED\tABANDON%\tASA\tAHT\tWAITING\tLONGEST\tSTAFFED\tAVAIL\tNEEDED\tCSAT")
	for _, q := range r.Queues {
		needed := "-"
		if q.AgentsNeeded != nil {
			needed = fmt.Sprint(*q.AgentsNeeded)
		}
		abandoned := fmt.Sprint(q.Abandoned)
		if why := ReasonsText(q.AbandonedByReason); why != "" {
			abandoned += " (" + why + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s/%gs\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\n",
			q.Queue, q.Name, Pct(q.ServiceLevel), Pct(&q.SLTarget), q.SLThresholdS, q.Offered, q.Answered, abandoned,
			Pct(q.AbandonRate), Secs(q.ASAS), Secs(q.AHTS), q.Waiting, Secs(q.LongestWaitS), q.Staffed, q.Available,
			needed, Num(q.CSAT, 2))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tNAME\tSTATE\tFOR\tHANDLED\tAHT\tMISSED\tXFER\tAUX\tOCC\tCSAT\tSURVEYS\tOFF GOAL")
	for _, a := range r.Agents {
		state := a.State
		if a.Reason != "" {
			state += " (" + a.Reason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\n",
			a.Agent, a.Name, state, Secs(&a.StateS), a.Handled, Secs(a.AHTS), a.Missed, a.Transferred,
			auxText(a), Pct(a.Occupancy), Num(a.CSAT, 2), a.Surveys, strings.Join(a.Flags, ","))
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
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
