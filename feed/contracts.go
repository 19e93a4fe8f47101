package feed

import (
	"bytes"
	"time"
)

// Tracker keeps the live state of a feed so that the server can send a
// snapshot to a client that cannot resume. floor.Floor is one.
type Tracker interface {
	// Track folds one line the server has just published.
	Track(line []byte)
	// Snapshot is the current live state.
	Snapshot() Snapshot
}

// Sink takes what a Client receives. live.Hub is one.
type Sink interface {
	// Frame ingests one received frame (one or more NDJSON lines) in order.
	// When a line jumps the seq on a live feed, the sink counts the gap, stops
	// there and returns resync: the client then reconnects at once from
	// Resume, and the events that follow fill the hole.
	Frame(data []byte) (resync bool)
	// Resume says where to pick up after a reconnect; ok is false before the
	// first hello, when the client should ask for a snapshot.
	Resume() (stream string, since int64, ok bool)
}

// Connection states a Client goes through.
const (
	ConnConnecting   = "connecting"
	ConnLive         = "live"
	ConnReconnecting = "reconnecting"
	ConnClosed       = "closed"
)

// ConnStatus is what the views show about the feed connection.
type ConnStatus struct {
	URL   string
	State string // one of the Conn* states
	// Err is why the last connection failed or ended, empty while live.
	Err string
	// LastFrame is the wall time the last frame arrived; staleness is
	// measured from it.
	LastFrame time.Time
	// Retry is when the next attempt is due while reconnecting.
	Retry    time.Time
	Attempts int
	// SourceLost is, while the feed's heartbeats say its own source (the
	// PBX a bridge reads) cannot be reached, since when and why: the feed
	// is live but its figures are not the floor's now.
	SourceLost string
}

// Ended reports whether the feed closed for good: it sent its whole run
// and said so (ErrFeedEnded).
func (s ConnStatus) Ended() bool { return s.State == ConnClosed && s.Err == ErrFeedEnded.Error() }

// Stale reports how long the feed has been silent at wall time now, and
// whether that is longer than after (a live feed sends a heartbeat at least
// every 2 s).
func (s ConnStatus) Stale(now time.Time, after time.Duration) (time.Duration, bool) {
	if s.LastFrame.IsZero() {
		return 0, false
	}
	d := now.Sub(s.LastFrame)
	return d, d > after
}

// EachLine calls fn with each non-blank line of a frame, in order, until fn
// returns false.
func EachLine(frame []byte, fn func(line []byte) bool) {
	for len(frame) > 0 {
		line := frame
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			line, frame = frame[:i], frame[i+1:]
		} else {
			frame = nil
		}
		if len(bytes.TrimSpace(line)) > 0 && !fn(line) {
			return
		}
	}
}
