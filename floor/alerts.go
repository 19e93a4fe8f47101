package floor

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/floorwatch/floorwatch/erlang"
	"github.com/floorwatch/floorwatch/feed"
)

// Kinds of alert.
const (
	// AlertServiceLevel: the service level over the alert window is below
	// its goal.
	AlertServiceLevel = "service_level"
	// AlertAbandonRate: too many callers hung up over the alert window.
	AlertAbandonRate = "abandon_rate"
	// AlertLongWait: the oldest waiting call has waited long_wait times the
	// queue's answer-time threshold.
	AlertLongWait = "long_wait"
	// AlertUnderstaffed: Erlang C needs more agents than are staffed.
	AlertUnderstaffed = "understaffed"
	// AlertOccupancy: agents were busier than the limit over the window.
	AlertOccupancy = "occupancy"
	// AlertPauseOverrun: an agent's pause is past its planned length.
	AlertPauseOverrun = "pause_overrun"
)

// FloorSubject is the Subject of alerts about the whole floor.
const FloorSubject = "floor"

// Alert defaults: what a goals file without an alerts section gets.
const (
	DefaultAlertWindow    = 15 * time.Minute
	DefaultAlertCooldown  = 5 * time.Minute
	DefaultAlertMinCalls  = 10
	DefaultMaxAbandonRate = 0.05
	DefaultLongWaitFactor = 3
)

// maxAlerts bounds the floor's alert log. A bad day raises a few alerts
// per queue an hour and one per overrun pause; this holds a day of a floor
// far larger than that.
const maxAlerts = 5000

// AlertRules are the goals file's `alerts:` section: when a breach is an
// alert. Unset values take the Default… constants; Queues override the
// limits for one queue.
type AlertRules struct {
	// Window is the rolling span of the floor clock rates are judged on;
	// at most an hour.
	Window *Span `yaml:"window"`
	// Cooldown: a breach back within this long of its end reopens the same
	// alert instead of raising a new one.
	Cooldown    *Span `yaml:"cooldown"`
	AlertLimits `yaml:",inline"`
	Queues      map[string]AlertLimits `yaml:"queues"`
}

// AlertLimits are the thresholds that may differ by queue.
type AlertLimits struct {
	// MinCalls answered plus abandoned in the window before a service level
	// or abandon rate is judged: a handful of calls is noise.
	MinCalls *int64 `yaml:"min_calls"`
	// AbandonRate is the highest acceptable abandon rate (0..1).
	AbandonRate *float64 `yaml:"abandon_rate"`
	// LongWait times the queue's sl_threshold_s is a wait worth an alert.
	LongWait *float64 `yaml:"long_wait"`
	// Understaffed alerts when Erlang C needs more agents than are staffed
	// (default true).
	Understaffed *bool `yaml:"understaffed"`
	// Occupancy is the highest acceptable occupancy over the window (0..1);
	// unset, occupancy raises no alert.
	Occupancy *float64 `yaml:"occupancy"`
}

// limits are AlertLimits with every default applied.
type limits struct {
	minCalls     int64
	abandonRate  float64
	longWait     float64
	understaffed bool
	occupancy    float64 // 0: not alerted
}

func (l limits) with(o AlertLimits) limits {
	if o.MinCalls != nil {
		l.minCalls = *o.MinCalls
	}
	if o.AbandonRate != nil {
		l.abandonRate = *o.AbandonRate
	}
	if o.LongWait != nil {
		l.longWait = *o.LongWait
	}
	if o.Understaffed != nil {
		l.understaffed = *o.Understaffed
	}
	if o.Occupancy != nil {
		l.occupancy = *o.Occupancy
	}
	return l
}

// alertRules are the rules in force, resolved once.
type alertRules struct {
	window, cooldown time.Duration
	floor            limits
	queues           map[string]limits
	pauses           map[string]time.Duration
}

func (g *Goals) alertRules() alertRules {
	r := alertRules{window: DefaultAlertWindow, cooldown: DefaultAlertCooldown,
		floor: limits{minCalls: DefaultAlertMinCalls, abandonRate: DefaultMaxAbandonRate, longWait: DefaultLongWaitFactor, understaffed: true}}
	if g == nil {
		return r
	}
	a := g.Alerts
	if a.Window != nil {
		r.window = time.Duration(*a.Window)
	}
	if a.Cooldown != nil {
		r.cooldown = time.Duration(*a.Cooldown)
	}
	r.floor = r.floor.with(a.AlertLimits)
	r.queues = make(map[string]limits, len(a.Queues))
	for id, q := range a.Queues {
		r.queues[id] = r.floor.with(q)
	}
	r.pauses = make(map[string]time.Duration, len(g.Pauses))
	for reason, d := range g.Pauses {
		r.pauses[reason] = time.Duration(d)
	}
	return r
}

