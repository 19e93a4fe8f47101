package fit

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/erlang"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/simulator"
)

// Group is a group of agents with the same skills and shift.
type Group struct {
	Count  int
	Queues []string
	Agents []string // their ids in the recording (none when derived)
	// Shift is nil for agents on from the start to the end.
	Shift  *Shift
	Breaks []Break
	// Misses and Offers: calls that rang unanswered, of those offered to
	// the group's agents (answered or missed).
	Misses, Offers int
	// MissedAux are the lengths of the aux a miss put an agent in.
	MissedAux []float64
	// Gaps counts the times an agent went offline and came back within
	// the shift, which a daily shift cannot say.
	Gaps int
}

// Shift is a daily shift, as times of day.
type Shift struct{ Start, End time.Duration }

// Break is a daily break of a group's agents: each agent's n-th aux of
// that reason in the day, the first starting at At and the last Spread
// later at most, Length long on average.
type Break struct {
	Reason             string
	At, Spread, Length time.Duration
	Taken, Timed       int // agents who took it; those whose length is known
}

// missedReason is the aux reason of an agent after a call rang unanswered
// (the simulator's, and the protocol's example): not a planned break.
const missedReason = "missed"

// agentDay is one agent's staffed spans and what fills them.
type agentDay struct {
	a          *day.Agent
	skills     []string
	first      time.Time
	last       time.Time // zero: still staffed when the recording ends
	lastBusy   bool      // they went offline from a call or its wrap-up
	spans      int
	auxes      map[string][]day.Period
	missedAuxS []float64
}

// agents groups the agents by skills and shift, from their states; a
// source without agent states gets the staffing derived from its calls.
func (f *Fit) agents() error {
	var days []*agentDay
	for _, a := range f.day.Agents {
		if ad := f.agentDay(a); ad != nil {
			days = append(days, ad)
		}
	}
	if len(days) == 0 {
		return f.derivedStaffing()
	}
	f.FromStates = true
	byKey := map[string]*Group{}
	groupOf := map[string]*Group{}
	var keys []string
	perGroup := map[*Group][]*agentDay{}
	for _, ad := range days {
		sh := f.shift(ad)
		key := strings.Join(ad.skills, ",")
		if sh != nil {
			key += fmt.Sprintf("@%v-%v", sh.Start, sh.End)
		}
		g := byKey[key]
		if g == nil {
			g = &Group{Queues: ad.skills, Shift: sh}
			byKey[key] = g
			keys = append(keys, key)
		}
		g.Count++
		g.Agents = append(g.Agents, ad.a.ID)
		g.Gaps += ad.spans - 1
		g.MissedAux = append(g.MissedAux, ad.missedAuxS...)
		groupOf[ad.a.ID] = g
		perGroup[g] = append(perGroup[g], ad)
	}
	for _, l := range f.day.Legs {
		if g := groupOf[l.Agent]; g != nil && l.Outcome == day.Answered && l.AnswerSeen {
			g.Offers++
		}
	}
	for _, m := range f.day.Misses {
		if g := groupOf[m.Agent]; g != nil {
			g.Misses++
			g.Offers++
		}
	}
	for _, k := range keys {
		g := byKey[k]
		g.Breaks = f.breaks(perGroup[g])
		f.Groups = append(f.Groups, g)
	}
	// Agents on all day first, then by shift: the order a roster reads in.
	sort.SliceStable(f.Groups, func(i, j int) bool {
		a, b := f.Groups[i].Shift, f.Groups[j].Shift
		return a == nil && b != nil || a != nil && b != nil && a.Start < b.Start
	})
	return nil
}

