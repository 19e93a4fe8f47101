package feed_test

import (
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// hostileFeed serves a misbehaving feed on 127.0.0.1: play writes to each
// connection (since is the client's ?since=, -1 when absent) until the
// test ends or the client hangs up. dials counts the connections made.
func hostileFeed(t *testing.T, play func(ws *websocket.Conn, since int64, stop <-chan struct{})) (url string, dials *atomic.Int32) {
	t.Helper()
	dials = new(atomic.Int32)
	stop := make(chan struct{})
	var handlers sync.WaitGroup
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		dials.Add(1)
		since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		if err != nil {
			since = -1
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			for {
				if _, _, err := ws.NextReader(); err != nil {
					return
				}
			}
		}()
		done := make(chan struct{})
		go func() {
			select {
			case <-stop:
			case <-gone:
			}
			close(done)
		}()
		play(ws, since, done)
	}))
	t.Cleanup(func() {
		close(stop)
		handlers.Wait()
		hs.Close()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http"), dials
}

func lineOf(ev *feed.Event) []byte { return append(feed.Encode(ev), '\n') }

// statusLog keeps every status a client reports.
type statusLog struct {
	mu   sync.Mutex
	seen []feed.ConnStatus
}

func (l *statusLog) add(s feed.ConnStatus) {
	l.mu.Lock()
	l.seen = append(l.seen, s)
	l.mu.Unlock()
}

// find returns the first status with state and an Err holding every want.
func (l *statusLog) find(state string, want ...string) (feed.ConnStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, s := range l.seen {
		if s.State != state {
			continue
		}
		for _, w := range want {
			if !strings.Contains(s.Err, w) {
				continue next
			}
		}
		return s, true
	}
	return feed.ConnStatus{}, false
}

// unreadable has lost its seq with the rest of it: a client cannot tell
// it from the line it replaced, so the next line is a jump.
const unreadable = `{"type":"call.offered","seq":`

// unreadableFeed keeps sending lines the client cannot read: every
// period-th seq is a call offered and the ones between are unreadable, so
// each readable line jumps the seq by period. With period 2 the one missing
// seq is the unreadable line just before, which the fold fills in; with 3
// two seqs are missing and the client must resume. It grows by period seqs
// every 5 ms, and it honours ?since= as a feed server does.
func unreadableFeed(t *testing.T, period int64) (url string, dials *atomic.Int32) {
	start := time.Now()
	lastSeq := func() int64 { return 40*period + period*int64(time.Since(start)/(5*time.Millisecond)) }
	entry := func(k int64) []byte {
		if k%period != 1 {
			return []byte(unreadable + "\n")
		}
		return lineOf(&feed.Event{Type: feed.TypeOffered, Seq: k, TS: t0, Call: "c" + strconv.FormatInt(k, 10), Queue: "support"})
	}
	return hostileFeed(t, func(ws *websocket.Conn, since int64, stop <-chan struct{}) {
		sent := lastSeq()
		ws.WriteMessage(websocket.TextMessage, lineOf(&feed.Event{Type: feed.TypeHello, Seq: sent, TS: t0, Stream: "s1"}))
		next := max(since, 0) + 1
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var frame []byte
			for ; next <= sent; next++ {
				frame = append(frame, entry(next)...)
			}
			if len(frame) > 0 && ws.WriteMessage(websocket.TextMessage, frame) != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
				sent = lastSeq()
			}
		}
	})
}

// A single unreadable line between readable ones is counted bad once and
// read past: the line after it fills its place, no resume is needed.
func TestClientReadsPastAnUnreadableLine(t *testing.T) {
	t.Parallel()
	url, dials := unreadableFeed(t, 2)
	hub := live.NewHub(floor.New(floor.Options{}))
	runClient(t, url, hub, feed.ClientOptions{FromStart: true})
	time.Sleep(time.Second)
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d connections: the client resumed instead of reading on", n)
	}
	st := hub.Report(floor.All).Feed
	// The newest unreadable line may not have been followed yet: its gap
	// is counted when the next line comes.
	if st.BadLines == 0 || st.Events == 0 || st.BadLines > st.Events+1 || st.Gaps < st.BadLines-1 || st.Gaps > st.BadLines {
		t.Fatalf("feed stats %+v: want each unreadable line counted bad once, with its gap, and the calls applied", st)
	}
}

