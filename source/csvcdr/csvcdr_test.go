package csvcdr

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// convert runs the csv source on a file through a map file, as the bridge
// does, and returns its events and tally.
func convert(t testing.TB, csvPath, mapPath string) ([]*feed.Event, source.Tally) {
	t.Helper()
	src, err := source.Open("csv:"+csvPath, source.Options{MapFile: mapPath})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*feed.Event
	if err := src.Run(context.Background(), func(ev *feed.Event) { evs = append(evs, ev) }); err != nil {
		t.Fatal(err)
	}
	return evs, src.Tally()
}

// convertText is convert on a CSV and a map written here.
func convertText(t testing.TB, csvText, mapText string) ([]*feed.Event, source.Tally) {
	t.Helper()
	return convert(t, writeTemp(t, "calls.csv", csvText), writeTemp(t, "map.yaml", mapText))
}

func writeTemp(t testing.TB, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// foldAll feeds the events to a floor as a recording would, numbered from
// 1, and fails on any line the fold does not apply: a converter's events
// must never contradict the floor.
func foldAll(t testing.TB, evs []*feed.Event) *floor.Report {
	t.Helper()
	f := floor.New(floor.Options{})
	for i, ev := range evs {
		e := *ev
		e.Seq = int64(i + 1)
		line := feed.Encode(&e)
		if out := f.IngestLine(line, floor.Recording); out != floor.Applied {
			t.Fatalf("event %d %s: %v (%s)", i+1, line, out, f.Stats().LastError)
		}
	}
	r := f.Report(floor.All)
	if r.Feed.BadLines != 0 {
		t.Fatalf("%d bad lines: %s", r.Feed.BadLines, r.Feed.LastError)
	}
	return r
}

func queueOf(t testing.TB, r *floor.Report, id string) *floor.QueueReport {
	t.Helper()
	for i := range r.Queues {
		if r.Queues[i].Queue == id {
			return &r.Queues[i]
		}
	}
	t.Fatalf("no queue %q in %+v", id, r.Queues)
	return nil
}

func agentOf(t testing.TB, r *floor.Report, id string) *floor.AgentReport {
	t.Helper()
	for i := range r.Agents {
		if r.Agents[i].Agent == id {
			return &r.Agents[i]
		}
	}
	t.Fatalf("no agent %q", id)
	return nil
}

// figures are the call figures a test works out by hand.
type figures struct {
	offered, answered, abandoned, short int64
	byReason                            map[string]int64
	asa, aht, sl                        float64
}

func checkFigures(t testing.TB, what string, m floor.Metrics, want figures) {
	t.Helper()
	if m.Offered != want.offered || m.Answered != want.answered || m.Abandoned != want.abandoned || m.ShortAbandoned != want.short {
		t.Errorf("%s: offered/answered/abandoned/short %d/%d/%d/%d, want %d/%d/%d/%d", what,
			m.Offered, m.Answered, m.Abandoned, m.ShortAbandoned, want.offered, want.answered, want.abandoned, want.short)
	}
	if len(m.AbandonedByReason) != len(want.byReason) {
		t.Errorf("%s: abandoned by reason %v, want %v", what, m.AbandonedByReason, want.byReason)
	}
	for reason, n := range want.byReason {
		if m.AbandonedByReason[reason] != n {
			t.Errorf("%s: abandoned by reason %v, want %v", what, m.AbandonedByReason, want.byReason)
		}
	}
	near(t, what+" ASA", m.ASAS, want.asa)
	near(t, what+" AHT", m.AHTS, want.aht)
	near(t, what+" service level", m.ServiceLevel, want.sl)
}

func near(t testing.TB, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, deref(got), want)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func checkTally(t testing.TB, got source.Tally, lines, malformed int64, skipped map[string]int64) {
	t.Helper()
	if got.Lines != lines || got.Malformed != malformed {
		t.Errorf("tally: %d lines, %d malformed (%s); want %d, %d", got.Lines, got.Malformed, got.FirstMalformed, lines, malformed)
	}
	if len(got.Skipped) != len(skipped) {
		t.Errorf("skipped %v, want %v", got.Skipped, skipped)
	}
	for k, n := range skipped {
		if got.Skipped[k] != n {
			t.Errorf("skipped %v, want %v", got.Skipped, skipped)
		}
	}
}

// The contract's example (examples/maps/generic.yaml): a BOM, CRLF, ";",
// a date column with times of day in Europe/Paris (CET, UTC+1, on
// 27/03/2026), rows out of order, every way a row can be skipped or
// malformed.
func TestGenericExport(t *testing.T) {
	evs, tally := convert(t, "testdata/generic.csv", "../../examples/maps/generic.yaml")
	// 12 rows: T1 is a TEST call and C9 has no time at all (skipped); C8's
	// answer is 25:61:00, the second C1 repeats a call id and C10's BUSY is
	// in no list (malformed).
	checkTally(t, tally, 12, 3, map[string]int64{`outcome "TEST"`: 1, "no offered or answered time": 1})
	if want := `line 10: answered: "25:61:00" is not a time as time_format "15:04:05" writes it`; tally.FirstMalformed != want {
		t.Errorf("first malformed %q, want %q", tally.FirstMalformed, want)
	}
	r := foldAll(t, evs)
	// Answered, with waits: C1 12 s (stated), C3 30, C6 25 (no answer time:
	// offered 09:08:00 + Queue Time 25 s), C7 5 (stated 5 s wins over the
	// 10 s between 09:09:00 and 09:09:10), C4 20.
	// Handle, answer to release (no wrap-up): C1 180, C3 240, C6 09:08:25 →
	// 09:12:00 = 215, C7 30, C4 120 (Released At empty: Talk Time).
	// Abandoned: C2 after 45 s (caller), C5 after 90 s (TIMEOUT: timeout).
	checkFigures(t, "Sales", queueOf(t, r, "Sales").Metrics, figures{
		offered: 5, answered: 4, abandoned: 1, byReason: map[string]int64{"caller": 1},
		asa: (12 + 30 + 25 + 5) / 4.0, aht: (180 + 240 + 215 + 30) / 4.0,
		sl: 2 / 5.0, // within 20 s: C1, C7; of 4 answered + 1 abandoned
	})
	checkFigures(t, "Support", queueOf(t, r, "Support").Metrics, figures{
		offered: 2, answered: 1, abandoned: 1, byReason: map[string]int64{"timeout": 1},
		asa: 20, aht: 120, sl: 1 / 2.0, // C4 at exactly 20 s is within
	})
	checkFigures(t, "floor", r.Floor, figures{
		offered: 7, answered: 5, abandoned: 2, byReason: map[string]int64{"caller": 1, "timeout": 1},
		asa: 92 / 5.0, aht: 785 / 5.0, sl: 3 / 7.0,
	})
	// anna answered C1, C4 and C7 (busy 180 + 120 + 30 = 330 s) and was
	// staffed from C1's answer, 09:00:12, to C7's end, 09:09:40: 568 s.
	anna := agentOf(t, r, "anna")
	if anna.Handled != 3 || agentOf(t, r, "marc").Handled != 2 {
		t.Errorf("handled: anna %d, marc %d; want 3, 2", anna.Handled, agentOf(t, r, "marc").Handled)
	}
	near(t, "anna's occupancy", anna.Occupancy, 330/568.0)
	if anna.State != feed.StateOffline {
		t.Errorf("anna is %s after her last call of the day, want offline", anna.State)
	}
	// Channels and callers come through, cleaned.
	for _, ev := range evs {
		if ev.Type == feed.TypeOffered && ev.Call == "C4" && (ev.Channel != "chat" || ev.Caller != "+33 6 11 11 11 14") {
			t.Errorf("C4 offered on %q by %q", ev.Channel, ev.Caller)
		}
	}
}

// Five9's call log (examples/maps/five9.yaml): full timestamps without an
// offset in America/New_York (EDT, UTC−4, on 26 March 2026), durations in
// h:mm:ss, an ABANDONED 0/1 column, outbound calls filtered by `only`,
// names with a comma in quotes, after-call work as a duration.
func TestFive9Export(t *testing.T) {
	evs, tally := convert(t, "testdata/five9.csv", "../../examples/maps/five9.yaml")
	// 1004 is outbound, 1006 ended in the IVR: no queue, no agent.
	checkTally(t, tally, 7, 0, map[string]int64{`CALL TYPE "Outbound"`: 1, "no queue or agent": 1})
	r := foldAll(t, evs)
	// Answered: 1001 waits 15 s, talks 240, works 30 after: AHT 270;
	// 1003 40 s, 150 + 60 = 210; 1005 5 s, 180 + 0 = 180.
	// Abandoned: 1002 after 70 s, 1007 after 3 s (short: under 5 s).
	// Service level 20 s, short abandons excluded: 1001 and 1005 within,
	// of 3 answered + 2 abandoned − 1 short = 2/4.
	checkFigures(t, "Billing", queueOf(t, r, "Billing").Metrics, figures{
		offered: 5, answered: 3, abandoned: 2, short: 1, byReason: map[string]int64{"caller": 2},
		asa: (15 + 40 + 5) / 3.0, aht: (270 + 210 + 180) / 3.0, sl: 2 / 4.0,
	})
	near(t, "abandon rate", r.Floor.AbandonRate, 1/4.0) // (2 − 1 short) / (5 − 1)
	jdoe := agentOf(t, r, "jdoe@acme")
	if jdoe.Handled != 2 || jdoe.Name != "Doe, Jane" || agentOf(t, r, "bsmith@acme").Handled != 1 {
		t.Errorf("jdoe@acme %q handled %d; bsmith@acme %d", jdoe.Name, jdoe.Handled, agentOf(t, r, "bsmith@acme").Handled)
	}
	// 1001 is offered at 09:00:00 EDT = 13:00:00Z.
	if evs[0].Type != feed.TypeOffered || evs[0].Call != "1001" || feed.FormatTime(evs[0].TS) != "2026-03-26T13:00:00.000Z" {
		t.Errorf("first event %+v", evs[0])
	}
}

// Amazon Connect contact records (examples/maps/amazon-connect.yaml): RFC
// 3339 timestamps in UTC with milliseconds, no outcome column (answered
// when connected to an agent), a chat that overlaps a call of the same
// agent.
func TestAmazonConnectExport(t *testing.T) {
	evs, tally := convert(t, "testdata/amazon-connect.csv", "../../examples/maps/amazon-connect.yaml")
	// 0005 never reached a queue; 0006 is outbound.
	checkTally(t, tally, 6, 0, map[string]int64{"no offered or answered time": 1, `InitiationMethod "OUTBOUND"`: 1})
	r := foldAll(t, evs)
	// 0001: wait 12, answered 16:00:12 → ACW ends 16:06:00: 348 s.
	// 0003: wait 8, 16:00:38.25 → 16:04:28.25: 230 s.
	// 0004 (chat): wait 4, no after-contact work: 240 s of interaction.
	// 0002: abandoned after Queue.Duration 95 s.
	checkFigures(t, "Support", queueOf(t, r, "Support").Metrics, figures{
		offered: 4, answered: 3, abandoned: 1, byReason: map[string]int64{"caller": 1},
		asa: (12 + 8 + 4) / 3.0, aht: (348 + 230 + 240) / 3.0, sl: 3 / 4.0,
	})
	if k := agentOf(t, r, "kim"); k.Handled != 2 {
		t.Errorf("kim handled %d, want 2", k.Handled)
	}
	// kim takes the chat 0004 at 16:01:04 while on 0001: one on_call, and
	// wrap-up only when 0001 ends too (16:05:12), offline after it.
	want := []string{"16:00:12.000 on_call", "16:05:12.000 wrap_up", "16:06:00.000 offline"}
	if got := statesOf(evs, "kim"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("kim's states %q, want %q", got, want)
	}
}

// statesOf lists an agent's derived states as "15:04:05.000 state".
func statesOf(evs []*feed.Event, agent string) []string {
	var out []string
	for _, ev := range evs {
		if ev.Type == feed.TypeAgentState && ev.Agent == agent {
			out = append(out, ev.TS.Format("15:04:05.000")+" "+ev.State)
		}
	}
	return out
}

// Genesys Cloud's interactions export (examples/maps/genesys-cloud.yaml):
// a 12-hour clock in Europe/London across midnight and across the start
// of summer time (01:00 GMT on 29 March 2026 becomes 02:00 BST),
// durations in milliseconds and in h:mm:ss, channel words mapped.
func TestGenesysCloudExport(t *testing.T) {
	evs, tally := convert(t, "testdata/genesys-cloud.csv", "../../examples/maps/genesys-cloud.yaml")
	checkTally(t, tally, 5, 0, map[string]int64{`Direction "Outbound"`: 1})
	r := foldAll(t, evs)
	// c0a8-01: 23:58:00 GMT + 30 s, talks 240 s past midnight, 60 s ACW: 300.
	// c0a8-02: 00:59:50 GMT + 15 s = 02:00:05 BST, an hour of wall clock
	//          but 15 s of wait; talk 120: 120.
	// c0a8-04: 2:00:10 AM BST = 01:00:10Z, 0:00:20 wait, 0:03:00 + 0:00:30: 210.
	// c0a8-03: abandoned after 62 s.
	checkFigures(t, "Claims", queueOf(t, r, "Claims").Metrics, figures{
		offered: 4, answered: 3, abandoned: 1, byReason: map[string]int64{"caller": 1},
		asa: (30 + 15 + 20) / 3.0, aht: (300 + 120 + 210) / 3.0, sl: 2 / 4.0,
	})
	for _, c := range []struct{ call, typ, want string }{
		{"c0a8-01", feed.TypeOffered, "2026-03-28T23:58:00.000Z"},
		{"c0a8-01", feed.TypeWrapped, "2026-03-29T00:03:30.000Z"},
		{"c0a8-02", feed.TypeAnswered, "2026-03-29T01:00:05.000Z"},
		{"c0a8-03", feed.TypeOffered, "2026-03-29T00:59:55.000Z"},
		{"c0a8-04", feed.TypeOffered, "2026-03-29T01:00:10.000Z"},
	} {
		if got := timeOf(evs, c.call, c.typ); got != c.want {
			t.Errorf("%s %s at %s, want %s", c.call, c.typ, got, c.want)
		}
	}
	// "callback" is mapped to voice; "message" is no word of the map: kept.
	for _, ev := range evs {
		want := feed.ChannelVoice
		if ev.Call == "c0a8-03" {
			want = "message"
		}
		if ev.Type == feed.TypeOffered && ev.Channel != want {
			t.Errorf("%s offered on %q, want %q", ev.Call, ev.Channel, want)
		}
	}
}

// timeOf is when the call's event of that type happened, as the feed
// writes it.
func timeOf(evs []*feed.Event, call, typ string) string {
	for _, ev := range evs {
		if ev.Call == call && ev.Type == typ {
			return feed.FormatTime(ev.TS)
		}
	}
	return "never"
}

// The map of the contract's own example reads as written.
func TestContractMapExample(t *testing.T) {
	const contract = `delimiter: ";"                      # default ","; "\t" for TSV
timezone: Europe/Paris              # of times without an offset; default UTC
date: {column: Day, format: "02/01/2006"}   # optional; times of day add to it
call: Call ID
queue: Skill
agent: Agent Login
channel: Media                      # optional; voice when absent
caller: ANI                         # optional
offered: Queued At                  # time (of day, or a full timestamp)
answered: Answered At
ended: Released At
wrapped: null                       # absent: no wrap-up
wait: Queue Time                    # duration in queue: answered − wait is the offer, offered + wait an abandon
talk: Talk Time                     # duration, used where ended is empty
outcome: {column: Result, answered: [ANSWERED], abandoned: [ABANDON, TIMEOUT], skip: [TEST]}
empty: ["", "-", "00:00:00"]
time_format: "15:04:05"
`
	m, err := parseMap([]byte(contract))
	if err != nil {
		t.Fatal(err)
	}
	if m.delim != ';' || m.loc.String() != "Europe/Paris" || m.columns[kWrapped] != "" ||
		m.outcomes["timeout"] != (outcome{reason: feed.ReasonCaller}) || !m.outcomes["test"].skip {
		t.Errorf("read as %+v", m)
	}
}
