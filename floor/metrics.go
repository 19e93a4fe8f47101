package floor

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/erlang"
	"github.com/floorwatch/floorwatch/feed"
)

// Window is the span a Report's counted figures cover, and whether they are
// also cut into intervals. Figures of "now" (waiting, agents by state, time
// in state) are the same in every window.
type Window struct {
	today     bool
	span      time.Duration
	intervals time.Duration
}

var (
	// All covers everything received.
	All = Window{}
	// Today covers the floor clock's day (see Options.DayStartHour).
	Today = Window{today: true}
)

// Rolling covers the last d of the floor clock.
func Rolling(d time.Duration) Window { return Window{span: d} }

// Span is the rolling window's length, zero for All and Today.
func (w Window) Span() time.Duration { return w.span }

// WithIntervals is w with its calls also cut into intervals of size, one
// ParseIntervals accepts (see Report.IntervalSize).
func (w Window) WithIntervals(size time.Duration) Window {
	w.intervals = size
	return w
}

// Intervals is the size of w's intervals, zero when it has none.
func (w Window) Intervals() time.Duration { return w.intervals }

func (w Window) String() string {
	switch {
	case w.today:
		return "today"
	case w.span > 0:
		return shortDuration(w.span)
	}
	return "all"
}

func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseWindow reads "all", "today" or a duration such as "30m".
func ParseWindow(s string) (Window, error) {
	switch s {
	case "", "all":
		return All, nil
	case "today":
		return Today, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return All, fmt.Errorf("window %q: want all, today or a positive duration such as 30m", s)
	}
	return Rolling(d), nil
}

// arrivalSpan is how far back the offer rate for Erlang C is measured.
const arrivalSpan = 30 * time.Minute

// Report computes every figure for window w at the floor clock's now.
func (f *Floor) Report(w Window) *Report {
	r := &Report{Feed: f.stats, Now: Time{f.now}, Window: w.String(), DayStart: f.todayStart, Zone: f.opts.Location}
	now := f.now

	qc, cc, ac, at := f.counts(w)
	arrivals := f.arrivals(now)

	// Live figures: calls waiting, by queue and by queue and channel.
	liveQ := map[*queue]*waitingNow{}
	liveC := map[chanKey]*waitingNow{}
	for _, c := range f.calls {
		if c.state == waiting {
			liveOf(liveQ, c.queue).add(c.offered)
			liveOf(liveC, chanKey{c.queue, c.channel}).add(c.offered)
		}
	}
	onCall := f.agentCalls()

	// Agents first: queues sum their skilled agents.
	agentIDs := sortedKeys(f.agents)
	r.Agents = make([]AgentReport, 0, len(agentIDs))
	var floorState stateCounts
	var floorTime agentTime
	queueState := map[string]*stateCounts{}
	queueTime := map[string]*agentTime{}
	for _, id := range agentIDs {
		a := f.agents[id]
		t := at[a]
		floorState.add(a.state)
		floorTime.merge(t)
		for _, s := range a.skills { // a set: the agent counts once in each queue
			if queueState[s] == nil {
				queueState[s], queueTime[s] = &stateCounts{}, &agentTime{}
			}
			queueState[s].add(a.state)
			queueTime[s].merge(t)
		}
		r.Agents = append(r.Agents, f.agentReport(a, ac[a], t, onCall[a].callID()))
	}

	r.Queues = make([]QueueReport, 0, len(f.queues))
	var floorT tally
	var floorLive waitingNow
	var targetPlain float64
	byChannel := map[string]*channelTally{}
	for _, id := range sortedKeys(f.queues) {
		q := f.queues[id]
		g := f.goal(q)
		var qt tally
		qt.add(qc[q], g.SLMode)
		floorT.add(qc[q], g.SLMode)
		targetPlain += g.SLTarget
		qr := QueueReport{Queue: q.id, Name: q.cfg.Name, Metrics: qt.metrics(), SLThresholdS: g.SLThresholdS,
			ShortAbandonS: g.ShortAbandonS, SLMode: g.SLMode}
		qr.SLTarget = qt.target(g.SLTarget)
		qr.Waiting, qr.LongestWaitS = liveQ[q].figures(now)
		floorLive.merge(liveQ[q])
		if st := queueState[q.id]; st != nil {
			st.fill(&qr.Metrics)
			qr.Occupancy = occupancy(*queueTime[q.id])
		}
		qr.ArrivalsPerHour = arrivals[q]
		if qr.AHTS != nil && *qr.AHTS > 0 {
			n := erlang.AgentsNeeded(qr.ArrivalsPerHour/3600, *qr.AHTS, g.SLThresholdS, g.SLTarget)
			qr.AgentsNeeded = &n
		}
		qr.Channels = queueChannels(q, g, cc, liveC, byChannel, now)
		r.Queues = append(r.Queues, qr)
	}
	r.Floor = floorT.metrics()
	r.Floor.Waiting, r.Floor.LongestWaitS = floorLive.figures(now)
	switch {
	case floorT.den > 0:
		r.Floor.SLTarget = floorT.target(0)
	case len(r.Queues) > 0:
		r.Floor.SLTarget = targetPlain / float64(len(r.Queues))
	default:
		r.Floor.SLTarget = feed.DefaultSLTarget
	}
	floorState.fill(&r.Floor)
	r.Floor.Occupancy = occupancy(floorTime)
	r.Channels = floorChannels(byChannel, now)
	if validIntervals(w.intervals) {
		f.fillIntervals(r, w)
	}

	r.Recovery, r.RecoveryDropped = f.recovery.list(f.todayStart)
	r.History = f.history(w, qc, r.Floor.ServiceLevel)
	r.CaughtUp = !f.behind()
	if f.newFloor != nil {
		r.NewFloor = ptr(*f.newFloor)
	}
	r.Alerts, r.AlertsDropped = f.alerts.day(f.todayStart), f.alerts.dropped
	r.Pauses = f.rules.plannedPauses()
	if d := f.drill.started; d != nil {
		r.Drill = ptr(*d)
	}
	r.Actions, r.ActionsDropped = slices.Clone(f.drill.actions), f.drill.dropped
	return r
}

