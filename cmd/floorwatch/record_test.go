package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

var recT0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// recScript: a queue, an agent, then calls answered and wrapped in turn.
func recScript(calls int) []*feed.Event {
	evs := []*feed.Event{
		{Type: feed.TypeQueueConfig, TS: recT0, Queue: "q", Config: feed.DefaultQueueConfig("q")},
		{Type: feed.TypeAgentState, TS: recT0, Agent: "a1", State: feed.StateAvailable, Skills: []string{"q"}, HasSkills: true},
	}
	for i := 0; i < calls; i++ {
		at := recT0.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("c%d", i)
		evs = append(evs,
			&feed.Event{Type: feed.TypeOffered, TS: at, Call: id, Queue: "q", Channel: "voice"},
			&feed.Event{Type: feed.TypeAnswered, TS: at.Add(time.Duration(i%30) * time.Second), Call: id, Queue: "q", Agent: "a1"},
			&feed.Event{Type: feed.TypeEnded, TS: at.Add(40 * time.Second), Call: id, Agent: "a1"},
			&feed.Event{Type: feed.TypeWrapped, TS: at.Add(50 * time.Second), Call: id, Agent: "a1"})
	}
	return evs
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// The recorder writes each frame as it arrives (a second process can read
// it while recording goes on), stops with exit 0 when the feed ends, and
// its file replays to the figures the server itself folded.
func TestRecordWritesAsItGoes(t *testing.T) {
	tracker := floor.New(floor.Options{})
	srv := feed.NewServer(feed.ServerOptions{Feed: "rec", Tracker: tracker, Now: func() time.Time { return recT0 }})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	evs := recScript(30)
	srv.Publish(evs[:10]...)

	path := filepath.Join(t.TempDir(), "floor.jsonl")
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := runCmd("record", url, "-o", path)
		done <- result{code, out, errs}
	}()
	// hello, then the ten retained events (?since=0), before anything ends.
	waitLines(t, path, 11)
	srv.Publish(evs[10:]...)
	waitLines(t, path, 1+len(evs))
	srv.End()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("record did not stop when the feed ended")
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if want := fmt.Sprintf("last seq %d", len(evs)); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not report %q", r.stderr, want)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hub := live.NewHub(floor.New(floor.Options{}))
	if err := hub.Replay(f); err != nil {
		t.Fatal(err)
	}
	got, want := hub.Report(floor.All), tracker.Report(floor.All)
	if got.Feed.Events != int64(len(evs)) || got.Feed.BadLines+got.Feed.Gaps+got.Feed.Duplicates != 0 {
		t.Fatalf("replayed feed stats %+v, want %d clean events", got.Feed, len(evs))
	}
	if g, w := figures(t, got), figures(t, want); g != w {
		t.Fatalf("the recording replays to\n%s\nbut the server folded\n%s", g, w)
	}
}

