//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/internal/bigfloor"
	"github.com/floorwatch/floorwatch/live"
)

// The yardsticks of issue 16, measured in one run, alternating, so that
// the machine's load weighs on both sides alike (docs/PERFORMANCE.md):
//
//	go test ./cmd/floorwatch -run TestSpeedRatios -v -args -speed.rounds=5
var speedRounds = flag.Int("speed.rounds", 0, "rounds of TestSpeedRatios (0 skips it)")

// TestSpeedRatios measures `sim --speed max --record` of the floor
// against bareLoop, and `status --replay` of the recording against
// bareDecode, each pair back to back (which goes first alternates), round
// after round.
func TestSpeedRatios(t *testing.T) {
	if *speedRounds <= 0 {
		t.Skip("a measurement, not a check: run with -args -speed.rounds=N")
	}
	dir := t.TempDir()
	scenario, recording, bare := filepath.Join(dir, "day.yaml"), filepath.Join(dir, "day.jsonl"), filepath.Join(dir, "bare.jsonl")
	if err := os.WriteFile(scenario, []byte(bigfloor.Scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "sim", "--scenario", scenario, "--speed", "max", "--record", recording)
	events := countLines(recording)
	var simWall, simCPU, replayWall, replayCPU []float64
	for round := 1; round <= *speedRounds; round++ {
		var bareEvents int
		loop, sim := pair(round, func() { bareEvents = writeBare(t, bare) },
			func() { mustRun(t, "sim", "--scenario", scenario, "--speed", "max", "--record", recording) })
		// Events a second, the simulator's over the bare loop's.
		rate := func(sim, loop float64) float64 { return float64(events) / sim / (float64(bareEvents) / loop) }
		simWall, simCPU = append(simWall, rate(sim.wall, loop.wall)), append(simCPU, rate(sim.cpu, loop.cpu))
		t.Logf("round %d  bare loop %d events %s, sim --record %d events %s: %.2f of the bare loop's events/s (CPU %.2f)",
			round, bareEvents, loop, events, sim, simWall[round-1], simCPU[round-1])

		decode, replay := pair(round, func() { bareDecode(t, recording) },
			func() { mustRun(t, "status", "--replay", recording, "--json") })
		replayWall, replayCPU = append(replayWall, replay.wall/decode.wall), append(replayCPU, replay.cpu/decode.cpu)
		t.Logf("round %d  encoding/json decode %s, status --replay --json %s: %.2f× the decode's time (CPU %.2f×)",
			round, decode, replay, replayWall[round-1], replayCPU[round-1])
	}
	t.Logf("sim --record / bare loop, events/s: wall %s; CPU %s", spread(simWall), spread(simCPU))
	t.Logf("status --replay / encoding/json decode, time: wall %s; CPU %s", spread(replayWall), spread(replayCPU))
}

// cost is what a run took: wall-clock seconds, and the process's CPU
// seconds (user and system), which other work on the machine sways less.
type cost struct{ wall, cpu float64 }

func (c cost) String() string { return fmt.Sprintf("%.3fs (CPU %.3fs)", c.wall, c.cpu) }

// pair runs a and b one after the other, b first in even rounds.
func pair(round int, a, b func()) (costA, costB cost) {
	if round%2 == 0 {
		costB = measure(b)
		return measure(a), costB
	}
	costA = measure(a)
	return costA, measure(b)
}

func measure(fn func()) cost {
	runtime.GC() // no garbage of the run before
	cpu0, start := cpuSeconds(), time.Now()
	fn()
	return cost{time.Since(start).Seconds(), cpuSeconds() - cpu0}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// spread is min, median and max.
func spread(v []float64) string {
	v = slices.Sorted(slices.Values(v))
	return fmt.Sprintf("median %.2f, range %.2f–%.2f over %d rounds", v[len(v)/2], v[0], v[len(v)-1], len(v))
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	if code := run(args, io.Discard, io.Discard); code != exitOK {
		t.Fatalf("floorwatch %v: exit %d", args, code)
	}
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// flatEvent holds every field of the recording's lines, as a program
// reading them with encoding/json and nothing else would declare them.
type flatEvent struct {
	Type          string   `json:"type"`
	Seq           int64    `json:"seq"`
	TS            string   `json:"ts"`
	Call          string   `json:"call"`
	Queue         string   `json:"queue"`
	Agent         string   `json:"agent"`
	Name          string   `json:"name"`
	State         string   `json:"state"`
	Queues        []string `json:"queues"`
	Reason        string   `json:"reason"`
	Caller        string   `json:"caller"`
	CSAT          *float64 `json:"csat"`
	NPS           *float64 `json:"nps"`
	CES           *float64 `json:"ces"`
	Comment       string   `json:"comment"`
	SLThresholdS  float64  `json:"sl_threshold_s"`
	SLTarget      float64  `json:"sl_target"`
	ShortAbandonS float64  `json:"short_abandon_s"`
	SLMode        string   `json:"sl_mode"`
}

// bareDecode reads path line by line, as status --replay does, into a
// flatEvent each.
func bareDecode(t *testing.T, path string) {
	t.Helper()
	n := 0
	err := live.ReadLines(openFile(t, path), func(line []byte) {
		var ev flatEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeBare(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	n := bareLoop(w, 1000, 11400, 300, 180, 24*time.Hour, 3)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// bareLoop is the M/M/N+M floor as a plain event loop: one heap of
// timed happenings, a queue of waiting calls, a line of free agents
// (longest idle first) and one buffer for the lines, the same lines sim
// writes for this floor (offers with a caller, answers, agent states,
// ends, wrap-ups, abandons, a survey for one call in five). It returns
// how many lines it wrote.
func bareLoop(w *bufio.Writer, agents int, perHour, ahtS, patienceS float64, length time.Duration, seed uint64) int {
	const (
		arrive = iota
		hangUp // the call's agent ends it
		giveUp // a waiting caller's patience runs out
	)
	type happening struct {
		at       int64 // ms since start
		kind, id int32 // id: a call, or for hangUp an agent
	}
	var h []happening
	push := func(x happening) {
		h = append(h, x)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if h[p].at <= h[i].at {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
	}
	pop := func() happening {
		top := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		for i := 0; ; {
			c := 2*i + 1
			if c >= last {
				break
			}
			if c+1 < last && h[c+1].at < h[c].at {
				c++
			}
			if h[i].at <= h[c].at {
				break
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
		return top
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	ms := func(meanS float64) int64 { return int64(rng.ExpFloat64() * meanS * 1000) }
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).UnixMilli()
	end := length.Milliseconds()

	var b []byte
	lines := 0
	var day int64 = -1
	var date []byte
	line := func(typ string, at int64) {
		lines++
		b = append(b[:0], `{"type":"`...)
		b = append(b, typ...)
		b = append(b, `","seq":`...)
		b = strconv.AppendInt(b, int64(lines), 10)
		b = append(b, `,"ts":"`...)
		t := start + at
		if d := t / 86_400_000; d != day {
			day, date = d, time.UnixMilli(t).UTC().AppendFormat(date[:0], "2006-01-02T")
		}
		b = append(b, date...)
		ofDay := t % 86_400_000
		b = append(appendPadded(b, ofDay/3_600_000, 2), ':')
		b = append(appendPadded(b, ofDay/60_000%60, 2), ':')
		b = append(appendPadded(b, ofDay/1000%60, 2), '.')
		b = append(appendPadded(b, ofDay%1000, 3), 'Z')
		b = append(b, '"')
	}
	call := func(c int32) { b = append(strconv.AppendInt(append(b, `,"call":"c`...), int64(c)+1, 10), '"') }
	agent := func(a int32) { b = append(appendPadded(append(b, `,"agent":"a`...), int64(a)+1, 4), '"') }
	emit := func() { b = append(b, "}\n"...); w.Write(b) }

	line("queue.config", 0)
	b = append(b, `,"queue":"q","name":"Q","sl_threshold_s":20,"sl_target":0.8,"short_abandon_s":5,"sl_mode":"exclude_short"`...)
	emit()
	free := make([]int32, 0, agents) // longest idle first
	for a := range int32(agents) {
		line("agent.state", 0)
		agent(a)
		b = append(b, `,"name":"Agent","state":"available","queues":["q"]`...)
		emit()
		free = append(free, a)
	}
	talking := make([]int32, agents) // each agent's call
	var waiting []int32              // calls waiting, oldest first
	var isWaiting []bool             // by call
	answer := func(at int64, c, a int32) {
		isWaiting[c] = false
		talking[a] = c
		line("call.answered", at)
		call(c)
		b = append(b, `,"queue":"q"`...)
		agent(a)
		emit()
		line("agent.state", at)
		agent(a)
		b = append(b, `,"state":"on_call"`...)
		emit()
		push(happening{at + ms(ahtS), hangUp, a})
	}
	push(happening{ms(3600 / perHour), arrive, 0})
	for len(h) > 0 {
		x := pop()
		switch x.kind {
		case arrive:
			c := int32(len(isWaiting))
			isWaiting = append(isWaiting, true)
			line("call.offered", x.at)
			call(c)
			b = append(b, `,"queue":"q","caller":"+1 555 `...)
			b = strconv.AppendInt(b, 100+rng.Int64N(900), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, 1000+rng.Int64N(9000), 10)
			b = append(b, '"')
			emit()
			if len(free) > 0 {
				a := free[0]
				free = free[1:]
				answer(x.at, c, a)
			} else {
				waiting = append(waiting, c)
				push(happening{x.at + ms(patienceS), giveUp, c})
			}
			if next := x.at + ms(3600/perHour); next < end {
				push(happening{next, arrive, 0})
			}
		case giveUp:
			if !isWaiting[x.id] {
				continue
			}
			isWaiting[x.id] = false
			line("call.abandoned", x.at)
			call(x.id)
			b = append(b, `,"queue":"q"`...)
			emit()
		case hangUp:
			a, c := x.id, talking[x.id]
			for _, typ := range [...]string{"call.ended", "call.wrapped"} {
				line(typ, x.at)
				call(c)
				agent(a)
				emit()
			}
			line("agent.state", x.at)
			agent(a)
			b = append(b, `,"state":"available"`...)
			emit()
			if rng.IntN(5) == 0 {
				line("survey.submitted", x.at)
				call(c)
				b = append(b, `,"queue":"q"`...)
				agent(a)
				b = append(b, `,"csat":`...)
				b = strconv.AppendInt(b, 1+rng.Int64N(5), 10)
				b = append(b, `,"nps":`...)
				b = strconv.AppendInt(b, rng.Int64N(11), 10)
				b = append(b, `,"ces":`...)
				b = strconv.AppendInt(b, 1+rng.Int64N(7), 10)
				emit()
			}
			for len(waiting) > 0 && !isWaiting[waiting[0]] {
				waiting = waiting[1:]
			}
			if len(waiting) > 0 {
				next := waiting[0]
				waiting = waiting[1:]
				answer(x.at, next, a)
			} else {
				free = append(free, a)
			}
		}
	}
	return lines
}

// appendPadded writes n with leading zeros to at least width digits.
func appendPadded(b []byte, n int64, width int) []byte {
	for limit := int64(10); width > 1; width-- {
		if n < limit {
			b = append(b, '0')
		}
		limit *= 10
	}
	return strconv.AppendInt(b, n, 10)
}
