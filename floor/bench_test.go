package floor

import (
	"fmt"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// benchStream is a steady floor of 50 agents in 5 queues: every call is
// offered, answered, ended and wrapped, with the agent states around it and
// a survey for one call in four. Its mix of types is a real floor's.
func benchStream(calls int) [][]byte {
	var lines [][]byte
	seq := int64(0)
	at := t0
	emit := func(ev feed.Event) {
		seq++
		ev.Seq, ev.TS = seq, at
		lines = append(lines, feed.Encode(&ev))
	}
	const agents, queues = 50, 5
	for q := range queues {
		emit(feed.Event{Type: feed.TypeQueueConfig, Config: feed.DefaultQueueConfig(fmt.Sprintf("q%d", q))})
	}
	for a := range agents {
		emit(feed.Event{Type: feed.TypeAgentState, Agent: fmt.Sprintf("a%d", a), State: feed.StateAvailable,
			Skills: []string{fmt.Sprintf("q%d", a%queues)}, HasSkills: true})
	}
	csat := 4.0
	for i := range calls {
		c, q, a := fmt.Sprintf("c%d", i), fmt.Sprintf("q%d", i%queues), fmt.Sprintf("a%d", i%agents)
		at = at.Add(7 * time.Second)
		emit(feed.Event{Type: feed.TypeOffered, Call: c, Queue: q, Channel: "voice"})
		at = at.Add(5 * time.Second)
		emit(feed.Event{Type: feed.TypeAnswered, Call: c, Queue: q, Agent: a})
		emit(feed.Event{Type: feed.TypeAgentState, Agent: a, State: feed.StateOnCall})
		emit(feed.Event{Type: feed.TypeEnded, Call: c, Agent: a})
		emit(feed.Event{Type: feed.TypeAgentState, Agent: a, State: feed.StateWrapUp})
		emit(feed.Event{Type: feed.TypeWrapped, Call: c, Agent: a})
		emit(feed.Event{Type: feed.TypeAgentState, Agent: a, State: feed.StateAvailable})
		if i%4 == 0 {
			emit(feed.Event{Type: feed.TypeSurvey, Call: c, Agent: a, Queue: q, CSAT: &csat})
		}
	}
	return lines
}

// runStream feeds the stream over and over (a fresh floor each pass) until
// b.N lines have gone in, and reports the rate.
func runStream(b *testing.B, n int, feedOne func(f *Floor, i int)) {
	f := New(Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % n
		if j == 0 && i > 0 {
			b.StopTimer()
			f = New(Options{})
			b.StartTimer()
		}
		feedOne(f, j)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecode is the baseline: decoding alone.
func BenchmarkDecode(b *testing.B) {
	lines := benchStream(20000)
	runStream(b, len(lines), func(_ *Floor, i int) { feed.Decode(lines[i]) })
}

// BenchmarkDecodeFold decodes and folds; against BenchmarkDecode it shows
// what the fold adds.
func BenchmarkDecodeFold(b *testing.B) {
	lines := benchStream(20000)
	runStream(b, len(lines), func(f *Floor, i int) { f.IngestLine(lines[i], Recording) })
}

// BenchmarkFold folds events decoded beforehand.
func BenchmarkFold(b *testing.B) {
	lines := benchStream(20000)
	decoded := make([]feed.Decoded, len(lines))
	for i, l := range lines {
		decoded[i] = feed.Decode(l)
	}
	runStream(b, len(lines), func(f *Floor, i int) {
		d := decoded[i]
		f.ingest(&d, Recording)
	})
}

// BenchmarkReport is one report of a floor an hour into its shift.
func BenchmarkReport(b *testing.B) {
	f := New(Options{})
	for _, l := range benchStream(20000) {
		f.IngestLine(l, Recording)
	}
	for _, w := range []Window{All, Rolling(30 * time.Minute)} {
		b.Run(w.String(), func(b *testing.B) {
			for b.Loop() {
				f.Report(w)
			}
		})
	}
}

// BenchmarkReportFullRecovery is one report of a floor whose day's recovery
// list is full: maxRecoveryItems abandons by callers who each call twice,
// so half the items carry a redial.
// It is what a report costs at the list's bound.
func BenchmarkReportFullRecovery(b *testing.B) {
	f := New(Options{})
	emit := func(ev feed.Event) {
		if o := f.ingest(&feed.Decoded{Event: ev, HasSeq: true}, Recording); o != Applied {
			b.Fatalf("%s: %v %s", ev.Type, o, f.stats.LastError)
		}
	}
	seq := int64(0)
	for i := range maxRecoveryItems {
		// A call every 2 s from 08:00, all within the day; each caller
		// calls again 20,000 s after their first call abandoned.
		at := t0.Add(time.Duration(i) * 2 * time.Second)
		c, caller := fmt.Sprintf("c%d", i), fmt.Sprintf("+1555%07d", i%(maxRecoveryItems/2))
		seq++
		emit(feed.Event{Type: feed.TypeOffered, Seq: seq, TS: at, Call: c, Queue: "q1", Channel: feed.ChannelVoice, Caller: caller})
		seq++
		emit(feed.Event{Type: feed.TypeAbandoned, Seq: seq, TS: at.Add(30 * time.Second), Call: c, Queue: "q1", Reason: feed.ReasonCaller})
	}
	if n := len(f.Report(All).Recovery); n != maxRecoveryItems {
		b.Fatalf("%d items listed, want %d", n, maxRecoveryItems)
	}
	for b.Loop() {
		f.Report(All)
	}
}
