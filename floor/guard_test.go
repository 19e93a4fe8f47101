package floor

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/floorwatch/floorwatch/feed"
)

// wall is this machine's clock in these tests: two days after t0.
var wall = t0.Add(48 * time.Hour)

func atWall() time.Time { return wall }

// lineAt sends an event at any ts, even one no Duration from t0 reaches.
// A hello or heartbeat carries the last seq, as a feed sends them.
func (s *script) lineAt(at time.Time, typ string, kv ...any) Outcome {
	s.t.Helper()
	if typ != feed.TypeHello && typ != feed.TypeHeartbeat {
		s.seq++
	}
	m := map[string]any{"type": typ, "seq": s.seq, "ts": feed.FormatTime(at)}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.f.IngestLine(b, s.mode)
}

// refused checks that the last line was bad for the reason given.
func (s *script) refused(o Outcome, reason string) {
	s.t.Helper()
	if o != Bad {
		s.t.Fatalf("outcome %v, want bad: %s", o, reason)
	}
	if got := s.f.Stats().LastError; !strings.HasSuffix(got, reason) {
		s.t.Fatalf("last error\n  %s\nwant it to end\n  %s", got, reason)
	}
}

func TestPoisonedTSIsBadAndLeavesTheClock(t *testing.T) {
	year9999 := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for name, mode := range map[string]Mode{"recording": Recording, "live": Live} {
		t.Run(name, func(t *testing.T) {
			s := newScript(t, Options{WallClock: atWall})
			s.mode = mode
			s.must(0, "queue.config", "queue", "q1")
			s.must(10, "call.offered", "call", "c1", "queue", "q1")
			want := "ts: 9999-12-31T00:00:00.000Z is 7973 years ahead of the floor clock 2026-11-23T08:00:10.000Z; " +
				"a jump over 92d is refused (--max-clock-jump)"
			// An event, and the control lines that move the clock too.
			s.refused(s.lineAt(year9999, "call.offered", "call", "c2", "queue", "q1"), want)
			s.refused(s.lineAt(year9999, "heartbeat"), want)
			s.refused(s.lineAt(year9999, "hello", "v", 1, "feed", "f", "stream", "s2"), want)
			if got := s.f.Now(); !got.Equal(t0.Add(10 * time.Second)) {
				t.Fatalf("clock moved to %v", got)
			}
			if st := s.f.Stats(); st.BadLines != 3 || st.Stream != "" || st.Gaps != 0 {
				t.Fatalf("stats %+v", st)
			}
			// The poisoned lines kept their place in the seq: the next line
			// is no gap, and the floor goes on with its own time.
			s.must(20, "queue.config", "queue", "q1")
			r := s.f.Report(All)
			approx(t, "longest wait", r.Floor.LongestWaitS, 10)
			eq(t, "offered", r.Floor.Offered, 1)
		})
	}
}

func TestQuietWeeksPassALongJumpNeedsTheFlag(t *testing.T) {
	day := 24 * time.Hour
	s := newScript(t, Options{WallClock: atWall})
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	// A queue_log quiet for a month (a seasonal queue) goes on.
	if o := s.lineAt(t0.Add(30*day), "call.abandoned", "call", "c1", "queue", "q1"); o != Applied {
		t.Fatalf("a month's quiet: %v (%s)", o, s.f.Stats().LastError)
	}
	s.refused(s.lineAt(t0.Add(123*day), "heartbeat"),
		"ts: 2027-03-26T08:00:00.000Z is 93 days ahead of the floor clock 2026-12-23T08:00:00.000Z; a jump over 92d is refused (--max-clock-jump)")

	s = newScript(t, Options{WallClock: atWall, MaxClockJump: 120 * day})
	s.must(0, "queue.config", "queue", "q1")
	if o := s.lineAt(t0.Add(93*day), "heartbeat"); o != Control {
		t.Fatalf("93 days with --max-clock-jump 120d: %v (%s)", o, s.f.Stats().LastError)
	}
}

