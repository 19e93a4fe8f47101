package simulator

import (
	"flag"
	"math"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/erlang"
	"github.com/floorwatch/floorwatch/feed"
)

var long = flag.Bool("long", false, "run the long validation sweep")

// mmn is an M/M/N(+M) floor: one queue, exponential handling, no wrap-up,
// agents on all run with no breaks or misses, and no surveys.
func mmn(n int, perHour, ahtS float64, patienceS *float64, dur time.Duration, seed int64) *Scenario {
	zero := 0.0
	return &Scenario{Name: "mmn", Seed: seed, Start: Timestamp{DefaultStart}, Duration: Duration(dur),
		Surveys: &SurveySpec{Rate: zero},
		Queues: []QueueSpec{{Queue: "q", CallsPerHour: perHour, AHTS: ahtS, Handle: "exponential",
			PatienceS: patienceS}},
		Agents: []AgentSpec{{Count: n, Queues: []string{"q"}}}}
}

// batchStats are per-batch figures of calls grouped by the time they were
// offered: the run after a warm-up is cut into equal spans.
type batchStats struct {
	pWait, sl, asa, abandon []float64
	calls                   int
}

const (
	batches = 20
	// t(0.9995, 19): the two-sided 99.9% quantile of Student's t with 19
	// degrees of freedom, for the mean of 20 batch means. 24 figures are
	// checked, so 99.9% each keeps the chance that a correct simulator
	// fails any of them by bad luck under 2.5%.
	t999 = 3.883
)

func collect(t *testing.T, sc *Scenario, thresholdS float64) batchStats {
	t.Helper()
	if err := sc.check(); err != nil {
		t.Fatal(err)
	}
	s := New(sc, Options{})
	start := s.start
	dur := s.end - s.start
	warm := dur / 20
	span := (dur - warm) / batches
	type acc struct{ offered, waited, within, answered, abandoned, waitMs float64 }
	var b [batches]acc
	offered := map[string]int64{}
	bucket := func(at int64) *acc {
		i := (at - start - warm) / span
		if at-start < warm || i >= batches {
			return nil
		}
		return &b[i]
	}
	thr := int64(thresholdS * 1000)
	calls := 0
	for s.Step() {
		for _, ev := range s.Events() {
			at := ev.TS.UnixMilli()
			switch ev.Type {
			case feed.TypeOffered:
				offered[ev.Call] = at
				calls++
				if a := bucket(at); a != nil {
					a.offered++
				}
			case feed.TypeAnswered, feed.TypeAbandoned:
				off := offered[ev.Call]
				delete(offered, ev.Call)
				a := bucket(off)
				if a == nil {
					continue
				}
				w := at - off
				if w > 0 {
					a.waited++
				}
				if ev.Type == feed.TypeAbandoned {
					a.abandoned++
					continue
				}
				a.answered++
				a.waitMs += float64(w)
				if w <= thr {
					a.within++
				}
			}
		}
		s.Recycle()
	}
	var st batchStats
	st.calls = calls
	for _, a := range b {
		st.pWait = append(st.pWait, a.waited/a.offered)
		st.sl = append(st.sl, a.within/a.offered)
		st.asa = append(st.asa, a.waitMs/1000/a.answered)
		st.abandon = append(st.abandon, a.abandoned/a.offered)
	}
	return st
}

func meanSE(x []float64) (mean, se float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(x)-1) / float64(len(x)))
}

// check holds a simulated figure to theory: the batch-means 99.9% confidence
// interval must contain the theoretical value. slack covers what the
// model does on purpose that theory does not: times rounded to whole
// milliseconds.
func checkFigure(t *testing.T, name string, batch []float64, want, slack float64) {
	t.Helper()
	m, se := meanSE(batch)
	half := t999*se + slack
	t.Logf("%-10s simulated %.4f ± %.4f (99.9%%), Erlang %.4f", name, m, half, want)
	if math.Abs(m-want) > half {
		t.Errorf("%s: simulated %.4f ± %.4f (99.9%% batch means) does not cover the Erlang figure %.4f", name, m, half, want)
	}
	if half > 0.2*math.Max(want, 0.05) && name != "ASA" {
		t.Errorf("%s: the interval ±%.4f is too wide to show anything; run longer", name, half)
	}
}

