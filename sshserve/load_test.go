package sshserve

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/tui"
)

var (
	loadSessions = flag.Int("ssh.load", 0, "run the SSH load test with this many concurrent dashboard sessions (e.g. 100)")
	loadFor      = flag.Duration("ssh.loadfor", 10*time.Second, "how long the load test measures")
)

// arrivals records when a session's output arrived.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) add(t time.Time) {
	a.mu.Lock()
	a.at = append(a.at, t)
	a.mu.Unlock()
}

// after is the first arrival later than t, or zero.
func (a *arrivals) after(t time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, _ := slices.BinarySearchFunc(a.at, t, func(x, t time.Time) int { return x.Compare(t) })
	for ; i < len(a.at); i++ {
		if a.at[i].After(t) {
			return a.at[i]
		}
	}
	return time.Time{}
}

// TestLoad opens many real dashboards (package tui) over SSH on one feed and
// checks every one of them redraws within a second of each event. Run with
// go test ./sshserve -run TestLoad -ssh.load 100 -v
func TestLoad(t *testing.T) {
	if *loadSessions == 0 {
		t.Skip("load test: pass -ssh.load N")
	}
	n := *loadSessions
	ff := startFeed(t)
	hub := live.NewHub(floor.New(floor.Options{}))
	stopFeed := follow(t, ff.url, hub)
	defer stopFeed()
	caughtUp(t, hub, ff)

	user := newSigner(t)
	srv, err := New(Config{
		HostKeyPath:    filepath.Join(t.TempDir(), "host_key"),
		AuthorizedKeys: []gossh.PublicKey{user.PublicKey()},
		Dashboard: func(r *lipgloss.Renderer, _ Viewer) (tea.Model, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			return tui.New(hub, tui.Options{Renderer: r, Context: ctx}), cancel
		},
		Status: hubStatus(hub),
		Log:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	ff.publish(1, 1)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	seen := make([]*arrivals, n)
	for i := range n {
		c, err := dial(ln.Addr().String(), nil, gossh.PublicKeys(user))
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		defer c.Close()
		seen[i] = &openTerminalWith(t, c, 120, 40, "", true).seen
	}
	waitSessions(t, srv, n)
	time.Sleep(2 * time.Second) // every dashboard has drawn its first frame

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	goroutinesAfter := runtime.NumGoroutine()

	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	wall0 := time.Now()
	var events []time.Time
	for seq := 2; time.Since(wall0) < *loadFor; seq++ {
		events = append(events, time.Now())
		ff.publish(seq, seq)
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(time.Second)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	wall := time.Since(wall0)

	var lat []time.Duration
	late := 0
	for _, ev := range events {
		for i := range n {
			got := seen[i].after(ev)
			d := got.Sub(ev)
			if got.IsZero() || d > time.Second {
				late++
				d = time.Second
			}
			lat = append(lat, d)
		}
	}
	slices.Sort(lat)
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
	heapPer := (int64(after.HeapInuse) - int64(before.HeapInuse)) / int64(n)
	t.Logf("%d sessions, %d events over %s", n, len(events), wall.Round(time.Millisecond))
	t.Logf("event→frame latency: p50 %s, p99 %s, max %s; later than 1 s: %d of %d",
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), late, len(lat))
	t.Logf("heap in use: %.1f MiB before, %.1f MiB with sessions: %.0f KiB per session; goroutines %d → %d (%.1f per session)",
		mib(before.HeapInuse), mib(after.HeapInuse), float64(heapPer)/1024, goroutinesBefore, goroutinesAfter,
		float64(goroutinesAfter-goroutinesBefore)/float64(n))
	t.Logf("CPU (server and clients in this process): %s over %s = %.1f%% of a core, %.2f%% per session",
		cpu.Round(time.Millisecond), wall.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds(), 100*cpu.Seconds()/wall.Seconds()/float64(n))
	if late > 0 {
		t.Errorf("%d event→frame waits over 1 s", late)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