// tally adds up queues' counts. Its service level is the sum of their
// numerators over the sum of their denominators, each queue by its own
// sl_mode, and its goal the mean of the targets its calls were held to,
// weighted the same way: never an average of percentages.
type tally struct {
	c        queueCounts
	num, den float64
	targets  int64 // billionths
}

func (t *tally) add(c queueCounts, mode string) {
	t.c.add(c)
	num, den, targets := slParts(c, mode)
	t.num += num
	t.den += den
	t.targets += targets
}

// metrics are the tally's counted figures.
func (t *tally) metrics() Metrics { return countsMetrics(t.c, t.num, t.den) }

// target is the goal of the calls the service level counts, or fallback
// when it counts none.
func (t *tally) target(fallback float64) float64 {
	if t.den > 0 {
		return float64(t.targets) / t.den / 1e9
	}
	return fallback
}

// billionths is a target as the counts sum it.
func billionths(target float64) int64 { return int64(math.Round(target * 1e9)) }

// waitingNow is what waits now in a queue or of a channel.
type waitingNow struct {
	n      int
	oldest time.Time
}

func liveOf[K comparable](m map[K]*waitingNow, k K) *waitingNow {
	l := m[k]
	if l == nil {
		l = &waitingNow{}
		m[k] = l
	}
	return l
}

func (l *waitingNow) add(offered time.Time) {
	l.n++
	if l.oldest.IsZero() || offered.Before(l.oldest) {
		l.oldest = offered
	}
}

func (l *waitingNow) merge(o *waitingNow) {
	if o == nil || o.n == 0 {
		return
	}
	if l.n == 0 || o.oldest.Before(l.oldest) {
		l.oldest = o.oldest
	}
	l.n += o.n
}

// figures are the calls waiting and the longest wait at now (nil when none
// waits).
func (l *waitingNow) figures(now time.Time) (int, *float64) {
	if l == nil || l.n == 0 {
		return 0, nil
	}
	return l.n, ptr(waitSince(l.oldest, now))
}

// chanKey names a queue's calls of one channel.
type chanKey struct {
	q  *queue
	ch string
}

// channelTally is one channel's figures over the queues.
type channelTally struct {
	tally
	live waitingNow
	// goals sums the channel's target in each queue that has its calls,
	// for a plain mean where no call was judged.
	goals  float64
	queues int
}

// queueChannels are queue q's figures by channel, sorted: each channel it
// has had a call of. They are added to the floor's channels on the way.
func queueChannels(q *queue, g feed.QueueConfig, cc map[chanKey]queueCounts, live map[chanKey]*waitingNow,
	onFloor map[string]*channelTally, now time.Time) []ChannelReport {
	out := make([]ChannelReport, 0, len(q.channels))
	for _, ch := range sortedKeys(q.channels) {
		k := chanKey{q, ch}
		threshold, target := g.Goal(ch)
		var t tally
		t.add(cc[k], g.SLMode)
		cr := channelReport(ch, t.metrics(), live[k], now)
		cr.SLThresholdS, cr.SLTarget = threshold, t.target(target)
		out = append(out, cr)

		ft := onFloor[ch]
		if ft == nil {
			ft = &channelTally{}
			onFloor[ch] = ft
		}
		ft.add(cc[k], g.SLMode)
		ft.live.merge(live[k])
		ft.goals += target
		ft.queues++
	}
	return out
}

