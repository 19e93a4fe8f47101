package live

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// recording is a floor's day as a recording: the simulator's steady-day.
func recording(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// foldUpTo is the report of a fresh fold of the lines of rec at or before
// until (zero: all of them), as `status --replay` would make it.
func foldUpTo(t testing.TB, rec []byte, until time.Time) string {
	t.Helper()
	h := NewHub(floor.New(floor.Options{}))
	var lines [][]byte
	ReadLines(bytes.NewReader(rec), func(line []byte) {
		if d := feed.Decode(line); until.IsZero() || d.Err != nil || !d.Event.TS.After(until) {
			lines = append(lines, append([]byte(nil), line...))
		}
	})
	h.Ingest(lines)
	return reportJSON(t, h)
}

func reportJSON(t testing.TB, h *Hub) string {
	t.Helper()
	b, err := json.Marshal(h.Report(floor.All))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadPlayer(t *testing.T, rec []byte, speed float64) (*Player, *Hub, func()) {
	t.Helper()
	hub := NewHub(floor.New(floor.Options{}))
	p, err := LoadPlayer(bytes.NewReader(rec), hub, func() *floor.Floor { return floor.New(floor.Options{}) }, speed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	return p, hub, func() { cancel(); <-done }
}

// until polls cond for up to 5 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// At full speed a replay ends with exactly the figures of the recording
// folded at once; seeking back folds afresh to the same figures as a fold
// up to there, and forward again to the end.
func TestPlayerFoldsAsTheRecording(t *testing.T) {
	rec := recording(t)
	p, hub, stop := loadPlayer(t, rec, 0)
	defer stop()
	until(t, "the replay ends", func() bool { return p.Status().Done })
	if got, want := reportJSON(t, hub), foldUpTo(t, rec, time.Time{}); got != want {
		t.Fatalf("replayed at max:\n%s\nfolded at once:\n%s", got, want)
	}
	st := p.Status()
	if !st.At.Equal(st.End) || !st.Start.Before(st.End) {
		t.Fatalf("at the end: %+v", st)
	}
	// Paused, or full speed would play on to the end at once.
	p.TogglePause()
	back := st.End.Add(-5 * time.Minute)
	p.Seek(-5 * time.Minute)
	until(t, "the seek back", func() bool { return p.Status().At.Equal(back) })
	if got, want := reportJSON(t, hub), foldUpTo(t, rec, back); got != want {
		t.Errorf("5 minutes back:\n%s\nwant\n%s", got, want)
	}
	p.SeekStart()
	until(t, "the seek to the start", func() bool { return p.Status().At.Equal(st.Start) })
	p.SeekEnd()
	until(t, "the seek to the end, paused", func() bool { return p.Status().Done })
	if got, want := reportJSON(t, hub), foldUpTo(t, rec, time.Time{}); got != want {
		t.Error("the end after seeking about differs from the recording folded at once")
	}
}

// Paced, the floor clock moves at the speed; paused, it stands.
func TestPlayerPaceAndPause(t *testing.T) {
	p, _, stop := loadPlayer(t, recording(t), 600)
	defer stop()
	start := p.Status().At
	time.Sleep(300 * time.Millisecond)
	moved := p.Status().At.Sub(start)
	// 0.3 s at 600× is 3 minutes of floor time, give or take a tick.
	if moved < 2*time.Minute || moved > 5*time.Minute {
		t.Errorf("0.3 s at 600× moved the floor %v, want about 3m", moved)
	}
	p.TogglePause()
	until(t, "the pause", func() bool { return p.Status().Paused })
	// A step that began before the pause may still land: wait for it.
	until(t, "the last step before the pause", func() bool {
		before := p.Status().At
		time.Sleep(20 * time.Millisecond)
		return p.Status().At.Equal(before)
	})
	at := p.Status().At
	time.Sleep(250 * time.Millisecond)
	if p.Status().At != at {
		t.Error("the floor moved while paused")
	}
	for _, want := range []float64{0, 0, 600, 60, 10, 1, 1} {
		if want == 0 {
			p.Faster()
		} else {
			p.Slower()
		}
		if got := p.Status().Speed; got != want {
			t.Fatalf("speed %v, want %v", got, want)
		}
	}
}

func TestPlayerRefusesAFileWithoutEvents(t *testing.T) {
	_, err := LoadPlayer(bytes.NewReader([]byte("# not a recording\nhello\n")), NewHub(floor.New(floor.Options{})),
		func() *floor.Floor { return floor.New(floor.Options{}) }, 60)
	if err == nil {
		t.Fatal("a file with no event loaded")
	}
}
