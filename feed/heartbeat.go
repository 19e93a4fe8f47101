package feed

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/safetext"
)

// HeartbeatNotes are what floorwatch's feeds add to their heartbeats
// beyond the protocol's fields, which clients that do not know them
// ignore: what a NATS publisher could not publish, and a source out of
// reach.
type HeartbeatNotes struct {
	// Dropped counts the events a NATS publisher could not publish so far.
	Dropped int64 `json:"dropped"`
	// SourceLost is, while the feed's source (the PBX a bridge reads)
	// cannot be reached, since when and why; "" while it can.
	SourceLost string `json:"source_lost"`
}

// EncodeHeartbeat is a heartbeat line (without its newline) announcing
// seq at ts, with the notes that say something.
func EncodeHeartbeat(seq int64, ts time.Time, n HeartbeatNotes) []byte {
	b := Encode(&Event{Type: TypeHeartbeat, Seq: seq, TS: ts})
	if n.Dropped <= 0 && n.SourceLost == "" {
		return b
	}
	b = b[:len(b)-1] // before the closing brace
	if n.Dropped > 0 {
		b = strconv.AppendInt(append(b, `,"dropped":`...), n.Dropped, 10)
	}
	if n.SourceLost != "" {
		b = appendString(append(b, `,"source_lost":`...), n.SourceLost)
	}
	return append(b, '}')
}

// maxSourceLost bounds the bytes of a heartbeat's source_lost kept.
const maxSourceLost = 512

// ReadHeartbeat is what a heartbeat frame notes (source_lost cleaned and
// bounded: it is shown on a screen), and whether the frame is a
// heartbeat. Only heartbeats carry notes, so other frames are passed over
// by their first bytes.
func ReadHeartbeat(frame []byte) (HeartbeatNotes, bool) {
	var hb struct {
		Type string `json:"type"`
		HeartbeatNotes
	}
	if !bytes.HasPrefix(frame, []byte(`{"type":"heartbeat"`)) ||
		json.Unmarshal(bytes.TrimSpace(frame), &hb) != nil || hb.Type != TypeHeartbeat {
		return HeartbeatNotes{}, false
	}
	n := hb.HeartbeatNotes
	if len(n.SourceLost) > maxSourceLost {
		// A line on screen is all it is for; a feed cannot make it more.
		n.SourceLost = strings.ToValidUTF8(n.SourceLost[:maxSourceLost], "") + "…"
	}
	n.SourceLost = safetext.Clean(n.SourceLost)
	return n, true
}
