package queuelog

import (
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

// FuzzConvert: whatever the bytes, the converter does not panic, holds no
// line past MaxLine, and every event it emits is in time order and
// applies to the fold (convert checks both). The fold's clock-jump bound
// is a setting of the reader's, not a rule of the protocol, so it is
// lifted here: a fuzzed file jumps decades.
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"asterisk-1.4.txt", "asterisk-1.8.txt", "asterisk-13.txt", "asterisk-16.txt",
		"asterisk-21.txt", "transfers.txt", "messy.txt"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(threeCalls))
	g, err := floor.ParseGoals([]byte("queues:\n  support: {wrap_s: 30}\n  billing: {wrap_s: 10}\n"))
	if err != nil {
		f.Fatal(err)
	}
	opts := floor.Options{Goals: g, MaxClockJump: 200 * 365 * 24 * time.Hour}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := convertWith(t, b, Config{Goals: g}, opts)
		if r.tally.Lines == 0 && len(r.events) > 0 {
			t.Errorf("%d events from no line", len(r.events))
		}
	})
}
