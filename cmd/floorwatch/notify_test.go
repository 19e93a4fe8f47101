package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/floor"
)

// hook is a chat webhook on loopback that fails the first fails posts.
type hook struct {
	mu       sync.Mutex
	fails    int
	status   int // of a failure
	attempts int
	got      []notice
	hold     chan struct{} // when set, each post waits on it
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.hold != nil {
		<-h.hold
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attempts++
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON post", http.StatusBadRequest)
		return
	}
	if h.fails > 0 {
		h.fails--
		w.WriteHeader(h.status)
		return
	}
	var n notice
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &n); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.got = append(h.got, n)
}

func (h *hook) posted() (attempts int, got []notice) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.attempts, append([]notice(nil), h.got...)
}

func testNotifier(t *testing.T, h *hook) (*notifier, func()) {
	t.Helper()
	srv := httptest.NewServer(h)
	nt, err := newNotifier(srv.URL+"/hooks/floor", log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	nt.backoff = func(int) time.Duration { return 10 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		nt.run(ctx)
	}()
	return nt, func() {
		cancel()
		<-done
		srv.Close()
	}
}

func waitPosted(t *testing.T, h *hook, n int) []notice {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, got := h.posted(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, got := h.posted()
	t.Fatalf("%d notices posted, want %d", len(got), n)
	return nil
}

var overrun = alerts.Alert{Alert: floor.Alert{Key: "pause_overrun:a8@2026-11-23T08:29:00.000Z", Kind: floor.AlertPauseOverrun,
	Subject: "a8", SubjectName: "Hana Sato", Detail: "break 4:30 > 3:00 planned", Began: time.Date(2026, 11, 23, 8, 29, 0, 0, time.UTC)}}

// A new alert reaches the webhook as JSON whose text a chat shows, after
// the webhook's failures (a 503, a 429) are retried.
func TestNotifyPostsTextAndRetries(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		h := &hook{fails: 2, status: status}
		nt, stop := testNotifier(t, h)
		nt.Notify(noticeOf(overrun, "acme-east"))
		got := waitPosted(t, h, 1)
		stop()
		want := "⚠ floorwatch: acme-east · Hana Sato: pause overrun (break 4:30 > 3:00 planned, since 08:29:00 on the floor clock)"
		if got[0].Text != want || got[0].Kind != "pause_overrun" || got[0].Subject != "a8" {
			t.Errorf("%d: posted %+v, want text %q", status, got[0], want)
		}
		if attempts, _ := h.posted(); attempts != 3 || nt.sent.Load() != 1 || nt.failed.Load() != 0 {
			t.Errorf("%d: %d attempts, %d sent, %d failed; want 3, 1, 0", status, attempts, nt.sent.Load(), nt.failed.Load())
		}
	}
}

// A webhook that refuses a notice for good (a 4xx) is not retried; one
// that keeps failing is given up on after notifyAttempts.
func TestNotifyGivesUp(t *testing.T) {
	for _, tc := range []struct {
		status, attempts int
	}{{http.StatusNotFound, 1}, {http.StatusBadGateway, notifyAttempts}} {
		h := &hook{fails: 100, status: tc.status}
		nt, stop := testNotifier(t, h)
		nt.Notify(noticeOf(overrun, ""))
		deadline := time.Now().Add(5 * time.Second)
		for nt.failed.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		if attempts, _ := h.posted(); attempts != tc.attempts || nt.failed.Load() != 1 {
			t.Errorf("%d: %d attempts, %d failed; want %d and 1", tc.status, attempts, nt.failed.Load(), tc.attempts)
		}
	}
}

// Notify never waits, however stuck the webhook: the queue is bounded, the
// oldest waiting notices give way, and every one let go is counted.
func TestNotifyNeverBlocks(t *testing.T) {
	h := &hook{hold: make(chan struct{})}
	nt, stop := testNotifier(t, h)
	defer stop()
	const n = 3 * notifyQueue
	start := time.Now()
	for i := range n {
		a := overrun
		a.Detail = strings.Repeat("x", i)
		nt.Notify(noticeOf(a, ""))
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("%d notices took %v to queue with the webhook stuck", n, took)
	}
	close(h.hold)
	// Every notice is posted or dropped: the newest notifyQueue waited,
	// with perhaps one the poster took before the webhook stuck.
	deadline := time.Now().Add(5 * time.Second)
	for nt.sent.Load()+nt.dropped.Load() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	_, got := h.posted()
	if sent, dropped := nt.sent.Load(), nt.dropped.Load(); sent+dropped != n || sent < notifyQueue || sent > notifyQueue+1 {
		t.Errorf("%d sent, %d dropped of %d; want the %d newest (perhaps and the first) sent, the rest dropped", sent, dropped, n, notifyQueue)
	}
	if last := got[len(got)-1]; len(last.Detail) != n-1 {
		t.Errorf("the newest notice was not kept: last posted has detail of %d", len(last.Detail))
	}
}
