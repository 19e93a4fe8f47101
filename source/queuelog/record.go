package queuelog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// MaxLine is the longest line read. Asterisk builds each line in an 8 KiB
// buffer; a longer one is not queue_log, and is counted malformed without
// being held.
const MaxLine = 16 << 10

// record is one queue_log line, `epoch|callid|queue|agent|EVENT|data…`,
// every string cleaned for the terminal and "NONE" read as empty.
type record struct {
	ts     time.Time
	callid string
	queue  string
	agent  string
	verb   string // upper case
	data   []string
}

// parseRecord splits a line (without its newline) into a record.
func parseRecord(line string) (record, error) {
	f := strings.Split(line, "|")
	if len(f) < 5 {
		return record{}, fmt.Errorf("%d fields, want epoch|callid|queue|agent|EVENT|data…", len(f))
	}
	ts, err := parseEpoch(f[0])
	if err != nil {
		return record{}, err
	}
	r := record{ts: ts, callid: field(f[1]), queue: field(f[2]), agent: field(f[3]),
		verb: strings.ToUpper(safetext.Clean(strings.TrimSpace(f[4])))}
	if r.verb == "" {
		return record{}, fmt.Errorf("no EVENT (fifth field)")
	}
	for _, id := range []struct{ name, v string }{{"callid", r.callid}, {"queue", r.queue}, {"agent", r.agent}} {
		if len(id.v) > maxText {
			return record{}, fmt.Errorf("%s is %d bytes long; an id may have at most %d", id.name, len(id.v), maxText)
		}
	}
	r.data = make([]string, len(f)-5)
	for i, d := range f[5:] {
		r.data[i] = safetext.Clean(d)
	}
	return r, nil
}

// field reads an id: Asterisk writes NONE where there is none.
func field(s string) string {
	s = safetext.Clean(strings.TrimSpace(s))
	if s == "NONE" {
		return ""
	}
	return s
}

// maxText is the longest id: the fold's own bound.
const maxText = floor.MaxText

// minEpoch is 1973: an earlier time is not a phone system's clock.
const minEpoch = 1e8

// maxAhead bounds how far past this machine's clock a line may be: a
// corrupt time years ahead would otherwise carry the converter's clock,
// and every event after it, along.
const maxAhead = 366 * 24 * time.Hour

// parseEpoch reads Unix seconds, whole (as Asterisk writes them) or with a
// fraction (as some writers do).
func parseEpoch(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || !digits(frac) || len(frac) > 9 {
		return time.Time{}, fmt.Errorf("time %q is not Unix seconds", safetext.Clean(s))
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < minEpoch || sec > time.Now().Add(maxAhead).Unix() {
		return time.Time{}, fmt.Errorf("time %q is out of range", s)
	}
	ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	return time.Unix(sec, ns).UTC(), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxDuration bounds a duration field: a day is longer than any queue wait
// or conversation, and keeps the arithmetic far from overflow.
const maxDuration = 7 * 24 * time.Hour

// seconds reads data field i as a duration in seconds (holdtime, waittime,
// calltime). ok is false when the line has no such field.
func (r *record) seconds(i int, name string) (d time.Duration, ok bool, err error) {
	if i >= len(r.data) || strings.TrimSpace(r.data[i]) == "" {
		return 0, false, nil
	}
	s := strings.TrimSpace(r.data[i])
	v, perr := strconv.ParseFloat(s, 64)
	switch {
	case perr != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false, fmt.Errorf("%s %q is not a number of seconds", name, s)
	case v < 0:
		return 0, false, fmt.Errorf("%s %q is negative", name, s)
	case v > maxDuration.Seconds():
		return 0, false, fmt.Errorf("%s %q is longer than a week", name, s)
	}
	return time.Duration(v * float64(time.Second)), true, nil
}

// needSeconds is seconds for a field the verb cannot do without.
func (r *record) needSeconds(i int, name string) (time.Duration, error) {
	d, ok, err := r.seconds(i, name)
	if err == nil && !ok {
		err = fmt.Errorf("%s missing (data field %d)", name, i+1)
	}
	return d, err
}

// datum is data field i, "" when the line has none.
func (r *record) datum(i int) string {
	if i < len(r.data) {
		return strings.TrimSpace(r.data[i])
	}
	return ""
}