// occupancyAlerts says whether any occupancy limit is set: only then is
// the agents' time gone through.
func (r *alertRules) occupancyAlerts() bool {
	if r.floor.occupancy > 0 {
		return true
	}
	for _, l := range r.queues {
		if l.occupancy > 0 {
			return true
		}
	}
	return false
}

func (r *alertRules) queue(id string) limits {
	if l, ok := r.queues[id]; ok {
		return l
	}
	return r.floor
}

// check is the alerts section's range checks, for ParseGoals.
func (a *AlertRules) check() error {
	if w := a.Window; w != nil && (*w < Span(time.Minute) || *w > Span(time.Hour)) {
		return fmt.Errorf("goals: alerts.window: %s is out of range 1m..1h", FormatSpan(time.Duration(*w)))
	}
	lim := func(where string, l AlertLimits) error {
		if l.MinCalls != nil && *l.MinCalls < 0 {
			return fmt.Errorf("goals: %s.min_calls: must not be negative", where)
		}
		for _, c := range []struct {
			name   string
			v      *float64
			lo, hi float64
		}{{"abandon_rate", l.AbandonRate, 0, 1}, {"long_wait", l.LongWait, 0, math.Inf(1)}, {"occupancy", l.Occupancy, 0, 1}} {
			if err := inRange(where+"."+c.name, c.v, c.lo, c.hi); err != nil {
				return err
			}
		}
		return nil
	}
	if err := lim("alerts", a.AlertLimits); err != nil {
		return err
	}
	for _, id := range sortedKeys(a.Queues) {
		if err := lim("alerts.queues."+id, a.Queues[id]); err != nil {
			return err
		}
	}
	return nil
}

// Alert is one goal breach on the floor clock.
type Alert struct {
	// Key names the alert for as long as the floor lives: its kind, its
	// subject and when it began.
	Key         string
	Kind        string
	Subject     string // a queue id, an agent id (pause_overrun), or FloorSubject
	SubjectName string
	// Detail is the figure against its limit, as last judged while active.
	Detail string
	Began  time.Time
	Ended  time.Time // zero while the breach lasts
	// Returns counts how often the breach came back inside the cooldown.
	Returns int
}

// Active reports whether the breach is still going on.
func (a *Alert) Active() bool { return a.Ended.IsZero() }

// alertLog is the floor's alerts, judged at each minute boundary of the
// floor clock.
type alertLog struct {
	alerts []*Alert          // in the order raised
	open   map[string]*Alert // active, by kind and subject
	// last is the most recent alert of each kind and subject, for the
	// cooldown.
	last    map[string]*Alert
	dropped int64
}

type breach struct {
	kind, subject, name, detail string
}

// observe compares the breaches judged at at with the alerts open so far:
// new ones begin (or reopen inside the cooldown), those no longer judged
// end.
func (l *alertLog) observe(at time.Time, cooldown time.Duration, breaches []breach) {
	if l.open == nil {
		l.open, l.last = map[string]*Alert{}, map[string]*Alert{}
	}
	seen := make(map[string]bool, len(breaches))
	for _, br := range breaches {
		id := br.kind + ":" + br.subject
		seen[id] = true
		if a := l.open[id]; a != nil {
			a.Detail = br.detail
			continue
		}
		if prev := l.last[id]; prev != nil && at.Sub(prev.Ended) < cooldown {
			prev.Ended, prev.Detail = time.Time{}, br.detail
			prev.Returns++
			l.open[id] = prev
			continue
		}
		a := &Alert{Key: id + "@" + feed.FormatTime(at), Kind: br.kind, Subject: br.subject, SubjectName: br.name,
			Detail: br.detail, Began: at}
		l.alerts = append(l.alerts, a)
		l.open[id], l.last[id] = a, a
	}
	for id, a := range l.open {
		if !seen[id] {
			a.Ended = at
			delete(l.open, id)
		}
	}
	l.forget()
}