// figures is a report's JSON without its line accounting.
func figures(t *testing.T, r *floor.Report) string {
	t.Helper()
	c := *r
	c.Feed = floor.FeedStats{}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func waitLines(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Heartbeats may be interleaved: count at least n lines.
		if countLines(path) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d lines after 10s, want %d", path, countLines(path), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The recorder keeps a live client's seq bookkeeping: the line that jumps
// the seq is not written and a resync is asked for; duplicates a resume
// brings are dropped; everything else, bad lines too, is written as is.
func TestRecorderGapAndDuplicates(t *testing.T) {
	line := func(seq int64, call string) string {
		return string(feed.Encode(&feed.Event{Type: feed.TypeOffered, Seq: seq, TS: recT0, Call: call, Queue: "q", Channel: "voice"}))
	}
	hello := string(feed.Encode(&feed.Event{Type: feed.TypeHello, Seq: 5, TS: recT0, Stream: "s1"}))
	bad := `{"type":"call.answered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"nope","queue":"q","agent":"a"}`
	var out bytes.Buffer
	r := &recorder{fl: floor.New(floor.Options{}), w: &out, stop: func() { t.Fatal("stopped") }}

	resync := r.Frame([]byte(strings.Join([]string{hello, line(1, "c1"), line(2, "c2"), bad, line(5, "c5"), line(6, "c6")}, "\n") + "\n"))
	if !resync {
		t.Fatal("a jump from seq 3 to 5 did not ask for a resync")
	}
	want := strings.Join([]string{hello, line(1, "c1"), line(2, "c2"), bad}, "\n") + "\n"
	if out.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", out.String(), want)
	}
	if stream, since, ok := r.Resume(); !ok || stream != "s1" || since != 3 {
		t.Fatalf("Resume = %q, %d, %v; want s1, 3, true", stream, since, ok)
	}

	out.Reset()
	resync = r.Frame([]byte(strings.Join([]string{hello, line(3, "again"), line(4, "c4"), line(5, "c5")}, "\n")))
	if resync {
		t.Fatal("a contiguous resume asked for a resync")
	}
	if want := strings.Join([]string{hello, line(4, "c4"), line(5, "c5")}, "\n") + "\n"; out.String() != want {
		t.Fatalf("after the resume wrote\n%s\nwant\n%s", out.String(), want)
	}
}

func TestRecordUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"record", "-o", "x.jsonl"}, 2, "give the feed URL"},
		{[]string{"record", "ws://127.0.0.1:1/"}, 2, "-o FILE"},
		{[]string{"record", "http://127.0.0.1:1/", "-o", "x.jsonl"}, 2, "want ws:// or wss://"},
		{[]string{"record", "ws://a/", "ws://b/", "-o", "x.jsonl"}, 2, "unexpected argument"},
	} {
		code, _, errs := runCmd(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tc.args, code, errs, tc.code, tc.says)
		}
	}
}

// A wrong invocation changes nothing: the recording it names is kept.
func TestRecordUsageKeepsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monday.jsonl")
	if err := os.WriteFile(path, []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd("record", "http://127.0.0.1:1/", "-o", path); code != 2 {
		t.Fatalf("exit %d, stderr %q; want exit 2", code, errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "kept\n" {
		t.Fatalf("a usage error replaced the recording: now %q", b)
	}
}

// A feed that is not there is an error at once, not an endless retry.
func TestRecordUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	path := filepath.Join(t.TempDir(), "x.jsonl")
	code, _, errs := runCmd("record", "ws://"+addr+"/", "-o", path)
	if code != 1 || !strings.Contains(errs, "cannot reach feed") {
		t.Fatalf("exit %d, stderr %q; want exit 1, cannot reach feed", code, errs)
	}
}

// TestHelperProcess is floorwatch in a process of its own, for tests that
// stop a command as a user does, with an interrupt.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FLOORWATCH_HELPER") != "1" {
		t.Skip("only runs as another test's helper process")
	}
	args := os.Args
	for len(args) > 0 && args[0] != "--" {
		args = args[1:]
	}
	os.Exit(run(args[1:], os.Stdout, os.Stderr))
}

// startHelper runs floorwatch args in a helper process and returns it with
// the feed URL it announces on stderr; the rest of its stderr goes to lines.
func startHelper(t *testing.T, args ...string) (cmd *exec.Cmd, url string, lines <-chan string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "FLOORWATCH_HELPER=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	out := make(chan string, 100)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	for line := range out {
		if _, u, ok := strings.Cut(line, "serving "); ok {
			return cmd, u, out
		}
	}
	t.Fatal("the helper ended without serving")
	return nil, "", nil
}

