package feed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// floorScript is a small, valid floor: a queue, three agents, then calls
// that each run their course (offered, answered, ended, wrapped, sometimes
// a survey) or are abandoned, one call a minute from t0.
func floorScript(calls int) []*feed.Event {
	evs := []*feed.Event{{Type: feed.TypeQueueConfig, TS: t0, Queue: "support",
		Config: feed.QueueConfig{Queue: "support", Name: "Support", SLThresholdS: 20, SLTarget: 0.8, ShortAbandonS: 5, SLMode: feed.ModeExcludeShort}}}
	for i := 1; i <= 3; i++ {
		evs = append(evs, &feed.Event{Type: feed.TypeAgentState, TS: t0, Agent: fmt.Sprintf("a%d", i),
			State: feed.StateAvailable, Skills: []string{"support"}, HasSkills: true})
	}
	for i := 0; i < calls; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("c%d", i)
		agent := fmt.Sprintf("a%d", i%3+1)
		wait := time.Duration(i%40) * time.Second
		evs = append(evs, &feed.Event{Type: feed.TypeOffered, TS: at, Call: id, Queue: "support", Channel: "voice"})
		if i%5 == 4 {
			evs = append(evs, &feed.Event{Type: feed.TypeAbandoned, TS: at.Add(wait), Call: id, Queue: "support"})
			continue
		}
		evs = append(evs,
			&feed.Event{Type: feed.TypeAnswered, TS: at.Add(wait), Call: id, Queue: "support", Agent: agent},
			&feed.Event{Type: feed.TypeEnded, TS: at.Add(wait + 30*time.Second), Call: id, Agent: agent},
			&feed.Event{Type: feed.TypeWrapped, TS: at.Add(wait + 40*time.Second), Call: id, Agent: agent})
		if i%3 == 0 {
			csat := float64(i%5 + 1)
			evs = append(evs, &feed.Event{Type: feed.TypeSurvey, TS: at.Add(wait + 45*time.Second),
				Call: id, Agent: agent, Queue: "support", CSAT: &csat})
		}
	}
	return evs
}

// serve starts s on 127.0.0.1 and returns its ws:// URL.
func serve(t testing.TB, s *feed.Server) string {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		hs.Close()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http")
}

func newServer(t testing.TB, opt feed.ServerOptions) *feed.Server {
	t.Helper()
	if opt.Tracker == nil {
		opt.Tracker = floor.New(floor.Options{})
	}
	if opt.Feed == "" {
		opt.Feed = "test"
	}
	if opt.Now == nil {
		// The feed's clock stays at the start of the script, so hellos and
		// heartbeats never move a floor clock past the events'.
		opt.Now = func() time.Time { return t0 }
	}
	return feed.NewServer(opt)
}

// rawConn is a bare WebSocket reader, to see exactly what a server sends.
type rawConn struct {
	t    *testing.T
	ws   *websocket.Conn
	held []feed.Decoded
}

func dialRaw(t *testing.T, url string, header http.Header) *rawConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, header)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &rawConn{t: t, ws: ws}
}

// next returns the next line the server sent, decoded, skipping heartbeats
// unless want says otherwise.
func (r *rawConn) next(heartbeats bool) feed.Decoded {
	r.t.Helper()
	for {
		for len(r.held) > 0 {
			d := r.held[0]
			r.held = r.held[1:]
			if heartbeats || d.Event.Type != feed.TypeHeartbeat {
				return d
			}
		}
		r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := r.ws.ReadMessage()
		if err != nil {
			r.t.Fatalf("read: %v", err)
		}
		feed.EachLine(data, func(line []byte) bool {
			d := feed.Decode(line)
			if d.Err != nil {
				r.t.Fatalf("server sent a bad line %s: %v", line, d.Err)
			}
			r.held = append(r.held, d)
			return true
		})
	}
}

// expect reads the next non-heartbeat line and checks its type and seq.
func (r *rawConn) expect(typ string, seq int64) feed.Decoded {
	r.t.Helper()
	d := r.next(false)
	if d.Event.Type != typ || d.Event.Seq != seq {
		r.t.Fatalf("got %s seq %d, want %s seq %d", d.Event.Type, d.Event.Seq, typ, seq)
	}
	return d
}

// reportJSON is the status --json of a hub's whole history, for comparing
// two folds figure by figure.
func reportJSON(t *testing.T, h *live.Hub) string {
	t.Helper()
	r := *h.Report(floor.All)  // a copy: reports are shared and never changed
	r.Feed = floor.FeedStats{} // line accounting differs by design between the runs compared
	b, err := json.MarshalIndent(&r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cleanReport folds the server's published lines straight from a fresh
// recording-mode floor: the figures any client must converge to.
func cleanReport(t *testing.T, evs []*feed.Event) string {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range evs {
		buf.Write(feed.Encode(ev))
		buf.WriteByte('\n')
	}
	h := live.NewHub(floor.New(floor.Options{}))
	if err := h.Replay(&buf); err != nil {
		t.Fatal(err)
	}
	return reportJSON(t, h)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