func TestFirstLineHasNoFloorClockButIsJudged(t *testing.T) {
	year := 365 * 24 * time.Hour
	// A recording of a scenario dated in three years: its own clock.
	s := newScript(t, Options{WallClock: atWall})
	if o := s.lineAt(wall.Add(3*year), "hello", "v", 1, "stream", "s"); o != Control {
		t.Fatalf("a scenario dated ahead: %v (%s)", o, s.f.Stats().LastError)
	}
	// A placeholder date as a file's first line steals nothing.
	s = newScript(t, Options{WallClock: atWall})
	s.refused(s.lineAt(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "queue.config", "queue", "q1"),
		"ts: 9999-12-31T00:00:00.000Z is 7973 years ahead of this machine's clock 2026-11-25T08:00:00.000Z; "+
			"no floor is more than 10 years ahead of it (a placeholder date, or a time in the wrong unit)")
	if !s.f.Now().IsZero() || len(s.f.queues) != 0 {
		t.Fatalf("clock %v, queues %d", s.f.Now(), len(s.f.queues))
	}
	// A live feed happens now: its first hello is judged by this machine's
	// clock with the same bound as a jump.
	s = newScript(t, Options{WallClock: atWall})
	s.mode = Live
	s.refused(s.lineAt(wall.Add(100*24*time.Hour), "hello", "v", 1, "stream", "s"),
		"ts: 2027-03-05T08:00:00.000Z is 100 days ahead of this machine's clock 2026-11-25T08:00:00.000Z; "+
			"a live feed more than 92d ahead of it is refused (--max-clock-jump)")
	if st := s.f.Stats(); st.Stream != "" || !s.f.Now().IsZero() {
		t.Fatalf("a refused hello took hold: %+v, now %v", st, s.f.Now())
	}
	// A feed a few minutes ahead (a clock not quite in step) is fine.
	s.must(0, "queue.config", "queue", "q1")
	s = newScript(t, Options{WallClock: atWall, MaxClockJump: 4 * year})
	s.mode = Live
	if o := s.lineAt(wall.Add(3*year), "heartbeat"); o != Control {
		t.Fatalf("with --max-clock-jump 4y: %v (%s)", o, s.f.Stats().LastError)
	}
}

func TestSpans(t *testing.T) {
	for in, want := range map[string]time.Duration{"92d": 92 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := ParseSpan(in)
		if err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back := FormatSpan(got); back != in && in != "90m" {
			t.Errorf("FormatSpan(%v) = %q, want %q", got, back, in)
		}
	}
	for _, bad := range []string{"", "0d", "-3d", "d", "1.5d", "0s", "-1h", "99999999d"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("ParseSpan(%q) accepted", bad)
		}
	}
}

func TestLimitsRefuseWhatWouldGrowTheFloor(t *testing.T) {
	s := newScript(t, Options{MaxQueues: 2, MaxAgents: 2, MaxCalls: 3})
	s.must(0, "queue.config", "queue", "q0")
	s.must(0, "queue.config", "queue", "q1")
	s.refused(s.at(1, "queue.config", "queue", "q2"), `queue limit 2 reached (--max-queues): queue "q2" not created`)
	s.refused(s.at(1, "call.offered", "call", "x", "queue", "q2"), `queue limit 2 reached (--max-queues): queue "q2" not created`)
	s.must(1, "queue.config", "queue", "q1", "sl_target", 0.9) // what exists can still change
	s.must(2, "agent.state", "agent", "a0", "state", "available")
	s.must(2, "agent.state", "agent", "a1", "state", "available")
	s.refused(s.at(3, "agent.state", "agent", "a2", "state", "available"), `agent limit 2 reached (--max-agents): agent "a2" not created`)
	for i := range 3 {
		s.must(4, "call.offered", "call", fmt.Sprint("c", i), "queue", "q0")
	}
	full := `call limit 3 reached (--max-calls): call "c3" not created`
	s.refused(s.at(5, "call.offered", "call", "c3", "queue", "q0"), full)
	// Agents first named by a call or a survey count too.
	s.refused(s.at(5, "call.answered", "call", "c0", "queue", "q0", "agent", "a9"), `agent limit 2 reached (--max-agents): agent "a9" not created`)
	s.refused(s.at(5, "survey.submitted", "call", "c0", "queue", "q0", "agent", "a9", "csat", 5), `agent limit 2 reached (--max-agents): agent "a9" not created`)
	// A call in wrap-up is still live; wrapped, it makes room.
	s.must(6, "call.answered", "call", "c0", "queue", "q0", "agent", "a0")
	s.must(9, "call.ended", "call", "c0", "agent", "a0")
	s.refused(s.at(10, "call.offered", "call", "c3", "queue", "q0"), full)
	s.must(12, "call.wrapped", "call", "c0", "agent", "a0")
	s.must(13, "call.offered", "call", "c3", "queue", "q0")
	s.must(14, "call.answered", "call", "c3", "queue", "q0", "agent", "a1")
	s.refused(s.at(15, "call.transferred", "call", "c3", "agent", "a1", "queue", "q7"), `queue limit 2 reached (--max-queues): queue "q7" not created`)
	eq(t, "bad lines", s.f.Stats().BadLines, 8)
	eq(t, "queues", len(s.f.queues), 2)
	eq(t, "agents", len(s.f.agents), 2)
	eq(t, "offered", s.f.Report(All).Floor.Offered, 4)
}

