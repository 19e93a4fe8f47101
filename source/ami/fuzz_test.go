package ami

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// FuzzConverter: whatever packets a manager sends, in whatever order,
// with lists, drops and reconnects among them, the converter does not
// panic and emits only events its own fold applies (so every client
// applies them too), in time order. "Response" packets with ActionID
// status start a QueueStatus list, and "Event: Drop" loses the
// connection, as the session would.
func FuzzConverter(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.ami")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fuzzScript(string(b)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var last time.Time
		c := NewConverter(Config{}, func(ev *feed.Event) {
			if ev.TS.Before(last) {
				t.Fatalf("%s at %v after %v", ev.Type, ev.TS, last)
			}
			last = ev.TS
		})
		r := newReader(bytes.NewReader(b))
		ss := &session{}
		local := T
		for i := 0; i < 2000; i++ {
			p, err := r.next()
			var bad *badPacket
			if errors.As(err, &bad) {
				c.Refused(bad.reason)
				continue
			}
			if err != nil {
				break
			}
			local = local.Add(500 * time.Millisecond)
			at := ss.at(p, local)
			switch {
			case p.get("Event") == "Drop":
				c.Disconnected()
				continue
			case p.has("Response") && p.get("ActionID") == "status":
				c.BeginSnapshot(at)
			}
			c.Packet(p, at)
			c.Tick(local.Add(ss.skew))
		}
		c.Tick(local.Add(ss.skew + time.Hour))
		c.Close()
		if c.refused > 0 {
			t.Fatalf("%d events the fold refuses, the first: %s", c.refused, c.firstRef)
		}
	})
}

// fuzzScript turns a fixture into what the harness reads: comments gone,
// a QueueStatus answer before each list and a Drop at each !drop.
func fuzzScript(s string) []byte {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "#"), strings.HasPrefix(l, "!at"), strings.HasPrefix(l, "!uptime"):
		case l == "!drop":
			b.WriteString("Event: Drop\r\n\r\nResponse: Success\r\nActionID: status\r\n\r\n")
		default:
			b.WriteString(l + "\r\n")
		}
	}
	return []byte("Response: Success\r\nActionID: status\r\n\r\n" + b.String())
}