// agentDay reads an agent's states; nil if they were never staffed.
func (f *Fit) agentDay(a *day.Agent) *agentDay {
	ad := &agentDay{a: a, auxes: map[string][]day.Period{}}
	on := false
	for i, p := range a.Periods {
		if p.State == feed.StateOffline {
			if on {
				ad.last = p.From
				prev := a.Periods[i-1].State
				ad.lastBusy = prev == feed.StateOnCall || prev == feed.StateWrapUp
			}
			on = false
			continue
		}
		if !on {
			if ad.spans == 0 {
				ad.first, ad.skills = p.From, slices.Clone(p.Skills)
			}
			ad.spans++
			on, ad.last = true, time.Time{}
		}
		if p.State != feed.StateAux {
			continue
		}
		// A length is known if the aux ended in the day, other than by
		// going offline (a callout, a shift's end cut it short).
		known := !p.To.IsZero() && i+1 < len(a.Periods) && a.Periods[i+1].State != feed.StateOffline
		if p.Reason == missedReason {
			if known {
				ad.missedAuxS = append(ad.missedAuxS, p.To.Sub(p.From).Seconds())
			}
			continue
		}
		if !known {
			p.To = time.Time{}
		}
		ad.auxes[p.Reason] = append(ad.auxes[p.Reason], p)
	}
	if ad.spans == 0 {
		return nil
	}
	return ad
}

// shift is an agent's daily shift, or nil if they were on from the
// recording's start to its end. Times are rounded to the quarter hour; an
// agent who went offline from a call had their shift end before it, so
// that end is rounded down.
func (f *Fit) shift(ad *agentDay) *Shift {
	start := roundQuarter(f.zone.tod(ad.first))
	fromStart := !ad.first.After(f.day.Start) || ad.first.Sub(f.Start) < Quarter/2
	toEnd := ad.last.IsZero()
	if fromStart && toEnd {
		return nil
	}
	if fromStart {
		start = f.zone.tod(f.Start)
	}
	var end time.Duration
	switch {
	case toEnd:
		end = f.zone.tod(f.day.End.Add(Quarter - 1)).Truncate(Quarter)
	case ad.lastBusy:
		end = f.zone.tod(ad.last).Truncate(Quarter)
	default:
		end = roundQuarter(f.zone.tod(ad.last))
	}
	if end%(24*time.Hour) == start%(24*time.Hour) {
		end += Quarter // on for less than a quarter: still a shift
	}
	return &Shift{Start: start % (24 * time.Hour), End: end % (24 * time.Hour)}
}

