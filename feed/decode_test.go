package feed

import (
	"strings"
	"testing"
)

func TestDecodeErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		line, want string
		hasSeq     bool
	}{
		{`nonsense`, "not a JSON object", false},
		{`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q"}`, "call: missing", true},
		{`{"type":"call.offered","seq":1.5,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`, "seq: want a JSON integer, got 1.5", false},
		{`{"type":"call.offered","seq":-1,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`, "seq: must not be negative", false},
		{`{"type":"call.offered","seq":1,"ts":"08:00","call":"c","queue":"q"}`, `ts: "08:00" is not an RFC 3339 timestamp`, true},
		{`{"type":"call.offered","seq":1,"call":"c","queue":"q"}`, "ts: missing", true},
		{`{"seq":1,"ts":"2026-11-23T08:00:00.000Z"}`, "type: missing", true},
		{`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":7,"queue":"q"}`, "call: want a string, got 7", true},
		{`{"type":"queue.config","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q","sl_target":1.2}`, "sl_target: 1.2 is out of range 0..1", true},
		{`{"type":"queue.config","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q","sl_mode":"fast"}`, `sl_mode: "fast" is not a service-level mode`, true},
		{`{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00.000Z","agent":"a","state":"busy"}`, `state: "busy" is not an agent state`, true},
		{`{"type":"survey.submitted","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c","agent":"a","queue":"q","nps":11}`, "nps: score 11 is out of range 0..10", true},
		{`{"type":"survey.submitted","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c","agent":"a","queue":"q","ces":"3"}`, `ces: want a number, got "3"`, true},
		{`{"type":"survey.submitted","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c","agent":"a","queue":"q"}`, "needs at least one of csat, nps, ces", true},
		{`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[{"agent":"a","state":"on_call"}],"calls":[]}`, "agents[0].since: missing", true},
		{`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[]}`, "calls: missing", true},
		{`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00.000Z","queues":[{"queue":"q","sl_target":2}],"agents":[],"calls":[]}`, "queues[0].sl_target: 2 is out of range", true},
		{`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[{"agent":"a","state":"aux","since":"2026-11-23T08:00:00.000Z","queues":"q"}],"calls":[]}`, "agents[0].queues: want an array", true},
		{`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[{"agent":"a","state":"busy","since":"2026-11-23T08:00:00.000Z"}],"calls":[]}`, `agents[0].state: "busy" is not an agent state`, true},
		{`{"type":"hello","v":2,"seq":1,"ts":"2026-11-23T08:00:00.000Z","stream":"s"}`, "protocol version 2 is not supported", true},
	} {
		d := Decode([]byte(tc.line))
		if d.Err == nil || !strings.Contains(d.Err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want one containing %q", tc.line, d.Err, tc.want)
		}
		if d.HasSeq != tc.hasSeq {
			t.Errorf("%s\n  HasSeq %v, want %v", tc.line, d.HasSeq, tc.hasSeq)
		}
	}
}

func TestDecodeToleratesUnknowns(t *testing.T) {
	d := Decode([]byte(`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.5Z","call":"c","queue":"q","csat":"not mine","extra":{"x":1}}`))
	if d.Err != nil || d.Unknown {
		t.Fatalf("unknown fields of a known type: %+v", d)
	}
	if d.Event.Channel != "voice" || d.Event.TS.Nanosecond() != 5e8 {
		t.Errorf("decoded %+v", d.Event)
	}
	d = Decode([]byte(`{"type":"call.recorded","seq":3,"ts":"2026-11-23T08:00:00Z","whatever":[1]}`))
	if d.Err != nil || !d.Unknown || !d.HasSeq {
		t.Errorf("unknown type: %+v", d)
	}
}

// Every type survives Encode then Decode unchanged.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, line := range []string{
		`{"type":"hello","seq":4,"ts":"2026-11-23T08:00:00.000Z","v":1,"feed":"f","stream":"s"}`,
		`{"type":"heartbeat","seq":4,"ts":"2026-11-23T08:00:00.000Z"}`,
		`{"type":"queue.config","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q","name":"Q","sl_threshold_s":30,"sl_target":0.9,"short_abandon_s":4,"sl_mode":"answered_only"}`,
		`{"type":"agent.state","seq":2,"ts":"2026-11-23T08:00:00.000Z","agent":"a","name":"A","state":"aux","queues":["q"],"reason":"lunch"}`,
		`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","channel":"chat"}`,
		`{"type":"call.transferred","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","agent":"a"}`,
		`{"type":"survey.submitted","seq":5,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","agent":"a","csat":4,"nps":9,"comment":"ok"}`,
		`{"type":"snapshot","seq":6,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[],"calls":[]}`,
		`{"type":"snapshot","seq":6,"ts":"2026-11-23T08:00:00.000Z","queues":[{"queue":"q","sl_threshold_s":20,"sl_target":0.8,"short_abandon_s":5,"sl_mode":"exclude_short"}],"agents":[{"agent":"a","state":"on_call","since":"2026-11-23T07:59:00.000Z","queues":["q"],"call":"c"}],"calls":[{"call":"c","queue":"q","offered":"2026-11-23T07:58:00.000Z","answered":"2026-11-23T07:59:00.000Z","ended":null,"agent":"a"}]}`,
	} {
		d := Decode([]byte(line))
		if d.Err != nil {
			t.Fatalf("%s: %v", line, d.Err)
		}
		got := string(Encode(&d.Event))
		if got != line {
			t.Errorf("round trip\n got %s\nwant %s", got, line)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"snapshot","seq":6,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[],"calls":[]}`,
		`{"type":"survey.submitted","seq":5,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","agent":"a","csat":4}`,
		`{"type":"agent.state","seq":2,"ts":"2026-11-23T08:00:00.000Z","agent":"a","state":"aux","queues":["q"]}`,
		`{"seq":"1"}`, `[]`, `{"type":"x\u0000","seq":9e99}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d := Decode(line)
		if d.Err != nil && d.Unknown {
			t.Fatal("a line is bad or unknown, not both")
		}
		if d.Err == nil && !d.Unknown {
			// A good line encodes to a line that decodes to the same event.
			again := Decode(Encode(&d.Event))
			if again.Err != nil {
				t.Fatalf("re-decoding %s: %v", Encode(&d.Event), again.Err)
			}
			if again.Event.Type != d.Event.Type || again.Event.Seq != d.Event.Seq || !again.Event.TS.Truncate(1e6).Equal(d.Event.TS.Truncate(1e6)) {
				t.Fatalf("round trip changed %+v into %+v", d.Event, again.Event)
			}
		}
	})
}
