// Package fit estimates a scenario from a recording (the simulator's or a
// bridge source's), so that a floor can rehearse its own day: arrival
// rates by half-hour, handle and wrap-up times per queue (exponential or
// lognormal, whichever fits better), caller patience from every wait
// (answered callers' patience censored at their wait), agents and their
// shifts and breaks from their states, and what the day held that these
// cannot say: a spell of long calls, a phone outage. The scenario it
// writes (YAML) explains every estimate and its sample size in comments,
// and simulator.Load accepts it.
package fit

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/simulator"
)

// Slot is the length of the intervals arrival rates and talk times are
// estimated over: the workforce planner's half-hour.
const Slot = 30 * time.Minute

// Quarter is what shift times are rounded to: rosters are written in
// quarter hours, and an agent's first and last state are minutes off.
const Quarter = 15 * time.Minute

// Options set what the data cannot say.
type Options struct {
	Name   string // the scenario's name
	Source string // what was fitted (a file name), for the header
	Seed   int64
	// Zone is the time zone of the scenario's times of day; nil: UTC.
	Zone *time.Location
	// Twists are drill events added to the day (a surge, a callout).
	Twists []simulator.DrillSpec
}

// Fit is a scenario estimated from a day.
type Fit struct {
	Start    time.Time // in the zone of the times of day
	Duration time.Duration
	Queues   []*Queue
	Groups   []*Group
	Drills   []*Drill
	// FromStates: the agents come from their states; else the staffing
	// was derived from the calls (Group.Note says how).
	FromStates bool
	Surveys    Surveys
	Offered    int // calls offered, transfers aside
	opt        Options
	zone       clockZone
	day        *day.Day
}

// Queue is one queue's estimates.
type Queue struct {
	Config   feed.QueueConfig
	Rates    []Rate
	Talk     Dist // talk time of the conversations outside long-call periods
	Wrap     Dist
	Patience Patience
	Transfer Transfer
	// talks are the conversations by the slot of their answer, for the
	// long-call periods.
	talks map[int][]float64
}

// Rate is the arrival rate from At (a time of day) for a Slot.
type Rate struct {
	At    time.Duration
	Calls int
	Hours float64 // of the recording within the slot
}

// PerHour is the estimate, in calls an hour.
func (r *Rate) PerHour() float64 { return float64(r.Calls) / r.Hours }

// SE is its standard error: arrivals are Poisson, so √calls ÷ hours.
func (r *Rate) SE() float64 { return math.Sqrt(float64(r.Calls)) / r.Hours }

// Patience is the maximum-likelihood exponential patience with censoring:
// each caller who hung up is an observed patience, each answered caller
// (or one still waiting, or moved on) a patience known only to exceed
// their wait. The estimate of the mean is total waiting time ÷ hang-ups.
type Patience struct {
	HungUp int
	Waits  int     // waits observed, answered or not
	WaitS  float64 // their total, in seconds
	// NaiveS is the mean wait of those who hung up: what the estimate is
	// not (it forgets the patient callers who were answered).
	NaiveS float64
}

// MeanS is the estimate; 0 when nobody hung up.
func (p *Patience) MeanS() float64 {
	if p.HungUp == 0 {
		return 0
	}
	return p.WaitS / float64(p.HungUp)
}

// SE is its standard error (the mean over √hang-ups).
func (p *Patience) SE() float64 { return p.MeanS() / math.Sqrt(float64(p.HungUp)) }

// Transfer is the share of a queue's conversations sent to other queues.
type Transfer struct {
	Sent, Conversations int
	To                  []string
	// Out counts those sent out of the floor (`to`): the simulator has no
	// such transfer; they end as conversations do.
	Out int
}

// Surveys is how many callers answered the survey and commented.
type Surveys struct {
	Surveys, Comments, Wrapped int
}

