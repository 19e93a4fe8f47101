package simulator

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// smallFloor is a floor to watch commands on: support is overloaded (4
// Erlangs on 3 agents) so calls wait; billing has agents to spare; a006
// comes in at 09:00; a001-a003 take a break at 08:30, 20 s apart.
const smallFloor = `name: small
seed: 4
start: 2026-11-23T08:00:00Z
duration: 2h
surveys: {rate: 0}
queues:
  - {queue: support, calls_per_hour: 120, aht_s: 120, patience_s: 300}
  - {queue: billing, calls_per_hour: 30, aht_s: 120, patience_s: 300}
agents:
  - {count: 3, queues: [support], breaks: [{at: "08:30", length: 30m, reason: break, spread: 1m}]}
  - {count: 2, queues: [billing]}
  - {count: 1, queues: [billing], shift: {start: "09:00", end: "10:00"}}
`

func small(t testing.TB) *Scenario {
	t.Helper()
	sc, err := Parse([]byte(smallFloor))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func seconds(v float64) *float64 { return &v }

var drill = Options{Drill: true}

// action finds the drill.action of the command with that id: its index
// among the events, and the event.
func action(t *testing.T, evs []feed.Event, id string) (int, *feed.Event) {
	t.Helper()
	for i := range evs {
		if evs[i].Type == feed.TypeDrillAction && evs[i].Drill.ID == id {
			return i, &evs[i]
		}
	}
	t.Fatalf("no drill.action %s", id)
	return -1, nil
}

func mustOK(t *testing.T, ev *feed.Event) {
	t.Helper()
	if ev.Drill.Result != "ok" {
		t.Fatalf("%s %s: %s", ev.Drill.ID, ev.Drill.Command, ev.Drill.Result)
	}
}

func TestParseCommand(t *testing.T) {
	ok := []struct {
		frame string
		want  Command
	}{
		{`{"type":"drill.command","id":"k1","command":"move","agent":"a003","queues":["billing","support"]}`,
			Command{ID: "k1", Name: CmdMove, Agent: "a003", Queues: []string{"billing", "support"}}},
		{`{"type":"drill.command","id":"k2","command":"overtime","count":3,"queues":["support"],"for":"30m","agent":"ignored"}`,
			Command{ID: "k2", Name: CmdOvertime, Count: 3, Queues: []string{"support"}, For: "30m"}},
		{`{"type":"drill.command","command":"overflow","queue":"support","to":"billing","after_s":45.5}`,
			Command{Name: CmdOverflow, Queue: "support", To: "billing", AfterS: seconds(45.5)}},
		{`{"type":"drill.command","command":"callback","queue":"support","after_s":null}`,
			Command{Name: CmdCallback, Queue: "support"}},
		{`{"type":"drill.command","id":"k5","command":"release","agent":"a\u001b[2J1","by":"someone else"}`,
			Command{ID: "k5", Name: CmdRelease, Agent: "a^[[2J1"}},
	}
	for _, c := range ok {
		got, err := ParseCommand([]byte(c.frame))
		if err != nil || !sameCommand(got, c.want) {
			t.Errorf("%s:\n got %+v (%v)\nwant %+v", c.frame, got, err, c.want)
		}
	}
	bad := []struct{ frame, id, name, problem string }{
		{`hello`, "", "", "not a JSON object"},
		{`["drill.command"]`, "", "", "not a JSON object"},
		{`{"type":"drill.command",`, "", "", "not a JSON object"},
		{`{"type":"chat","id":"k8","command":"release","agent":"a001"}`, "k8", CmdRelease, `type: want "drill.command", got "chat"`},
		{`{"type":"drill.command","id":"k9","command":"overtime","count":"two"}`, "k9", CmdOvertime, "count: want a whole number"},
		{`{"type":"drill.command","id":7,"command":"release"}`, "", CmdRelease, "id: want a string"},
		{`{"type":"drill.command","command":"callback","queue":"s","after_s":"soon"}`, "", CmdCallback, "after_s: want a number of seconds, or null"},
	}
	for _, c := range bad {
		got, err := ParseCommand([]byte(c.frame))
		if err == nil || got.problem != c.problem || err.Error() != c.problem || got.ID != c.id || got.Name != c.name {
			t.Errorf("%s: got %+v (%v), want id %q command %q refused with %q", c.frame, got, err, c.id, c.name, c.problem)
		}
	}
}

func sameCommand(a, b Command) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Agent == b.Agent && slices.Equal(a.Queues, b.Queues) &&
		a.Count == b.Count && a.For == b.For && a.Queue == b.Queue && a.To == b.To &&
		(a.AfterS == nil) == (b.AfterS == nil) && (a.AfterS == nil || *a.AfterS == *b.AfterS) && a.problem == b.problem
}