func TestPerAgentBounds(t *testing.T) {
	s := newScript(t, Options{})
	many := make([]string, maxSkills+1)
	for i := range many {
		many[i] = fmt.Sprint("q", i)
	}
	s.refused(s.at(0, "agent.state", "agent", "a1", "state", "available", "queues", many),
		`queues: agent "a1" has 129 skills; an agent may have at most 128`)
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", many[:maxSkills])
	s.must(0, "agent.state", "agent", "a2", "state", "available", "queues", []string{"q5"})
	// Every agent's skill "q5" is one string in memory, however many say it.
	if unsafe.StringData(s.f.agents["a1"].skills[5]) != unsafe.StringData(s.f.agents["a2"].skills[0]) {
		t.Error("skills are not shared")
	}

	long := strings.Repeat("x", MaxText+1)
	s.refused(s.at(1, "agent.state", "agent", long, "state", "available"), "agent: 257 bytes long; an id or label may have at most 256")
	s.refused(s.at(1, "agent.state", "agent", "a1", "state", "available", "name", long), "name: 257 bytes long; an id or label may have at most 256")

	// One agent's aux reasons: maxAgentAux distinct, the one running now
	// included; a new one after them counts as other, and the agent's state
	// still changes.
	for i := range maxAgentAux {
		s.must(float64(10+i), "agent.state", "agent", "a1", "state", "aux", "reason", fmt.Sprint("r", i))
	}
	s.must(50, "agent.state", "agent", "a1", "state", "aux", "reason", "r99")
	eq(t, "a1's reason", s.f.agents["a1"].reason, Other)
	s.must(51, "agent.state", "agent", "a1", "state", "aux", "reason", "r3") // one it has
	s.must(52, "agent.state", "agent", "a1", "state", "available")
	aux := agentOf(t, s.f.Report(All), "a1").AuxByReason
	eq(t, "a1's aux reasons", len(aux), maxAgentAux+1)
	eq(t, "a1's other", aux[Other], 1)
	eq(t, "a1's r3", aux["r3"], 2)
	// The floor's: maxAuxReasons distinct, whoever uses them.
	for i := range maxAuxReasons - maxAgentAux {
		s.must(float64(60+i), "agent.state", "agent", fmt.Sprint("b", i/maxAgentAux), "state", "aux", "reason", fmt.Sprint("s", i))
	}
	s.must(300, "agent.state", "agent", "b9", "state", "aux", "reason", "new")
	eq(t, "b9's reason", s.f.agents["b9"].reason, Other)

	// A customer's long comment is kept, cut.
	s.must(400, "survey.submitted", "call", "c1", "queue", "q1", "agent", "a1", "csat", 1,
		"comment", strings.Repeat("é", maxFreeText))
	r := s.f.Report(All)
	if len(r.Recovery) != 1 {
		t.Fatalf("recovery list: %+v", r.Recovery)
	}
	if c := r.Recovery[0].Comment; len(c) > maxFreeText+len("…") || !strings.HasSuffix(c, "é…") {
		t.Errorf("comment of %d bytes, ending %q", len(c), c[len(c)-8:])
	}
}

