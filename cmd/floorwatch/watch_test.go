package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/tui"
)

// syncBuffer is the terminal the dashboard draws on in tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeTerminal replaces the dashboard's terminal for one test: it returns
// the screen and a writer whose bytes are the keys typed.
func fakeTerminal(t *testing.T) (*syncBuffer, *io.PipeWriter) {
	t.Helper()
	screen := &syncBuffer{}
	keys, typed := io.Pipe()
	saved, savedCheck := programOptions, needTerminal
	programOptions = []tea.ProgramOption{tea.WithInput(keys), tea.WithOutput(screen), tea.WithoutSignalHandler()}
	needTerminal = func() error { return nil }
	t.Cleanup(func() {
		programOptions, needTerminal = saved, savedCheck
		typed.Close()
	})
	return screen, typed
}

// waitFor polls the screen until it shows want.
// quitDashboard presses q on a dashboard's terminal (demo's, watch's) and
// waits for it to end cleanly with its error on done.
func quitDashboard(t *testing.T, typed io.Writer, done <-chan error) {
	t.Helper()
	typed.Write([]byte("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the dashboard: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the dashboard did not quit on q")
	}
}

func waitFor(t *testing.T, screen *syncBuffer, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(screen.String(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %q; it shows:\n%s", want, tail(screen.String(), 2000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// fixtureEvents are the dashboard's test floor as events to publish.
func fixtureEvents(t *testing.T) []*feed.Event {
	t.Helper()
	f, err := os.Open("../../tui/testdata/floor.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []*feed.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		d := feed.Decode(sc.Bytes())
		if d.Err != nil || d.Unknown || d.Event.IsControl() {
			continue
		}
		ev := d.Event
		evs = append(evs, &ev)
	}
	return evs
}

// The watch command end to end: a feed server on 127.0.0.1 with a token,
// the dashboard connected through the real client, keys typed, q quits.
func TestWatchShowsALiveFeed(t *testing.T) {
	screen, typed := fakeTerminal(t)
	srv := feed.NewServer(feed.ServerOptions{Feed: "test-floor", Tracker: floor.New(floor.Options{}), Token: "s3cret"})
	srv.Publish(fixtureEvents(t)...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, "", "") }()
	defer func() {
		cancel()
		<-served
	}()

	logFile := filepath.Join(t.TempDir(), "watch.log")
	ran := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch watch", flag.ContinueOnError)
		ran <- runWatch(fs, []string{"--token", "s3cret", "--log", logFile, "--window", "1h", "ws://" + ln.Addr().String() + "/"}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "● live", 10*time.Second)
	waitFor(t, screen, "Billing", 5*time.Second)
	typed.Write([]byte("3"))
	waitFor(t, screen, "sort attention", 5*time.Second)
	typed.Write([]byte("q"))
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not quit on q")
	}
	logged, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logged), ": live") {
		t.Errorf("the log does not record the connection going live:\n%s", logged)
	}
}

// A dashboard that panics ends the command with an error, not a quiet exit
// that looks like q.
func TestDashboardPanicIsAnError(t *testing.T) {
	fakeTerminal(t)
	calls := 0
	now := func() time.Time {
		// The first call makes the model; the next is the clock tick,
		// inside the program.
		if calls++; calls > 1 {
			panic("boom")
		}
		return time.Now()
	}
	hub := live.NewHub(floor.New(floor.Options{}))
	idle := func(ctx context.Context) error { <-ctx.Done(); return nil }
	ran := make(chan error, 1)
	go func() { ran <- runDashboard(hub, tui.Options{Now: now}, idle, log.New(io.Discard, "", 0)) }()
	select {
	case err := <-ran:
		if !errors.Is(err, tea.ErrProgramPanic) {
			t.Errorf("runDashboard: %v, want the panic reported", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard did not stop after its panic")
	}
}

func TestWatchUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"ws://a/", "ws://b/"},
		{"http://127.0.0.1:1/"},
		{"--window", "fortnight", "ws://127.0.0.1:1/"},
	} {
		fs := flag.NewFlagSet("floorwatch watch", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		err := runWatch(fs, args, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("watch %q: %v, want a usage error", args, err)
		}
	}
}

// The demo end to end: simulator, feed server and client, dashboard.
func TestDemoRunsTheSimulatorThroughAFeed(t *testing.T) {
	screen, typed := fakeTerminal(t)
	ran := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch demo", flag.ContinueOnError)
		ran <- runDemo(fs, []string{"--speed", "600"}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "● live", 10*time.Second)
	waitFor(t, screen, "Support", 10*time.Second)
	// Keys still answer while the feed pours in.
	typed.Write([]byte("6"))
	waitFor(t, screen, "counts on the arrows", 5*time.Second)
	quitDashboard(t, typed, ran)
}

func TestDemoUsage(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"--speed", "0"},
		{"--speed", "-3"},
	} {
		fs := flag.NewFlagSet("floorwatch demo", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		err := runDemo(fs, args, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("demo %q: %v, want a usage error", args, err)
		}
	}
}

// watch --replay: the dashboard on a recording, played through the same
// hub and fold; its keys reach the player.
func TestWatchReplaysARecording(t *testing.T) {
	screen, typed := fakeTerminal(t)
	ran := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch watch", flag.ContinueOnError)
		ran <- runWatch(fs, []string{"--replay", "../../testdata/sample.jsonl", "--speed", "1"}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "▶ replay 1×", 10*time.Second)
	typed.Write([]byte("+"))
	waitFor(t, screen, "▶ replay 10×", 5*time.Second)
	typed.Write([]byte(" "))
	waitFor(t, screen, "⏸ paused", 5*time.Second)
	typed.Write([]byte("\x1b[F")) // end: the last moment of the recording
	waitFor(t, screen, "at 08:08:20", 5*time.Second)
	typed.Write([]byte("q"))
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("watch --replay: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch --replay did not quit on q")
	}
}
