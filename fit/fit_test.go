package fit

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

// play runs sc with seed to its end, as `sim --record` does, and reads
// the recording back as fit does.
func play(t testing.TB, sc *simulator.Scenario, seed int64) *day.Day {
	t.Helper()
	var rec bytes.Buffer
	n := int64(0)
	err := simulator.Run(context.Background(), simulator.New(sc, simulator.Options{Seed: &seed}), 0, func(batch []*feed.Event) {
		for _, ev := range batch {
			n++
			ev.Seq = n
			rec.Write(append(feed.Encode(ev), '\n'))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := day.Read(&rec, floor.New(floor.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// scenarios are the bundled scenarios a test fits: all of them, or two
// under the race detector, which runs ten times slower.
func scenarios() []simulator.BundledScenario {
	all := simulator.Bundled()
	if raceDetector {
		return []simulator.BundledScenario{all[0], all[3]}
	}
	return all
}

// comparison is an estimate against the truth, with its standard error.
type comparison struct {
	what          string
	got, want, se float64
}

// within checks every comparison against one bound: ZFor(all of them)
// standard errors, so that with every estimate unbiased the test fails by
// chance on fewer than Alpha of seeds.
func within(t *testing.T, cs []comparison) {
	t.Helper()
	z := ZFor(len(cs))
	worst := 0.0
	for _, c := range cs {
		d := math.Abs(c.got-c.want) / c.se
		worst = math.Max(worst, d)
		if !(d <= z) {
			t.Errorf("%s: fitted %.4g, true %.4g: %.1f standard errors (%.4g) apart; the bound is %.2f", c.what, c.got, c.want, d, c.se, z)
		}
	}
	t.Logf("%d comparisons, the worst %.2f standard errors apart (bound %.2f)", len(cs), worst, z)
	slices.SortFunc(cs, func(a, b comparison) int { return -cmpF(math.Abs(a.got-a.want)/a.se, math.Abs(b.got-b.want)/b.se) })
	for _, c := range cs[:min(3, len(cs))] {
		t.Logf("%s: %.4g vs %.4g (%.2f SE)", c.what, c.got, c.want, (c.got-c.want)/c.se)
	}
}

// truth answers what the scenario says at an instant: a queue's arrival
// rate (calls an hour, surges included) and the factor on its talk times.
type truth struct{ sc *simulator.Scenario }

func (tr truth) drillOn(d *simulator.DrillSpec, queue string, at time.Time) bool {
	if d.Queue != "" && d.Queue != queue {
		return false
	}
	start := tr.sc.Start.Truncate(24 * time.Hour).Add(time.Duration(d.At))
	return !at.Before(start) && (d.For == 0 || at.Before(start.Add(time.Duration(d.For))))
}

func (tr truth) rate(q *simulator.QueueSpec, at time.Time) float64 {
	r := q.CallsPerHour
	tod := at.Sub(at.Truncate(24 * time.Hour))
	for _, rs := range q.Rates {
		if time.Duration(rs.At) <= tod {
			r = rs.CallsPerHour
		}
	}
	for i := range tr.sc.Drills {
		if d := &tr.sc.Drills[i]; d.Type == simulator.DrillSurge && tr.drillOn(d, q.Queue, at) {
			r *= d.Factor
		}
	}
	return r
}

func (tr truth) talkFactor(queue string, at time.Time) float64 {
	f := 1.0
	for i := range tr.sc.Drills {
		if d := &tr.sc.Drills[i]; d.Type == simulator.DrillLongCalls && tr.drillOn(d, queue, at) {
			f *= d.Factor
		}
	}
	return f
}

// meanRate is the true mean rate over [from, to): every change of rate
// falls on a minute.
func (tr truth) meanRate(q *simulator.QueueSpec, from, to time.Time) float64 {
	var sum float64
	n := 0
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		sum += tr.rate(q, t)
		n++
	}
	return sum / float64(n)
}

// TestFitRecoversBundledScenarios: fitted to a recording of each bundled
// scenario, the estimates of arrival rates (each half-hour), talk and
// wrap-up times, patience, transfer and survey shares fall within
// sampling error of the scenario's own figures; the handle family is the
// scenario's; the agents, long-call spells and outages it scripts are
// found, and nothing else is.
func TestFitRecoversBundledScenarios(t *testing.T) {
	var cs []comparison
	for _, b := range scenarios() {
		sc := b.Scenario
		tr := truth{sc}
		d := play(t, sc, sc.Seed)
		f, err := Estimate(d, Options{Name: b.Name, Source: b.Name + ".jsonl"})
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		if _, err := f.Scenario(); err != nil {
			t.Fatalf("%s: %v\n%s", b.Name, err, f.YAML())
		}
		if !f.Start.Equal(sc.Start.Time) || f.Duration != time.Duration(sc.Duration) {
			t.Errorf("%s: fitted %v for %v; the scenario %v for %v", b.Name, f.Start, f.Duration, sc.Start, sc.Duration)
		}
		for i := range sc.Queues {
			spec := &sc.Queues[i]
			q := f.queue(spec.Queue)
			what := b.Name + " " + spec.Queue
			for _, r := range q.Rates {
				from := f.Start.Truncate(24 * time.Hour).Add(r.At)
				want := tr.meanRate(spec, from, from.Add(time.Duration(r.Hours*float64(time.Hour))))
				cs = append(cs, comparison{fmt.Sprintf("%s arrivals from %s", what, clockText(r.At)),
					r.PerHour(), want, math.Sqrt(want*r.Hours) / r.Hours})
			}
			// The talks outside the spells found: each at the factor of
			// the long calls the scenario had running when it was answered.
			var factors, spellFactors []float64
			for _, l := range d.Legs {
				if l.Queue != spec.Queue || l.Outcome != day.Answered || l.Ended.IsZero() {
					continue
				}
				if f.inSpell(spec.Queue, l.At) {
					spellFactors = append(spellFactors, tr.talkFactor(spec.Queue, l.At))
				} else {
					factors = append(factors, tr.talkFactor(spec.Queue, l.At))
				}
			}
			mf, _ := meanSD(factors)
			cs = append(cs, comparison{what + " talk time", q.Talk.Mean, spec.AHTS * mf, talkSE(spec, factors)})
			if q.Talk.Family != spec.Handle {
				t.Errorf("%s: talk fitted %s, the scenario's is %s", what, q.Talk.Family, spec.Handle)
			}
			for _, dr := range f.Drills {
				if dr.Type == simulator.DrillLongCalls && dr.Queue == spec.Queue {
					mf, _ := meanSD(spellFactors)
					cs = append(cs, comparison{what + " talk time in the long calls", dr.Mean, spec.AHTS * mf, talkSE(spec, spellFactors)})
					if mf == 1 {
						t.Errorf("%s: a spell of long calls the scenario does not have: %+v", what, *dr)
					}
				}
			}
			// Wrap-ups and patience are exponential: the SD is the mean.
			cs = append(cs, comparison{what + " wrap-up", q.Wrap.Mean, spec.WrapS, spec.WrapS / math.Sqrt(float64(q.Wrap.N))})
			cs = append(cs, comparison{what + " patience", q.Patience.MeanS(), *spec.PatienceS, *spec.PatienceS / math.Sqrt(float64(q.Patience.HungUp))})
			if spec.Transfer != nil {
				p, n := spec.Transfer.Rate, float64(q.Transfer.Conversations)
				cs = append(cs, comparison{what + " transfers", ratio(q.Transfer.Sent, q.Transfer.Conversations), p, math.Sqrt(p * (1 - p) / n)})
				if !slices.Equal(q.Transfer.To, spec.Transfer.To) {
					t.Errorf("%s: transfers to %v, the scenario's to %v", what, q.Transfer.To, spec.Transfer.To)
				}
			}
		}
		p, n := sc.Surveys.Rate, float64(f.Surveys.Wrapped)
		cs = append(cs, comparison{b.Name + " surveys", ratio(f.Surveys.Surveys, f.Surveys.Wrapped), p, math.Sqrt(p * (1 - p) / n)})
		agents := 0
		for _, g := range sc.Agents {
			agents += g.Count
		}
		if f.Agents() != agents || !f.FromStates {
			t.Errorf("%s: %d agents fitted, the scenario has %d", b.Name, f.Agents(), agents)
		}
		var outages []string
		for _, dr := range f.Drills {
			if dr.Type == simulator.DrillOutage {
				outages = append(outages, clockRange(dr.At, dr.For))
			}
		}
		var want []string
		for _, dr := range sc.Drills {
			if dr.Type == simulator.DrillOutage {
				want = append(want, clockRange(time.Duration(dr.At), time.Duration(dr.For)))
			}
		}
		if !slices.Equal(outages, want) {
			t.Errorf("%s: outages found %v, the scenario's %v", b.Name, outages, want)
		}
	}
	within(t, cs)
}

// talkSE is the standard error of the mean of talks answered at the
// long-call factors fs (one a talk), under the scenario's own handle
// distribution: the SD of a talk at factor f is cv·aht_s·f (cv 1 for the
// exponential, handle_cv for the lognormal).
//
// The durations' comparisons (talk, wrap-up, patience) take their
// standard error from the truth, as the arrivals', transfers' and surveys'
// do, and not from the sample: durations are skewed to the right, so a
// sample whose mean is low by chance has a low SD too, and the standard
// errors it measures shrink exactly when the estimate is low. Its lower
// tail is then far heavier than the normal one the Bonferroni bound
// assumes. A million samples of 240 exponential talks (Sales in
// outage-recovery) fall below −3.68 sample standard errors 9.3·10⁻⁴ of the
// time (above +3.68, 1.7·10⁻⁵) where the bound allows 1.2·10⁻⁴ a side: 4×
// too many false alarms in all; lognormal talks (cv 0.8), 6× too many.
// With the truth's SD the two tails sum to 3.1·10⁻⁴ (exponential, 1.3× the
// bound's 2.3·10⁻⁴) and 4.5·10⁻⁴ (lognormal, n = 240; less skewed with the
// thousand talks a support queue has). Seed 5's 238 Sales talks in
// outage-recovery average 243 s: −2.9 standard errors from the scenario's
// 300 s, but −3.75 of their own, past the bound of 3.68 under -race.
func talkSE(spec *simulator.QueueSpec, fs []float64) float64 {
	cv := 1.0
	if spec.Handle == "lognormal" {
		cv = simulator.DefaultHandleCV
		if spec.HandleCV != nil {
			cv = *spec.HandleCV
		}
	}
	var ss float64
	for _, f := range fs {
		ss += f * f
	}
	return cv * spec.AHTS * math.Sqrt(ss) / float64(len(fs))
}

// inSpell reports whether a talk answered at t lies in a spell of long
// calls the fit found on queue.
func (f *Fit) inSpell(queue string, t time.Time) bool {
	tod := f.zone.tod(t)
	for _, d := range f.Drills {
		if d.Type == simulator.DrillLongCalls && d.Queue == queue && !d.Twist && tod >= d.At && tod < d.At+d.For {
			return true
		}
	}
	return false
}

// counts are a span's counts on the floor.
type counts struct{ offered, answered, within, abandoned, short float64 }

// tally counts a day by span (bucket says which an instant is in): offers
// when offered, answers and abandons when they happen, as the contract's
// intervals count.
func tally(d *day.Day, bucket func(time.Time) time.Time) map[time.Time]*counts {
	out := map[time.Time]*counts{}
	at := func(t time.Time) *counts {
		c := out[bucket(t)]
		if c == nil {
			c = &counts{}
			out[bucket(t)] = c
		}
		return c
	}
	for _, l := range d.Legs {
		at(l.Offered).offered++
		switch l.Outcome {
		case day.Answered:
			c := at(l.At)
			c.answered++
			if l.Within {
				c.within++
			}
		case day.Abandoned:
			c := at(l.At)
			c.abandoned++
			if l.Short {
				c.short++
			}
		}
	}
	return out
}

func byHour(t time.Time) time.Time { return t.Truncate(time.Hour) }

func wholeDay(time.Time) time.Time { return time.Time{} }

// figures are the service level (exclude_short, every bundled queue's
// mode) and abandon rate, and how many calls each is of.
func (c *counts) figures() (sl, slN, ab, abN float64) {
	slN, abN = c.answered+c.abandoned-c.short, c.offered-c.short
	return c.within / slN, slN, (c.abandoned - c.short) / abN, abN
}

// replays simulates a fitted scenario with seeds 1 to runs and sets each
// span's service level and abandon rate in the recording beside the
// runs' mean. The error of one span is measured, not assumed: in units of
// √(s²(1 + 1/runs) + b²), where s is the span's standard deviation across
// the runs (the prediction error of one more run) and b the binomial
// standard error of the recording's own figure (a floor for spans that
// are all alike, 100 % answered in every run).
func replays(t *testing.T, what string, rec *day.Day, fitted *simulator.Scenario, runs int, bucket func(time.Time) time.Time) []comparison {
	reruns := make([]map[time.Time]*counts, runs)
	for k := range reruns {
		reruns[k] = tally(play(t, fitted, int64(k+1)), bucket)
	}
	var cs []comparison
	for span, c := range tally(rec, bucket) {
		sl, slN, ab, abN := c.figures()
		var sls, abs []float64
		for _, r := range reruns {
			if rc := r[span]; rc != nil {
				s, _, a, _ := rc.figures()
				sls, abs = append(sls, s), append(abs, a)
			}
		}
		for _, f := range []struct {
			name   string
			rec, n float64
			runs   []float64
		}{{"service level", sl, slN, sls}, {"abandon rate", ab, abN, abs}} {
			if f.n < 1 || len(f.runs) < 2 || slices.ContainsFunc(f.runs, math.IsNaN) {
				continue
			}
			mean, s := meanSD(f.runs)
			p := (f.rec*f.n + 2) / (f.n + 4) // Agresti–Coull: not 0 at 100 %
			se := math.Sqrt(s*s*(1+1/float64(len(f.runs))) + p*(1-p)/f.n)
			cs = append(cs, comparison{what + " " + span.Format("15:04") + " " + f.name, mean, f.rec, se})
		}
	}
	return cs
}

// replayRuns is how many seeds a fitted scenario is run with.
func replayRuns() int {
	if raceDetector {
		return 3
	}
	return 6
}

// TestFittedDayReplays: the scenario fitted to a recording, simulated
// again, gives the recording's service level and abandon rate hour by
// hour, within sampling error (replays) at ZFor(all the comparisons).
func TestFittedDayReplays(t *testing.T) {
	var cs []comparison
	for _, b := range scenarios() {
		sc := b.Scenario
		d := play(t, sc, sc.Seed)
		f, err := Estimate(d, Options{Name: b.Name, Source: b.Name + ".jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		fitted, err := f.Scenario()
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, replays(t, b.Name, d, fitted, replayRuns(), byHour)...)
	}
	within(t, cs)
}

// TestFitWithoutAgentStates: from a source with no agent states (a
// call-record export), the staffing is derived from the calls, the file
// says so, and the fitted day replays with the recording's service level
// and abandon rate over the day.
func TestFitWithoutAgentStates(t *testing.T) {
	var cs []comparison
	for _, b := range scenarios() {
		sc := b.Scenario
		d := play(t, sc, sc.Seed)
		d.Agents = nil
		f, err := Estimate(d, Options{Name: b.Name, Source: b.Name + ".csv"})
		if err != nil {
			t.Fatal(err)
		}
		fitted, err := f.Scenario()
		if err != nil {
			t.Fatal(err)
		}
		if f.FromStates || !strings.Contains(string(f.YAML()), "The recording has no agent states") {
			t.Errorf("%s: the file does not say its staffing is derived", b.Name)
		}
		cs = append(cs, replays(t, b.Name, d, fitted, replayRuns(), wholeDay)...)
	}
	within(t, cs)
}

// TestFittedFileExplainsItself: the file names each estimate's sample
// and method, and what it could not fit.
func TestFittedFileExplainsItself(t *testing.T) {
	sc, _ := simulator.Load("outage-recovery")
	f, err := Estimate(play(t, sc, sc.Seed), Options{Name: "thursday", Source: "thursday.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	y := string(f.YAML())
	for _, want := range []string{
		"fitted by `floorwatch fit` from thursday.jsonl",
		"maximum-likelihood exponential mean is total waiting ÷ hang-ups",
		"Lognormal by AIC", "Exponential by AIC",
		`- {type: outage, at: "10:00", for: 20m}`,
		"ring_s is kept",
		"redials are not fitted",
	} {
		if !strings.Contains(y, want) {
			t.Errorf("the file has no %q:\n%s", want, y)
		}
	}
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestTwists: a drill event given as a scenario writes one joins the
// fitted day; one that names no queue of the day, or is no drill, is
// refused with the reason.
func TestTwists(t *testing.T) {
	sc, _ := simulator.Load("callout")
	d := play(t, sc, sc.Seed)
	surge, err := ParseTwist(`{type: surge, at: "10:00", for: 1h, factor: 1.5, queue: support}`)
	if err != nil {
		t.Fatal(err)
	}
	callout, err := ParseTwist(`{type: callout, at: "09:30", agents: 3}`)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Estimate(d, Options{Name: "wednesday", Source: "wed.jsonl", Twists: []simulator.DrillSpec{surge, callout}})
	if err != nil {
		t.Fatal(err)
	}
	fitted, err := f.Scenario()
	if err != nil {
		t.Fatal(err)
	}
	got := fitted.Drills[len(fitted.Drills)-2:]
	if got[0] != surge || got[1] != callout || !strings.Contains(string(f.YAML()), "A twist, added with --twist") {
		t.Errorf("drills %+v", fitted.Drills)
	}
	for _, tc := range []struct{ twist, want string }{
		{`{type: surge, at: "10:00", for: 1h, factor: 1.5, queue: sales}`, `"sales" is not a queue`},
		{`{type: storm, at: "10:00"}`, `"storm" is not a drill`},
		{`{at: "10:00"}`, "no type"},
		{`{type: surge, when: "10:00"}`, `has no key "when"`},
	} {
		tw, err := ParseTwist(tc.twist)
		if err == nil {
			_, err = Estimate(d, Options{Twists: []simulator.DrillSpec{tw}})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.twist, err, tc.want)
		}
	}
}
