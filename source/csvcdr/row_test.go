package csvcdr

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// fullMap maps every column of fullHeader; times are full timestamps in UTC.
const fullMap = `call: id
queue: q
agent: a
offered: o
answered: ans
ended: e
wrapped: w
wait: wait
talk: talk
outcome: {column: r, answered: [ok], abandoned: [ab], no_agents: [nobody], exit_key: [vm], withdrawn: [gone], skip: [test]}
empty: ["-"]
`

const fullHeader = "id,q,a,o,ans,e,w,wait,talk,r\n"

// day writes a time of 5 January 2026.
func day(hms string) string { return "2026-01-05 " + hms }

func TestMalformedRows(t *testing.T) {
	ok := func(id string) string {
		return fmt.Sprintf("%s,q,a,%s,%s,%s,%s,,,ok", id, day("10:00:00"), day("10:00:10"), day("10:02:00"), day("10:02:30"))
	}
	for _, c := range []struct{ name, row, want string }{
		{"bad time", "x,q,a," + day("10:00:00") + ",10:99,,,,,ok", `answered: "10:99" is not a time`},
		{"unknown outcome word", "x,q,a," + day("10:00:00") + ",,,,5,,maybe", `outcome "maybe" is in none of the map's outcome lists`},
		{"field count", "x,q,a", "3 fields, but the header has 10"},
		{"no call id", ",q,a," + day("10:00:00") + ",,,,5,,ab", "no call id"},
		{"missing queue", "x,-,a," + day("10:00:00") + "," + day("10:00:05") + ",,,,60,ok", "no queue"},
		{"answered without agent", "x,q,," + day("10:00:00") + "," + day("10:00:05") + ",,,,60,ok", "answered, but no agent"},
		{"answered before offered", "x,q,a," + day("10:00:09") + "," + day("10:00:05") + ",,,,60,ok",
			"answered (2026-01-05 10:00:05.000 UTC) is before offered (2026-01-05 10:00:09.000 UTC)"},
		{"abandon with an answer", "x,q,a," + day("10:00:00") + "," + day("10:00:05") + ",,,,,ab", `outcome "ab" is an abandon, but answered is`},
		{"abandon: when?", "x,q,," + day("10:00:00") + ",,,,,,ab", "neither wait nor ended says when the caller left"},
		{"no end", "x,q,a," + day("10:00:00") + "," + day("10:00:05") + ",,,,,ok", "no ended time and no talk time"},
		{"no offer, no wait", "x,q,a,-," + day("10:00:05") + "," + day("10:01:00") + ",,,,ok", "no offered time and no wait"},
		{"no answer, no wait", "x,q,a," + day("10:00:00") + ",,,,,,ok", "no answered time, and no wait"},
		{"wrapped before ended", "x,q,a," + day("10:00:00") + "," + day("10:00:05") + "," + day("10:01:00") + "," + day("10:00:30") + ",,,ok",
			"wrapped (2026-01-05 10:00:30.000 UTC) is before ended"},
		{"a placeholder year", "x,q,a,0000-01-05 10:00:00,,,,5,,ab", `offered "0000-01-05 10:00:00" is no time of a call`},
		{"bad duration", "x,q,a," + day("10:00:00") + ",,,,abc,,ab", `wait: "abc" is not a duration`},
		{"a call of two days", "x,q,a," + day("10:00:00") + "," + day("10:00:05") + ",2026-01-06 10:00:06,,,,ok", "the call lasts more than a day"},
		{"an id too long", strings.Repeat("x", 300) + ",q,a," + day("10:00:00") + ",,,,5,,ab", "call: 300 bytes: longer than any id"},
		{"a row too long", "x,q,a," + day("10:00:00") + ",,,,5,," + strings.Repeat("y", MaxRowBytes), "row longer than 256 KiB"},
		{"a duplicate call id", ok("c1") + "\n" + ok("c1"), `line 3: call "c1" is already on line 2`},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, tally := convertText(t, fullHeader+c.row+"\n"+ok("after")+"\n", fullMap)
			if tally.Malformed != 1 || !strings.Contains(tally.FirstMalformed, c.want) {
				t.Errorf("%d malformed, first %q; want 1, saying %q", tally.Malformed, tally.FirstMalformed, c.want)
			}
			// The row after a malformed one is read.
			if timeOf(evs, "after", feed.TypeWrapped) != "2026-01-05T10:02:30.000Z" {
				t.Errorf("the next row was lost: %d events", len(evs))
			}
			foldAll(t, evs)
		})
	}
}