func TestLabelsPastTheirBoundCountAsOther(t *testing.T) {
	s := newScript(t, Options{})
	// maxAbandonReasons made-up reasons are kept, the protocol's always; an
	// abandon of a reason after them still counts, as other.
	for i := range maxAbandonReasons + 2 {
		id := fmt.Sprint("c", i)
		s.must(float64(i), "call.offered", "call", id, "queue", "q1")
		s.must(float64(i)+10, "call.abandoned", "call", id, "queue", "q1", "reason", "made-up-"+id)
	}
	s.must(100, "call.offered", "call", "z", "queue", "q1")
	s.must(110, "call.abandoned", "call", "z", "queue", "q1", "reason", "timeout")
	got := queueOf(t, s.f.Report(All), "q1").AbandonedByReason
	eq(t, "distinct reasons", len(got), maxAbandonReasons+2) // the made-up ones, other, timeout
	eq(t, "other", got[Other], 2)
	eq(t, "timeout", got["timeout"], 1)
	eq(t, "abandoned", queueOf(t, s.f.Report(All), "q1").Abandoned, maxAbandonReasons+3)

	// Channels likewise: the usual four and maxChannels more.
	for i := range maxChannels + 1 {
		s.must(200, "call.offered", "call", fmt.Sprint("k", i), "queue", "q1", "channel", fmt.Sprint("ch", i))
	}
	s.must(200, "call.offered", "call", "chat", "queue", "q1", "channel", "chat")
	eq(t, "the last made-up channel", s.f.calls[fmt.Sprint("k", maxChannels)].channel, Other)
	eq(t, "a made-up channel", s.f.calls["k3"].channel, "ch3")
	eq(t, "chat", s.f.calls["chat"].channel, "chat")
}