// floorChannels are the floor's figures by channel, sorted.
func floorChannels(byChannel map[string]*channelTally, now time.Time) []ChannelReport {
	out := make([]ChannelReport, 0, len(byChannel))
	for _, ch := range sortedKeys(byChannel) {
		t := byChannel[ch]
		cr := channelReport(ch, t.metrics(), &t.live, now)
		cr.SLTarget = t.target(t.goals / float64(t.queues))
		out = append(out, cr)
	}
	return out
}

func channelReport(ch string, m Metrics, live *waitingNow, now time.Time) ChannelReport {
	cr := ChannelReport{Channel: ch, Offered: m.Offered, Answered: m.Answered, Abandoned: m.Abandoned,
		ShortAbandoned: m.ShortAbandoned, AnsweredWithin: m.AnsweredWithin, ServiceLevel: m.ServiceLevel,
		ASAS: m.ASAS, AHTS: m.AHTS, AbandonRate: m.AbandonRate}
	cr.Waiting, cr.LongestWaitS = live.figures(now)
	return cr
}

// counts gathers the counted figures of window w, per queue, queue and
// channel, and agent.
func (f *Floor) counts(w Window) (map[*queue]queueCounts, map[chanKey]queueCounts, map[*agent]agentCounts, map[*agent]agentTime) {
	qc := make(map[*queue]queueCounts, len(f.queues))
	cc := map[chanKey]queueCounts{}
	ac := make(map[*agent]agentCounts, len(f.agents))
	at := make(map[*agent]agentTime, len(f.agents))
	now, from := f.now, f.windowStart(w)
	switch {
	case w.span > 0:
		live := f.log.live()
		for i := range live {
			fc := &live[i]
			if fc.at.Before(from) || fc.at.After(now) {
				continue
			}
			q, a := qc[fc.q], ac[fc.a]
			fc.addTo(&q, &a)
			if fc.q != nil {
				qc[fc.q] = q
			}
			if fc.a != nil {
				ac[fc.a] = a
			}
			if fc.ch != "" {
				k := chanKey{fc.q, fc.ch}
				c := cc[k]
				var spare agentCounts
				fc.addTo(&c, &spare)
				cc[k] = c
			}
		}
		for _, a := range f.agents {
			var t agentTime
			for _, iv := range a.intervals {
				t.add(iv.state, iv.reason, overlap(iv.from, iv.to, from, now))
			}
			at[a] = t
		}
	case w.today:
		for _, q := range f.queues {
			qc[q] = q.today
			for ch, c := range q.channels {
				cc[chanKey{q, ch}] = c.today
			}
		}
		for _, a := range f.agents {
			ac[a], at[a] = a.today, a.todayTime.clone()
		}
	default:
		for _, q := range f.queues {
			qc[q] = q.all
			for ch, c := range q.channels {
				cc[chanKey{q, ch}] = c.all
			}
		}
		for _, a := range f.agents {
			ac[a], at[a] = a.all, a.allTime.clone()
		}
	}
	// The state each agent is in now is in no interval or counter yet: add
	// its part within the window.
	for _, a := range f.agents {
		t := at[a]
		t.add(a.state, a.reason, overlap(a.since, now, from, now))
		at[a] = t
	}
	return qc, cc, ac, at
}

// windowStart is where window w begins on the floor clock (zero for All).
func (f *Floor) windowStart(w Window) time.Time {
	switch {
	case w.span > 0:
		return f.now.Add(-w.span)
	case w.today:
		return f.todayStart
	}
	return time.Time{}
}

// overlap is how many seconds of [a0, a1] fall inside [b0, b1].
func overlap(a0, a1, b0, b1 time.Time) float64 {
	if a0.IsZero() {
		return 0
	}
	from, to := maxTime(a0, b0), a1
	if b1.Before(to) {
		to = b1
	}
	if !to.After(from) {
		return 0
	}
	return to.Sub(from).Seconds()
}

