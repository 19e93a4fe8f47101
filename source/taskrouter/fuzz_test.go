package taskrouter

import (
	"bytes"
	"net/url"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// FuzzCallbacks: whatever forms are posted (one a line), the parser does
// not panic, what it keeps is clean and within the fold's bounds, and the
// events the converter makes of them are in time order and all apply to
// the fold. The fold's clock-jump bound is a setting of the reader's, not
// a rule of the protocol, so it is lifted: fuzzed timestamps jump
// centuries.
func FuzzCallbacks(f *testing.F) {
	ana := workerF("WK01", "Available")
	task := taskF("WT01", "Support", "voice", "+15551230001")
	var seed bytes.Buffer
	for _, e := range []tr{
		ev(0, "worker.activity.update", ana),
		ev(10, "task-queue.entered", task),
		ev(12, "reservation.accepted", task, ana, resF("WR01")),
		ev(20, "task.transfer-initiated", task, ana, kv("TransferMode", "COLD", "TransferTo", queueSids["Billing"])),
		ev(21, "task-queue.entered", taskF("WT01", "Billing", "chat", "")),
		ev(22, "reservation.accepted", task, workerF("WK02", "Break"), resF("WR02")),
		ev(30, "task.wrapup", task),
		ev(40, "task.completed", task),
		ev(50, "task.canceled", taskF("WT02", "Support", "sms", "x"), kv("TaskCanceledReason", "hangup")),
	} {
		seed.WriteString(e.form.Encode() + "\n")
	}
	f.Add(seed.Bytes())
	f.Add([]byte("EventType=task-queue.entered&Timestamp=1e9&TaskSid=%1b%5b2J&TaskQueueSid=q&TaskAttributes=%7B%22from%22%3A%5B1%5D%7D\n"))
	f.Add([]byte("EventType=reservation.wrapup&TimestampMs=99999999999999&TaskSid=t&ReservationSid=r&WorkerSid=w\nEventType=task.deleted&Timestamp=1&TaskSid=t\n"))
	opts := floor.Options{MaxClockJump: 200 * 365 * 24 * time.Hour}
	f.Fuzz(func(t *testing.T, b []byte) {
		var events []*feed.Event
		c := NewConverter(DefaultActivities(), func(ev *feed.Event) { events = append(events, ev) })
		for _, line := range bytes.Split(b, []byte("\n")) {
			p, err := url.ParseQuery(string(line))
			if err != nil {
				continue
			}
			cb, err := parseCallback(p, time.Now())
			if err != nil {
				continue
			}
			for _, s := range []string{cb.typ, cb.task, cb.queueSid, cb.queueName, cb.worker, cb.reservation,
				cb.caller, cb.channel, cb.reason, cb.workerName, cb.activity} {
				if !safetext.Is(s) || len(s) > maxText {
					t.Fatalf("kept %q", s)
				}
			}
			c.Apply(cb)
		}
		fold(t, events, opts)
	})
}
