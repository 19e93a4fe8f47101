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

// Protocol 1.1's fine print, line by line.
func TestDecodeVersion11(t *testing.T) {
	const head = `"seq":1,"ts":"2026-11-23T08:00:00.000Z"`
	for _, tc := range []struct {
		line   string
		reason string // the abandon reason decoded
	}{
		{`{"type":"call.abandoned",` + head + `,"call":"c","queue":"q"}`, "caller"},
		{`{"type":"call.abandoned",` + head + `,"call":"c","queue":"q","reason":null}`, "caller"},
		{`{"type":"call.abandoned",` + head + `,"call":"c","queue":"q","reason":""}`, "caller"},
		{`{"type":"call.abandoned",` + head + `,"call":"c","queue":"q","reason":"no_agents"}`, "no_agents"},
	} {
		d := Decode([]byte(tc.line))
		if d.Err != nil || d.Event.Reason != tc.reason {
			t.Errorf("%s: reason %q, err %v; want %q", tc.line, d.Event.Reason, d.Err, tc.reason)
		}
	}
	for _, tc := range []struct{ line, want string }{
		{`{"type":"call.abandoned",` + head + `,"call":"c","queue":"q","reason":3}`, "reason: want a string"},
		{`{"type":"call.transferred",` + head + `,"call":"c","agent":"a"}`, "queue: missing (a transfer names a queue of this floor, or `to`"},
		{`{"type":"drill.action",` + head + `,"result":"ok"}`, "by: missing"},
		{`{"type":"drill.action",` + head + `,"by":"local"}`, "result: missing"},
	} {
		d := Decode([]byte(tc.line))
		if d.Err == nil || !strings.Contains(d.Err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want one containing %q", tc.line, d.Err, tc.want)
		}
	}
	for line, want := range map[string]string{
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","channel":7}`:     "voice",
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","channel":""}`:    "voice",
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","channel":"sms"}`: "sms",
	} {
		if d := Decode([]byte(line)); d.Err != nil || d.Event.Channel != want {
			t.Errorf("%s: channel %q, err %v; want %q", line, d.Event.Channel, d.Err, want)
		}
	}
	// A channel goal leaves out what the queue's own goal gives.
	d := Decode([]byte(`{"type":"queue.config",` + head + `,"queue":"q","sl_threshold_s":30,"sl_target":0.9,"channel_goals":{"chat":{"sl_threshold_s":60}}}`))
	if g := d.Event.Config.ChannelGoals["chat"]; d.Err != nil || g.SLThresholdS != 60 || g.SLTarget != 0.9 {
		t.Errorf("chat goal %+v, err %v", g, d.Err)
	}
	if th, tg := d.Event.Config.Goal("chat"); th != 60 || tg != 0.9 {
		t.Errorf("Goal(chat) = %v, %v", th, tg)
	}
	if th, tg := d.Event.Config.Goal("voice"); th != 30 || tg != 0.9 {
		t.Errorf("Goal(voice) = %v, %v", th, tg)
	}
	for _, bad := range []string{`[1]`, `{"chat":5}`, `{"chat":{"sl_target":2}}`, `{"":{"sl_target":0.5}}`} {
		if d := Decode([]byte(`{"type":"queue.config",` + head + `,"queue":"q","channel_goals":` + bad + `}`)); d.Err == nil || !strings.Contains(d.Err.Error(), "channel_goals") {
			t.Errorf("channel_goals %s: err %v", bad, d.Err)
		}
	}
	// With both, queue wins; to is kept.
	d = Decode([]byte(`{"type":"call.transferred",` + head + `,"call":"c","agent":"a","queue":"q2","to":"555"}`))
	if d.Err != nil || d.Event.Queue != "q2" || d.Event.To != "555" {
		t.Errorf("transfer with queue and to: %+v %v", d.Event, d.Err)
	}
	d = Decode([]byte(`{"type":"drill.action",` + head + `,"by":"SHA256:x ana","command":null,"result":"refused: not a JSON object"}`))
	if d.Err != nil || d.Event.Drill == nil || d.Event.Drill.Command != "" {
		t.Errorf("drill.action with a null command: %+v %v", d.Event, d.Err)
	}
}

