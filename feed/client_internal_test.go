package feed

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzFrameLines: the client's path from a received frame to lines. EachLine
// hands over every non-blank line, without its newline, in order; helloSeq
// reads the same first line the sink will.
func FuzzFrameLines(f *testing.F) {
	hello := `{"type":"hello","seq":7,"ts":"2026-11-23T08:00:00.000Z","v":1,"feed":"f","stream":"s"}`
	for _, seed := range []string{
		hello,
		hello + "\n",
		"\n\n" + hello + "\r\n" + `{"type":"heartbeat","seq":7,"ts":"2026-11-23T08:00:01.000Z"}`,
		" \t\n" + hello,
		`{"type":"hello","seq":-1,"ts":"2026-11-23T08:00:00.000Z"}`,
		`{"type":"hello","seq":1.5,"ts":"2026-11-23T08:00:00.000Z"}`,
		`{"type":"hello","seq":9223372036854775807,"ts":"2026-11-23T08:00:00.000Z","stream":"s"}`,
		`{"type":"call.offered","seq":`,
		"\x00\xff\n\x1b]0;x\a",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var lines [][]byte
		EachLine(frame, func(line []byte) bool {
			lines = append(lines, line)
			return true
		})
		var want [][]byte
		for _, l := range bytes.Split(frame, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				want = append(want, l)
			}
		}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d", len(lines), len(want))
		}
		for i := range lines {
			if !bytes.Equal(lines[i], want[i]) {
				t.Fatalf("line %d is %q, want %q", i, lines[i], want[i])
			}
		}
		seq := helloSeq(frame)
		if len(lines) == 0 {
			if seq != -1 {
				t.Fatalf("helloSeq %d of a frame with no line", seq)
			}
			return
		}
		d := Decode(lines[0])
		isHello := d.Err == nil && d.Event.Type == TypeHello
		switch {
		case isHello && seq != d.Event.Seq:
			t.Fatalf("helloSeq %d, but the first line is a hello with seq %d", seq, d.Event.Seq)
		case !isHello && seq != -1:
			t.Fatalf("helloSeq %d, but the first line %q is no hello", seq, lines[0])
		case seq < -1:
			t.Fatalf("helloSeq %d", seq)
		}
	})
}

// Only a connection that stayed up stableAfter resets the backoff: after
// one, a resume is immediate; after a short one it waits and counts.
func TestBackOffCounts(t *testing.T) {
	c, err := NewClient("ws://127.0.0.1:1/", nil, ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	failures := 5
	c.backOff(ctx, &failures, time.Now().Add(-stableAfter), errResync)
	if failures != 1 || c.Status().State == ConnReconnecting {
		t.Fatalf("after a stable connection: %d failures, status %+v; want 1 and an immediate resume", failures, c.Status())
	}
	c.backOff(ctx, &failures, time.Now(), errResync)
	if st := c.Status(); failures != 2 || st.State != ConnReconnecting || st.Attempts != 2 {
		t.Fatalf("a resume right after a resume: %d failures, status %+v; want 2, waiting", failures, st)
	}
	c.backOff(ctx, &failures, time.Now(), errors.New("dropped"))
	if st := c.Status(); failures != 3 || st.Err != "dropped" {
		t.Fatalf("a connection lost right after its hello: %d failures, status %+v; want 3", failures, st)
	}
	c.backOff(ctx, &failures, time.Time{}, errors.New("refused"))
	if failures != 4 {
		t.Fatalf("a connection that never went live: %d failures, want 4", failures)
	}
}