func (c *queueCounts) add(o queueCounts) {
	c.offered += o.offered
	c.answered += o.answered
	c.within += o.within
	c.abandoned += o.abandoned
	c.short += o.short
	c.abandonedIn += o.abandonedIn
	for r, n := range o.byReason {
		if c.byReason == nil {
			c.byReason = map[string]int64{}
		}
		c.byReason[r] += n
	}
	c.waitSum += o.waitSum
	c.handleSum += o.handleSum
	c.handled += o.handled
	c.surveys.merge(o.surveys)
	c.targetAnswered += o.targetAnswered
	c.targetAbandoned += o.targetAbandoned
	c.targetShort += o.targetShort
}

// slParts is the service level's numerator and denominator by sl_mode, and
// the sum of the targets the calls of the denominator were held to.
func slParts(c queueCounts, mode string) (num, den float64, targets int64) {
	switch mode {
	case feed.ModeAnsweredOnly:
		return float64(c.within), float64(c.answered), c.targetAnswered
	case feed.ModeAbandonsInSLGood:
		return float64(c.within + c.abandonedIn), float64(c.answered + c.abandoned), c.targetAnswered + c.targetAbandoned
	}
	return float64(c.within), float64(c.answered + c.abandoned - c.short), c.targetAnswered + c.targetAbandoned - c.targetShort
}

func countsMetrics(c queueCounts, slNum, slDen float64) Metrics {
	m := Metrics{
		Offered: c.offered, Answered: c.answered, Abandoned: c.abandoned,
		ShortAbandoned: c.short, AnsweredWithin: c.within,
		// A copy: the counters go on counting after the Report is made.
		AbandonedByReason: maps.Clone(c.byReason),
		ServiceLevel:      ratio(slNum, slDen),
		ASAS:              ratio(c.waitSum, float64(c.answered)),
		AHTS:              ratio(c.handleSum, float64(c.handled)),
		AbandonRate:       ratio(float64(c.abandoned-c.short), float64(c.offered-c.short)),
		Surveys:           c.surveys.n,
	}
	if m.AbandonedByReason == nil {
		m.AbandonedByReason = map[string]int64{}
	}
	m.CSAT, m.NPS, m.CES = c.surveys.scores()
	return m
}

func (s survey) scores() (csat, nps, ces *float64) {
	csat = ratio(s.csatSum, float64(s.csatN))
	if s.npsN > 0 {
		nps = ptr(100 * float64(s.promoters-s.detractors) / float64(s.npsN))
	}
	ces = ratio(s.cesSum, float64(s.cesN))
	return
}

// ratio is num/den, or nil when there is no denominator.
func ratio(num, den float64) *float64 {
	if den <= 0 {
		return nil
	}
	return ptr(num / den)
}

func ptr[T any](v T) *T { return &v }

// occupancy is (on call + wrap-up time) / (staffed - aux time).
func occupancy(t agentTime) *float64 { return ratio(t.busy, t.available+t.busy) }

type stateCounts struct{ staffed, available, onCall, wrapUp, aux int }

func (s *stateCounts) add(state string) {
	if state == feed.StateOffline {
		return
	}
	s.staffed++
	switch state {
	case feed.StateAvailable:
		s.available++
	case feed.StateOnCall:
		s.onCall++
	case feed.StateWrapUp:
		s.wrapUp++
	case feed.StateAux:
		s.aux++
	}
}

func (s stateCounts) fill(m *Metrics) {
	m.Staffed, m.Available, m.OnCall, m.WrapUp, m.Aux = s.staffed, s.available, s.onCall, s.wrapUp, s.aux
}

func (f *Floor) agentReport(a *agent, c agentCounts, t agentTime, call string) AgentReport {
	ar := AgentReport{
		Agent: a.id, Name: a.name, State: a.state, Reason: a.reason, Call: call,
		Queues:  append([]string{}, a.skills...),
		Handled: c.handled, Missed: c.missed, Transferred: c.transferred,
		AHTS:        ratio(c.handleSum, float64(c.handleN)),
		AuxS:        t.aux,
		AuxByReason: t.auxBy,
		Surveys:     c.surveys.n,
		Occupancy:   occupancy(t),
		Goals:       f.opts.Goals.agentGoals(a.id),
	}
	for i := len(a.comments) - 1; i >= 0; i-- {
		ar.Comments = append(ar.Comments, a.comments[i])
	}
	if ar.AuxByReason == nil {
		ar.AuxByReason = map[string]float64{}
	}
	if !a.since.IsZero() {
		ar.StateS = waitSince(a.since, f.now)
	}
	ar.CSAT, _, _ = c.surveys.scores()
	ar.Pause = f.pauseOf(a)
	ar.Day = f.agentDay(a)
	ar.Flags = ar.flags()
	return ar
}

