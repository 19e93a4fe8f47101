package queuelog

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// dayGen writes a day of queue_log in the 16+ layout for a random floor
// of two queues and eight agents (answers, misses, completions, transfers
// out of the floor and into the other queue, with the transfer line before
// or after the queue entry, abandons of every reason, pauses) and works
// out, line by line, the figures the floor must show. It knows nothing of
// the converter: the figures come from the values it writes.
type dayGen struct {
	rng    *rand.Rand
	lines  []genLine
	queues map[string]*queueFigures
	agents map[string]*agentFigures
	free   map[string]int64 // when each agent can take a call
	wrap   map[string]int64
	member map[string][]string
	calls  int
}

type genLine struct {
	ts   int64
	seq  int
	text string
}

type queueFigures struct {
	offered, answered, within, abandoned, short int64
	byReason                                    map[string]int64
	holdSum, ahtSum, ahtN                       int64
}

type agentFigures struct {
	handled, missed, transferred, ahtSum, ahtN int64
	aux                                        map[string]int64
}

const dayStart = 1700000000

func newDay(seed uint64) *dayGen {
	g := &dayGen{rng: rand.New(rand.NewPCG(seed, 1)), queues: map[string]*queueFigures{}, agents: map[string]*agentFigures{},
		free: map[string]int64{}, wrap: map[string]int64{"support": 10, "billing": 0},
		member: map[string][]string{"support": {"Ana", "Ben", "Chen", "Dee", "Eli"}, "billing": {"Dee", "Eli", "Fay", "Gus", "Hal"}}}
	g.line(dayStart, "NONE|NONE|NONE|QUEUESTART|")
	for _, q := range []string{"support", "billing"} {
		g.queues[q] = &queueFigures{byReason: map[string]int64{}}
		for _, a := range g.member[q] {
			g.line(dayStart+1, "MANAGER|%s|%s|ADDMEMBER|", q, a)
			g.agents[a] = &agentFigures{aux: map[string]int64{}}
		}
	}
	for t := int64(dayStart + 60); t < dayStart+6*3600; t += 1 + g.rng.Int64N(50) {
		g.calls++
		g.offer(fmt.Sprintf("%d.%d", t, g.calls), g.pick("support", "billing"), t, true)
	}
	return g
}

func (g *dayGen) line(ts int64, format string, args ...any) {
	g.lines = append(g.lines, genLine{ts, len(g.lines), fmt.Sprintf("%d|", ts) + fmt.Sprintf(format, args...)})
}

func (g *dayGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *dayGen) other(q string) string {
	if q == "support" {
		return "billing"
	}
	return "support"
}

