package fit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/safetext"
)

// commentWidth is where the comments wrap.
const commentWidth = 100

// yamlOut writes YAML line by line, with comments.
type yamlOut struct{ b strings.Builder }

// comment writes text as comment lines at indent, wrapped.
func (w *yamlOut) comment(indent int, format string, args ...any) {
	pad := strings.Repeat(" ", indent) + "# "
	line := pad
	for _, word := range strings.Fields(fmt.Sprintf(format, args...)) {
		if len(line) > len(pad) && len(line)+1+len(word) > commentWidth {
			w.b.WriteString(line + "\n")
			line = pad
		}
		if len(line) > len(pad) {
			line += " "
		}
		line += word
	}
	w.b.WriteString(line + "\n")
}

// line writes one line at indent, with a short trailing comment if note
// is not empty.
func (w *yamlOut) line(indent int, text, note string) {
	w.b.WriteString(strings.Repeat(" ", indent) + text)
	if note != "" {
		w.b.WriteString("  # " + note)
	}
	w.b.WriteString("\n")
}

// quote writes s as a YAML double-quoted scalar (JSON's string is one),
// cleaned of control characters first: nothing from a recording can end a
// line or a comment early.
func quote(s string) string {
	b, _ := json.Marshal(safetext.Clean(s))
	return string(b)
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// num writes v with at most d decimals, without trailing zeros.
func num(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// thousands writes n with thousands separators: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clockText writes a time of day as a scenario does: "08:30".
func clockText(d time.Duration) string {
	return fmt.Sprintf("%q", fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60))
}

// spanText writes a length as a scenario does: 8h, 1h30m, 45m12s.
func spanText(d time.Duration) string {
	s := d.String()
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(s, "m"+zero) || strings.HasSuffix(s, "h"+zero) {
			s = strings.TrimSuffix(s, zero)
		}
	}
	return s
}

