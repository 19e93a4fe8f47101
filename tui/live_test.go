package tui

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// 10,000 events folded one frame each, as fast as the hub takes them, while
// a real Bubble Tea program runs the dashboard: the screen is drawn a
// bounded number of times (the frame cap plus the clock), and the last
// frame shows every event.
func TestBurstCausesBoundedRenders(t *testing.T) {
	hub := testHub(t)
	m := New(hub, Options{Renderer: asciiRenderer(), Now: func() time.Time { return wallNow }, Window: floor.Rolling(30 * time.Minute)}).(*Model)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler(), tea.WithContext(ctx))
	done := make(chan tea.Model, 1)
	go func() {
		final, err := p.Run()
		if err != nil {
			t.Errorf("program: %v", err)
		}
		done <- final
	}()
	p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})

	const events = 10000
	t0 := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	start := time.Now()
	seq := int64(110)
	for i := 0; i < events/2; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		seq++
		offered := fmt.Sprintf(`{"type":"call.offered","seq":%d,"ts":"%s","call":"b%d","queue":"support"}`, seq, feed.FormatTime(at), i)
		seq++
		abandoned := fmt.Sprintf(`{"type":"call.abandoned","seq":%d,"ts":"%s","call":"b%d","queue":"support"}`, seq, feed.FormatTime(at.Add(time.Second)), i)
		for _, line := range []string{offered, abandoned} {
			if hub.Frame([]byte(line)) {
				t.Fatalf("gap at seq %d", seq)
			}
		}
	}
	burst := time.Since(start)
	// Let the last frame tick land, then quit.
	time.Sleep(4 * DefaultFrameInterval)
	p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	var final *Model
	select {
	case fm := <-done:
		final = fm.(*Model)
	case <-ctx.Done():
		t.Fatal("the program did not quit")
	}
	elapsed := time.Since(start)
	if got := final.report.Feed.LastSeq; got != seq {
		t.Errorf("last frame shows seq %d, want %d: the final change was not drawn", got, seq)
	}
	// One draw per frame tick, one per clock second, the window size, the
	// first frame and the quit key.
	bound := int(elapsed/DefaultFrameInterval) + int(elapsed/time.Second) + 4
	t.Logf("%d events in %v; %d renders in %v (bound %d)", events, burst, final.Renders(), elapsed, bound)
	if final.Renders() > bound {
		t.Errorf("%d renders for %d events in %v, want at most %d", final.Renders(), events, elapsed, bound)
	}
	if final.Renders() > events/20 {
		t.Errorf("%d renders for %d events: not coalesced", final.Renders(), events)
	}
}