// forget drops the oldest ended alerts beyond maxAlerts.
func (l *alertLog) forget() {
	drop := len(l.alerts) - maxAlerts
	if drop <= 0 {
		return
	}
	kept := l.alerts[:0]
	for _, a := range l.alerts {
		if drop > 0 && !a.Active() {
			drop--
			l.dropped++
			if id := a.Kind + ":" + a.Subject; l.last[id] == a {
				delete(l.last, id)
			}
			continue
		}
		kept = append(kept, a)
	}
	clear(l.alerts[len(kept):])
	l.alerts = kept
}

// day is every alert active at some time since dayStart, newest first, as
// copies: a Report never changes.
func (l *alertLog) day(dayStart time.Time) []Alert {
	out := []Alert{}
	for i := len(l.alerts) - 1; i >= 0; i-- {
		if a := l.alerts[i]; a.Active() || !a.Ended.Before(dayStart) {
			out = append(out, *a)
		}
	}
	return out
}

// judge raises and ends alerts at the minute boundary at, from what the
// floor counted before it: the same alerts for every client of a feed,
// whenever it connected.
func (f *Floor) judge(at time.Time) {
	if len(f.queues) == 0 && len(f.rules.pauses) == 0 {
		return
	}
	r := &f.rules
	end := at.Unix() / 60
	winFrom := end - int64((r.window+time.Minute-1)/time.Minute)
	// Offers over the last arrivalSpan (or since the first event) give the
	// arrival rate, as in a Report.
	arrSpan := min(arrivalSpan, at.Sub(f.first))
	arrFrom := end - int64(arrSpan/time.Minute)

	// Each queue's waiting call furthest past its goal: the longest wait
	// for its threshold (a chat's or an email's own where the queue sets
	// one), so that an email queue does not cry at a voice call's wait.
	type overdue struct{ wait, threshold float64 }
	worst := map[*queue]overdue{}
	for _, c := range f.calls {
		if c.state != waiting {
			continue
		}
		g := f.goal(c.queue)
		threshold, _ := g.Goal(c.channel)
		o, seen := worst[c.queue]
		// wait/threshold above o's, without dividing by a threshold of 0
		if wait := waitSince(c.offered, at); !seen || wait*o.threshold > o.wait*threshold {
			worst[c.queue] = overdue{wait, threshold}
		}
	}
	staffed := map[string]int{}
	occupancy := r.occupancyAlerts()
	var floorTime agentTime
	queueTime := map[string]*agentTime{}
	var out []breach
	for _, a := range f.agents {
		if a.state != feed.StateOffline {
			for _, s := range a.skills {
				staffed[s]++
			}
		}
		if a.state == feed.StateAux && !a.since.IsZero() {
			if planned, ok := r.pauses[auxReason(a.reason)]; ok && at.Sub(a.since) > planned {
				out = append(out, breach{AlertPauseOverrun, a.id, a.label(),
					fmt.Sprintf("%s %s > %s planned", auxReason(a.reason), clockSpan(at.Sub(a.since)), clockSpan(planned))})
			}
		}
		if occupancy {
			t := a.timeWithin(at.Add(-r.window), at)
			floorTime.merge(t)
			for _, s := range a.skills {
				if queueTime[s] == nil {
					queueTime[s] = &agentTime{}
				}
				queueTime[s].merge(t)
			}
		}
	}

	// The agents came in map order: the overruns are put in theirs.
	slices.SortFunc(out, func(x, y breach) int { return cmp.Compare(x.subject, y.subject) })

	var floorT tally
	for _, id := range sortedKeys(f.queues) {
		q := f.queues[id]
		g := f.goal(q)
		lim := r.queue(id)
		name := g.Name
		if name == "" {
			name = id
		}
		// One pass over the minutes gives the window's counts and the
		// offers of the arrival span.
		var c queueCounts
		var offers int64
		q.minutes.each(min(winFrom, arrFrom), end, func(m int64, mc *queueCounts) {
			if m >= winFrom {
				c.add(*mc)
			}
			if m >= arrFrom {
				offers += mc.offered
			}
		})
		var qt tally
		qt.add(c, g.SLMode)
		floorT.add(c, g.SLMode)
		out = rateBreaches(out, id, name, &qt, qt.target(g.SLTarget), lim)
		if o, ok := worst[q]; ok && lim.longWait > 0 {
			if limit := o.threshold * lim.longWait; o.wait >= limit {
				out = append(out, breach{AlertLongWait, id, name,
					fmt.Sprintf("oldest call waiting %s ≥ %s", Secs(&o.wait), Secs(&limit))})
			}
		}
		if lim.understaffed && c.handled > 0 && arrSpan > 0 {
			rate := float64(offers) / arrSpan.Hours()
			if n := erlang.AgentsNeeded(rate/3600, c.handleSum/float64(c.handled), g.SLThresholdS, g.SLTarget); n > staffed[id] {
				out = append(out, breach{AlertUnderstaffed, id, name, fmt.Sprintf("needs %d agents, %d staffed", n, staffed[id])})
			}
		}
		if t := queueTime[id]; t != nil {
			out = occupancyBreach(out, id, name, t, lim)
		}
	}
	if floorT.den > 0 {
		out = rateBreaches(out, FloorSubject, "Floor", &floorT, floorT.target(0), r.floor)
	}
	if occupancy {
		out = occupancyBreach(out, FloorSubject, "Floor", &floorTime, r.floor)
	}
	f.alerts.observe(at, r.cooldown, out)
}