// recordFor runs record on url and returns the lines it wrote.
func recordFor(t *testing.T, url, path string) []string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		code, _, errs := runCmd("record", url, "-o", path)
		if code != 0 {
			errs = fmt.Sprintf("exit %d: %s", code, errs)
		} else {
			errs = ""
		}
		done <- errs
	}()
	select {
	case e := <-done:
		if e != "" {
			t.Fatal(e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("record did not stop when the simulation ended")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// A finished `sim --listen` closes its feed with 1000 after its last event:
// `record` stops there with exit 0, holding every event of the run and no
// heartbeat after it, whether it watched the run or connected after it;
// `status --feed` reads the finished run.
func TestRecordFinishedSimulation(t *testing.T) {
	dir := t.TempDir()
	scenario := []string{"--scenario", "steady-day", "--duration", "20m", "--seed", "3"}
	simFile := filepath.Join(dir, "sim.jsonl")
	if code, _, errs := runCmd(append([]string{"sim", "--speed", "max", "--record", simFile}, scenario...)...); code != 0 {
		t.Fatalf("sim: exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(simFile)
	events := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")

	// 20 simulated minutes at 600x: two seconds, watched from the start.
	sim, url, simErr := startHelper(t, append([]string{"sim", "--listen", "127.0.0.1:0", "--speed", "600"}, scenario...)...)
	watched := recordFor(t, url, filepath.Join(dir, "watched.jsonl"))
	for line := range simErr {
		if strings.Contains(line, "still serving the finished run") {
			break
		}
	}
	late := recordFor(t, url, filepath.Join(dir, "late.jsonl"))

	for name, lines := range map[string][]string{"watched": watched, "late": late} {
		if d := feed.Decode([]byte(lines[0])); d.Event.Type != feed.TypeHello {
			t.Errorf("%s: first line %s, want the hello", name, lines[0])
		}
		var got []string
		for _, l := range lines[1:] {
			if feed.Decode([]byte(l)).Event.Type != feed.TypeHeartbeat {
				got = append(got, l)
			}
		}
		if strings.Join(got, "\n") != strings.Join(events, "\n") {
			t.Errorf("%s: %d events recorded, want the run's %d, line for line", name, len(got), len(events))
		}
		if last := lines[len(lines)-1]; last != events[len(events)-1] {
			t.Errorf("%s: ends with %s, want the run's last event", name, last)
		}
	}

	code, fromFeed, errs := runCmd("status", "--feed", url, "--json")
	if code != 0 {
		t.Fatalf("status --feed of the finished run: exit %d: %s", code, errs)
	}
	_, fromFile, _ := runCmd("status", "--replay", simFile, "--json")
	if figuresOf(t, []byte(fromFeed)) != figuresOf(t, []byte(fromFile)) {
		t.Errorf("status --feed of the finished run:\n%s\nstatus --replay of its recording:\n%s", fromFeed, fromFile)
	}

	sim.Process.Signal(os.Interrupt)
	if err := sim.Wait(); err != nil {
		t.Errorf("sim after an interrupt: %v", err)
	}
}

// A bridge of a file that has been read to its end ends its feed the same
// way: record gets the file's events and stops.
func TestRecordFinishedBridge(t *testing.T) {
	log := queueLogFixture(t, "asterisk-16.txt")
	agents := "../../source/queuelog/testdata/agents.yaml"
	bridged := filepath.Join(t.TempDir(), "bridged.jsonl")
	if code, _, errs := runCmd("bridge", "queue-log:"+log, "--agents", agents, "--record", bridged); code != 0 {
		t.Fatalf("bridge --record: %s", errs)
	}
	b, _ := os.ReadFile(bridged)
	events := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")

	_, url, _ := startHelper(t, "bridge", "queue-log:"+log, "--agents", agents, "--listen", "127.0.0.1:0")
	lines := recordFor(t, url, filepath.Join(t.TempDir(), "recorded.jsonl"))
	var got []string
	for _, l := range lines {
		if typ := feed.Decode([]byte(l)).Event.Type; typ != feed.TypeHello && typ != feed.TypeHeartbeat {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(events, "\n") || lines[len(lines)-1] != events[len(events)-1] {
		t.Errorf("recorded %d events ending with %s; want the bridge's %d, line for line", len(got), lines[len(lines)-1], len(events))
	}
}