func TestSkippedRows(t *testing.T) {
	csv := fullHeader +
		"t1,q,a," + day("10:00:00") + "," + day("10:00:01") + ",,,,5,TEST\n" + // a test call
		"ivr,-,-," + day("10:00:00") + ",,,,,,ab\n" + // never reached a queue or an agent
		"none,q,-,-,-,,,,,ab\n" // no offered or answered time
	evs, tally := convertText(t, csv, fullMap)
	checkTally(t, tally, 3, 0, map[string]int64{`outcome "TEST"`: 1, "no queue or agent": 1, "no offered or answered time": 1})
	if len(evs) != 0 {
		t.Errorf("%d events from skipped rows", len(evs))
	}
}

// Every abandon list gives its reason; talk is used where ended is empty;
// ended + wrapped make the AHT.
func TestReasonsAndDurations(t *testing.T) {
	csv := fullHeader +
		"c1,q,a," + day("10:00:00") + ",,,,7,,ab\n" + //       caller, 7 s
		"c2,q,a," + day("10:01:00") + ",,,,2,,nobody\n" + //   no_agents, 2 s (not short: only caller is)
		"c3,q,a," + day("10:02:00") + ",,,,4,,vm\n" + //       exit_key, 4 s
		"c4,q,a," + day("10:03:00") + ",,,,30,,gone\n" + //    withdrawn, 30 s
		"c5,q,a," + day("10:04:00") + ",,,,3,,Ab\n" + //       caller, 3 s: short
		"c6,q,a," + day("10:05:00") + "," + day("10:05:06") + ",," + day("10:08:00") + ",,166.5,ok\n" + // AHT 174: talk 166.5 then wrap-up to 10:08:00
		"c7,q,a," + day("10:06:00") + "," + day("10:06:06") + "," + day("10:07:06") + ",,,0:02:46,ok\n" // ended wins over talk: 60
	evs, tally := convertText(t, csv, fullMap)
	checkTally(t, tally, 7, 0, nil)
	r := foldAll(t, evs)
	checkFigures(t, "q", r.Floor, figures{offered: 7, answered: 2, abandoned: 5, short: 1,
		byReason: map[string]int64{"caller": 2, "no_agents": 1, "exit_key": 1, "withdrawn": 1},
		asa:      6, aht: (174 + 60) / 2.0, sl: 2 / 6.0}) // 2 within of 2 + 5 − 1 short
}