// Text from outside reaches no terminal raw: every string is cleaned where
// it is decoded, and so is every reason that quotes the line.
func TestDecodeCleansHostileText(t *testing.T) {
	for _, payload := range []string{`\u001b]0;owned\u0007`, `\u001b]52;c;ZXZpbA==\u0007`, `\u001b[2J`, "\u009b31m", `\u009b`} {
		line := `{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00.000Z","agent":"a` + payload + `","name":"` + payload + `","state":"aux","reason":"` + payload + `"}`
		d := Decode([]byte(line))
		if d.Err != nil {
			t.Fatalf("%s: %v", line, d.Err)
		}
		for _, s := range []string{d.Event.Agent, d.Event.Name, d.Event.Reason} {
			if strings.ContainsAny(s, "\x1b\x07\u009b") {
				t.Errorf("%q kept a control character", s)
			}
		}
		bad := Decode([]byte(`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":["` + payload + `"],"queue":"q"}`))
		if bad.Err == nil || strings.ContainsAny(bad.Err.Error(), "\x1b\x07\u009b") {
			t.Errorf("the reason %v keeps a control character", bad.Err)
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
		// protocol 1.1
		`{"type":"queue.config","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q","sl_threshold_s":20,"sl_target":0.8,"short_abandon_s":5,"sl_mode":"exclude_short","channel_goals":{"chat":{"sl_threshold_s":60,"sl_target":0.8},"email":{"sl_threshold_s":14400,"sl_target":0.9}}}`,
		`{"type":"snapshot","seq":6,"ts":"2026-11-23T08:00:00.000Z","queues":[{"queue":"q","sl_threshold_s":20,"sl_target":0.8,"short_abandon_s":5,"sl_mode":"exclude_short","channel_goals":{"chat":{"sl_threshold_s":60,"sl_target":0.7}}}],"agents":[],"calls":[]}`,
		`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","caller":"+33612345678"}`,
		`{"type":"call.abandoned","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","reason":"timeout"}`,
		`{"type":"call.abandoned","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q","reason":"voicemail_full"}`,
		`{"type":"call.transferred","seq":3,"ts":"2026-11-23T08:00:00.000Z","call":"c","agent":"a","to":"5551234"}`,
		`{"type":"drill.action","seq":7,"ts":"2026-11-23T08:00:00.000Z","id":"k1","by":"local","command":"release","result":"ok"}`,
		`{"type":"drill.started","seq":1,"ts":"2026-11-23T08:00:00.000Z","scenario":"lunch-rush","seed":7,"briefing":"Lunch."}`,
		`{"type":"snapshot","seq":6,"ts":"2026-11-23T08:00:00.000Z","queues":[],"agents":[],"calls":[{"call":"c","queue":"q","offered":"2026-11-23T07:58:00.000Z","answered":null,"ended":null,"channel":"chat","caller":"42"}]}`,
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

// An agent's skills are ids like any other: cleaned, so that a skill still
// names the cleaned queue id, and every item must be a string.
func TestDecodeSkillsAreCleaned(t *testing.T) {
	d := Decode([]byte(`{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00.000Z","agent":"a","state":"available","queues":["bill\u001b[2Jing","sales"]}`))
	if d.Err != nil || len(d.Event.Skills) != 2 || d.Event.Skills[0] != "bill^[[2Jing" {
		t.Errorf("skills %q, err %v", d.Event.Skills, d.Err)
	}
	for _, bad := range []string{`["a",1]`, `["a",null]`, `"a"`} {
		d := Decode([]byte(`{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00.000Z","agent":"a","state":"available","queues":` + bad + `}`))
		if d.Err == nil || !strings.Contains(d.Err.Error(), "want an array of queue ids") {
			t.Errorf("queues %s: err %v", bad, d.Err)
		}
	}
}