// agentDay is the agent's day so far, the state they are in now included.
func (f *Floor) agentDay(a *agent) AgentDay {
	c, t := a.today, a.todayTime
	t.auxBy = nil // only the totals are read: no need to copy the map
	t.add(a.state, a.reason, overlap(a.since, f.now, f.todayStart, f.now))
	d := AgentDay{Handled: c.handled, AHTS: ratio(c.handleSum, float64(c.handleN)), Missed: c.missed,
		AuxS: t.aux, Occupancy: occupancy(t), StaffedS: t.available + t.busy + t.aux}
	d.CSAT, _, _ = c.surveys.scores()
	return d
}

// arrivals is each queue's offer rate per hour over the last arrivalSpan.
func (f *Floor) arrivals(now time.Time) map[*queue]float64 {
	span := arrivalSpan
	if since := now.Sub(f.first); since < span {
		span = since
	}
	out := map[*queue]float64{}
	if span <= 0 {
		return out
	}
	from := now.Add(-span)
	for _, fc := range f.log.live() {
		if fc.kind == factOffered && !fc.at.Before(from) {
			out[fc.q]++
		}
	}
	for q, n := range out {
		out[q] = n / span.Hours()
	}
	return out
}

// historyPoints is the sparklines' hour, a point a minute.
const historyPoints = 60

// history is the last hour on the floor clock, a point a minute, oldest
// first. The service level at each minute's end is window w's as it stood
// then: totals (w's counts now) less what came after, or for a rolling
// window the minutes it held. Both parts of the ratio add up minute by
// minute, so each point is a difference of running sums.
func (f *Floor) history(w Window, totals map[*queue]queueCounts, headline *float64) History {
	h := History{End: f.now, Step: time.Minute, ServiceLevel: make([]float64, historyPoints),
		Waiting: make([]float64, historyPoints), Arrivals: make([]float64, historyPoints), Labels: historyLabels(w)}
	end := f.now.Unix() / 60
	first := end - historyPoints + 1
	span := int64((w.span + time.Minute - 1) / time.Minute)
	from := first - span // rolling windows reach back this far
	num, den := make([]float64, historyPoints), make([]float64, historyPoints)
	runNum, runDen := make([]float64, end-from+2), make([]float64, end-from+2)
	for _, q := range f.queues {
		mode := f.goal(q).SLMode
		// runNum[i] holds minutes [from, from+i): each minute's part first,
		// then the running sum.
		clear(runNum)
		clear(runDen)
		q.minutes.each(from, end+1, func(m int64, c *queueCounts) {
			runNum[m-from+1], runDen[m-from+1], _ = slParts(*c, mode)
			if m >= first {
				h.Arrivals[m-first] += float64(c.offered)
			}
		})
		for i := 1; i < len(runNum); i++ {
			runNum[i] += runNum[i-1]
			runDen[i] += runDen[i-1]
		}
		totNum, totDen, _ := slParts(totals[q], mode)
		for i := range historyPoints {
			after := first + int64(i) + 1 - from // minutes [from, after) are before the point's end
			if w.span > 0 {
				num[i] += runNum[after] - runNum[after-span]
				den[i] += runDen[after] - runDen[after-span]
			} else {
				last := end + 1 - from
				num[i] += totNum - (runNum[last] - runNum[after])
				den[i] += totDen - (runDen[last] - runDen[after])
			}
		}
	}
	dayStart := f.windowStart(w)
	for i := range historyPoints {
		pointEnd := time.Unix((first+int64(i)+1)*60, 0)
		h.ServiceLevel[i] = math.NaN()
		if den[i] > 0 && (!w.today || pointEnd.After(dayStart)) {
			h.ServiceLevel[i] = num[i] / den[i]
		}
	}
	// The last point ends now, not at its minute's end: it is the headline.
	h.ServiceLevel[historyPoints-1] = math.NaN()
	if headline != nil {
		h.ServiceLevel[historyPoints-1] = *headline
	}
	f.waitHist.fill(h.Waiting, f.now)
	return h
}

func historyLabels(w Window) HistoryLabels {
	sl := "SL over the last " + w.String()
	switch {
	case w.today:
		sl = "SL today so far"
	case w.span == 0:
		sl = "SL since the first event"
	}
	return HistoryLabels{ServiceLevel: sl + ", at each minute", Waiting: "most calls waiting, per minute", Arrivals: "calls offered per minute"}
}