// rateBreaches adds the service level and abandon rate breaches of t,
// whose goal is target.
func rateBreaches(out []breach, subject, name string, t *tally, target float64, lim limits) []breach {
	c := &t.c
	if c.answered+c.abandoned < lim.minCalls {
		return out
	}
	if sl := ratio(t.num, t.den); sl != nil && *sl < target {
		out = append(out, breach{AlertServiceLevel, subject, name, fmt.Sprintf("SL %s < goal %.0f%%", Pct(sl), target*100)})
	}
	if ab := ratio(float64(c.abandoned-c.short), float64(c.offered-c.short)); ab != nil && *ab > lim.abandonRate {
		out = append(out, breach{AlertAbandonRate, subject, name, fmt.Sprintf("abandon %s > %s", Pct(ab), Pct(&lim.abandonRate))})
	}
	return out
}

func occupancyBreach(out []breach, subject, name string, t *agentTime, lim limits) []breach {
	if o := occupancy(*t); lim.occupancy > 0 && o != nil && *o > lim.occupancy {
		out = append(out, breach{AlertOccupancy, subject, name, fmt.Sprintf("occupancy %s > %s", Pct(o), Pct(&lim.occupancy))})
	}
	return out
}

// timeWithin is where the agent's time in [from, to] went.
func (a *agent) timeWithin(from, to time.Time) agentTime {
	var t agentTime
	for _, iv := range a.intervals {
		t.add(iv.state, iv.reason, overlap(iv.from, iv.to, from, to))
	}
	t.add(a.state, a.reason, overlap(a.since, to, from, to))
	return t
}

func (a *agent) label() string {
	if a.name != "" {
		return a.name
	}
	return a.id
}

// clockSpan writes a span as a stopwatch does: 52:00, 1:05:30.
func clockSpan(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// pass moves the minute clock to ts, judging the alerts at every minute
// boundary it crosses, before whatever happens at ts. Of a silence longer
// than twice the minute ring, the middle is skipped: what it had to end has
// ended in the first stretch, and the last stretch judges what there is
// by the time it is over.
func (f *Floor) pass(ts time.Time) {
	if !ts.After(f.tick) {
		return
	}
	if f.tick.IsZero() {
		f.tick = ts
		return
	}
	from, to := f.tick.Unix()/60+1, ts.Unix()/60
	reach := int64(f.ringMinutes)
	for m := from; m <= to; m++ {
		if m == from+reach && to-reach+1 > m {
			m = to - reach + 1
		}
		f.judge(time.Unix(m*60, 0).UTC())
	}
	f.tick = ts
}

// pauseOf is the agent's pause now against its plan, nil when it is not
// in a planned pause.
func (f *Floor) pauseOf(a *agent) *Pause {
	if a.state != feed.StateAux || a.since.IsZero() {
		return nil
	}
	reason := auxReason(a.reason)
	planned, ok := f.rules.pauses[reason]
	if !ok {
		return nil
	}
	p := &Pause{Reason: reason, PlannedS: planned.Seconds(), ElapsedS: waitSince(a.since, f.now)}
	p.OverrunS = math.Max(0, p.ElapsedS-p.PlannedS)
	return p
}

// plannedPauses is the plan in seconds, for a Report.
func (r *alertRules) plannedPauses() map[string]float64 {
	out := make(map[string]float64, len(r.pauses))
	for reason, d := range r.pauses {
		out[reason] = d.Seconds()
	}
	return out
}