// breaks are a group's planned auxes: for each reason, each agent's n-th
// of the day together.
func (f *Fit) breaks(ads []*agentDay) []Break {
	var reasons []string
	for _, ad := range ads {
		for r := range ad.auxes {
			if !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
	}
	sort.Strings(reasons)
	var out []Break
	for _, r := range reasons {
		for n := 0; ; n++ {
			var starts []time.Time
			var lengths []float64
			for _, ad := range ads {
				if ps := ad.auxes[r]; n < len(ps) {
					starts = append(starts, ps[n].From)
					if !ps[n].To.IsZero() {
						lengths = append(lengths, ps[n].To.Sub(ps[n].From).Seconds())
					}
				}
			}
			if len(starts) == 0 {
				break
			}
			// The simulator staggers a group's k-th agent by spread·k/count,
			// so the last of n starts spread·(n−1)/n after the first; and
			// each starts when free, a call's remainder after its turn. The
			// first turn is the earliest start less its place in the line.
			slices.SortFunc(starts, time.Time.Compare)
			k := time.Duration(len(starts))
			spread := starts[k-1].Sub(starts[0])
			if k > 1 {
				spread = spread * k / (k - 1)
			}
			first := starts[0]
			for i, s := range starts {
				if t := s.Add(-spread * time.Duration(i) / k); t.Before(first) {
					first = t
				}
			}
			b := Break{Reason: r, At: f.zone.tod(first).Truncate(time.Minute), Spread: max(spread.Round(time.Minute), time.Minute),
				Taken: len(starts), Timed: len(lengths)}
			if mean, _ := meanSD(lengths); len(lengths) > 0 {
				b.Length = time.Duration(math.Round(mean)) * time.Second
			}
			if b.Length > 0 {
				out = append(out, b)
			}
		}
	}
	return out
}

// derivedStaffing staffs each queue, when the source has no agent states,
// with the agents that reproduce its answered load: in each slot the
// number of agents under which Erlang A makes the slot's outcomes most
// likely (slotStaffing). Agent k of a queue works from the first slot of each run of slots
// needing k agents to the last of slots that needs k; agents who took several
// queues are counted in each.
func (f *Fit) derivedStaffing() error {
	for _, q := range f.Queues {
		need := f.slotStaffing(q)
		groups := map[Shift]*Group{}
		var order []Shift
		// The k-th agent works each run of slots that needs k or more: one
		// group per distinct run, so every slot has exactly its need.
		for k := 1; ; k++ {
			found := false
			for s := 0; s < len(need); s++ {
				if need[s] < k {
					continue
				}
				found = true
				e := s
				for e+1 < len(need) && need[e+1] >= k {
					e++
				}
				sh := Shift{Start: q.Rates[s].At, End: (q.Rates[e].At + Slot) % (24 * time.Hour)}
				if groups[sh] == nil {
					groups[sh] = &Group{Queues: []string{q.Config.Queue}, Shift: &sh}
					if s == 0 && e == len(need)-1 {
						groups[sh].Shift = nil // the whole day
					}
					order = append(order, sh)
				}
				groups[sh].Count++
				s = e
			}
			if !found {
				break
			}
		}
		for _, sh := range order {
			f.Groups = append(f.Groups, groups[sh])
		}
	}
	if len(f.Groups) == 0 {
		return fmt.Errorf("no agent states and no answered call in the recording: nothing to staff the floor from")
	}
	return nil
}

// slotStaffing is, for each of the queue's rate slots, the agents needed:
// the number under which Erlang A (the slot's arrival rate, the queue's
// handle time and patience) makes the slot's outcomes most likely, each
// caller answered within the goal, answered later, or hanging up. Hang-ups
// tell the staffing of an overwhelmed slot, where everyone waits long;
// answers within the goal that of a quiet one.
func (f *Fit) slotStaffing(q *Queue) []int {
	type outcomes struct{ within, late, hungUp float64 }
	by := map[int]*outcomes{}
	for _, l := range f.day.Legs {
		if l.Queue != q.Config.Queue || l.Outcome == day.Waiting {
			continue
		}
		s := f.zone.slot(l.At)
		if by[s] == nil {
			by[s] = &outcomes{}
		}
		switch {
		case l.Outcome == day.Answered && l.Within:
			by[s].within++
		case l.Outcome == day.Answered:
			by[s].late++
		case l.Reason == feed.ReasonCaller:
			by[s].hungUp++
		}
	}
	patience := q.Patience.MeanS()
	threshold, _ := q.Config.Goal(feed.ChannelVoice)
	logP := func(p float64) float64 { return math.Log(math.Max(p, math.SmallestNonzeroFloat64)) }
	out := make([]int, len(q.Rates))
	for i, r := range q.Rates {
		o := by[int(r.At/Slot)]
		handle := q.Talk.Mean*f.talkFactor(q, r.At) + max(q.Wrap.Mean, 0)
		if o == nil || r.Calls == 0 || math.IsNaN(handle) {
			continue
		}
		rate := r.PerHour() / 3600
		calls := o.within + o.late + o.hungUp
		// Callers who never hang up need more agents than the load (Erlang
		// C); impatient ones may meet fewer, an overwhelmed floor.
		n := 1
		if patience == 0 {
			n = int(math.Floor(rate*handle)) + 1
		}
		best, bestLL := n, math.Inf(-1)
		for ; ; n++ {
			m := erlang.NewA(n, rate, handle, patience)
			within, _ := m.Within(threshold)
			ll := o.within*logP(within) + o.late*logP(m.PAnswered()-within) + o.hungUp*logP(m.PAbandon())
			if ll > bestLL {
				best, bestLL = n, ll
			}
			// Past the load, once hardly a caller of the slot would wait,
			// more agents change nothing the day could show.
			if float64(n) > rate*handle && m.PWait()*calls < 1 {
				break
			}
		}
		out[i] = best
	}
	return out
}

// Agents counts the fitted agents.
func (f *Fit) Agents() int {
	n := 0
	for _, g := range f.Groups {
		n += g.Count
	}
	return n
}

// talkFactor is the factor on the queue's talk time in the slot from at,
// by the long calls found there.
func (f *Fit) talkFactor(q *Queue, at time.Duration) float64 {
	for _, d := range f.Drills {
		if d.Type == simulator.DrillLongCalls && d.Queue == q.Config.Queue && at >= d.At && at < d.At+d.For {
			return d.Factor
		}
	}
	return 1
}