// Rows in any order come out in time order; at one instant an offer comes
// before its answer, the answer before the end and the wrap-up; calls at
// one instant keep the file's order.
func TestTimeOrder(t *testing.T) {
	csv := fullHeader +
		"late,q,b," + day("10:05:00") + "," + day("10:05:00") + "," + day("10:06:00") + ",,,,ok\n" +
		"zero,q,a," + day("10:01:00") + "," + day("10:01:00") + "," + day("10:01:00") + "," + day("10:01:00") + ",,,ok\n" +
		"next,q,a," + day("10:01:00") + "," + day("10:01:00") + "," + day("10:02:00") + ",,,,ok\n" +
		"first,q,c," + day("10:00:00") + ",,,,60,,ab\n"
	evs, _ := convertText(t, csv, fullMap)
	var got []string
	for i, ev := range evs {
		if i > 0 && ev.TS.Before(evs[i-1].TS) {
			t.Errorf("event %d at %v is before the one before it", i, ev.TS)
		}
		if ev.Type != feed.TypeAgentState {
			got = append(got, ev.Call+" "+strings.TrimPrefix(ev.Type, "call."))
		}
	}
	want := []string{"first offered",
		// 10:01:00, first's abandon (10:00:00 + 60 s) among the answers
		"zero offered", "next offered", "zero answered", "next answered", "first abandoned", "zero ended", "zero wrapped",
		"next ended", "next wrapped", "late offered", "late answered", "late ended", "late wrapped"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
	// "a" answers next as zero ends: on_call throughout, no moment available.
	if got, want := statesOf(evs, "a"), []string{"10:01:00.000 on_call", "10:02:00.000 offline"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("a's states %q, want %q", got, want)
	}
	foldAll(t, evs)
}

// An agent is available between calls of one day (in the map's zone) and
// offline after the day's last call; the first state names them and their
// skills (the queues they answered).
func TestAgentDays(t *testing.T) {
	m := "timezone: America/New_York\ncall: id\nqueue: q\nagent: a\nagent_name: n\noffered: o\nanswered: ans\nended: e\n"
	csv := "id,q,a,n,o,ans,e\n" +
		"c1,billing,ana,Ana Lima,2026-01-05 22:00:00,2026-01-05 22:00:05,2026-01-05 22:10:00\n" +
		"c2,sales,ana,,2026-01-05 23:30:00,2026-01-05 23:30:05,2026-01-05 23:40:00\n" + // 04:30Z on the 6th: still the 5th in New York
		"c3,billing,ana,,2026-01-06 09:00:00,2026-01-06 09:00:05,2026-01-06 09:05:00\n"
	evs, _ := convertText(t, csv, m)
	want := []string{"03:00:05.000 on_call", "03:10:00.000 available", "04:30:05.000 on_call", "04:40:00.000 offline",
		"14:00:05.000 on_call", "14:05:00.000 offline"}
	if got := statesOf(evs, "ana"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ana's states\n got %q\nwant %q", got, want)
	}
	for _, ev := range evs {
		if ev.Type == feed.TypeAgentState {
			if ev.Name != "Ana Lima" || strings.Join(ev.Skills, ",") != "billing,sales" || !ev.HasSkills {
				t.Errorf("first state %+v, want her name and skills", ev)
			}
			break
		}
	}
	r := foldAll(t, evs)
	// Staffed 22:00:05–23:40:00 on the 5th (5995 s) and 09:00:05–09:05:00
	// on the 6th (295 s), not the night between; busy 595 + 595 + 295 s.
	near(t, "ana's occupancy", agentOf(t, r, "ana").Occupancy, 1485/6290.0)
}

// Text from the file is shown, never obeyed: control characters in ids
// and callers reach the feed cleaned.
func TestCleansText(t *testing.T) {
	csv := fullHeader + "\"c\x1b[2J\",\"q\x07\",\"a\u202e\"," + day("10:00:00") + "," + day("10:00:05") + "," + day("10:01:00") + ",,,,ok\n"
	evs, _ := convertText(t, csv, fullMap)
	ev := evs[0]
	if ev.Call != "c^[[2J" || ev.Queue != "q^G" {
		t.Errorf("offered %q in %q", ev.Call, ev.Queue)
	}
	if a := evs[1].Agent; a != `a\u202e` {
		t.Errorf("agent %q", a)
	}
}

// A placeholder date would move the floor's clock decades away from the
// rest of the file, and the fold refuses a jump of over 92 days: the calls
// far from the file's main run are malformed, the others fold.
func TestFarApart(t *testing.T) {
	row := func(id, date string) string {
		return fmt.Sprintf("%s,q,a,%s 10:00:00,%s 10:00:05,%s 10:01:00,,,,ok\n", id, date, date, date)
	}
	csv := fullHeader + row("jan", "2026-01-05") + row("epoch", "1970-01-01") + row("feb", "2026-02-05") +
		row("typo", "2027-02-06") + row("apr", "2026-04-30") // 84 days after feb: the same run
	evs, tally := convertText(t, csv, fullMap)
	if tally.Malformed != 2 || !strings.HasPrefix(tally.FirstMalformed,
		"line 3: offered 1970-01-01 10:00:00.000 UTC, more than 92 days from the file's other 3 calls (2026-01-05 10:00:00.000 UTC to 2026-04-30 10:00:00.000 UTC)") {
		t.Errorf("%d malformed, first %q", tally.Malformed, tally.FirstMalformed)
	}
	r := foldAll(t, evs)
	if r.Floor.Answered != 3 {
		t.Errorf("%d answered, want 3 (jan, feb, apr)", r.Floor.Answered)
	}
	var out bytes.Buffer
	if err := Check(writeTemp(t, "calls.csv", csv), source.Options{MapFile: writeTemp(t, "map.yaml", fullMap)}, &out, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "line 3: MALFORMED: offered 1970-01-01 10:00:00.000 UTC, more than 92 days") {
		t.Errorf("--check does not name the call far from the others:\n%s", out.String())
	}
}

// Without a wrap-up column, a queue's wrap_s in the goals file ends the
// wrap-up, as for systems that log none.
func TestGoalsWrap(t *testing.T) {
	goals, err := floor.ParseGoals([]byte("queues: {billing: {wrap_s: 30}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := "call: id\nqueue: q\nagent: a\noffered: o\nanswered: ans\nended: e\n"
	csv := "id,q,a,o,ans,e\n" +
		"c1,billing,a,2026-01-05 10:00:00,2026-01-05 10:00:05,2026-01-05 10:02:05\n" + // 120 + 30 s
		"c2,sales,b,2026-01-05 10:00:00,2026-01-05 10:00:05,2026-01-05 10:01:05\n" //    60 s, no goal
	src, err := Open(writeTemp(t, "calls.csv", csv), source.Options{MapFile: writeTemp(t, "map.yaml", m), Goals: goals})
	if err != nil {
		t.Fatal(err)
	}
	if n := src.Tally().Notes; len(n) != 1 || !strings.Contains(n[0], "wrap_s") {
		t.Errorf("notes %q", n)
	}
	var evs []*feed.Event
	if err := src.Run(context.Background(), func(ev *feed.Event) { evs = append(evs, ev) }); err != nil {
		t.Fatal(err)
	}
	r := foldAll(t, evs)
	near(t, "billing AHT", queueOf(t, r, "billing").AHTS, 150)
	near(t, "sales AHT", queueOf(t, r, "sales").AHTS, 60)
}
