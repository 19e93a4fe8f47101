package fit

import (
	"math"
	"sort"
	"time"

	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/simulator"
)

// Drill is a drill event of the fitted day: one the recording shows (a
// spell of long calls, an outage) or a twist added to it.
type Drill struct {
	Type    string
	At, For time.Duration // a time of day, a length
	Factor  float64
	Queue   string
	Agents  int
	Twist   bool
	// For a long_calls period: its talks, their mean and SD.
	N        int
	Mean, SD float64
}

// logStat is a slot's talks: how many, the mean of their logs and the
// sum of squares about it.
type logStat struct{ n, meanLog, ss float64 }

// minSlotTalks is the fewest conversations a slot needs to be judged for
// long calls: a mean of one says nothing about a spell.
const minSlotTalks = 2

// longCalls finds the spells when a queue's conversations ran longer (or
// shorter) than the rest of its day: a slot whose mean log talk time is
// further from the rest's than ZFor(slots) standard errors (one false
// alarm in 1/Alpha days). Logs make the test the same for both families:
// a factor on the mean shifts every log by its log, whatever the spread.
// The queue's Talk is then the conversations outside the spells, each
// spell a long_calls drill with its own factor.
func (f *Fit) longCalls(q *Queue) {
	slots := make([]int, 0, len(q.talks))
	for s := range q.talks {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	st := map[int]logStat{}
	var within, dof float64 // the pooled within-slot variance of the logs
	for _, s := range slots {
		var a logStat
		for _, x := range q.talks[s] {
			l := math.Log(math.Max(x, minTalkS))
			a.n++
			d := l - a.meanLog
			a.meanLog += d / a.n
			a.ss += d * (l - a.meanLog)
		}
		st[s] = a
		within += a.ss
		dof += a.n - 1
	}
	flagged := map[int]bool{}
	var baseLog float64
	if dof > 0 {
		sd := math.Sqrt(within / dof)
		z := ZFor(len(slots))
		// The rest's mean moves as slots are set apart: repeat until the
		// set settles.
		for range len(slots) {
			var sum, n float64
			for _, s := range slots {
				if !flagged[s] {
					sum += st[s].meanLog * st[s].n
					n += st[s].n
				}
			}
			if n == 0 {
				break
			}
			baseLog = sum / n
			next := map[int]bool{}
			for _, s := range slots {
				if a := st[s]; a.n >= minSlotTalks && math.Abs(a.meanLog-baseLog)/(sd/math.Sqrt(a.n)) > z {
					next[s] = true
				}
			}
			if equalSets(next, flagged) {
				break
			}
			flagged = next
		}
	}
	var base, all, scaled []float64
	for _, s := range slots {
		all = append(all, q.talks[s]...)
		if !flagged[s] {
			base = append(base, q.talks[s]...)
		}
	}
	if len(base) == 0 {
		// Every slot was set apart: there is no ordinary day to compare
		// with, so the spells are the day.
		base, flagged = all, map[int]bool{}
	}
	baseMean, _ := meanSD(base)
	scaled = append(scaled, base...)
	for _, run := range runs(slots, flagged, func(s int) bool { return st[s].meanLog > baseLog }) {
		var x []float64
		for _, s := range run {
			x = append(x, q.talks[s]...)
		}
		mean, sd := meanSD(x)
		d := &Drill{Type: simulator.DrillLongCalls, At: time.Duration(run[0]) * Slot, For: time.Duration(len(run)) * Slot,
			Factor: mean / baseMean, Queue: q.Config.Queue, N: len(x), Mean: mean, SD: sd}
		f.Drills = append(f.Drills, d)
		for _, v := range x {
			scaled = append(scaled, v/d.Factor)
		}
	}
	q.Talk = fitDist(base, scaled)
}

// minTalkS is the least talk time the logs take: a source with
// whole-second timestamps gives talks of 0 s.
const minTalkS = 1.0

// runs are the flagged slots in runs of consecutive slots on the same
// side of the rest (longer calls, or shorter).
func runs(slots []int, flagged map[int]bool, longer func(slot int) bool) [][]int {
	var out [][]int
	for i, s := range slots {
		if !flagged[s] {
			continue
		}
		if n := len(out); n > 0 && i > 0 && slots[i-1] == s-1 && flagged[s-1] && longer(s-1) == longer(s) {
			out[n-1] = append(out[n-1], s)
			continue
		}
		out = append(out, []int{s})
	}
	return out
}

func equalSets(a, b map[int]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// minOutage is the shortest spell without an answer that counts as an
// outage: far longer than a ring, during which the feed shows the ringing
// agent available beside the call that waits for them.
const minOutage = 2 * time.Minute

// outages finds the spells when the phones stopped answering: no call
// answered anywhere on the floor for minOutage or more, while calls
// waited in a queue whose agents sat available. Each becomes an outage
// drill from the first moment both were true to the next answer.
func (f *Fit) outages() {
	type change struct {
		at     time.Time
		queues []string
		wait   int // +1, −1: a call starts or stops waiting in queues[0]
		avail  int // +1, −1: an agent with these skills becomes or stops being available
		answer bool
	}
	var cs []change
	for _, l := range f.day.Legs {
		if !l.Seen {
			continue
		}
		cs = append(cs, change{at: l.Offered, queues: []string{l.Queue}, wait: 1})
		if l.Outcome != day.Waiting {
			cs = append(cs, change{at: l.At, queues: []string{l.Queue}, wait: -1, answer: l.Outcome == day.Answered})
		}
	}
	for _, a := range f.day.Agents {
		for _, p := range a.Periods {
			if p.State != "available" {
				continue
			}
			cs = append(cs, change{at: p.From, queues: p.Skills, avail: 1})
			if !p.To.IsZero() {
				cs = append(cs, change{at: p.To, queues: p.Skills, avail: -1})
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].at.Before(cs[j].at) })
	waiting, avail := map[string]int{}, map[string]int{}
	stuck := func() bool {
		for q, n := range waiting {
			if n > 0 && avail[q] > 0 {
				return true
			}
		}
		return false
	}
	var since time.Time // the first moment calls and agents sat apart since the last answer
	for i := 0; i < len(cs); {
		t := cs[i].at
		answered := false
		for ; i < len(cs) && cs[i].at.Equal(t); i++ {
			c := cs[i]
			for _, q := range c.queues {
				waiting[q] += c.wait
				avail[q] += c.avail
			}
			answered = answered || c.answer
		}
		if answered {
			if !since.IsZero() && t.Sub(since) >= minOutage {
				from := since.Truncate(time.Minute)
				length := (t.Sub(from) + time.Minute - 1).Truncate(time.Minute)
				f.Drills = append(f.Drills, &Drill{Type: simulator.DrillOutage, At: f.zone.tod(from), For: length})
			}
			since = time.Time{}
		}
		if since.IsZero() && stuck() {
			since = t
		}
	}
}