// YAML is the fitted scenario, every estimate explained.
func (f *Fit) YAML() []byte {
	var w yamlOut
	d := f.day
	w.comment(0, "A scenario fitted by `floorwatch fit` from %s: %s to %s UTC, %s calls offered.",
		safetext.Clean(f.opt.Source), d.Start.UTC().Format("2006-01-02 15:04"), d.End.UTC().Format("15:04"), thousands(f.Offered))
	w.comment(0, "Every figure below is an estimate from that recording, and its comment says from how much data, "+
		"with its standard error (SE) where it has one.")
	w.comment(0, "Rehearse the day with `floorwatch demo --scenario FILE`; add a twist under drills at the end.")
	w.line(0, "name: "+quote(f.opt.Name), "")
	w.line(0, "description: "+quote("Fitted from "+f.opt.Source+"."), "")
	w.line(0, "seed: "+strconv.FormatInt(f.opt.Seed, 10), "")
	w.line(0, "start: "+f.Start.Format(time.RFC3339), "the first event, to the minute")
	w.line(0, "duration: "+spanText(f.Duration), "to the last call offered; calls then waiting are played out")
	w.comment(0, "Surveys: %s after %s wrapped-up calls; %s of them with a comment.",
		thousands(f.Surveys.Surveys), thousands(f.Surveys.Wrapped), thousands(f.Surveys.Comments))
	w.line(0, fmt.Sprintf("surveys: {rate: %s, comment_rate: %s}", num(ratio(f.Surveys.Surveys, f.Surveys.Wrapped), 4),
		num(ratio(f.Surveys.Comments, f.Surveys.Surveys), 4)), "")
	w.comment(0, "A caller who calls again is a new arrival here: redials are not fitted.")
	w.line(0, "queues:", "")
	for _, q := range f.Queues {
		f.writeQueue(&w, q)
	}
	w.line(0, "agents:", "")
	f.writeAgents(&w)
	w.line(0, "drills:", "")
	for _, dr := range f.Drills {
		writeDrill(&w, dr)
	}
	w.comment(2, "Add a twist as a scenario's drill events are written (or with `fit --twist`), for instance:")
	w.comment(2, `- {type: surge, at: "10:00", for: 1h, factor: 1.5, queue: %s}`, quote(f.Queues[0].Config.Queue))
	w.comment(2, `- {type: callout, at: "09:30", agents: 3}`)
	return []byte(w.b.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (f *Fit) writeQueue(w *yamlOut, q *Queue) {
	c := q.Config
	w.line(2, "- queue: "+quote(c.Queue), "")
	if c.Name != "" {
		w.line(4, "name: "+quote(c.Name), "")
	}
	w.comment(4, "The goal, as the feed's queue.config set it.")
	w.line(4, "sl_threshold_s: "+num(c.SLThresholdS, 3), "")
	w.line(4, "sl_target: "+num(c.SLTarget, 4), "")
	w.line(4, "short_abandon_s: "+num(c.ShortAbandonS, 3), "")
	w.line(4, "sl_mode: "+c.SLMode, "")

	w.comment(4, "Arrivals: the calls offered in each half-hour, as calls an hour, ± one SE (√calls ÷ hours). "+
		"Transfers in are not arrivals: the transfer of the queue they came from makes them.")
	w.line(4, "calls_per_hour: 0", "before the first half-hour")
	w.line(4, "rates:", "")
	for _, r := range q.Rates {
		w.line(6, fmt.Sprintf("- {at: %s, calls_per_hour: %s}", clockText(r.At), num(r.PerHour(), 1)),
			fmt.Sprintf("%d calls in %s h, ± %s", r.Calls, num(r.Hours, 2), num(r.SE(), 1)))
	}

	t := q.Talk
	if t.N == 0 {
		all := f.allTalks()
		w.comment(4, "Talk time: no conversation in this queue; the floor's mean talk of %s conversations is taken.", thousands(all.N))
		t = all
	} else {
		w.comment(4, "Talk time (answer to the end of the conversation): %s conversations%s, mean %s s ± %s (SE).",
			thousands(t.N), f.spellsNote(q), num(t.Mean, 1), num(t.SE(), 1))
		w.comment(4, "%s", familyNote(&t, true))
	}
	w.line(4, "aht_s: "+num(t.Mean, 1), "")
	w.line(4, "handle: "+familyOr(t.Family), "")
	if t.Family == "lognormal" {
		w.line(4, "handle_cv: "+num(t.CV, 3), "")
	}

	wr := q.Wrap
	switch {
	case wr.N == 0:
		w.comment(4, "Wrap-up: none seen (no call.wrapped after a call.ended).")
		w.line(4, "wrap_s: 0", "")
	default:
		w.comment(4, "Wrap-up (end of the conversation to call.wrapped): %s wrap-ups, mean %s s ± %s (SE). %s",
			thousands(wr.N), num(wr.Mean, 1), num(wr.SE(), 1), familyNote(&wr, false))
		w.line(4, "wrap_s: "+num(wr.Mean, 1), "")
	}

	p := q.Patience
	if p.HungUp == 0 {
		w.comment(4, "Patience: nobody hung up in %s hours of waiting by %s callers: left out (callers wait).",
			num(p.WaitS/3600, 1), thousands(p.Waits))
	} else {
		w.comment(4, "Patience: %s of %s waits ended with the caller hanging up, in %s hours of waiting by all of them. "+
			"An answered caller's patience is only known to exceed their wait (censored), so the maximum-likelihood "+
			"exponential mean is total waiting ÷ hang-ups: %s s ± %s (SE, mean ÷ √hang-ups). The mean wait of those "+
			"who hung up (%s s) would understate it: it leaves out the patient callers, who were answered.",
			thousands(p.HungUp), thousands(p.Waits), num(p.WaitS/3600, 1), num(p.MeanS(), 1), num(p.SE(), 1), num(p.NaiveS, 1))
		w.line(4, "patience_s: "+num(p.MeanS(), 1), "")
	}
	if tr := q.Transfer; tr.Sent > 0 {
		note := fmt.Sprintf("%s of %s conversations", thousands(tr.Sent), thousands(tr.Conversations))
		if len(tr.To) > 1 {
			note += "; the simulator shares them evenly among the queues"
		}
		w.line(4, fmt.Sprintf("transfer: {rate: %s, to: %s}", num(ratio(tr.Sent, tr.Conversations), 4), quoteList(tr.To)), note)
	}
	if tr := q.Transfer; tr.Out > 0 {
		w.comment(4, "%s conversations were sent out of the floor: the simulator has no such transfer, they end as others do.", thousands(tr.Out))
	}
}

// spellsNote says which conversations a queue's talk time leaves out.
func (f *Fit) spellsNote(q *Queue) string {
	var spells []string
	for _, d := range f.Drills {
		if d.Type == "long_calls" && d.Queue == q.Config.Queue && !d.Twist {
			spells = append(spells, clockRange(d.At, d.For))
		}
	}
	if len(spells) == 0 {
		return ""
	}
	return " outside " + strings.Join(spells, " and ") + " (see drills)"
}

func clockRange(at, length time.Duration) string {
	end := (at + length) % (24 * time.Hour)
	return strings.Trim(clockText(at), `"`) + "-" + strings.Trim(clockText(end), `"`)
}

func familyOr(f string) string {
	if f == "" {
		return "exponential"
	}
	return f
}

// familyNote says which family fits, and why; handle: for talk time
// (either family), else for wrap-up (the simulator's is exponential).
func familyNote(d *Dist, handle bool) string {
	switch {
	case d.Family == "":
		return "Too few to tell a distribution: exponential."
	case d.Zeros > 0:
		return fmt.Sprintf("%d of them last 0 s (whole-second timestamps), which no lognormal allows: exponential.", d.Zeros)
	}
	other := "lognormal"
	if d.Family == "lognormal" {
		other = "exponential"
	}
	s := fmt.Sprintf("%s by AIC (2k − 2 ln L, k = 1 for the exponential, 2 for the lognormal): %s lower than the %s's; "+
		"an exponential's CV is 1, the lognormal fitted to these has %s.", strings.ToUpper(d.Family[:1])+d.Family[1:],
		num(d.AICGap(), 1), other, num(d.CV, 2))
	if !handle && d.Family == "lognormal" {
		s += " The simulator's wrap-up is exponential: its mean is kept."
	}
	return s
}

func (f *Fit) allTalks() Dist {
	var all []float64
	for _, q := range f.Queues {
		for _, x := range q.talks {
			all = append(all, x...)
		}
	}
	return fitDist(all, nil)
}

func (f *Fit) writeAgents(w *yamlOut) {
	total := f.Agents()
	if f.FromStates {
		w.comment(2, "From the agents' states: %d agents in %d groups of the same skills and shift. Shift times are "+
			"rounded to the quarter hour (an agent who logged off from a call is taken to have ended before it); "+
			"a break is each agent's n-th aux of that reason, the first at `at`, spread as the simulator staggers them. "+
			"The ring of a missed call is not on the feed (the phone rings while the agent shows available): "+
			"the simulator's default ring_s is kept.", total, len(f.Groups))
	}
	if !f.FromStates {
		w.comment(2, "The recording has no agent states, so no agent, shift or break could be read from it. "+
			"The staffing is derived instead: in each half-hour, the number of agents under which Erlang A "+
			"(the rates, talk, wrap-up and patience above) makes the half-hour's outcomes most likely (callers "+
			"answered within the goal, answered later, hanging up); agent k works each run of half-hours that needs k. "+
			"It reproduces the answered load, not the roster: agents who took several queues are counted in each.")
	}
	for _, g := range f.Groups {
		if g.Gaps > 0 {
			w.comment(2, "Their agents went offline and came back %d times within a shift, which a daily shift cannot say.", g.Gaps)
		}
		w.line(2, "- count: "+strconv.Itoa(g.Count), "")
		w.line(4, "queues: "+quoteList(g.Queues), "")
		if g.Shift != nil {
			w.line(4, fmt.Sprintf("shift: {start: %s, end: %s}", clockText(g.Shift.Start), clockText(g.Shift.End)), "")
		}
		if g.Misses > 0 {
			w.line(4, "miss_rate: "+num(ratio(g.Misses, g.Offers), 4),
				fmt.Sprintf("%s of %s calls offered to them rang unanswered", thousands(g.Misses), thousands(g.Offers)))
		}
		if mean, _ := meanSD(g.MissedAux); len(g.MissedAux) > 0 {
			w.line(4, "missed_aux_s: "+num(mean, 1), fmt.Sprintf("the aux after a miss, %d times", len(g.MissedAux)))
		}
		if len(g.Breaks) > 0 {
			w.line(4, "breaks:", "")
		}
		for _, b := range g.Breaks {
			w.line(6, fmt.Sprintf("- {at: %s, length: %s, reason: %s, spread: %s}", clockText(b.At), spanText(b.Length),
				quote(b.Reason), spanText(b.Spread)),
				fmt.Sprintf("taken by %d, length from %d", b.Taken, b.Timed))
		}
	}
}

func writeDrill(w *yamlOut, d *Drill) {
	fields := []string{"type: " + d.Type, "at: " + clockText(d.At)}
	if d.For > 0 {
		fields = append(fields, "for: "+spanText(d.For))
	}
	if d.Factor > 0 {
		fields = append(fields, "factor: "+num(d.Factor, 3))
	}
	if d.Agents > 0 {
		fields = append(fields, "agents: "+strconv.Itoa(d.Agents))
	}
	if d.Queue != "" {
		fields = append(fields, "queue: "+quote(d.Queue))
	}
	switch {
	case d.Twist:
		w.comment(2, "A twist, added with --twist: not in the recording.")
	case d.Type == "outage":
		w.comment(2, "A phone outage: from %s no call was answered anywhere for %s, while calls waited "+
			"and agents with their skills sat available.", strings.Trim(clockText(d.At), `"`), spanText(d.For))
	case d.Type == "long_calls":
		w.comment(2, "Long calls on %s: %s its %d conversations averaged %s s (SD %s), %s× the rest of its day. "+
			"Each of these half-hours' mean log talk time lies further from the rest's than the Bonferroni bound "+
			"over the day's half-hours (a false alarm on %v%% of days).", quote(d.Queue), clockRange(d.At, d.For), d.N,
			num(d.Mean, 1), num(d.SD, 1), num(d.Factor, 3), 100*Alpha)
	}
	w.line(2, "- {"+strings.Join(fields, ", ")+"}", "")
}
