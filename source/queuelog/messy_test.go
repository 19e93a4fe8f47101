package queuelog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// threeCalls is a small clean file: A answered and completed, B
// abandoned, C transferred out.
const threeCalls = `1700000010|1700000010.1|support|NONE|ENTERQUEUE||5550001|1
1700000015|1700000010.1|support|Ana|CONNECT|5|1700000012.2|3
1700000075|1700000010.1|support|Ana|COMPLETECALLER|5|60|1
1700000100|1700000100.3|support|NONE|ENTERQUEUE||5550002|1
1700000130|1700000100.3|support|NONE|ABANDON|1|1|30
1700000200|1700000200.4|support|NONE|ENTERQUEUE||5550003|1
1700000204|1700000200.4|support|Ana|CONNECT|4|1700000202.5|2
1700000244|1700000200.4|support|Ana|BLINDTRANSFER|2000|from-internal|4|40|1
`

// encoded is the events of r as protocol lines, to compare conversions.
func encoded(r *result) string {
	var b strings.Builder
	for _, ev := range r.events {
		b.Write(feed.Encode(ev))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBytesOfRealFiles: what rotation and other writers leave in the
// bytes of a file changes nothing in the events.
func TestBytesOfRealFiles(t *testing.T) {
	clean := convert(t, []byte(threeCalls), Config{})
	lines := strings.SplitAfter(threeCalls, "\n")
	nuls := strings.Repeat("\x00", 4096)
	for _, c := range []struct {
		name  string
		input string
		blank int64
	}{
		// copytruncate with a writer that kept its offset: a run of NULs
		// where the old lines were, then the next line.
		{"NUL run before a line", strings.Join(lines[:3], "") + nuls + strings.Join(lines[3:], ""), 0},
		// A rotation boundary: NULs alone on a line of their own.
		{"NUL run on its own line", strings.Join(lines[:3], "") + nuls + "\n" + strings.Join(lines[3:], ""), 1},
		{"NUL inside a line", strings.Replace(threeCalls, "|support|NONE|ABANDON", "|supp\x00ort|NONE|ABANDON", 1), 0},
		{"CRLF line ends", strings.ReplaceAll(threeCalls, "\n", "\r\n"), 0},
		{"no newline after the last line", strings.TrimSuffix(threeCalls, "\n"), 0},
		{"blank lines", strings.ReplaceAll(threeCalls, "\n", "\n\n"), 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := convert(t, []byte(c.input), Config{})
			if got, want := encoded(r), encoded(clean); got != want {
				t.Errorf("events differ from the clean file's:\n%s\nwant\n%s", got, want)
			}
			if r.tally.Malformed != 0 || r.tally.Skipped["blank line"] != c.blank {
				t.Errorf("tally %+v", r.tally)
			}
		})
	}
}

// TestCutLastLine: a file that ends in the middle of a line (read without
// --follow: nothing will complete it) counts that line malformed.
func TestCutLastLine(t *testing.T) {
	r := convert(t, []byte(threeCalls+"1700000300|1700000300.6|supp"), Config{})
	if r.tally.Malformed != 1 || r.tally.FirstMalformed != "line 9: 3 fields, want epoch|callid|queue|agent|EVENT|data…" {
		t.Errorf("tally %+v", r.tally)
	}
}

// TestHugeLine: a 100 MB line is counted malformed and never held; the
// lines around it are read.
func TestHugeLine(t *testing.T) {
	var events []*feed.Event
	c := NewConverter(Config{}, func(ev *feed.Event) { events = append(events, ev) })
	var sp splitter
	sp.write([]byte("1700000010|1700000010.1|support|NONE|ENTERQUEUE||5550001|1\n1700000011|x|"), c)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for range 1600 { // 100 MiB, as a reader would hand it on
		sp.write(chunk, c)
		if cap(sp.buf) > 2*MaxLine+len(chunk) {
			t.Fatalf("the splitter holds %d bytes of one line", cap(sp.buf))
		}
	}
	sp.write([]byte("\n1700000020|1700000010.1|support|NONE|ABANDON|1|1|10\n"), c)
	c.Close()
	tl := c.Tally()
	if tl.Lines != 3 || tl.Malformed != 1 || !strings.Contains(tl.FirstMalformed, "line 2: a line of 104857613 bytes") {
		t.Errorf("tally %+v", tl)
	}
	if len(events) != 2 || events[1].Type != feed.TypeAbandoned {
		t.Errorf("events %v", events)
	}
}

// TestMalformedLines: each reason a line cannot be used is counted, with
// the first one named.
func TestMalformedLines(t *testing.T) {
	long := strings.Repeat("q", maxText+1)
	for _, c := range []struct{ line, reason string }{
		{"1700000010|x|support|NONE", "4 fields"},
		{"|x|support|NONE|ENTERQUEUE|", `time "" is not Unix seconds`},
		{"1e9|x|support|NONE|ENTERQUEUE|", `time "1e9" is not Unix seconds`},
		{"99999999999|x|support|NONE|ENTERQUEUE|", `time "99999999999" is out of range`},
		{"1700000010|x|support|NONE||", "no EVENT"},
		{"1700000010|x|" + long + "|NONE|ENTERQUEUE|", "queue is 257 bytes long"},
		{"1700000010|NONE|support|NONE|ENTERQUEUE|", "ENTERQUEUE: no call id"},
		{"1700000010|x|NONE|NONE|ENTERQUEUE|", "ENTERQUEUE: no queue"},
		{"1700000010|x|support|Ana|CONNECT|", "CONNECT: holdtime missing"},
		{"1700000010|x|support|Ana|CONNECT|-3|y|1", `CONNECT: holdtime "-3" is negative`},
		{"1700000010|x|support|NONE|CONNECT|3|y|1", "CONNECT: no agent"},
		{"1700000010|x|support|Ana|COMPLETECALLER|3|NaN|1", `COMPLETECALLER: calltime "NaN" is not a number of seconds`},
		{"1700000010|x|support|Ana|ATTENDEDTRANSFER|APP|3|4", "ATTENDEDTRANSFER: 3 data fields"},
		{"1700000010|x|support|NONE|ABANDON|1|1|999999999", `ABANDON: waittime "999999999" is longer than a week`},
		{"1700000010|NONE|NONE|Ana|ADDMEMBER|", "ADDMEMBER: no queue"},
	} {
		r := convert(t, []byte(c.line+"\n"), Config{})
		if r.tally.Malformed != 1 || !strings.Contains(r.tally.FirstMalformed, "line 1: "+c.reason) {
			t.Errorf("%q: tally %+v, want %q", c.line, r.tally, c.reason)
		}
	}
}

// TestContradictions: lines that contradict what the file said before
// are counted malformed and change nothing.
func TestContradictions(t *testing.T) {
	for _, c := range []struct{ lines, reason string }{
		{"1700000010|c1|support|NONE|ENTERQUEUE||1|1\n1700000011|c1|sales|NONE|ENTERQUEUE||1|1",
			"line 2: ENTERQUEUE: call c1 entered sales while waiting in support"},
		{"1700000010|c1|support|NONE|ENTERQUEUE||1|1\n1700000011|c1|sales|Ana|CONNECT|1|p|1",
			"line 2: CONNECT: call c1 is waiting in support, not sales"},
		{"1700000010|c1|support|NONE|ENTERQUEUE||1|1\n1700000011|c1|support|Ana|CONNECT|1|p|1\n1700000012|c1|support|NONE|ABANDON|1|1|2",
			"line 3: ABANDON: call c1 is not waiting"},
		{"1700000010|c1|support|NONE|ENTERQUEUE||1|1\n1700000011|c1|support|Ana|CONNECT|1|p|1\n1700000012|c1|support|Ben|RINGNOANSWER|1000",
			"line 3: RINGNOANSWER: call c1 is not waiting"},
		{"1700000010|c1|support|NONE|ENTERQUEUE||1|1\n1700000011|c1|support|Ana|CONNECT|1|p|1\n1700000012|c1|support|Ana|BLINDTRANSFER|1|x|1|1|1\n1700000013|c1|support|Ana|COMPLETEAGENT|1|2|1",
			"line 4: COMPLETEAGENT: call c1 was already transferred"},
	} {
		r := convert(t, []byte(c.lines+"\n"), Config{})
		if r.tally.Malformed != 1 || r.tally.FirstMalformed != c.reason {
			t.Errorf("%q: tally %+v, want %q", c.lines, r.tally, c.reason)
		}
	}
}

// TestBoundedCalls: a file that opens calls without end holds at most
// maxCalls; the lines past it are counted, not followed.
func TestBoundedCalls(t *testing.T) {
	var b bytes.Buffer
	for i := range maxCalls + 3 {
		fmt.Fprintf(&b, "1700000010|c%d|support|NONE|ENTERQUEUE||1|1\n", i)
	}
	var n int
	c := NewConverter(Config{}, func(*feed.Event) { n++ })
	var sp splitter
	sp.write(b.Bytes(), c)
	c.Close()
	if tl := c.Tally(); tl.Malformed != 3 || !strings.Contains(tl.FirstMalformed, "more than 100000 calls live at once") || n != maxCalls {
		t.Errorf("%d events, tally %+v", n, tl)
	}
}

// TestStaleCallsClose: a call whose end line was lost is closed after a
// day without a line, so it does not wait on the dashboard for ever.
func TestStaleCallsClose(t *testing.T) {
	r := convert(t, []byte(`1700000010|lost|support|NONE|ENTERQUEUE||1|1
1700090000|c2|support|NONE|ENTERQUEUE||2|1
1700090010|c2|support|NONE|ABANDON|1|1|10
`), Config{})
	if q := r.queue(t, "support"); q.Waiting != 0 || q.AbandonedByReason[feed.ReasonWithdraw] != 1 {
		t.Errorf("support: waiting %d, abandoned %v", q.Waiting, q.AbandonedByReason)
	}
	if !sourcetest.HasNote(r.tally, "1 calls had no line for 24h0m0s") {
		t.Errorf("notes %q", r.tally.Notes)
	}
}

// TestLogoffDuringCall: a member removed, or an agent logged off, during a
// call stays on the call until it ends, and is offline after its wrap-up.
func TestLogoffDuringCall(t *testing.T) {
	g := goals(t, "queues:\n  support: {wrap_s: 10}\n")
	r := convert(t, []byte(`1700000001|MANAGER|support|Ana|ADDMEMBER|
1700000002|1700000002.1|NONE|Agent/7|AGENTLOGIN|SIP/7-00000001
1700000010|c1|support|NONE|ENTERQUEUE||1|1
1700000012|c1|support|Ana|CONNECT|2|p|1
1700000020|c2|support|NONE|ENTERQUEUE||2|1
1700000021|c2|support|Agent/7|CONNECT|1|p|1
1700000030|MANAGER|support|Ana|REMOVEMEMBER|
1700000031|1700000002.1|NONE|Agent/7|AGENTLOGOFF|SIP/7-00000001|29
1700000072|c1|support|Ana|COMPLETEAGENT|2|60|1
1700000081|c2|support|Agent/7|COMPLETECALLER|1|60|1
`), Config{Goals: g})
	for _, s := range []struct {
		agent string
		sec   float64
		state string
	}{{"Ana", 12, feed.StateOnCall}, {"Ana", 72, feed.StateWrapUp}, {"Ana", 82, feed.StateOffline},
		{"Agent/7", 21, feed.StateOnCall}, {"Agent/7", 81, feed.StateWrapUp}, {"Agent/7", 91, feed.StateOffline}} {
		if ev := r.find(feed.TypeAgentState, s.agent, at(s.sec)); ev == nil || ev.State != s.state {
			t.Errorf("%s at +%v: %+v, want %s", s.agent, s.sec, ev, s.state)
		}
	}
	for _, sec := range []float64{30, 31} {
		for _, a := range []string{"Ana", "Agent/7"} {
			if ev := r.find(feed.TypeAgentState, a, at(sec)); ev != nil && ev.State != feed.StateOnCall {
				t.Errorf("%s's logoff during a call shows at once: %+v", a, ev)
			}
		}
	}
}
