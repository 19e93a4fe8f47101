package taskrouter

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/floorwatch/floorwatch/source"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// callback is one Event Callback as the converter needs it: every string
// cleaned of control characters where it enters, ids checked against the
// fold's bound, labels cut to it.
type callback struct {
	key string // the event's Sid, what a retry repeats
	typ string // EventType
	at  time.Time

	task      string // TaskSid
	queueSid  string // TaskQueueSid
	queueName string // TaskQueueName
	channel   string // from TaskChannelUniqueName, else the attributes
	caller    string // from TaskAttributes
	outbound  bool   // TaskAttributes' direction: an agent's outbound call
	reason    string // TaskCanceledReason (or Reason), TaskCompletedReason

	worker      string // WorkerSid
	workerName  string // WorkerAttributes' full_name, else WorkerName
	activity    string // WorkerActivityName
	reservation string // ReservationSid

	xferMode string // TransferMode: COLD or WARM
}

// maxText is the fold's bound on an id or label.
const maxText = floor.MaxText

// parseCallback reads a callback's form parameters, received at now. Only
// what makes the event unusable is an error: no EventType, no or a bad
// Timestamp (or one more than maxAhead ahead of now), an id an event of
// its type needs that is missing or too long.
func parseCallback(p url.Values, now time.Time) (*callback, error) {
	get := func(name string) string { return clean(p.Get(name)) }
	cb := &callback{typ: get("EventType")}
	if cb.typ == "" {
		return nil, errors.New("no EventType")
	}
	if len(cb.typ) > maxText {
		return nil, fmt.Errorf("an EventType of %d bytes", len(cb.typ))
	}
	at, err := eventTime(p.Get("TimestampMs"), p.Get("Timestamp"))
	if err != nil {
		return nil, err
	}
	if at.Sub(now) > maxAhead {
		return nil, fmt.Errorf("timestamp %s is more than a day ahead of this machine's clock", at.Format(time.RFC3339))
	}
	cb.at = at
	cb.key = p.Get("Sid")
	if cb.key == "" || len(cb.key) > maxText {
		// No event Sid to recognise a retry by (or one too long to
		// remember): the whole callback is.
		sum := sha256.Sum256([]byte(p.Encode()))
		cb.key = "body:" + hex.EncodeToString(sum[:])
	}
	ids := []struct {
		dst  *string
		name string
	}{{&cb.task, "TaskSid"}, {&cb.queueSid, "TaskQueueSid"}, {&cb.queueName, "TaskQueueName"},
		{&cb.worker, "WorkerSid"}, {&cb.reservation, "ReservationSid"}}
	for _, id := range ids {
		*id.dst = get(id.name)
		if len(*id.dst) > maxText {
			return nil, fmt.Errorf("%s is %d bytes long; an id may have at most %d", id.name, len(*id.dst), maxText)
		}
	}
	cb.activity = source.Label(get("WorkerActivityName"))
	cb.reason = source.Label(first(get("TaskCanceledReason"), get("Reason"), get("TaskCompletedReason")))
	cb.xferMode = strings.ToUpper(get("TransferMode"))
	attrs := jsonObject(p.Get("TaskAttributes"))
	cb.caller = source.Label(clean(first(str(attrs["from"]), str(attrs["caller"]), str(path(attrs, "customers", "phone")))))
	cb.channel = channelOf(get("TaskChannelUniqueName"), attrs)
	cb.outbound = strings.EqualFold(str(attrs["direction"]), "outbound")
	cb.workerName = source.Label(first(clean(str(jsonObject(p.Get("WorkerAttributes"))["full_name"])), get("WorkerName")))
	return cb, cb.needs()
}

// needs checks that the event carries the ids its type is about.
func (cb *callback) needs() error {
	var want []string
	switch {
	case strings.HasPrefix(cb.typ, "reservation."):
		want = []string{"TaskSid", cb.task, "ReservationSid", cb.reservation, "WorkerSid", cb.worker}
	case strings.HasPrefix(cb.typ, "task."):
		want = []string{"TaskSid", cb.task}
	case cb.typ == "task-queue.entered":
		want = []string{"TaskSid", cb.task, "TaskQueueSid", cb.queueSid}
	case strings.HasPrefix(cb.typ, "worker."):
		want = []string{"WorkerSid", cb.worker}
	}
	for i := 0; i < len(want); i += 2 {
		if want[i+1] == "" {
			return fmt.Errorf("%s without %s", cb.typ, want[i])
		}
	}
	return nil
}

// eventTime reads TimestampMs (epoch milliseconds, added to every callback
// in 2018) or else Timestamp (epoch seconds).
func eventTime(ms, sec string) (time.Time, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(ms), 10, 64); err == nil && n >= minEpoch*1000 && n < maxEpoch*1000 {
		return time.UnixMilli(n).UTC(), nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(sec), 64)
	if err != nil || f < minEpoch || f >= maxEpoch {
		return time.Time{}, fmt.Errorf("timestamp %q is not epoch seconds", source.Label(safetext.Clean(sec)))
	}
	return time.UnixMilli(int64(f * 1000)).UTC(), nil
}

// minEpoch is 1973 and maxEpoch 5138: times outside are no system's clock.
const minEpoch, maxEpoch = 1e8, 1e11

// maxAhead is how far ahead of this machine's clock an event may be:
// Twilio posts events as they happen, and a clock a day ahead is wrong.
const maxAhead = 24 * time.Hour

// channelOf is the floor channel of a task: its TaskChannel's unique name
// (voice, chat, sms, email, video, or one of the workspace's own). For the
// "default" channel, or none named, the attributes tell: Flex's
// channelType, or a call_sid, which <Enqueue> sets on the tasks of calls;
// else a task of the default channel is "task" (a generic work item is
// not a call), and one that names no channel "" (voice, the protocol's
// default).
func channelOf(unique string, attrs map[string]any) string {
	ch := strings.ToLower(unique)
	if ch == "" || ch == "default" {
		ch = strings.ToLower(clean(str(attrs["channelType"])))
	}
	switch {
	case ch != "" && ch != "default":
	case str(attrs["call_sid"]) != "":
		ch = "voice"
	case unique != "":
		ch = "task"
	default:
		ch = ""
	}
	return source.Label(ch)
}

// jsonObject is s as a JSON object, or nil when it is not one: a task's
// attributes are the application's own, and their shape no error of ours.
func jsonObject(s string) map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// path is the value at keys in nested objects, nil when any is missing.
func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// str is v if it is a string or a number (a caller id stored as a
// number), else "".
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// clean is text from outside, trimmed and made safe to show.
func clean(s string) string { return safetext.Clean(strings.TrimSpace(s)) }

func first(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