type mmnCase struct {
	name      string
	n         int
	load      float64 // offered Erlangs
	patienceS *float64
	dur       time.Duration
}

func ptr(v float64) *float64 { return &v }

// The AHT is 60 s and the threshold 20 s throughout. Runs are long enough
// for 20 batches much longer than the queue's memory: about 200,000 calls
// for the small and medium floors, 1.2 million for the large one, whose
// queue at 95% load swings slowly.
var mmnCases = []mmnCase{
	{"small N=3 ρ=0.8", 3, 2.4, nil, 1400 * time.Hour},
	{"small N=3 patience", 3, 3.0, ptr(120), 1100 * time.Hour},
	{"medium N=20 ρ=0.9", 20, 18, nil, 200 * time.Hour},
	{"medium N=20 patience", 20, 20, ptr(120), 170 * time.Hour},
	{"large N=150 ρ=0.95", 150, 142.5, nil, 140 * time.Hour},
	{"large N=150 patience", 150, 155, ptr(90), 130 * time.Hour},
}

// TestMatchesErlang: with exponential handling, no wrap-up, no breaks and
// no misses the simulated floor is M/M/N (Erlang C) or, with patience,
// M/M/N+M (Erlang A); its probability of waiting, service level (answered
// within 20 s over offered), ASA and abandon rate must match.
func TestMatchesErlang(t *testing.T) {
	const aht, thr = 60.0, 20.0
	cases := mmnCases
	if *long {
		// Ten times the calls: the intervals shrink by about √10.
		for i := range cases {
			cases[i].dur *= 10
		}
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if raceDetector && c.n > 20 && !*long {
				// The model is one goroutine: the race detector has nothing
				// to check here and would take a minute over 2.4M calls.
				t.Skip("the 150-agent floors are validated without -race")
			}
			t.Parallel()
			perHour := c.load / aht * 3600
			st := collect(t, mmn(c.n, perHour, aht, c.patienceS, c.dur, int64(100+i)), thr)
			pat := 0.0
			if c.patienceS != nil {
				pat = *c.patienceS
			}
			m := erlang.NewA(c.n, perHour/3600, aht, pat)
			t.Logf("%d calls", st.calls)
			// Rounding each time to the ms moves a wait by under 1 ms.
			checkFigure(t, "P(wait)", st.pWait, m.PWait(), 1e-3)
			checkFigure(t, "SL", st.sl, m.ServiceLevel(thr), 1e-3)
			checkFigure(t, "ASA", st.asa, m.ASA(), 1e-3)
			checkFigure(t, "abandon", st.abandon, m.PAbandon(), 1e-3)
			if c.patienceS == nil {
				if a, _ := meanSE(st.abandon); a != 0 {
					t.Errorf("callers with no patience abandoned: rate %v", a)
				}
			}
		})
	}
}

// TestCheckFigureCanFail makes sure the validation would notice a
// simulator that is off: the same run held to a floor with one agent more
// is rejected.
func TestCheckFigureCanFail(t *testing.T) {
	t.Parallel()
	const aht, thr = 60.0, 20.0
	c := mmnCases[2]
	perHour := c.load / aht * 3600
	st := collect(t, mmn(c.n, perHour, aht, nil, c.dur, 7), thr)
	wrong := erlang.NewA(c.n+1, perHour/3600, aht, 0)
	m, se := meanSE(st.sl)
	if math.Abs(m-wrong.ServiceLevel(thr)) <= t999*se+1e-3 {
		t.Errorf("a floor of %d agents passes for %d: SL %.4f ± %.4f vs %.4f", c.n, c.n+1, m, t999*se, wrong.ServiceLevel(thr))
	}
}