// offer: call id waits in q from t; an agent answers when free, or the
// caller leaves first.
func (g *dayGen) offer(id, q string, t int64, enter bool) {
	qf := g.queues[q]
	qf.offered++
	if enter {
		g.line(t, "%s|%s|NONE|ENTERQUEUE||555%04d|1", id, q, g.calls)
	}
	agent := g.member[q][0]
	for _, a := range g.member[q] {
		if g.free[a] < g.free[agent] {
			agent = a
		}
	}
	hold := max(g.free[agent]-t, 0) + g.rng.Int64N(3)
	patience := 1 + g.rng.Int64N(150)
	if hold > patience || g.rng.IntN(20) == 0 {
		verb := g.pick("ABANDON", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW")
		reason := map[string]string{"ABANDON": feed.ReasonCaller, "EXITWITHTIMEOUT": feed.ReasonTimeout,
			"EXITEMPTY": feed.ReasonNoAgents, "EXITWITHKEY": feed.ReasonExitKey, "WITHDRAW": feed.ReasonWithdraw}[verb]
		data := fmt.Sprintf("1|1|%d", patience)
		switch verb {
		case "EXITWITHKEY":
			data = "3|" + data
		case "WITHDRAW":
			data += "|by supervisor"
		}
		g.line(t+patience, "%s|%s|NONE|%s|%s", id, q, verb, data)
		qf.abandoned++
		qf.byReason[reason]++
		if reason == feed.ReasonCaller && patience < 5 {
			qf.short++
		}
		return
	}
	if hold > 0 && g.rng.IntN(4) == 0 {
		missed := g.pick(g.member[q]...)
		if missed != agent {
			g.line(t+g.rng.Int64N(hold+1), "%s|%s|%s|RINGNOANSWER|%d", id, q, missed, 15000)
			g.agents[missed].missed++
		}
	}
	answered := t + hold
	g.line(answered, "%s|%s|%s|CONNECT|%d|%s.9|%d", id, q, agent, hold, id, 1+g.rng.IntN(10))
	qf.answered++
	qf.holdSum += hold
	if hold <= 20 {
		qf.within++
	}
	af := g.agents[agent]
	af.handled++
	talk := 20 + g.rng.Int64N(380)
	end := answered + talk
	g.free[agent] = end + g.wrap[q]
	switch r := g.rng.IntN(20); {
	case r < 15 || !enter: // a transferred call is not transferred again
		g.line(end, "%s|%s|%s|%s|%d|%d|1", id, q, agent, g.pick("COMPLETECALLER", "COMPLETEAGENT"), hold, talk)
		qf.ahtSum += talk + g.wrap[q]
		qf.ahtN++
		af.ahtSum += talk + g.wrap[q]
		af.ahtN++
	case r < 17:
		g.line(end, "%s|%s|%s|BLINDTRANSFER|%d|from-internal|%d|%d|1", id, q, agent, 2000+r, hold, talk)
		af.transferred++
	default:
		af.transferred++
		q2 := g.other(q)
		xfer := fmt.Sprintf("%s|%s|%s|ATTENDEDTRANSFER|BRIDGE|b-%s|%d|%d|1", id, q, agent, id, hold, talk)
		if r == 19 {
			// Asterisk 12+: the queue entry can come before the transfer line.
			g.line(end, "%s|%s|NONE|ENTERQUEUE||555%04d|1", id, q2, g.calls)
			g.line(end+1, "%s", xfer)
			g.offer(id, q2, end, false)
		} else {
			g.line(end, "%s", xfer)
			g.line(end+1, "%s|%s|NONE|ENTERQUEUE||555%04d|1", id, q2, g.calls)
			g.offer(id, q2, end+1, false)
		}
	}
	if g.rng.IntN(25) == 0 {
		// A pause between calls, while the agent is free.
		from := g.free[agent] + 5
		to := from + 300 + g.rng.Int64N(600)
		reason := g.pick("Break", "Lunch", "Training")
		for _, qq := range []string{"support", "billing"} {
			if slices.Contains(g.member[qq], agent) {
				g.line(from, "NONE|%s|%s|PAUSE|%s", qq, agent, reason)
				g.line(to, "NONE|%s|%s|UNPAUSE|", qq, agent)
			}
		}
		af.aux[reason] += to - from
		g.free[agent] = to
	}
}

// file is the day as Asterisk writes it: in time order.
func (g *dayGen) file() []byte {
	slices.SortStableFunc(g.lines, func(a, b genLine) int {
		if a.ts != b.ts {
			return int(a.ts - b.ts)
		}
		return a.seq - b.seq
	})
	var b strings.Builder
	for _, l := range g.lines {
		b.WriteString(l.text + "\n")
	}
	return []byte(b.String())
}

func TestGeneratedDay(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := newDay(seed)
			input := g.file()
			cfg := Config{Goals: goals(t, "queues:\n  support: {wrap_s: 10}\n  billing: {wrap_s: 0}\n")}
			r := convert(t, input, cfg) // every event applies, in time order
			if r.tally.Malformed != 0 || r.tally.Lines != int64(len(g.lines)) || len(r.tally.Skipped) != 1 {
				t.Errorf("tally %+v", r.tally)
			}
			if r.report.Feed.BadLines != 0 {
				t.Errorf("%d bad lines in the fold", r.report.Feed.BadLines)
			}
			for q, w := range g.queues {
				sourcetest.CheckCalls(t, q, r.queue(t, q).Metrics, sourcetest.Calls{Offered: w.offered, Answered: w.answered, Within: w.within,
					Abandoned: w.abandoned, Short: w.short, ByReason: w.byReason,
					SL:  float64(w.within) / float64(w.answered+w.abandoned-w.short),
					ASA: float64(w.holdSum) / float64(w.answered), AHT: float64(w.ahtSum) / float64(w.ahtN)})
			}
			for a, w := range g.agents {
				got := r.agent(t, a)
				if got.Handled != w.handled || got.Missed != w.missed || got.Transferred != w.transferred {
					t.Errorf("%s handled/missed/transferred %d/%d/%d, want %d/%d/%d", a, got.Handled, got.Missed, got.Transferred,
						w.handled, w.missed, w.transferred)
				}
				if w.ahtN > 0 {
					sourcetest.Approx(t, a+" aht_s", got.AHTS, float64(w.ahtSum)/float64(w.ahtN))
				}
				for reason, s := range w.aux {
					if got.AuxByReason[reason] != float64(s) {
						t.Errorf("%s aux %s = %v, want %d", a, reason, got.AuxByReason[reason], s)
					}
				}
			}
			if testing.Verbose() {
				fl := r.report.Floor
				t.Logf("%d lines, %d events: offered %d, answered %d, abandoned %v", len(g.lines), len(r.events),
					fl.Offered, fl.Answered, fl.AbandonedByReason)
			}

			// The file source reads the same day to the same events.
			path := filepath.Join(t.TempDir(), "queue_log")
			if err := os.WriteFile(path, input, 0o644); err != nil {
				t.Fatal(err)
			}
			var got []*feed.Event
			if err := newFileSource(path, false, cfg).Run(context.Background(), func(ev *feed.Event) { got = append(got, ev) }); err != nil {
				t.Fatal(err)
			}
			if encoded(&result{events: got}) != encoded(r) {
				t.Error("the file source's events differ from the converter's")
			}
		})
	}
}

// BenchmarkConvert: a generated day of queue_log through the converter,
// per line.
func BenchmarkConvert(b *testing.B) {
	input := newDay(1).file()
	lines := bytes.Count(input, []byte("\n"))
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConverter(Config{}, func(*feed.Event) {})
		var sp splitter
		sp.write(input, c)
		c.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
