package feed_test

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/simulator"
)

// received is what OnCommand was handed, in order.
type received struct {
	mu     sync.Mutex
	frames []string
	by     []string
}

func (r *received) take(frame []byte, by string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames, r.by = append(r.frames, string(frame)), append(r.by, by)
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

// A drill's feed hands every text frame to OnCommand with who sent it (the
// address on an open feed, "token" behind a token) and keeps the sender
// connected: what is published next still reaches it.
func TestDrillFeedTakesCommands(t *testing.T) {
	for _, token := range []string{"", "s3cret"} {
		var got received
		s := newServer(t, feed.ServerOptions{Token: token, OnCommand: got.take})
		var h http.Header
		if token != "" {
			h = http.Header{"Authorization": {"Bearer " + token}}
		}
		c := dialRaw(t, serve(t, s), h)
		c.expect(feed.TypeHello, 0)
		c.expect(feed.TypeSnapshot, 0)
		frames := []string{`{"type":"drill.command","id":"k1","command":"release","agent":"a1"}`, "not json at all"}
		for _, f := range frames {
			if err := c.ws.WriteMessage(websocket.TextMessage, []byte(f)); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "both frames", 5*time.Second, func() bool { return got.count() == 2 })
		want := feed.CommandByToken
		if token == "" {
			want = c.ws.LocalAddr().String()
		}
		for i, f := range frames {
			if got.frames[i] != f || got.by[i] != want {
				t.Errorf("frame %d: got %q by %q, want %q by %q", i, got.frames[i], got.by[i], f, want)
			}
		}
		s.Publish(floorScript(0)[0])
		c.expect(feed.TypeQueueConfig, 1)
	}
}

// A feed that is not a drill publishes nothing for a command: it closes
// the sender with 4403 and the contract's reason, and serves the others.
func TestNotADrillClosesTheSender(t *testing.T) {
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	sender, other := dialRaw(t, url, nil), dialRaw(t, url, nil)
	for _, c := range []*rawConn{sender, other} {
		c.expect(feed.TypeHello, 0)
		c.expect(feed.TypeSnapshot, 0)
	}
	if err := sender.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"drill.command","id":"k1","command":"release","agent":"a1"}`)); err != nil {
		t.Fatal(err)
	}
	sender.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := sender.ws.ReadMessage()
		if err == nil {
			if strings.Contains(string(data), "drill.action") {
				t.Fatalf("a feed that is not a drill published %s", data)
			}
			continue // a heartbeat
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != feed.CloseNotADrill || ce.Text != "refused: not a drill" {
			t.Fatalf("the sender got %v, want close %d %q", err, feed.CloseNotADrill, "refused: not a drill")
		}
		break
	}
	if s.LastSeq() != 0 {
		t.Errorf("last seq %d: the refusal published something", s.LastSeq())
	}
	s.Publish(floorScript(0)[0])
	other.expect(feed.TypeQueueConfig, 1)
}

// A frame larger than the read limit is abuse, drill or not: the
// connection is closed, nothing is handed on.
func TestDrillFeedKeepsTheReadLimit(t *testing.T) {
	var got received
	s := newServer(t, feed.ServerOptions{OnCommand: got.take})
	c := dialRaw(t, serve(t, s), nil)
	c.expect(feed.TypeHello, 0)
	big := `{"type":"drill.command","command":"move","agent":"` + strings.Repeat("a", 8<<10) + `"}`
	c.ws.WriteMessage(websocket.TextMessage, []byte(big))
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			break
		}
	}
	if got.count() != 0 {
		t.Errorf("an oversized frame was handed on")
	}
}

// What CommandFrame writes is what the simulator reads, field for field,
// and the commands have the simulator's names.
func TestCommandFrameIsWhatTheDrillReads(t *testing.T) {
	for _, n := range [][2]string{{feed.CommandMove, simulator.CmdMove}, {feed.CommandRelease, simulator.CmdRelease},
		{feed.CommandOvertime, simulator.CmdOvertime}, {feed.CommandSendHome, simulator.CmdSendHome},
		{feed.CommandOverflow, simulator.CmdOverflow}, {feed.CommandCallback, simulator.CmdCallback}} {
		if n[0] != n[1] {
			t.Errorf("feed names a command %q, the simulator %q", n[0], n[1])
		}
	}
	after := 45.0
	for _, d := range []feed.Drill{
		{ID: "k1", Command: simulator.CmdMove, Agent: "a003", Queues: []string{"billing", "support"}},
		{ID: "k2", Command: simulator.CmdOvertime, Count: 3, Queues: []string{"support"}, For: "30m"},
		{ID: "k3", Command: simulator.CmdOverflow, Queue: "support", To: "billing", AfterS: &after},
		{ID: "k4", Command: simulator.CmdCallback, Queue: "support"}, // off
		{ID: "k5", Command: simulator.CmdSendHome, Agent: "a001"},
	} {
		frame, err := feed.CommandFrame(&d)
		if err != nil {
			t.Fatal(err)
		}
		c, err := simulator.ParseCommand(frame)
		if err != nil {
			t.Fatalf("%s: %v", frame, err)
		}
		gotAfter, wantAfter := c.AfterS != nil, d.AfterS != nil
		if c.ID != d.ID || c.Name != d.Command || c.Agent != d.Agent || strings.Join(c.Queues, ",") != strings.Join(d.Queues, ",") ||
			c.Count != d.Count || c.For != d.For || c.Queue != d.Queue || c.To != d.To || gotAfter != wantAfter ||
			(gotAfter && *c.AfterS != *d.AfterS) {
			t.Errorf("%s read back as %+v", frame, c)
		}
	}
	nan := math.NaN()
	if _, err := feed.CommandFrame(&feed.Drill{Command: simulator.CmdCallback, Queue: "q", AfterS: &nan}); err == nil {
		t.Error("an after_s of NaN encoded")
	}
}