// TestActionLine: a drill.action carries the command's id, who gave it,
// its own fields and its result, and reads back as it was written; a
// frame that is no command gets one with no command and no id.
func TestActionLine(t *testing.T) {
	lines, _ := play(t, small(t), drill,
		timed{10 * time.Minute, Command{ID: "k1", By: "SHA256:abc ana", Name: CmdOverflow, Queue: "support", To: "billing", AfterS: seconds(30)}},
		timed{11 * time.Minute, mustParse(t, `not json`)},
		timed{12 * time.Minute, Command{ID: "k3", By: "local", Name: CmdOvertime, Count: 2, Queues: []string{"support"}, For: "30m"}})
	var got []string
	for _, l := range lines {
		if strings.Contains(l, `"drill.action"`) {
			got = append(got, l)
		}
	}
	want := []string{
		`{"type":"drill.action","seq":0,"ts":"2026-11-23T08:10:00.000Z","queue":"support","to":"billing","id":"k1","by":"SHA256:abc ana","command":"overflow","after_s":30,"result":"ok"}`,
		`{"type":"drill.action","seq":0,"ts":"2026-11-23T08:11:00.000Z","by":"test","command":null,"result":"refused: not a JSON object"}`,
		`{"type":"drill.action","seq":0,"ts":"2026-11-23T08:12:00.000Z","queues":["support"],"id":"k3","by":"local","command":"overtime","count":2,"for":"30m","result":"ok"}`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("drill.action lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		d := feed.Decode([]byte(l))
		if d.Err != nil || string(feed.Encode(&d.Event)) != l {
			t.Errorf("%s does not read back: %v", l, d.Err)
		}
	}
}

func mustParse(t *testing.T, frame string) Command {
	c, _ := ParseCommand([]byte(frame)) // a frame that is no command is refused on the feed
	return c
}

func TestMove(t *testing.T) {
	lines, _ := play(t, small(t), drill, timed{10 * time.Minute, Command{ID: "m", Name: CmdMove, Agent: "a004", Queues: []string{"support"}}})
	evs := decode(t, lines)
	i, ev := action(t, evs, "m")
	mustOK(t, ev)
	next := evs[i+1]
	if next.Type != feed.TypeAgentState || next.Agent != "a004" || !slices.Equal(next.Skills, []string{"support"}) || !next.TS.Equal(ev.TS) {
		t.Fatalf("after the move: %+v", next)
	}
	supportCalls := 0
	for _, e := range evs[i:] {
		if e.Type == feed.TypeAnswered && e.Agent == "a004" {
			if e.Queue != "support" {
				t.Fatalf("a004 answered %s in %s after moving to support", e.Call, e.Queue)
			}
			supportCalls++
		}
	}
	if supportCalls == 0 {
		t.Error("a004 took no support call after the move")
	}
}

func TestRelease(t *testing.T) {
	lines, _ := play(t, small(t), drill,
		timed{10 * time.Minute, Command{ID: "early", Name: CmdRelease, Agent: "a001"}},
		timed{35 * time.Minute, Command{ID: "r", Name: CmdRelease, Agent: "a001"}})
	evs := decode(t, lines)
	_, early := action(t, evs, "early")
	if early.Drill.Result != "refused: a001 is not in aux (on_call)" && early.Drill.Result != "refused: a001 is not in aux (available)" {
		t.Errorf("release of an agent with no aux: %s", early.Drill.Result)
	}
	i, ev := action(t, evs, "r")
	mustOK(t, ev)
	next := evs[i+1]
	if next.Type != feed.TypeAgentState || next.Agent != "a001" || next.State != feed.StateAvailable || !next.TS.Equal(ev.TS) {
		t.Fatalf("after the release: %+v", next)
	}
	breakEnd := ev.TS.Add(25 * time.Minute) // their break was 08:30-09:00
	answered := false
	for _, e := range evs[i:] {
		if e.Agent == "a001" && e.Type == feed.TypeAnswered && e.TS.Before(breakEnd) {
			answered = true
		}
		if e.Agent == "a001" && e.Type == feed.TypeAgentState && e.State == feed.StateAux {
			t.Fatalf("a001 back in aux at %v", e.TS)
		}
	}
	if !answered {
		t.Error("a001 answered nothing in what was left of their break")
	}
}

func TestOvertime(t *testing.T) {
	lines, _ := play(t, small(t), drill, timed{10 * time.Minute, Command{ID: "o", Name: CmdOvertime, Count: 2, Queues: []string{"support"}, For: "30m"}})
	evs := decode(t, lines)
	i, ev := action(t, evs, "o")
	mustOK(t, ev)
	for k, id := range []string{"a007", "a008"} {
		e := evs[i+1+k]
		if e.Type != feed.TypeAgentState || e.Agent != id || e.Name == "" || e.State != feed.StateAvailable || !slices.Equal(e.Skills, []string{"support"}) {
			t.Fatalf("overtime agent %d: %+v", k, e)
		}
	}
	end := ev.TS.Add(30 * time.Minute)
	for _, id := range []string{"a007", "a008"} {
		var off time.Time
		var talking string
		answered := 0
		for _, e := range evs[i:] {
			if e.Agent != id {
				continue
			}
			switch {
			case e.Type == feed.TypeAnswered:
				if !off.IsZero() {
					t.Fatalf("%s answered %s after logging off", id, e.Call)
				}
				talking, answered = e.Call, answered+1
			case e.Type == feed.TypeWrapped:
				talking = ""
			case e.Type == feed.TypeAgentState && e.State == feed.StateOffline:
				if talking != "" || e.TS.Before(end) || !off.IsZero() {
					t.Fatalf("%s offline at %v (overtime ends %v), on %q", id, e.TS, end, talking)
				}
				off = e.TS
			}
		}
		if off.IsZero() || answered == 0 {
			t.Errorf("%s: answered %d, offline at %v", id, answered, off)
		}
	}
}

func TestSendHome(t *testing.T) {
	// Sent home halfway through a call they answer after 08:10, a002
	// finishes it first.
	without, _ := play(t, small(t), drill)
	start := small(t).Start.Time
	talks := map[string]time.Time{}
	var call string
	for _, e := range decode(t, without) {
		switch {
		case e.Agent == "a002" && e.Type == feed.TypeAnswered && e.TS.After(start.Add(10*time.Minute)):
			talks[e.Call] = e.TS
		case e.Type == feed.TypeWrapped && call == "" && !talks[e.Call].IsZero() && e.TS.Sub(talks[e.Call]) > 2*time.Second:
			call = e.Call
		}
	}
	mid := talks[call].Sub(start) + time.Second
	lines, _ := play(t, small(t), drill, timed{mid, Command{ID: "h", Name: CmdSendHome, Agent: "a002"}},
		timed{mid + time.Millisecond, Command{ID: "again", Name: CmdSendHome, Agent: "a002"}},
		timed{mid + time.Second, Command{ID: "off", Name: CmdSendHome, Agent: "a006"}})
	evs := decode(t, lines)
	i, ev := action(t, evs, "h")
	mustOK(t, ev)
	var wrapped, off time.Time
	for _, e := range evs[i:] {
		if e.Agent != "a002" {
			continue
		}
		switch {
		case e.Type == feed.TypeAnswered:
			t.Fatalf("a002 answered %s after being sent home", e.Call)
		case e.Type == feed.TypeWrapped && e.Call == call:
			wrapped = e.TS
		case e.Type == feed.TypeAgentState && e.State == feed.StateOffline:
			off = e.TS
		case e.Type == feed.TypeAgentState:
			t.Fatalf("a002 is %s at %v, after going home", e.State, e.TS)
		}
	}
	if wrapped.IsZero() || !off.Equal(wrapped) {
		t.Errorf("a002 wrapped %s at %v and went offline at %v", call, wrapped, off)
	}
	for id, want := range map[string]string{"again": "refused: a002 is already going home after their call", "off": "refused: a006 is already offline"} {
		if _, ev := action(t, evs, id); ev.Drill.Result != want {
			t.Errorf("%s: %s, want %s", id, ev.Drill.Result, want)
		}
	}
}

// offer is where and when a call was last offered, and who called.
type offer struct {
	queue, caller string
	at            time.Time
}

func TestOverflow(t *testing.T) {
	lines, s := play(t, small(t), drill,
		timed{20 * time.Minute, Command{ID: "on", Name: CmdOverflow, Queue: "support", To: "billing", AfterS: seconds(60)}},
		timed{21 * time.Minute, Command{ID: "circle", Name: CmdOverflow, Queue: "billing", To: "support", AfterS: seconds(60)}},
		timed{60 * time.Minute, Command{ID: "off", Name: CmdOverflow, Queue: "support"}})
	evs := decode(t, lines)
	iOn, on := action(t, evs, "on")
	mustOK(t, on)
	iOff, off := action(t, evs, "off")
	mustOK(t, off)
	if _, c := action(t, evs, "circle"); c.Drill.Result != "refused: to: support overflows to billing already: calls would go round in a circle" {
		t.Errorf("overflow in a circle: %s", c.Drill.Result)
	}
	offers := map[string]offer{}
	moved := 0
	for i, e := range evs {
		switch e.Type {
		case feed.TypeOffered:
			offers[e.Call] = offer{e.Queue, e.Caller, e.TS}
		case feed.TypeTransferred:
			offers[e.Call] = offer{e.Queue, offers[e.Call].caller, e.TS}
		case feed.TypeAnswered, feed.TypeAbandoned:
			o := offers[e.Call]
			wait := e.TS.Sub(o.at)
			during := i > iOn && i < iOff
			if e.Type == feed.TypeAbandoned && e.Reason == feed.ReasonTimeout {
				// Moved at 60 s, or at once if it had waited longer, and
				// offered in billing at once as the same caller's next call.
				if !during || e.Queue != "support" || wait < time.Minute || wait > time.Minute && !e.TS.Equal(on.TS) {
					t.Fatalf("%s moved at %v after %v", e.Call, e.TS, wait)
				}
				n, first := evs[i+1], strings.Split(e.Call, ".")[0]
				if n.Type != feed.TypeOffered || n.Queue != "billing" || n.Caller != o.caller || !n.TS.Equal(e.TS) || !strings.HasPrefix(n.Call, first+".") {
					t.Fatalf("after moving %s: %+v", e.Call, n)
				}
				moved++
			} else if during && e.Queue == "support" && wait > time.Minute {
				t.Fatalf("%s %s after %v in support while it overflows at 60 s", e.Call, e.Type, wait)
			}
		}
	}
	if moved == 0 {
		t.Error("no call overflowed")
	}
	foldAgrees(t, lines, s)
}

func TestCallback(t *testing.T) {
	const after = 90 * time.Second
	without, _ := play(t, small(t), drill)
	lines, s := play(t, small(t), drill, timed{20 * time.Minute, Command{ID: "cb", Name: CmdCallback, Queue: "support", AfterS: seconds(after.Seconds())}})
	evs := decode(t, lines)
	i, ev := action(t, evs, "cb")
	mustOK(t, ev)
	outcome := func(evs []feed.Event) map[string]string {
		offers := map[string]time.Time{}
		out := map[string]string{}
		for _, e := range evs {
			switch e.Type {
			case feed.TypeOffered:
				offers[e.Call] = e.TS
			case feed.TypeAnswered, feed.TypeAbandoned:
				if e.Queue == "support" && e.TS.After(ev.TS) && e.TS.Sub(offers[e.Call]) > after {
					out[e.Call] = e.Type
				}
			}
		}
		return out
	}
	// The same callers: those who hung up after waiting 90 s without the
	// offer take the call back, and are called back (answered).
	with, shadow := outcome(evs[i:]), outcome(decode(t, without))
	took := 0
	for call, what := range shadow {
		if what != feed.TypeAbandoned {
			continue
		}
		if with[call] != feed.TypeAnswered {
			t.Errorf("%s hung up after %v without the call-back offer, and is %q with it", call, after, with[call])
		}
		took++
	}
	for call, what := range with {
		if what == feed.TypeAbandoned {
			t.Errorf("%s hung up after %v while call backs were offered", call, after)
		}
	}
	if took == 0 {
		t.Error("no caller took a call back")
	}
	foldAgrees(t, lines, s)
}

// TestRefusedCommandsChangeNothing: a refused command is answered by its
// drill.action, naming what was wrong, and the floor runs on as if it had
// not been given.
func TestRefusedCommandsChangeNothing(t *testing.T) {
	refused := []struct {
		c    Command
		want string
	}{
		{Command{Name: CmdMove, Agent: "a999", Queues: []string{"support"}}, `unknown agent "a999"`},
		{Command{Name: CmdMove, Queues: []string{"support"}}, "agent: missing"},
		{Command{Name: CmdMove, Agent: "a001"}, "queues: missing"},
		{Command{Name: CmdMove, Agent: "a001", Queues: []string{"support", "nowhere"}}, `queues: unknown queue "nowhere"; queues are support, billing`},
		{Command{Name: CmdRelease, Agent: "a004"}, "a004 is not in aux"},
		{Command{Name: CmdOvertime, Queues: []string{"support"}, For: "1h"}, "count: missing"},
		{Command{Name: CmdOvertime, Count: 1000, Queues: []string{"support"}, For: "1h"}, "count: want 1 to 200 agents, got 1000"},
		{Command{Name: CmdOvertime, Count: 2, Queues: []string{"support"}, For: "soon"}, `for: "soon" is not a duration`},
		{Command{Name: CmdOvertime, Count: 2, Queues: []string{"support"}}, "for: missing"},
		{Command{Name: CmdOvertime, Count: 2, For: "1h"}, "queues: missing"},
		{Command{Name: CmdSendHome, Agent: "a006"}, "a006 is already offline"},
		{Command{Name: CmdOverflow, Queue: "support", To: "support", AfterS: seconds(30)}, "to: a queue cannot overflow to itself"},
		{Command{Name: CmdOverflow, Queue: "support", To: "sales", AfterS: seconds(30)}, `to: unknown queue "sales"`},
		{Command{Name: CmdOverflow, Queue: "support", AfterS: seconds(30)}, "to: missing"},
		{Command{Name: CmdOverflow, Queue: "support"}, "support has no overflow to end"},
		{Command{Name: CmdCallback, To: "support", AfterS: seconds(30)}, "queue: missing"},
		{Command{Name: CmdCallback, Queue: "support", AfterS: seconds(-5)}, "after_s: want 0 to 86400 seconds, got -5"},
		{Command{Name: CmdCallback, Queue: "billing"}, "billing offers no call back to end"},
		{Command{Name: "promote", Agent: "a001"}, `unknown command "promote"; commands are move, release, overtime, send_home, overflow, callback`},
		{Command{}, "command: missing"},
		{mustParse(t, `{"type":"drill.command","command":"overtime","count":"two"}`), "count: want a whole number"},
		{mustParse(t, `"release a001"`), "not a JSON object"},
	}
	var cmds []timed
	for i, r := range refused {
		cmds = append(cmds, timed{time.Duration(i+1) * 7 * time.Minute / 2, r.c})
	}
	with, _ := play(t, small(t), drill, cmds...)
	without, _ := play(t, small(t), drill)
	var rest []string
	var results []string
	for _, l := range with {
		if strings.Contains(l, `"type":"drill.action"`) {
			results = append(results, feed.Decode([]byte(l)).Event.Drill.Result)
			continue
		}
		rest = append(rest, l)
	}
	if len(results) != len(refused) {
		t.Fatalf("%d drill.actions for %d commands", len(results), len(refused))
	}
	for i, r := range refused {
		if !strings.HasPrefix(results[i], "refused: ") || !strings.Contains(results[i], r.want) {
			t.Errorf("%+v: %q, want it refused with %q", r.c, results[i], r.want)
		}
	}
	if !slices.Equal(rest, without) {
		t.Error("refused commands changed the floor")
	}
}

// TestCommandOutsideTheDrill: before the first instant, after the last,
// or on a run that is not a drill, a command is refused.
func TestCommandOutsideTheDrill(t *testing.T) {
	release := Command{Name: CmdRelease, Agent: "a001", By: "local"}
	s := New(small(t), drill)
	if got := s.Command(release).Drill.Result; got != "refused: the drill has not started" {
		t.Errorf("before the start: %s", got)
	}
	runAll(s)
	if got := s.Command(release).Drill.Result; got != "refused: the drill is over" {
		t.Errorf("after the end: %s", got)
	}
	s = New(small(t), Options{})
	s.Step()
	if got := s.Command(release).Drill.Result; got != "refused: not a drill" {
		t.Errorf("not a drill: %s", got)
	}
}

// foldAgrees: the floor's fold of a drill's recording arrives at the
// simulator's own counts, abandon reasons and follow-up calls included.
func foldAgrees(t *testing.T, lines []string, s *Sim) {
	t.Helper()
	f := floor.New(floor.Options{})
	for i, l := range lines {
		d := feed.Decode([]byte(l))
		d.Event.Seq = int64(i + 1)
		if out := f.IngestLine(feed.Encode(&d.Event), floor.Recording); out != floor.Applied {
			t.Fatalf("line %s: %v", l, out)
		}
	}
	rep := f.Report(floor.All)
	var total Counters
	for _, c := range s.Counters() {
		total = total.Add(c)
		compare(t, c.Queue, c, rep.Queues[indexOf(t, rep, c.Queue)].Metrics)
	}
	compare(t, "floor", total, rep.Floor)
}

// FuzzCommand: whatever a client sends, the drill answers with exactly one
// drill.action that reads back as a good line, and goes on.
func FuzzCommand(f *testing.F) {
	for _, frame := range []string{
		`{"type":"drill.command","id":"k1","command":"move","agent":"a003","queues":["billing"]}`,
		`{"type":"drill.command","command":"overtime","count":3,"queues":["support"],"for":"30m"}`,
		`{"type":"drill.command","command":"overflow","queue":"support","to":"billing","after_s":0}`,
		`{"type":"drill.command","command":"callback","queue":"support","after_s":1e300}`,
		`{"type":"drill.command","command":"release","agent":"a001\u0000"}`,
		`{"type":"drill.command","command":"send_home","agent":"a002"}`,
		`[1,2]`, `null`, ``, `{"command":{}}`,
	} {
		f.Add([]byte(frame))
	}
	sc := small(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := New(sc, Options{Drill: true, Duration: 20 * time.Minute})
		for range 200 {
			s.Step()
		}
		s.Recycle()
		c, _ := ParseCommand(frame) // a frame that is no command is refused on the feed
		c.By = "fuzz"
		ev := s.Command(c)
		if n := len(s.Events()); n == 0 || s.Events()[0] != ev || ev.Drill.Result == "" {
			t.Fatalf("%q: %d events, first %+v", frame, n, s.Events()[0])
		}
		for _, e := range s.Events() {
			if d := feed.Decode(feed.Encode(e)); d.Err != nil || d.Unknown {
				t.Fatalf("%q: %s: %v", frame, feed.Encode(e), d.Err)
			}
		}
		runAll(s)
	})
}
