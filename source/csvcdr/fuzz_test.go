package csvcdr

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

// FuzzRows feeds any bytes as the rows of an export read through the
// contract's example map (times of day on a date in Europe/Paris, across
// midnight and DST): the converter must not panic, must count every row,
// and its events must come in time order and fold into a floor without a
// single bad line. Memory per row is bounded by MaxRowBytes
// (TestReaderBoundsRows).
func FuzzRows(f *testing.F) {
	m, err := loadMap("../../examples/maps/generic.yaml")
	if err != nil {
		f.Fatal(err)
	}
	sample, err := os.ReadFile("testdata/generic.csv")
	if err != nil {
		f.Fatal(err)
	}
	header, body, _ := bytes.Cut(sample, []byte("\r\n"))
	header = append(header, '\n')
	f.Add(body)
	for _, line := range bytes.Split(body, []byte("\r\n")) {
		f.Add(line)
	}
	f.Add([]byte("29/03/2026;d1;Sales;anna;Voice;;01:59:50;03:00:05;03:01:00;;;ANSWERED\n" +
		"25/10/2026;d2;Sales;anna;Voice;;02:59:50;02:00:10;02:30:00;;;ANSWERED\n" +
		"31/12/2026;d3;Sales;marc;\"Chat\nline\";;23:59:59;00:00:01;-;00:00:02;0:00:09;ANSWERED\n"))
	f.Add([]byte("27/03/2026;x;q;a;v;;09:00:00;;;99999;;ABANDON\n\"unclosed;"))
	f.Fuzz(func(t *testing.T, body []byte) {
		file, err := newFile(io.MultiReader(bytes.NewReader(header), bytes.NewReader(body)), "fuzz.csv", m, nil)
		if err != nil {
			t.Fatal(err)
		}
		var tally source.Tally
		recs, err := file.calls(context.Background(), func(r *rowResult) { r.count(&tally) }, tally.Bad)
		if err != nil {
			t.Fatal(err)
		}
		var skipped int64
		for _, n := range tally.Skipped {
			skipped += n
		}
		if int64(len(recs))+skipped+tally.Malformed != tally.Lines {
			t.Fatalf("%d rows: %d calls, %d skipped, %d malformed", tally.Lines, len(recs), skipped, tally.Malformed)
		}
		var evs []*feed.Event
		if err := emitAll(context.Background(), recs, m.loc, func(ev *feed.Event) { evs = append(evs, ev) }); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(evs); i++ {
			if evs[i].TS.Before(evs[i-1].TS) {
				t.Fatalf("event %d (%s) before event %d (%s)", i, evs[i].TS, i-1, evs[i-1].TS)
			}
		}
		for _, ev := range evs {
			for _, s := range []string{ev.Call, ev.Queue, ev.Agent, ev.Channel, ev.Caller} {
				if strings.ContainsAny(s, "\x1b\r\n\x00") {
					t.Fatalf("uncleaned text %q", s)
				}
			}
		}
		foldAll(t, evs)
	})
}
