package sshserve

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// floorFeed is a feed server on 127.0.0.1 whose clock is the simulated time
// of its last event, so heartbeats do not make two runs differ.
type floorFeed struct {
	srv  *feed.Server
	url  string
	now  atomic.Int64
	stop func()
}

func startFeed(t *testing.T) *floorFeed {
	t.Helper()
	ff := &floorFeed{}
	ff.now.Store(t0.UnixNano())
	ff.srv = feed.NewServer(feed.ServerOptions{
		Feed:      "drill",
		Tracker:   floor.New(floor.Options{}),
		Heartbeat: 100 * time.Millisecond,
		Now:       func() time.Time { return time.Unix(0, ff.now.Load()).UTC() },
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: ff.srv}
	go hs.Serve(ln)
	ff.url = "ws://" + ln.Addr().String() + "/"
	ff.stop = func() { ff.srv.Close(); hs.Close() }
	t.Cleanup(ff.stop)
	return ff
}

// publish sends calls first..last: agent a1 answers the even ones after a
// wait of i seconds, callers of the odd ones hang up after i seconds.
func (ff *floorFeed) publish(first, last int) {
	for i := first; i <= last; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		call := fmt.Sprintf("c%d", i)
		evs := []*feed.Event{{Type: feed.TypeOffered, TS: at, Call: call, Queue: "support"}}
		end := at.Add(time.Duration(i) * time.Second)
		if i%2 == 0 {
			evs = append(evs,
				&feed.Event{Type: feed.TypeAnswered, TS: end, Call: call, Queue: "support", Agent: "a1"},
				&feed.Event{Type: feed.TypeEnded, TS: end.Add(20 * time.Second), Call: call, Agent: "a1"},
				&feed.Event{Type: feed.TypeWrapped, TS: end.Add(25 * time.Second), Call: call, Agent: "a1"})
		} else {
			evs = append(evs, &feed.Event{Type: feed.TypeAbandoned, TS: end, Call: call, Queue: "support"})
		}
		ff.now.Store(evs[len(evs)-1].TS.UnixNano())
		ff.srv.Publish(evs...)
	}
}

// follow runs a feed client into hub until the returned stop is called.
func follow(t *testing.T, url string, hub *live.Hub) (stop func()) {
	t.Helper()
	c, err := feed.NewClient(url, hub, feed.ClientOptions{MinBackoff: 10 * time.Millisecond, FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func caughtUp(t *testing.T, hub *live.Hub, ff *floorFeed) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, since, ok := hub.Resume()
		if ok && since >= ff.srv.LastSeq() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hub at seq %d, feed at %d", since, ff.srv.LastSeq())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func reportJSON(t *testing.T, hub *live.Hub) string {
	t.Helper()
	var b bytes.Buffer
	if err := floor.WriteJSON(&b, hub.Report(floor.All)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// openJournaled replays the journal at path into a new floor and returns a
// hub that journals what it folds from now on.
func openJournaled(t *testing.T, path string) (*live.Hub, *Journal, int64) {
	t.Helper()
	j, err := OpenJournal(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	f := floor.New(floor.Options{})
	n, err := j.Replay(func(line []byte) { f.IngestLine(line, floor.Live) })
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(f)
	hub.SetLineHook(j.Record)
	return hub, j, n
}

func TestJournalRestartGivesTheSameFigures(t *testing.T) {
	ff := startFeed(t)
	// The server that never restarts.
	steady := live.NewHub(floor.New(floor.Options{}))
	stopSteady := follow(t, ff.url, steady)
	defer stopSteady()

	path := filepath.Join(t.TempDir(), "journal.jsonl")
	hub, j, n := openJournaled(t, path)
	if n != 0 {
		t.Fatalf("a new journal replayed %d lines", n)
	}
	stop := follow(t, ff.url, hub)
	// Both hear the hello before the first event, so both clocks start at
	// the same instant.
	caughtUp(t, steady, ff)
	caughtUp(t, hub, ff)
	ff.publish(1, 10)
	caughtUp(t, hub, ff)
	stop()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	before := reportJSON(t, hub)

	// While it is down the floor goes on; a crash left half a line behind.
	ff.publish(11, 20)
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"type":"call.offered","seq":9`)
	fh.Close()

	hub2, j2, n2 := openJournaled(t, path)
	defer j2.Close()
	if n2 == 0 {
		t.Fatal("the journal replayed nothing")
	}
	if got := reportJSON(t, hub2); got != before {
		t.Fatalf("replay differs from the state at shutdown:\n%s\nwant\n%s", got, before)
	}
	stop2 := follow(t, ff.url, hub2)
	defer stop2()
	caughtUp(t, hub2, ff)
	caughtUp(t, steady, ff)

	got, want := reportJSON(t, hub2), reportJSON(t, steady)
	if got != want {
		t.Fatalf("after restart:\n%s\nwithout restart:\n%s", got, want)
	}
	// By hand: 20 calls offered, 10 answered, 10 abandoned, each once.
	r := hub2.Report(floor.All)
	if r.Floor.Offered != 20 || r.Floor.Answered != 10 || r.Floor.Abandoned != 10 || r.Feed.Duplicates != 0 || r.Feed.BadLines != 0 {
		t.Errorf("offered %d answered %d abandoned %d duplicates %d bad %d; want 20 10 10 0 0",
			r.Floor.Offered, r.Floor.Answered, r.Floor.Abandoned, r.Feed.Duplicates, r.Feed.BadLines)
	}
}

func TestJournalCutsAPartialLastLine(t *testing.T) {
	path := writeFile(t, "j.jsonl", "one\ntwo\nthr", 0o600)
	j, err := OpenJournal(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	if _, err := j.Replay(func(l []byte) { lines = append(lines, string(l)) }); err != nil {
		t.Fatal(err)
	}
	j.Record([]byte("four"), floor.Applied)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Join(lines, ",") != "one,two" || string(data) != "one\ntwo\nfour\n" {
		t.Errorf("replayed %q, file now %q; want one,two and one two four", lines, data)
	}
}

func marshal(s gossh.Signer) []byte {
	return bytes.TrimSpace(gossh.MarshalAuthorizedKey(s.PublicKey()))
}

func TestAuthorizedKeysFile(t *testing.T) {
	k1, k2 := newSigner(t), newSigner(t)
	good := "# the team\n\n" + string(marshal(k1)) + " alice@laptop\n" + string(marshal(k2))
	keys, err := LoadAuthorizedKeys(writeFile(t, "ok", good, 0o644))
	if err != nil || len(keys) != 2 {
		t.Fatalf("got %d keys, %v; want 2", len(keys), err)
	}
	for name, tc := range map[string]struct{ content, want string }{
		"bad line":  {"# x\n" + string(marshal(k1)) + "\nssh-ed25519 AAAAnotbase64!\n", "bad:3: not a public key"},
		"options":   {`from="10.0.0.1" ` + string(marshal(k1)) + "\n", "bad:1: key options (from=\"10.0.0.1\") are not supported"},
		"no keys":   {"# nobody yet\n", "no keys"},
		"truncated": {string(marshal(k1))[:30] + "\n", "bad:1:"},
	} {
		_, err := LoadAuthorizedKeys(writeFile(t, "bad", tc.content, 0o644))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	if _, err := LoadAuthorizedKeys(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file was accepted")
	}
}
