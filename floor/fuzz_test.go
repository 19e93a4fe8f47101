package floor

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// sampleLines are the lines of a recording in the repository's testdata,
// seeds of the fold's fuzz corpus.
func sampleLines(tb testing.TB, name string) [][]byte {
	tb.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	feed.EachLine(b, func(line []byte) bool {
		out = append(out, line)
		return true
	})
	return out
}

// FuzzFold folds a recording with one line replaced by the fuzzer's, in
// both modes, and checks what must hold whatever arrives.
func FuzzFold(f *testing.F) {
	lines := sampleLines(f, "sample.jsonl")
	for i, l := range lines {
		f.Add(uint8(i), l)
	}
	// Protocol 1.1 lines in the version 1 recording's place: abandon
	// reasons, transfers out, callers and channels, drill lines.
	for i, l := range sampleLines(f, "protocol-1.1.jsonl") {
		f.Add(uint8(i), l)
	}
	f.Add(uint8(17), []byte(`{"type":"call.abandoned","seq":18,"ts":"2026-11-23T08:02:30.000Z","call":"c4","queue":"support","reason":"withdrawn"}`))
	f.Add(uint8(23), []byte(`{"type":"call.transferred","seq":24,"ts":"2026-11-23T08:04:50.000Z","call":"c2","agent":"a2","to":"+15550100"}`))
	f.Add(uint8(13), []byte(`{"type":"call.offered","seq":14,"ts":"2026-11-23T08:01:00.000Z","call":"c3","queue":"support","caller":"c2","channel":7}`))
	f.Add(uint8(0), []byte(`{"type":"drill.started","seq":1,"ts":"2026-11-23T08:00:00.000Z","scenario":"rush","seed":3,"briefing":"go"}`))
	f.Add(uint8(1), []byte(`{"type":"drill.action","seq":2,"ts":"2026-11-23T08:00:00.000Z","by":"sam","command":null,"result":"refused: no"}`))
	f.Add(uint8(3), []byte(`{"type":"call.answered","seq":4,"ts":"2026-11-23T08:00:00.000Z","call":"c9","queue":"support","agent":"a1"}`))
	f.Add(uint8(5), []byte(`{"type":"snapshot","seq":99,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[],"calls":[{"call":"c1","queue":"q","offered":"2026-11-23T07:00:00Z","answered":null,"ended":null}]}`))
	// A rerun's hello: the clock goes back, a new floor starts.
	f.Add(uint8(20), []byte(`{"type":"hello","v":1,"feed":"f","stream":"again","seq":0,"ts":"2026-11-23T08:00:00.000Z"}`))
	f.Fuzz(func(t *testing.T, at uint8, line []byte) {
		for _, mode := range []Mode{Recording, Live} {
			fl := New(Options{})
			for i, l := range lines {
				if i == int(at)%len(lines) {
					l = line
				}
				fl.IngestLine(l, mode)
			}
			checkInvariants(t, fl)
		}
	})
}

// checkSums: the channels add up to the floor, and the intervals (unless
// some were let go) to the window, ending at the one that holds now.
func checkSums(t *testing.T, r *Report) {
	t.Helper()
	type sums struct{ offered, answered, within, abandoned, short int64 }
	var ch, iv sums
	waiting := 0
	for _, c := range r.Channels {
		ch = sums{ch.offered + c.Offered, ch.answered + c.Answered, ch.within + c.AnsweredWithin, ch.abandoned + c.Abandoned, ch.short + c.ShortAbandoned}
		waiting += c.Waiting
	}
	m := r.Floor
	if floor := (sums{m.Offered, m.Answered, m.AnsweredWithin, m.Abandoned, m.ShortAbandoned}); ch != floor || waiting != m.Waiting {
		t.Fatalf("%s: the channels add up to %+v (%d waiting), the floor is %+v (%d)", r.Window, ch, waiting, floor, m.Waiting)
	}
	if r.IntervalSize == 0 || !r.IntervalsFrom.IsZero() {
		return
	}
	for i, v := range m.Intervals {
		iv = sums{iv.offered + v.Offered, iv.answered + v.Answered, iv.within + v.AnsweredWithin, iv.abandoned + v.Abandoned, iv.short + v.ShortAbandoned}
		if i > 0 && !m.Intervals[i-1].End.Equal(v.Start.Time) || v.InProgress != (i == len(m.Intervals)-1) {
			t.Fatalf("intervals not consecutive, or not ending now: %+v", m.Intervals)
		}
	}
	if n := len(m.Intervals); n > 0 && (r.Now.Before(m.Intervals[n-1].Start.Time) || !r.Now.Before(m.Intervals[n-1].End)) {
		t.Fatalf("now %v is not in the last interval %+v", r.Now, m.Intervals[n-1])
	}
	if floor := (sums{m.Offered, m.Answered, m.AnsweredWithin, m.Abandoned, m.ShortAbandoned}); iv != floor {
		t.Fatalf("the intervals add up to %+v, the floor is %+v", iv, floor)
	}
}

