package ami

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Asterisk 11 names some events and headers differently from 12 and
// later, where app_queue's events come from Stasis with channel snapshots
// (docs/sources.md, "Versions"). These helpers read either spelling, so
// the converter deals in one.

// eventName is the packet's event under its 12-and-later name: 11's Join,
// Leave and QueueMemberPaused (12.0 and 12.1 too) are renamed, and 11's
// Dial with SubEvent End is DialEnd.
func eventName(p packet) string {
	e := p.get("Event")
	switch e {
	case "Join":
		return "QueueCallerJoin"
	case "Leave":
		return "QueueCallerLeave"
	case "QueueMemberPaused":
		return "QueueMemberPause"
	case "Dial":
		if strings.EqualFold(p.get("SubEvent"), "End") {
			return "DialEnd"
		}
	}
	return e
}

// memberIface is the member's interface: Interface (12+), Location (11's
// member events and every version's QueueMember list item), Member (11's
// agent events), AgentCalled (11's AgentCalled).
func memberIface(p packet) string {
	return p.get("Interface", "Location", "Member", "AgentCalled")
}

// memberName is the member's name: MemberName, Name (QueueMember list
// items), AgentName (11's AgentCalled). Asterisk fills it with the
// interface when queues.conf gives no name.
func memberName(p packet) string {
	return p.get("MemberName", "Name", "AgentName")
}

// callerNum is the caller id number, "" where Asterisk writes "unknown"
// (11, and every version's QueueEntry) or "<unknown>" (12+ snapshots).
func callerNum(p packet) string {
	n := p.get("CallerIDNum")
	if strings.EqualFold(n, "unknown") || strings.EqualFold(n, "<unknown>") {
		return ""
	}
	return n
}

// maxSeconds bounds a duration header: a week is longer than any queue
// wait or conversation, and keeps the arithmetic far from overflow.
const maxSeconds = 7 * 24 * 3600

// seconds reads a header of whole seconds (HoldTime, TalkTime, Wait).
// ok is false when the packet has no such header.
func seconds(p packet, key string) (d time.Duration, ok bool, err error) {
	s := p.get(key)
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, false, &badValue{key, s, "is not a whole number of seconds"}
	case n < 0 || n > maxSeconds:
		return 0, false, &badValue{key, s, "is out of range"}
	}
	return time.Duration(n) * time.Second, true, nil
}

// number reads an integer header (Status, Paused, ServiceLevel, counters);
// ok is false when the packet has no such header.
func number(p packet, keys ...string) (n int64, ok bool, err error) {
	for _, k := range keys {
		s := p.get(k)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > math.MaxInt32 {
			return 0, false, &badValue{k, s, "is not a number Asterisk writes"}
		}
		return n, true, nil
	}
	return 0, false, nil
}

// epoch reads a Timestamp header, "1700000000.123456" (seconds and
// microseconds, as manager.c writes it).
func epoch(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < minEpoch || sec > maxEpoch {
		return time.Time{}, false
	}
	var ns int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		f, err := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err != nil || f < 0 {
			return time.Time{}, false
		}
		ns = f
	}
	return time.Unix(sec, ns).UTC(), true
}

// An Asterisk clock before 1973 or after 2200 is not a clock.
const minEpoch, maxEpoch = 1e8, 7.3e9

type badValue struct{ key, value, why string }

func (e *badValue) Error() string { return e.key + " " + strconv.Quote(e.value) + " " + e.why }
