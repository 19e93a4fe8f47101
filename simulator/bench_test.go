package simulator

import (
	"fmt"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// bigCenter is a 1,000-agent, 20-queue center for 24 hours: 45 agents on
// each queue and 100 who take any of them, at about 90% load, with
// wrap-up, patience, misses and surveys.
func bigCenter() *Scenario {
	sc := &Scenario{Name: "big", Seed: 1, Start: Timestamp{DefaultStart}, Duration: Duration(24 * time.Hour)}
	var all []string
	for i := range 20 {
		id := fmt.Sprintf("q%02d", i)
		all = append(all, id)
		sc.Queues = append(sc.Queues, QueueSpec{Queue: id, CallsPerHour: 800, AHTS: 180, Handle: "lognormal",
			WrapS: 20, PatienceS: ptr(150)})
		sc.Agents = append(sc.Agents, AgentSpec{Count: 45, Queues: []string{id}, MissRate: 0.01})
	}
	sc.Agents = append(sc.Agents, AgentSpec{Count: 100, Queues: all})
	if err := sc.check(); err != nil {
		panic(err)
	}
	return sc
}

func runAll(s *Sim) int {
	n := 0
	for s.Step() {
		n += len(s.Events())
		s.Recycle()
	}
	return n
}

// BenchmarkGenerate: simulated events per second at max speed (generation
// only: no encoding), over the 24-hour big center.
func BenchmarkGenerate(b *testing.B) {
	sc := bigCenter()
	b.ReportAllocs()
	events := 0
	start := time.Now()
	for b.Loop() {
		events += runAll(New(sc, Options{}))
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkEncode: the same run, each event also encoded as its line.
func BenchmarkEncode(b *testing.B) {
	sc := bigCenter()
	b.ReportAllocs()
	events := 0
	start := time.Now()
	for b.Loop() {
		s := New(sc, Options{})
		for s.Step() {
			for _, ev := range s.Events() {
				_ = feed.Encode(ev)
				events++
			}
			s.Recycle()
		}
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
}