func checkInvariants(t *testing.T, fl *Floor) {
	t.Helper()
	nWaiting := 0
	for _, c := range fl.calls {
		if c.state == waiting {
			nWaiting++
		}
	}
	if fl.waiting != nWaiting {
		t.Fatalf("waiting counter %d, calls waiting %d", fl.waiting, nWaiting)
	}
	for _, w := range []Window{All.WithIntervals(15 * time.Minute), Today, Rolling(DefaultHorizon)} {
		r := fl.Report(w)
		if r.Floor.Waiting != nWaiting {
			t.Fatalf("%v: report waiting %d, calls waiting %d", w, r.Floor.Waiting, nWaiting)
		}
		checkSums(t, r)
		ms := []Metrics{r.Floor}
		for _, q := range r.Queues {
			ms = append(ms, q.Metrics)
		}
		for _, m := range ms {
			if m.Offered < 0 || m.Answered < 0 || m.Abandoned < 0 || m.ShortAbandoned < 0 || m.AnsweredWithin < 0 ||
				m.Waiting < 0 || m.AnsweredWithin > m.Answered || m.ShortAbandoned > m.Abandoned {
				t.Fatalf("%v: impossible counts %+v", w, m)
			}
			for _, v := range []*float64{m.ServiceLevel, m.Occupancy} {
				if v != nil && (*v < 0 || *v > 1) {
					t.Fatalf("%v: ratio out of 0..1 in %+v", w, m)
				}
			}
		}
		for _, m := range ms {
			var byReason int64
			for _, n := range m.AbandonedByReason {
				byReason += n
			}
			if m.AbandonedByReason == nil || byReason != m.Abandoned {
				t.Fatalf("%v: abandoned %d, by reason %v", w, m.Abandoned, m.AbandonedByReason)
			}
		}
		for _, a := range r.Agents {
			if a.Handled < 0 || a.Missed < 0 || a.AuxS < 0 || a.StateS < 0 {
				t.Fatalf("%v: impossible agent %+v", w, a)
			}
		}
		h := r.History
		for i, v := range h.ServiceLevel {
			if v < 0 || v > 1 || h.Arrivals[i] < 0 || h.Waiting[i] < 0 {
				t.Fatalf("%v: history point %d out of range: %v, %v, %v", w, i, v, h.Arrivals[i], h.Waiting[i])
			}
		}
		if last := h.ServiceLevel[len(h.ServiceLevel)-1]; (r.Floor.ServiceLevel == nil) != math.IsNaN(last) ||
			r.Floor.ServiceLevel != nil && last != *r.Floor.ServiceLevel {
			t.Fatalf("%v: the SL series ends at %v, the headline is %v", w, last, Pct(r.Floor.ServiceLevel))
		}
		for i, a := range r.Alerts {
			if !a.Active() && a.Ended.Before(a.Began) || i > 0 && a.Began.After(r.Alerts[i-1].Began) {
				t.Fatalf("%v: alert log out of order: %+v", w, r.Alerts)
			}
		}
		for i, it := range r.Recovery {
			if i > 0 && it.At.After(r.Recovery[i-1].At) {
				t.Fatalf("%v: recovery not newest first: %+v", w, r.Recovery)
			}
			if it.Redial != nil && (it.Redial.Call == it.Call || it.Redial.At.Before(it.At)) {
				t.Fatalf("%v: %s's redial %+v is not a later call", w, it.Call, *it.Redial)
			}
		}
	}
	st := fl.Stats()
	if st.Events < 0 || st.BadLines < 0 || st.Unknown < 0 || st.Duplicates < 0 || st.Gaps < 0 {
		t.Fatalf("negative counters %+v", st)
	}
}