// snapshotLine is a snapshot of queues, agents and calls named by number.
func snapshotLine(seq int64, queues, agents, calls int, pad int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"snapshot","seq":%d,"ts":%q,"pad":%q,"queues":[`, seq, ts(100), strings.Repeat("p", pad))
	for i := range queues {
		fmt.Fprintf(&b, `%s{"queue":"q%d"}`, comma(i), i)
	}
	b.WriteString(`],"agents":[`)
	for i := range agents {
		fmt.Fprintf(&b, `%s{"agent":"a%d","state":"available","since":%q,"queues":["q0"]}`, comma(i), i, ts(0))
	}
	b.WriteString(`],"calls":[`)
	for i := range calls {
		fmt.Fprintf(&b, `%s{"call":"c%d","queue":"q0","offered":%q}`, comma(i), i, ts(50))
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func comma(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}

func TestLineLength(t *testing.T) {
	s := newScript(t, Options{MaxLine: 600, MaxQueues: 4, MaxAgents: 4, MaxCalls: 4})
	s.mode = Live
	s.must(0, "call.offered", "call", "old", "queue", "q0")
	s.refused(s.at(1, "survey.submitted", "call", "c", "queue", "q0", "agent", "a", "csat", 4, "comment", strings.Repeat("x", 600)),
		"line is 725 bytes; a line may have at most 600 (--max-line)")
	s.must(2, "queue.config", "queue", "q0") // the long line kept its seq: no gap

	// A snapshot of a big floor is longer than any event: it may have 2 KiB
	// an item on top of --max-line.
	s.seq++
	big := snapshotLine(s.seq, 2, 4, 4, 0)
	if len(big) <= 600 {
		t.Fatalf("snapshot of %d bytes does not test the allowance", len(big))
	}
	if o := s.f.IngestLine(big, Live); o != Applied {
		t.Fatalf("a snapshot of %d bytes: %v (%s)", len(big), o, s.f.Stats().LastError)
	}
	// One listing more than the floor may hold is refused before decoding.
	s.seq++
	s.refused(s.f.IngestLine(snapshotLine(s.seq, 1, 5, 0, 0), Live),
		"agents: the snapshot lists 5; the limit is 4 (--max-agents): snapshot not applied")
	s.seq++
	s.refused(s.f.IngestLine(snapshotLine(s.seq, 1, 0, 0, 3000), Live),
		"snapshot line is 3117 bytes; one listing 1 queues, agents and calls may have at most 2648 (--max-line plus 2048 an item)")
	// Its items add to the queues and agents the floor has.
	s.must(110, "queue.config", "queue", "q8")
	s.must(110, "queue.config", "queue", "q9")
	s.seq++
	s.refused(s.f.IngestLine(snapshotLine(s.seq, 3, 1, 1, 0), Live),
		"queues: the snapshot would make 5 queues; the limit is 4 (--max-queues): snapshot not applied")
	eq(t, "live calls after refused snapshots", len(s.f.calls), 4)
	eq(t, "gaps", s.f.Stats().Gaps, 0)
}

// TestHugeSnapshotIsCountedNotDecoded sends a 3 MB snapshot listing a
// million empty agents: decoding it would take hundreds of MB; counting its
// items takes next to nothing, and it is refused on the count.
func TestHugeSnapshotIsCountedNotDecoded(t *testing.T) {
	line := []byte(`{"type":"snapshot","seq":1,"ts":"2026-11-23T08:00:00Z","queues":[],"calls":[],"agents":[{}` +
		strings.Repeat(`,{}`, 1_000_000) + `]}`)
	fl := New(Options{})
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	o := fl.IngestLine(line, Recording)
	runtime.ReadMemStats(&m1)
	if o != Bad || !strings.HasSuffix(fl.Stats().LastError, "agents: the snapshot lists 1000001; the limit is 50000 (--max-agents): snapshot not applied") {
		t.Fatalf("%v: %s", o, fl.Stats().LastError)
	}
	if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing it allocated %d KiB", alloc>>10)
	}
}

// TestHostileFloorStaysBounded feeds ten times what the limits allow and
// checks that the floor holds what a floor at its limits holds; the same
// lines without the limits show that the measure would see the growth.
func TestHostileFloorStaysBounded(t *testing.T) {
	const queues, agents, calls = 800, 800, 4000
	limited := Options{MaxQueues: queues, MaxAgents: agents, MaxCalls: calls}
	flood := func(scale int) func(*Floor) {
		return func(fl *Floor) { hostileFloor(fl, queues*scale, agents*scale, calls*scale) }
	}
	atLimit, base := heapOf(limited, flood(1))
	flooded, got := heapOf(limited, flood(10))
	unbounded, grown := heapOf(Options{MaxQueues: 1 << 30, MaxAgents: 1 << 30, MaxCalls: 1 << 30}, flood(10))
	t.Logf("heap: at the limits %d KiB, ten times over them %d KiB, without limits %d KiB", base>>10, got>>10, grown>>10)
	if got > base+base/5 {
		t.Errorf("ten times the limits took %d KiB, the limits alone %d KiB", got>>10, base>>10)
	}
	if grown < 5*base {
		t.Errorf("without limits %d KiB, with %d KiB: the measure does not see growth", grown>>10, base>>10)
	}
	eq(t, "queues", len(flooded.queues), queues)
	eq(t, "agents", len(flooded.agents), agents)
	eq(t, "calls", len(flooded.calls), calls)
	eq(t, "bad lines", flooded.Stats().BadLines, int64(9*(queues+agents+calls)))
	eq(t, "at the limits, bad lines", atLimit.Stats().BadLines, 0)
	runtime.KeepAlive(unbounded)
}

// hostileFloor feeds fl the flood: queues, agents, and calls left
// waiting, every one new, one line each, made as they go so that the lines
// take no memory.
func hostileFloor(fl *Floor, queues, agents, calls int) {
	var line []byte
	seq := 0
	stamp := feed.FormatTime(t0)
	next := func(format string, args ...any) {
		seq++
		line = fmt.Appendf(line[:0], format, append([]any{seq, stamp}, args...)...)
		fl.IngestLine(line, Live)
	}
	for i := range queues {
		next(`{"type":"queue.config","seq":%d,"ts":%q,"queue":"queue-%07d","name":"Queue %d"}`, i, i)
	}
	for i := range agents {
		next(`{"type":"agent.state","seq":%d,"ts":%q,"agent":"agent-%07d","name":"Agent %d","state":"available","queues":["queue-%07d"]}`, i, i, i%queues)
	}
	for i := range calls {
		next(`{"type":"call.offered","seq":%d,"ts":%q,"call":"call-%08d","queue":"queue-%07d","caller":"+3312345%04d"}`, i, i%100, i%10000)
	}
}

// heapOf is the heap a Floor holds once fill has fed it, after a GC.
func heapOf(opts Options, fill func(*Floor)) (*Floor, uint64) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	fl := New(opts)
	fill(fl)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	return fl, m1.HeapAlloc - m0.HeapAlloc
}

// longestStrings fills a floor to its limits with every string at its
// bound: 256-byte ids, names, callers and channels, agents with 128 skills
// and 32 aux reasons each. It is the most a feed can make the fold hold,
// short of the rolling windows' log (events within the horizon).
func longestStrings(fl *Floor, queues, agents, calls int) {
	var line []byte
	seq := 0
	id := func(kind string, i int) string { return fmt.Sprintf("%s-%0*d", kind, MaxText-len(kind)-1, i) }
	next := func(at float64, format string, args ...any) {
		seq++
		line = fmt.Appendf(line[:0], format, append([]any{seq, ts(at)}, args...)...)
		if o := fl.IngestLine(line, Live); o != Applied {
			panic(fmt.Sprintf("%v: %s", o, fl.Stats().LastError))
		}
	}
	for i := range queues {
		next(0, `{"type":"queue.config","seq":%d,"ts":%q,"queue":%q,"name":%q}`, id("q", i), id("name", i))
	}
	skills, _ := json.Marshal(func() []string {
		out := make([]string, maxSkills)
		for i := range out {
			out[i] = id("q", i%queues)
		}
		return out
	}())
	for i := range agents {
		next(0, `{"type":"agent.state","seq":%d,"ts":%q,"agent":%q,"name":%q,"state":"available","queues":%s}`, id("a", i), id("name", i), skills)
		for r := range maxAgentAux {
			next(float64(1+r), `{"type":"agent.state","seq":%d,"ts":%q,"agent":%q,"state":"aux","reason":%q}`,
				id("a", i), id("aux", (i+r)%maxAuxReasons))
		}
	}
	for i := range calls {
		next(40, `{"type":"call.offered","seq":%d,"ts":%q,"call":%q,"queue":%q,"caller":%q,"channel":%q}`,
			id("c", i), id("q", i%queues), id("+", i), id("chat", i))
	}
}

// BenchmarkHostileFloor is the flood (200,000 queues, 200,000
// agents, 1,000,000 waiting calls) against the default limits and, for
// scale, against none; then a tenth of the default limits filled with the
// longest strings the guard lets through. Each reports the heap the floor
// holds afterwards.
func BenchmarkHostileFloor(b *testing.B) {
	none := Options{MaxQueues: 1 << 30, MaxAgents: 1 << 30, MaxCalls: 1 << 30}
	tenth := Options{MaxQueues: DefaultMaxQueues / 10, MaxAgents: DefaultMaxAgents / 10, MaxCalls: DefaultMaxCalls / 10}
	for _, c := range []struct {
		name string
		opts Options
		fill func(*Floor)
	}{
		{"default-limits", Options{}, func(fl *Floor) { hostileFloor(fl, 200_000, 200_000, 1_000_000) }},
		{"no-limits", none, func(fl *Floor) { hostileFloor(fl, 200_000, 200_000, 1_000_000) }},
		{"longest-strings-tenth", tenth, func(fl *Floor) { longestStrings(fl, tenth.MaxQueues, tenth.MaxAgents, tenth.MaxCalls) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var heap uint64
			for b.Loop() {
				_, heap = heapOf(c.opts, c.fill)
			}
			b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
		})
	}
}

// BenchmarkGuard is what the guard adds to each line of a real floor's mix
// (benchStream): the clock and every bound checked, skills and reasons
// shared. Against BenchmarkDecode it is the guard's share of a line's cost.
func BenchmarkGuard(b *testing.B) {
	lines := benchStream(20000)
	decoded := make([]feed.Decoded, len(lines))
	for i, l := range lines {
		decoded[i] = feed.Decode(l)
	}
	f := New(Options{})
	const setup = 1000 // the floor's queues and agents, and a first few calls
	for i := range decoded[:setup] {
		f.ingest(&decoded[i], Recording)
	}
	rest := decoded[setup:]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := &rest[i%len(rest)]
		f.guard(d, Recording)
		d.Err = nil // the next pass judges it afresh
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// FuzzSnapshot decodes snapshot lines and applies them to a floor that
// already has queues, agents and calls, under small limits, and checks that
// no line takes it past a bound or moves the clock without applying.
func FuzzSnapshot(f *testing.F) {
	f.Add(snapshotLine(9, 2, 3, 3, 0))
	f.Add(snapshotLine(9, 9, 0, 0, 0))
	f.Add(snapshotLine(9, 1, 1, 1, 5000))
	f.Add([]byte(`{"type":"snapshot","seq":9,"ts":"2026-11-23T08:05:00Z","queues":[{"queue":"q1","sl_target":2}],"agents":[],"calls":[]}`))
	f.Add([]byte(`{"type":"snapshot","seq":9,"ts":"2026-11-23T08:05:00Z","queues":[],"agents":[{"agent":"a1","state":"aux","reason":"lunch","since":"2026-11-23T08:01:00Z","queues":["q1","q1","q2"],"call":"c1"}],` +
		`"calls":[{"call":"c1","queue":"q1","offered":"2026-11-23T08:00:00Z","answered":"2026-11-23T08:00:09Z","agent":"a1","channel":"chat","caller":"+331"},` +
		`{"call":"c2","queue":"q1","offered":"2026-11-23T08:00:00Z","answered":"2026-11-23T08:00:09Z","ended":"2026-11-23T08:03:00Z","agent":"a2"}]}`))
	f.Add([]byte(`{"type":"snapshot","seq":9,"ts":"9999-12-31T00:00:00Z","queues":[],"agents":[],"calls":[]}`))
	f.Add([]byte(`{"type":"snap\u0073hot","seq":9,"ts":"2026-11-23T08:05:00Z","queues":[{},{},{}],"agents":[{}],"calls":null}`))
	f.Add([]byte(`{"type":"snapshot","seq":-1,"ts":"2026-11-23T08:05:00Z","queues":[1,2,3],"agents":"x","calls":[[]]}`))
	const maxQ, maxA, maxC = 4, 4, 6
	opts := Options{WallClock: atWall, MaxQueues: maxQ, MaxAgents: maxA, MaxCalls: maxC, MaxLine: 2048}
	f.Fuzz(func(t *testing.T, line []byte) {
		fl := New(opts)
		for i, l := range []string{
			`{"type":"hello","seq":0,"ts":"2026-11-23T08:00:00Z","v":1,"stream":"s"}`,
			`{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00Z","agent":"a0","state":"aux","reason":"break"}`,
			`{"type":"call.offered","seq":2,"ts":"2026-11-23T08:00:01Z","call":"c0","queue":"q0"}`,
		} {
			if o := fl.IngestLine([]byte(l), Live); o == Bad {
				t.Fatalf("setup line %d: %s", i, fl.Stats().LastError)
			}
		}
		before := fl.Now()
		o := fl.IngestLine(line, Live)
		if o != Applied && o != Control && !fl.Now().Equal(before) {
			t.Fatalf("%v line moved the clock from %v to %v", o, before, fl.Now())
		}
		if fl.Now().After(wall.Add(fl.opts.MaxClockJump)) {
			t.Fatalf("clock %v is past the bound", fl.Now())
		}
		if len(fl.queues) > maxQ || len(fl.agents) > maxA || len(fl.calls)+len(fl.wrapping) > maxC {
			t.Fatalf("%d queues, %d agents, %d live calls: past the limits", len(fl.queues), len(fl.agents), len(fl.calls)+len(fl.wrapping))
		}
		for id, a := range fl.agents {
			if len(id) > MaxText || len(a.name) > MaxText || len(a.skills) > maxSkills || len(a.allTime.auxBy) > maxAgentAux+2 { // and other, unspecified
				t.Fatalf("agent %q past a bound: %d skills, %d aux reasons", id, len(a.skills), len(a.allTime.auxBy))
			}
		}
		fl.IngestLine([]byte(`{"type":"heartbeat","seq":10000,"ts":"2026-11-23T09:00:00Z"}`), Live)
		checkInvariants(t, fl)
	})
}
