package csvcdr

import (
	"os"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/source"
)

const minimalMap = "call: id\nqueue: q\nagent: a\noffered: o\nanswered: ans\nended: e\n"

func TestOpenErrors(t *testing.T) {
	csvPath := writeTemp(t, "calls.csv", "id,q,a,o,ans,e\n")
	for _, c := range []struct {
		name, mapText, csvText string
		opt                    source.Options
		want                   []string
	}{
		{name: "no --map", want: []string{"--map FILE"}},
		{name: "follow", mapText: minimalMap, opt: source.Options{Follow: true}, want: []string{"--follow"}},
		{name: "unknown key", mapText: minimalMap + "queue_name: x\n", want: []string{"queue_name", "not found"}},
		{name: "no call", mapText: "queue: q\nagent: a\noffered: o\n", want: []string{"call: required"}},
		{name: "no offered", mapText: "call: id\nqueue: q\nagent: a\nanswered: ans\n", want: []string{"offered: required unless wait"}},
		{name: "no outcome", mapText: "call: id\nqueue: q\nagent: a\noffered: o\n", want: []string{"outcome: required when answered is not mapped"}},
		{name: "time zone", mapText: minimalMap + "timezone: Mars/Olympus\n", want: []string{`"Mars/Olympus" is not a time zone`}},
		{name: "time of day without date", mapText: minimalMap + "time_format: \"15:04\"\n", want: []string{"time of day: map the date column"}},
		{name: "layout", mapText: minimalMap + "time_format: \"dd/mm/yyyy\"\n", want: []string{"not a Go time layout"}},
		{name: "date layout", mapText: minimalMap + "date: {column: o, format: \"dd/mm\"}\n", want: []string{"date.format"}},
		{name: "delimiter", mapText: minimalMap + "delimiter: \";;\"\n", want: []string{"want one character"}},
		{name: "unit", mapText: minimalMap + "duration_unit: min\n", want: []string{"duration_unit"}},
		{name: "word twice", mapText: minimalMap + "outcome: {column: r, answered: [OK], timeout: [ok]}\n",
			want: []string{`"ok" is in both answered and timeout`}},
		{name: "channel word twice", mapText: minimalMap + "channel: {column: m, chat: [web], email: [Web]}\n",
			want: []string{"listed for both"}},
		{name: "missing column", mapText: strings.Replace(minimalMap, "queue: q", "queue: Skill", 1),
			want: []string{`queue: no column "Skill"`, `its columns are: "id", "q", "a", "o", "ans", "e"`}},
		{name: "delimiter hint", mapText: minimalMap, csvText: "id;q;a;o;ans;e\n",
			want: []string{`is the delimiter ";"?`}},
		{name: "column twice", mapText: minimalMap, csvText: "id,q,a,o,ans,e,Q\n", want: []string{`column "q" twice`}},
		{name: "empty file", mapText: minimalMap, csvText: "", want: []string{"empty: the first row must be the header"}},
		{name: "UTF-16", mapText: minimalMap, csvText: "\xff\xfei\x00d\x00", want: []string{"UTF-16"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := c.opt
			if c.mapText != "" {
				opt.MapFile = writeTemp(t, "map.yaml", c.mapText)
			}
			path := csvPath
			if c.csvText != "" || c.name == "empty file" {
				path = writeTemp(t, "other.csv", c.csvText)
			}
			_, err := Open(path, opt)
			if err == nil {
				t.Fatal("opened")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// Header names match trimmed and whatever their case; "\t" is TSV.
func TestHeaderMatchAndTSV(t *testing.T) {
	m := "delimiter: \"\\t\"\ncall: Call ID\nqueue: QUEUE\nagent: agent\noffered: Offered\nanswered: Answered\nended: Ended\n"
	csv := " call id \tQueue\tAgent\toffered\tANSWERED\tended\n" +
		"c1\tq\ta\t2026-01-05 10:00:00\t2026-01-05 10:00:07\t2026-01-05 10:01:00\n"
	evs, tally := convertText(t, csv, m)
	checkTally(t, tally, 1, 0, nil)
	r := foldAll(t, evs)
	checkFigures(t, "q", queueOf(t, r, "q").Metrics, figures{offered: 1, answered: 1, byReason: map[string]int64{}, asa: 7, aht: 53, sl: 1})
}

// The reference map in docs/sources.md reads, every key of it.
func TestDocsMap(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sources.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Call-record CSV")
	_, block, ok2 := strings.Cut(section, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no yaml block in the Call-record CSV section of docs/sources.md")
	}
	m, err := parseMap([]byte(block))
	if err != nil {
		t.Fatal(err)
	}
	for k := range nKeys {
		if !strings.Contains(block, keyNames[k]+":") {
			t.Errorf("the reference map does not show %s", keyNames[k])
		}
	}
	if m.outcomes["timeout"].reason != "timeout" || !m.only["inbound"] {
		t.Errorf("read as %+v", m)
	}
}
