package sshserve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// openJournaled replays the journal in dir into a new floor with opts and
// returns a hub that journals what it folds from now on.
func openJournaled(t *testing.T, dir string, opts floor.Options) (*live.Hub, *Journal, int64) {
	t.Helper()
	j, err := OpenJournal(JournalOptions{Dir: dir, Floor: opts, KeepDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	f := floor.New(opts)
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

	dir := t.TempDir()
	hub, j, n := openJournaled(t, dir, floor.Options{})
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
	fh, err := os.OpenFile(filepath.Join(dir, "journal-2026-11-23.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"type":"call.offered","seq":9`)
	fh.Close()

	hub2, j2, n2 := openJournaled(t, dir, floor.Options{})
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
	dir := t.TempDir()
	path := filepath.Join(dir, "journal-2026-11-23.jsonl")
	if err := os.WriteFile(path, []byte("one\ntwo\nthr"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(JournalOptions{Dir: dir})
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

// nightShift is a floor across a day start: the goals file starts the day
// at 06:00 in Paris (05:00 UTC in November). Two agents take a call every
// seven minutes from 22:00 UTC to 10:00 UTC, each talking eight minutes, so
// that calls are waiting and talking when the day begins; every fifth
// caller hangs up, every fourth leaves a survey, and a2 takes a break at
// 04:40. Lines come as a live feed sends them, seq'd, heartbeats between.
func nightShift(t *testing.T) (floor.Options, [][]byte) {
	t.Helper()
	g, err := floor.ParseGoals([]byte("day: {start_hour: 6, time_zone: Europe/Paris}\nteam: {aht_s: 400}\n"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 23, 22, 0, 50, 0, time.UTC)
	var evs []*feed.Event
	add := func(ev *feed.Event) { evs = append(evs, ev) }
	add(&feed.Event{Type: feed.TypeQueueConfig, TS: start, Config: feed.DefaultQueueConfig("support")})
	for _, a := range []string{"a1", "a2"} {
		add(&feed.Event{Type: feed.TypeAgentState, TS: start, Agent: a, Name: "Agent " + a, State: feed.StateAvailable,
			Skills: []string{"support"}, HasSkills: true})
	}
	brk := time.Date(2026, 11, 24, 4, 40, 0, 0, time.UTC)
	add(&feed.Event{Type: feed.TypeAgentState, TS: brk, Agent: "a2", State: feed.StateAux, Reason: "break"})
	add(&feed.Event{Type: feed.TypeAgentState, TS: brk.Add(30 * time.Minute), Agent: "a2", State: feed.StateAvailable})
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * 7 * time.Minute)
		if at.Hour() == 10 {
			break
		}
		call, agent := fmt.Sprintf("c%d", i), []string{"a1", "a2"}[i%2]
		if agent == "a2" && !at.Before(brk.Add(-10*time.Minute)) && at.Before(brk.Add(30*time.Minute)) {
			agent = "a1"
		}
		add(&feed.Event{Type: feed.TypeOffered, TS: at, Call: call, Queue: "support"})
		if i%5 == 3 {
			add(&feed.Event{Type: feed.TypeAbandoned, TS: at.Add(40 * time.Second), Call: call, Queue: "support"})
			continue
		}
		answered := at.Add(time.Duration(5+i%30) * time.Second)
		add(&feed.Event{Type: feed.TypeAnswered, TS: answered, Call: call, Queue: "support", Agent: agent})
		add(&feed.Event{Type: feed.TypeEnded, TS: answered.Add(8 * time.Minute), Call: call, Agent: agent})
		add(&feed.Event{Type: feed.TypeWrapped, TS: answered.Add(8*time.Minute + 20*time.Second), Call: call, Agent: agent})
		if i%4 == 0 {
			csat := float64(1 + i%5)
			add(&feed.Event{Type: feed.TypeSurvey, TS: answered.Add(9 * time.Minute), Call: call, Agent: agent, Queue: "support",
				CSAT: &csat, Comment: "call " + call})
		}
	}
	// A call answered by an agent busy with another one is a contradiction:
	// a1 takes over a2's calls only while a2 is on break, so keep order.
	slices.SortStableFunc(evs, func(a, b *feed.Event) int { return a.TS.Compare(b.TS) })
	lines := [][]byte{feed.Encode(&feed.Event{Type: feed.TypeHello, TS: start, Feed: "night", Stream: "s1"})}
	last := start
	for i, ev := range evs {
		// A heartbeat a minute, as a quiet feed sends them.
		for hb := last.Truncate(time.Minute).Add(time.Minute); hb.Before(ev.TS); hb = hb.Add(time.Minute) {
			lines = append(lines, feed.Encode(&feed.Event{Type: feed.TypeHeartbeat, Seq: int64(i), TS: hb}))
		}
		ev.Seq = int64(i + 1)
		lines = append(lines, feed.Encode(ev))
		last = ev.TS
	}
	return floor.Options{Goals: g}, lines
}

// dayFigures is what a day's figures are, for comparing two floors: the
// floor, its queues and agents and the day's customers to win back, over
// the day (the line counters are the journal's concern, not the day's).
func dayFigures(t *testing.T, hub *live.Hub) string {
	t.Helper()
	r := hub.Report(floor.Today)
	b, err := json.MarshalIndent(struct {
		Now      floor.Time
		Floor    floor.Metrics
		Queues   []floor.QueueReport
		Agents   []floor.AgentReport
		Recovery []floor.RecoveryItem
	}{r.Now, r.Floor, r.Queues, r.Agents, r.Recovery}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lineAt is the index of the first line stamped at or after at.
func lineAt(t *testing.T, lines [][]byte, at time.Time) int {
	t.Helper()
	for i, l := range lines {
		if d := feed.Decode(l); d.Err == nil && !d.Event.TS.Before(at) {
			return i
		}
	}
	t.Fatalf("no line at %s", at)
	return 0
}

// A new file begins at the goals file's day start (06:00 in Paris), with
// the floor as it stood then; it stands alone: replayed by itself it gives
// the day exactly as the server that never stopped has it.
func TestJournalRotatesAtTheDayStart(t *testing.T) {
	opts, lines := nightShift(t)
	steady := live.NewHub(floor.New(opts))
	dir := t.TempDir()
	hub, j, _ := openJournaled(t, dir, opts)
	for _, l := range lines {
		steady.Frame(l)
		hub.Frame(l)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	want := []string{filepath.Join(dir, "journal-2026-11-23.jsonl"), filepath.Join(dir, "journal-2026-11-24.jsonl")}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	day1, _ := os.ReadFile(want[0])
	day2, _ := os.ReadFile(want[1])
	boundary := lineAt(t, lines, time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC))
	if n := bytes.Count(day1, []byte("\n")); n != boundary {
		t.Errorf("day 1 holds %d lines, want the %d before 05:00 UTC", n, boundary)
	}
	head := strings.SplitN(string(day2), "\n", 4)
	if !strings.HasPrefix(head[0], `{"type":"hello","seq":`) || !strings.Contains(head[0], `"ts":"2026-11-24T05:00:00.000Z"`) ||
		!strings.Contains(head[0], `"stream":"s1"`) || !strings.HasPrefix(head[1], `{"type":"snapshot"`) || head[2] != string(lines[boundary]) {
		t.Errorf("day 2 begins\n%s\n%s\nthen %s\nwant %s", head[0], head[1], head[2], lines[boundary])
	}
	// Some calls were waiting or talking at the day start: the snapshot
	// carries them into the new day.
	if !strings.Contains(head[1], `"answered"`) {
		t.Errorf("no call in conversation at the day start: %s", head[1])
	}

	alone := live.NewHub(floor.New(opts))
	if err := alone.Replay(bytes.NewReader(day2)); err != nil {
		t.Fatal(err)
	}
	if got, want := dayFigures(t, alone), dayFigures(t, steady); got != want {
		t.Fatalf("day 2's file alone:\n%s\nthe server that never stopped:\n%s", got, want)
	}
	// Both files in order: the whole run as the feed gave it, the day
	// start's snapshot one more event.
	both := live.NewHub(floor.New(opts))
	if err := both.Replay(io.MultiReader(bytes.NewReader(day1), bytes.NewReader(day2))); err != nil {
		t.Fatal(err)
	}
	replayed, never := *both.Report(floor.All), steady.Report(floor.All)
	if replayed.Feed.Events != never.Feed.Events+1 {
		t.Errorf("both days replayed: %d events, want %d and the snapshot", replayed.Feed.Events, never.Feed.Events)
	}
	replayed.Feed.Events = never.Feed.Events
	var g, w bytes.Buffer
	floor.WriteJSON(&g, &replayed)
	floor.WriteJSON(&w, never)
	if g.String() != w.String() {
		t.Fatalf("both days replayed:\n%s\nthe server that never stopped:\n%s", g.String(), w.String())
	}
}

// A restart in the middle of the day replays today's file and carries on
// with the feed: the day's figures are those of a server that never
// stopped, nothing lost and nothing counted twice.
func TestJournalRestartMidDayLosesNothing(t *testing.T) {
	opts, lines := nightShift(t)
	steady := live.NewHub(floor.New(opts))
	for _, l := range lines {
		steady.Frame(l)
	}
	dir := t.TempDir()
	hub, j, _ := openJournaled(t, dir, opts)
	restart := lineAt(t, lines, time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	for _, l := range lines[:restart] {
		hub.Frame(l)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	hub2, j2, n := openJournaled(t, dir, opts)
	defer j2.Close()
	if n == 0 || j2.Path() != filepath.Join(dir, "journal-2026-11-24.jsonl") {
		t.Fatalf("replayed %d lines of %s", n, j2.Path())
	}
	// The feed resumes after the last seq the journal holds.
	_, since, _ := hub2.Resume()
	for _, l := range lines[restart:] {
		if d := feed.Decode(l); d.Event.Seq >= since {
			hub2.Frame(l)
		}
	}
	if got, want := dayFigures(t, hub2), dayFigures(t, steady); got != want {
		t.Fatalf("after a restart at 08:00:\n%s\nwithout:\n%s", got, want)
	}
	r := hub2.Report(floor.Today)
	if r.Feed.Duplicates != 0 || r.Feed.BadLines != 0 || r.Floor.Offered == 0 {
		t.Errorf("after the restart: %d duplicates, %d bad lines, %d offered", r.Feed.Duplicates, r.Feed.BadLines, r.Floor.Offered)
	}
}

// The journal keeps --keep-days days, today's included, and deletes only
// its own older files.
func TestJournalKeepsDays(t *testing.T) {
	dir := t.TempDir()
	for d := 1; d <= 9; d++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("journal-2026-11-%02d.jsonl", d)), nil, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "journal-2026-11-02.jsonl.bak"), nil, 0o600)
	j, err := OpenJournal(JournalOptions{Dir: dir, KeepDays: 3})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	want := []string{"journal-2026-11-02.jsonl.bak", "journal-2026-11-07.jsonl", "journal-2026-11-08.jsonl", "journal-2026-11-09.jsonl", "notes.txt"}
	if !slices.Equal(names, want) {
		t.Errorf("left %v, want %v", names, want)
	}
}

// A journal that cannot be written is a clear error at start, never a
// surprise later; a disk that fills while it runs stops the journal with
// a logged error, and the server goes on.
func TestJournalUnwritable(t *testing.T) {
	file := writeFile(t, "journal.jsonl", "{}\n", 0o600)
	ro := t.TempDir()
	if os.Geteuid() == 0 {
		ro = "/sys" // root may write anywhere a mode forbids; sysfs refuses even root
	} else if err := os.Chmod(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{file, "is a file: the journal is a directory of one file a day now"},
		{filepath.Join(file, "days"), "not a directory"},
		{ro, "journal directory " + ro + " is not writable: permission denied"},
	} {
		_, err := OpenJournal(JournalOptions{Dir: tc.dir})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.dir, err, tc.want)
		}
	}

	opts, lines := nightShift(t)
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, "journal-2026-11-24.jsonl")); err != nil {
		t.Skip(err)
	}
	logs := &syncBuffer{}
	j, err := OpenJournal(JournalOptions{Dir: dir, Floor: opts, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(floor.New(opts))
	hub.SetLineHook(j.Record)
	for _, l := range lines {
		hub.Frame(l)
	}
	j.Close()
	if !strings.Contains(logs.String(), "journal write failed") || !strings.Contains(logs.String(), "no space left on device") {
		t.Errorf("a full disk was not logged:\n%s", logs.String())
	}
	if hub.Report(floor.All).Floor.Offered == 0 {
		t.Error("the floor stopped with the journal")
	}
}