// Such a feed, with holes the client must resume over, once made it resume
// at once, every time: about 1,000 connections in 5 s, each re-reading from
// its last seq. Now only the first resume is immediate; the next ones back
// off like failed connections, and the status says why.
func TestClientBacksOffUnreadableLines(t *testing.T) {
	t.Parallel()
	url, dials := unreadableFeed(t, 3)
	hub := live.NewHub(floor.New(floor.Options{}))
	var log statusLog
	runClient(t, url, hub, feed.ClientOptions{FromStart: true, OnStatus: log.add,
		MinBackoff: feed.DefaultMinBackoff, MaxBackoff: feed.DefaultMaxBackoff})
	const window = 5 * time.Second
	time.Sleep(window)
	// Full jitter: the delays are drawn below 0.25, 0.5, 1, 2, 4 s, ... so
	// some 5 to 8 connections fit in the window; 15 is far out of reach.
	n := dials.Load()
	t.Logf("%d connections in %s", n, window)
	if n > 15 {
		t.Fatalf("%d connections in %s: the client still resumes without backing off", n, window)
	}
	st, ok := log.find(feed.ConnReconnecting, "the feed keeps sending a line I cannot read: line ", "not a JSON object", "resumes in a row")
	if !ok {
		t.Fatalf("no status says why the client keeps resuming; saw %+v", log.seen)
	}
	if st.Retry.IsZero() || st.Attempts < 2 {
		t.Fatalf("status %+v: want the attempts counted and the next retry time", st)
	}
	if stats := hub.Report(floor.All).Feed; stats.BadLines == 0 || stats.Events == 0 {
		t.Fatalf("feed stats %+v: want the readable calls applied and the unreadable lines counted bad", stats)
	}
}

// status --feed on such a feed backs off the same way and, when its time is
// up, says why it did not catch up.
func TestCatchUpSaysWhy(t *testing.T) {
	t.Parallel()
	url, dials := unreadableFeed(t, 3)
	c, err := feed.NewClient(url, live.NewHub(floor.New(floor.Options{})), feed.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err = c.CatchUp(ctx)
	if err == nil || !strings.Contains(err.Error(), "not caught up with the feed in time (the feed keeps sending a line I cannot read: line ") {
		t.Fatalf("CatchUp: %v, want the reason it could not catch up", err)
	}
	if n := dials.Load(); n > 12 {
		t.Fatalf("%d connections in 3 s", n)
	}
}

// A feed that says hello and then sends a frame over the client's read
// limit used to have its backoff reset by every hello, so it was redialled
// at the shortest delay, pulling 64 MiB each time. A connection that
// breaks this soon is a failure: the attempts grow, and the status names
// the limit.
func TestClientOverLimitFrameBacksOff(t *testing.T) {
	t.Parallel()
	url, dials := hostileFeed(t, func(ws *websocket.Conn, _ int64, stop <-chan struct{}) {
		ws.WriteMessage(websocket.TextMessage, lineOf(&feed.Event{Type: feed.TypeHello, Seq: 1, TS: t0, Stream: "s1"}))
		// Only the header of a 64 MiB + 1 text frame: the client refuses it
		// on the announced length, so no test needs to send the bytes.
		header := []byte{0x81, 127, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint64(header[2:], 64<<20+1)
		ws.NetConn().Write(header)
		<-stop
	})
	hub := live.NewHub(floor.New(floor.Options{}))
	var log statusLog
	c, _ := runClient(t, url, hub, feed.ClientOptions{OnStatus: log.add, MinBackoff: time.Millisecond, MaxBackoff: time.Second})
	waitFor(t, "four failed connections in a row", 10*time.Second, func() bool { return c.Status().Attempts >= 4 })
	if _, ok := log.find(feed.ConnReconnecting, "the feed sent a frame over the read limit (64 MiB)"); !ok {
		t.Fatalf("no status names the read limit; saw %+v", log.seen)
	}
	if n := dials.Load(); n < 4 {
		t.Fatalf("%d connections for 4 attempts", n)
	}
}

// An upgrade the server refuses is reported with the server's own words.
func TestClientReportsRefusal(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "too many connections from 127.0.0.1 (the limit is 64)\x1b]0;pwned\a\nsecond line", http.StatusTooManyRequests)
	}))
	defer hs.Close()
	var log statusLog
	c, _ := runClient(t, "ws"+strings.TrimPrefix(hs.URL, "http"), live.NewHub(floor.New(floor.Options{})), feed.ClientOptions{OnStatus: log.add})
	waitFor(t, "a failed attempt", 5*time.Second, func() bool { return c.Status().Attempts >= 1 })
	st, ok := log.find(feed.ConnReconnecting, "429 Too Many Requests: too many connections from 127.0.0.1 (the limit is 64)")
	if !ok || strings.ContainsAny(st.Err, "\x1b\a") || strings.Contains(st.Err, "second line") {
		t.Fatalf("saw %+v: want the refusal's first line, and no control byte", log.seen)
	}
}
