package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
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