// Estimate fits a scenario to d.
func Estimate(d *day.Day, opt Options) (*Fit, error) {
	if opt.Zone == nil {
		opt.Zone = time.UTC
	}
	if opt.Name == "" {
		opt.Name = "fitted"
	}
	f := &Fit{opt: opt, day: d}
	var lastOffer time.Time
	for _, l := range d.Legs {
		if l.Seen && !l.Transferred {
			f.Offered++
			lastOffer = l.Offered
		}
	}
	if f.Offered == 0 {
		return nil, errors.New("no call offered in the recording: nothing to fit")
	}
	if span := d.End.Sub(d.Start); span > 24*time.Hour {
		return nil, fmt.Errorf("the recording spans %s: a scenario is one day; fit a day at a time", span.Round(time.Minute))
	}
	_, off := d.Start.In(opt.Zone).Zone()
	f.zone = clockZone{offset: time.Duration(off) * time.Second}
	f.Start = d.Start.Truncate(time.Minute).In(time.FixedZone("", off))
	f.Duration = lastOffer.Sub(f.Start).Truncate(time.Minute) + time.Minute
	for _, c := range d.Queues {
		f.Queues = append(f.Queues, &Queue{Config: c, talks: map[int][]float64{}})
	}
	f.arrivals()
	f.conversations()
	if f.allTalks().N == 0 {
		return nil, errors.New("no conversation ended in the recording: nothing to fit handle times on")
	}
	f.patience()
	if err := f.agents(); err != nil {
		return nil, err
	}
	f.outages()
	for _, t := range opt.Twists {
		f.Drills = append(f.Drills, &Drill{Type: t.Type, At: time.Duration(t.At), For: time.Duration(t.For),
			Factor: t.Factor, Queue: t.Queue, Agents: t.Agents, Twist: true})
	}
	f.Surveys.Surveys, f.Surveys.Comments = d.Surveys, d.Comments
	// A twist naming a queue the day does not have is caught here.
	if _, err := f.Scenario(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Fit) queue(id string) *Queue {
	for _, q := range f.Queues {
		if q.Config.Queue == id {
			return q
		}
	}
	return nil
}

// End is when the scenario's arrivals stop.
func (f *Fit) End() time.Time { return f.Start.Add(f.Duration) }

// clockZone reads times of day in the zone of the scenario's start, as
// the simulator does.
type clockZone struct{ offset time.Duration }

// tod is t's time of day.
func (z clockZone) tod(t time.Time) time.Duration {
	const day = 24 * time.Hour
	local := time.Duration(t.UnixNano()) + z.offset
	return (local%day + day) % day
}

// slot is the index of the Slot of the day t falls in.
func (z clockZone) slot(t time.Time) int { return int(z.tod(t) / Slot) }

// arrivals counts each queue's offers by the slot of the day, over the
// hours of the recording in each slot.
func (f *Fit) arrivals() {
	hours := map[int]float64{}
	for t := f.Start; t.Before(f.End()); {
		next := t.Add(Slot - f.zone.tod(t)%Slot)
		if next.After(f.End()) {
			next = f.End()
		}
		hours[f.zone.slot(t)] += next.Sub(t).Hours()
		t = next
	}
	calls := map[string]map[int]int{}
	for _, l := range f.day.Legs {
		if !l.Seen || l.Transferred {
			continue
		}
		if calls[l.Queue] == nil {
			calls[l.Queue] = map[int]int{}
		}
		calls[l.Queue][f.zone.slot(l.Offered)]++
	}
	slots := make([]int, 0, len(hours))
	for s := range hours {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	for _, q := range f.Queues {
		for _, s := range slots {
			q.Rates = append(q.Rates, Rate{At: time.Duration(s) * Slot, Calls: calls[q.Config.Queue][s], Hours: hours[s]})
		}
	}
}

// conversations fits talk and wrap-up times and the transfers: a talk is
// answer to end (call.ended, or the transfer), a wrap-up end to
// call.wrapped.
func (f *Fit) conversations() {
	wraps := map[string][]float64{}
	for _, l := range f.day.Legs {
		q := f.queue(l.Queue)
		if l.Outcome != day.Answered || !l.AnswerSeen || l.Ended.IsZero() {
			continue
		}
		s := f.zone.slot(l.At)
		q.talks[s] = append(q.talks[s], l.Ended.Sub(l.At).Seconds())
		q.Transfer.Conversations++
		switch {
		case l.TransferTo != "":
			q.Transfer.Sent++
			if !slices.Contains(q.Transfer.To, l.TransferTo) {
				q.Transfer.To = append(q.Transfer.To, l.TransferTo)
			}
		case l.TransferOut != "":
			q.Transfer.Out++
		case !l.Wrapped.IsZero():
			wraps[l.Queue] = append(wraps[l.Queue], l.Wrapped.Sub(l.Ended).Seconds())
			f.Surveys.Wrapped++
		}
	}
	for _, q := range f.Queues {
		sort.Strings(q.Transfer.To)
		f.longCalls(q)
		q.Wrap = fitDist(wraps[q.Config.Queue], nil)
	}
}

// patience sums every wait, answered or not, and counts the hang-ups.
func (f *Fit) patience() {
	hungUp := map[string]float64{}
	for _, l := range f.day.Legs {
		p := &f.queue(l.Queue).Patience
		w := l.Wait(f.day.End).Seconds()
		p.Waits++
		p.WaitS += w
		if l.Outcome == day.Abandoned && l.Reason == feed.ReasonCaller {
			p.HungUp++
			hungUp[l.Queue] += w
		}
	}
	for _, q := range f.Queues {
		if p := &q.Patience; p.HungUp > 0 {
			p.NaiveS = hungUp[q.Config.Queue] / float64(p.HungUp)
		}
	}
}

// roundQuarter rounds a time of day to the nearest quarter hour.
func roundQuarter(d time.Duration) time.Duration { return d.Round(Quarter) }

// Scenario is the fitted scenario as simulator.Load reads its YAML.
func (f *Fit) Scenario() (*simulator.Scenario, error) {
	sc, err := simulator.Parse(f.YAML())
	if err != nil {
		return nil, fmt.Errorf("the fitted scenario does not load: %w", err)
	}
	return sc, nil
}

// ParseTwist reads a drill event written as a scenario's drills list
// writes one, in YAML's flow form: {type: surge, at: "10:00", for: 1h,
// factor: 1.5, queue: support}. The fitted scenario checks it whole.
func ParseTwist(s string) (simulator.DrillSpec, error) {
	var d simulator.DrillSpec
	if err := yaml.Unmarshal([]byte(s), &d); err != nil || d.Type == "" {
		if err == nil {
			err = errors.New("no type")
		}
		return d, fmt.Errorf("%q: %v; write it as a scenario's drill event, such as {type: surge, at: \"10:00\", for: 1h, factor: 1.5, queue: support}", s, err)
	}
	return d, nil
}
