package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// bigFloor is a floor of 2,000 agents on 50 queues half an hour into a
// shift: every agent has handled calls, some are talking, some in aux, and
// calls wait in every queue.
func bigFloor(tb testing.TB) *live.Hub {
	tb.Helper()
	const queues, agents = 50, 2000
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	type line struct {
		at   time.Duration
		body string
	}
	var lines []line
	emit := func(at time.Duration, format string, args ...any) {
		lines = append(lines, line{at, fmt.Sprintf(format, args...)})
	}
	for q := 0; q < queues; q++ {
		emit(0, `"type":"queue.config","queue":"q%02d","name":"Queue %02d","sl_threshold_s":20,"sl_target":0.8`, q, q)
	}
	for a := 0; a < agents; a++ {
		emit(0, `"type":"agent.state","agent":"a%04d","name":"Agent %04d","state":"available","queues":["q%02d","q%02d"]`,
			a, a, a%queues, (a+7)%queues)
	}
	// Three rounds of calls per agent, the last one left open in some.
	n := 0
	for round := 0; round < 3; round++ {
		for a := 0; a < agents; a++ {
			n++
			q := a % queues
			start := time.Duration(round*600+a%300) * time.Second
			wait := time.Duration(5+a%40) * time.Second
			emit(start, `"type":"call.offered","call":"c%d","queue":"q%02d"`, n, q)
			emit(start+wait, `"type":"call.answered","call":"c%d","queue":"q%02d","agent":"a%04d"`, n, q, a)
			emit(start+wait, `"type":"agent.state","agent":"a%04d","state":"on_call"`, a)
			if round == 2 && a%5 == 0 {
				continue // still talking
			}
			emit(start+wait+200*time.Second, `"type":"call.ended","call":"c%d","agent":"a%04d"`, n, a)
			emit(start+wait+200*time.Second, `"type":"agent.state","agent":"a%04d","state":"wrap_up"`, a)
			emit(start+wait+230*time.Second, `"type":"call.wrapped","call":"c%d","agent":"a%04d"`, n, a)
			emit(start+wait+230*time.Second, `"type":"agent.state","agent":"a%04d","state":"available"`, a)
			emit(start+wait+240*time.Second, `"type":"survey.submitted","call":"c%d","agent":"a%04d","queue":"q%02d","csat":%d`, n, a, q, 1+a%5)
		}
	}
	for a := 1; a < agents; a += 9 {
		emit(1790*time.Second, `"type":"agent.state","agent":"a%04d","state":"aux","reason":"break"`, a)
	}
	for q := 0; q < queues; q++ {
		n++
		emit(1795*time.Second, `"type":"call.offered","call":"c%d","queue":"q%02d"`, n, q)
	}
	// A feed is in time order, its seq counting up.
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	var b bytes.Buffer
	for i, l := range lines {
		fmt.Fprintf(&b, `{"seq":%d,"ts":"%s",%s}`+"\n", i+1, feed.FormatTime(t0.Add(l.at)), l.body)
	}
	h := live.NewHub(floor.New(floor.Options{}))
	if err := h.Replay(&b); err != nil {
		tb.Fatal(err)
	}
	if r := h.Report(floor.All); len(r.Agents) != agents || len(r.Queues) != queues || r.Feed.BadLines != 0 {
		tb.Fatalf("big floor: %d agents, %d queues, %d bad lines (%s)", len(r.Agents), len(r.Queues), r.Feed.BadLines, r.Feed.LastError)
	}
	return h
}

func BenchmarkFrame(b *testing.B) { benchFrame(b, newModel(b, bigFloor(b), 160, 48)) }

func benchFrame(b *testing.B, m *Model) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.dirty = true
		m.View()
	}
}

// BenchmarkBaseline is the yardstick the frame is measured against in the
// same run: `status --json` of the same floor (encoding/json over the 2,000
// agents' report), a fixed amount of work whatever the machine.
func BenchmarkBaseline(b *testing.B) {
	benchBaseline(b, bigFloor(b).Report(floor.Rolling(30*time.Minute)))
}

func benchBaseline(b *testing.B, r *floor.Report) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFrameBudget draws the full 160×48 overview of 2,000 agents on 50
// queues and holds its median against the baseline measured alongside it:
// a frame must cost no more than about encoding the same floor as JSON once
// (about 2 ms on the machine these figures come from; see docs/perf-tui.md).
func TestFrameBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: not under -short or -race")
	}
	hub := bigFloor(t)
	m := newModel(t, hub, 160, 48)
	r := hub.Report(floor.Rolling(30 * time.Minute))
	var frames, bases []float64
	for range 3 {
		frames = append(frames, float64(testing.Benchmark(func(b *testing.B) { benchFrame(b, m) }).NsPerOp()))
		bases = append(bases, float64(testing.Benchmark(func(b *testing.B) { benchBaseline(b, r) }).NsPerOp()))
	}
	frame, base := median(frames), median(bases)
	ratio := frame / base
	t.Logf("frame median %.2f ms, baseline median %.2f ms, ratio %.2f", frame/1e6, base/1e6, ratio)
	// 1.25, not 1: the baseline allocates heavily and its timing swings
	// with the garbage collector on a shared machine.
	if ratio > 1.25 {
		t.Errorf("a frame costs %.2f× the baseline, want at most 1.25×", ratio)
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// BenchmarkChangeFrame is the whole cost of one frame after the feed
// changed: the hub recomputes the reports (shown window and the alerts'
// window), the model re-sorts 2,000 agents and judges alerts, then draws.
func BenchmarkChangeFrame(b *testing.B) {
	hub := bigFloor(b)
	m := newModel(b, hub, 160, 48)
	r := hub.Report(floor.All)
	beat := []byte(fmt.Sprintf(`{"type":"heartbeat","seq":%d,"ts":"%s"}`, r.Feed.LastSeq, feed.FormatTime(r.Now.Time)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hub.Frame(beat)
		m.Update(frameMsg{})
		m.View()
	}
}
