package taskrouter

import (
	"slices"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// A voice call answered by a worker, wrapped up, completed: the flow of a
// Flex voice task, with both the reservation's and the task's events.
func TestVoiceCallAnswered(t *testing.T) {
	task := taskF("WT01", "Support", "voice", "+15551230001")
	ana := workerF("WK01", "Available")
	r := convert(t, DefaultActivities(),
		ev(0, "worker.activity.update", ana),
		ev(10, "task.created", taskF("WT01", "", "voice", "+15551230001")),
		ev(10.2, "task-queue.entered", task),                        // offered at +10.2
		ev(10.3, "reservation.created", task, ana, resF("WR01")),    // Ana's phone rings
		ev(13.2, "reservation.accepted", task, ana, resF("WR01")),   // answered: wait 3.0 s
		ev(73.2, "reservation.wrapup", task, ana, resF("WR01")),     // talk ends at +73.2
		ev(73.2, "task.wrapup", task),                               // the same, as the task says it
		ev(103.2, "reservation.completed", task, ana, resF("WR01")), // wrap-up ends: AHT 103.2 − 13.2 = 90 s
		ev(103.2, "task.completed", task, kv("TaskCompletedReason", "Task completed")),
	)
	want := []string{feed.TypeOffered, feed.TypeAnswered, feed.TypeEnded, feed.TypeWrapped}
	if got := types(r.events); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	// One call, answered within 20 s: service level 1/1, ASA 3 s, AHT 90 s.
	c := sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 3, AHT: 90}
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, c)
	sourcetest.CheckCalls(t, "floor", r.report.Floor, c)
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Handled: 1, AHT: 90, State: feed.StateAvailable})
	offer := r.events[slices.IndexFunc(r.events, func(e *feed.Event) bool { return e.Type == feed.TypeOffered })]
	if offer.Channel != "voice" || offer.Caller != "+15551230001" || offer.Call != "WT01" {
		t.Errorf("offer %+v: want call WT01 on voice from +15551230001", offer)
	}
	// Ana's states: available; again when she is offered the task (with
	// Support now among her skills); on a call from the answer, in wrap-up
	// from the end of the talk, available at the end of the wrap-up.
	var states []string
	for _, e := range r.events {
		if e.Type == feed.TypeAgentState {
			states = append(states, e.State+"@"+e.TS.Sub(T0).String())
		}
	}
	if want := []string{"available@0s", "available@10.3s", "on_call@13.2s", "wrap_up@1m13.2s", "available@1m43.2s"}; !slices.Equal(states, want) {
		t.Errorf("Ana's states %v, want %v", states, want)
	}
}

// Tasks canceled while waiting, by the caller hanging up and by the
// task's TTL, one of them after a worker let it ring out.
func TestCanceledTasks(t *testing.T) {
	ana := workerF("WK01", "Available")
	t2, t3, t4 := taskF("WT02", "Support", "voice", "+15551230002"), taskF("WT03", "Support", "voice", "+15551230003"),
		taskF("WT04", "Support", "voice", "+15551230004")
	r := convert(t, DefaultActivities(),
		ev(0, "worker.activity.update", ana),
		ev(200, "task-queue.entered", t2),
		ev(203, "task.canceled", t2, kv("TaskCanceledReason", "hangup")), // caller, wait 3 s: short (< 5 s)
		ev(210, "task-queue.entered", t3),
		ev(220, "task-queue.entered", t4),
		ev(220.5, "reservation.created", t4, ana, resF("WR04")),
		ev(232, "reservation.timeout", t4, ana, resF("WR04")),                       // Ana missed it
		ev(250, "task.canceled", t4, kv("TaskCanceledReason", "hangup")),            // caller, wait 30 s
		ev(330, "task.canceled", t3, kv("TaskCanceledReason", "Task TTL Exceeded")), // timeout, wait 120 s
	)
	// Three offered, three abandoned (two by their callers, one of them
	// short; one by timeout). Service level, exclude_short: 0 within /
	// (0 + 3 − 1) = 0. Abandon rate (3 − 1) / (3 − 1) = 1.
	c := sourcetest.Calls{Offered: 3, Abandoned: 3, Short: 1, ByReason: map[string]int64{"caller": 2, "timeout": 1},
		SL: 0, ASA: sourcetest.Null, AHT: sourcetest.Null}
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, c)
	sourcetest.Approx(t, "abandon_rate", r.report.Floor.AbandonRate, 1)
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Missed: 1, AHT: sourcetest.Null, State: feed.StateAvailable})
	if len(r.tally.Notes) != 0 {
		t.Errorf("notes %q", r.tally.Notes)
	}
}

// What TaskRouter gives as a cancel reason is read by its words.
func TestAbandonReasons(t *testing.T) {
	c := NewConverter(DefaultActivities(), func(*feed.Event) {})
	for reason, want := range map[string]string{
		"hangup":            feed.ReasonCaller,
		"Caller hung up":    feed.ReasonCaller,
		"Task TTL Exceeded": feed.ReasonTimeout,
		"Task TTL Exceeded or Max assignment count exceeded": feed.ReasonTimeout,
		"Workflow Timeout":       feed.ReasonTimeout,
		"leave":                  feed.ReasonExitKey,
		"Sent to voicemail":      feed.ReasonExitKey,
		"":                       feed.ReasonWithdraw,
		"redirected":             feed.ReasonWithdraw,
		"Canceled by supervisor": feed.ReasonWithdraw,
		"Settled elsewhere":      feed.ReasonWithdraw, // not a TTL
		"Caller-Abandoned":       feed.ReasonCaller,
	} {
		if got := c.abandonReason("task.canceled", reason); got != want {
			t.Errorf("%q: %s, want %s", reason, got, want)
		}
	}
	if got := c.abandonReason("task.deleted", "hangup"); got != feed.ReasonWithdraw {
		t.Errorf("a deleted task: %s, want withdrawn", got)
	}
	if note := strings.Join(c.Tally().Notes, "\n"); !strings.Contains(note, "redirected") || !strings.Contains(note, "Canceled by supervisor") {
		t.Errorf("notes %q: want the reasons read as withdrawn", note)
	}
}

// A cold transfer to another queue: the call leaves Ana, waits in
// Billing, and Ben answers it there; Ana's own wrap-up of her leg shows
// on her state only.
func TestColdTransferToQueue(t *testing.T) {
	ana, ben := workerF("WK01", "Available"), workerF("WK02", "Available")
	sup, bil := taskF("WT05", "Support", "voice", "+15551230005"), taskF("WT05", "Billing", "voice", "+15551230005")
	xfer := kv("TransferMode", "COLD", "TransferType", "QUEUE", "TransferTo", queueSids["Billing"], "ResourceType", "transfer")
	r := convert(t, DefaultActivities(),
		ev(0, "worker.activity.update", ana),
		ev(0, "worker.activity.update", ben),
		ev(0, "task-queue.created", kv("TaskQueueSid", queueSids["Billing"], "TaskQueueName", "Billing")),
		ev(100, "task-queue.entered", sup),
		ev(105, "reservation.accepted", sup, ana, resF("WR05")), // answered in Support: wait 5 s
		ev(165, "task.transfer-initiated", sup, ana, xfer),      // Ana sends it on
		ev(165.1, "task-queue.entered", bil),                    // it waits in Billing from +165.1
		ev(165.3, "reservation.wrapup", sup, ana, resF("WR05")), // Ana wraps up her leg
		ev(166, "reservation.created", bil, ben, resF("WR06")),
		ev(170.1, "reservation.accepted", bil, ben, resF("WR06")),  // Ben answers: wait 5 s
		ev(175.3, "reservation.completed", sup, ana, resF("WR05")), // Ana is free
		ev(230.1, "reservation.wrapup", bil, ben, resF("WR06")),
		ev(240.1, "reservation.completed", bil, ben, resF("WR06")), // AHT 240.1 − 170.1 = 70 s
		ev(240.1, "task.completed", bil),
		ev(241, "task.transfer-completed", bil, xfer),
	)
	want := []string{feed.TypeOffered, feed.TypeAnswered, feed.TypeTransferred, feed.TypeAnswered, feed.TypeEnded, feed.TypeWrapped}
	if got := types(r.events); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	// Support: the offer and Ana's answer; a transferred leg gives no AHT.
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 5, AHT: sourcetest.Null})
	// Billing: the transfer is a new offer there, answered 5 s later.
	sourcetest.CheckCalls(t, "Billing", r.queue(t, "Billing").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 5, AHT: 70})
	sourcetest.CheckCalls(t, "floor", r.report.Floor, sourcetest.Calls{Offered: 2, Answered: 2, Within: 2, SL: 1, ASA: 5, AHT: 70})
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Handled: 1, Transferred: 1, AHT: sourcetest.Null, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "WK02", sourcetest.AgentWant{Name: "Ben Okafor", Handled: 1, AHT: 70, State: feed.StateAvailable})
	if a := r.agent(t, "WK02"); !slices.Equal(a.Queues, []string{"Billing"}) {
		t.Errorf("Ben's queues %v, want the one he was offered tasks from", a.Queues)
	}
}

// A warm transfer to a worker: Ana stays on the call until Ben accepts,
// then Ben has it, in the same queue.
func TestWarmTransferToWorker(t *testing.T) {
	ana, ben := workerF("WK01", "Available"), workerF("WK02", "Available")
	task := taskF("WT07", "Support", "voice", "+15551230007")
	xfer := kv("TransferMode", "WARM", "TransferType", "WORKER", "TransferTo", "WK02")
	r := convert(t, DefaultActivities(),
		ev(0, "task-queue.entered", task),
		ev(2, "reservation.accepted", task, ana, resF("WR07")), // wait 2 s
		ev(30, "task.transfer-initiated", task, ana, xfer),
		ev(31, "reservation.created", task, ben, resF("WR08")),  // Ben rings; Ana still talks
		ev(40, "reservation.accepted", task, ben, resF("WR08")), // the transfer: a new offer, answered at once
		ev(50, "reservation.wrapup", task, ana, resF("WR07")),   // Ana leaves the call
		ev(55, "reservation.completed", task, ana, resF("WR07")),
		ev(100, "task.wrapup", task),    // Ben's talk ends
		ev(110, "task.completed", task), // AHT 110 − 40 = 70 s
	)
	want := []string{feed.TypeOffered, feed.TypeAnswered, feed.TypeTransferred, feed.TypeAnswered, feed.TypeEnded, feed.TypeWrapped}
	if got := types(r.events); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	// Two offers in Support (the call, the transfer), waits 2 and 0 s.
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 2, Answered: 2, Within: 2, SL: 1, ASA: 1, AHT: 70})
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Handled: 1, Transferred: 1, AHT: sourcetest.Null, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "WK02", sourcetest.AgentWant{Name: "Ben Okafor", Handled: 1, AHT: 70, State: feed.StateAvailable})
	// Ana was on the call until she left it at +50, not at Ben's answer.
	for _, e := range r.events {
		if e.Type == feed.TypeAgentState && e.Agent == "WK01" && e.State == feed.StateWrapUp && e.TS.Sub(T0).Seconds() != 50 {
			t.Errorf("Ana in wrap-up at %v, want +50s", e.TS.Sub(T0))
		}
	}
}

// A warm transfer the target never takes: Ana keeps the call.
func TestWarmTransferFailed(t *testing.T) {
	ana, ben := workerF("WK01", "Available"), workerF("WK02", "Available")
	task := taskF("WT09", "Support", "chat", "")
	xfer := kv("TransferMode", "WARM", "TransferType", "WORKER", "TransferTo", "WK02")
	r := convert(t, DefaultActivities(),
		ev(0, "task-queue.entered", task),
		ev(4, "reservation.accepted", task, ana, resF("WR09")),
		ev(30, "task.transfer-initiated", task, ana, xfer),
		ev(31, "reservation.created", task, ben, resF("WR10")),
		ev(46, "reservation.rejected", task, ben, resF("WR10")), // not a miss: the call is Ana's, not waiting
		ev(46, "task.transfer-failed", task, xfer),
		ev(100, "reservation.wrapup", task, ana, resF("WR09")),
		ev(104, "reservation.completed", task, ana, resF("WR09")), // AHT 100 s
	)
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 4, AHT: 100})
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Handled: 1, AHT: 100, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "WK02", sourcetest.AgentWant{Name: "Ben Okafor", AHT: sourcetest.Null, State: feed.StateAvailable})
	if ch := r.events[0].Channel; ch != "chat" {
		t.Errorf("channel %q, want chat", ch)
	}
}

// A task the workflow moves on after a queue's timeout leaves the first
// queue with reason timeout and is a new offer in the next.
func TestWorkflowMovesTask(t *testing.T) {
	r := convert(t, DefaultActivities(),
		ev(0, "task-queue.entered", taskF("WT11", "Support", "voice", "+15551230011")),
		ev(60, "task-queue.timeout", taskF("WT11", "Support", "voice", "+15551230011")),
		ev(60, "task-queue.entered", taskF("WT11", "Billing", "voice", "+15551230011")), // Support: timeout after 60 s
		ev(62, "reservation.accepted", taskF("WT11", "Billing", "voice", ""), workerF("WK02", "Available"), resF("WR11")),
		ev(90, "task.completed", taskF("WT11", "Billing", "voice", "")), // no wrap-up: AHT = talk, 28 s
	)
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 1, Abandoned: 1, ByReason: map[string]int64{"timeout": 1},
		SL: 0, ASA: sourcetest.Null, AHT: sourcetest.Null})
	sourcetest.CheckCalls(t, "Billing", r.queue(t, "Billing").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 2, AHT: 28})
	if r.tally.Skipped["task-queue.timeout"] != 1 {
		t.Errorf("skipped %v: want task-queue.timeout counted", r.tally.Skipped)
	}
}

// Workers' activities through the map: defaults, a file's own, and an
// activity the map does not know; an activity changed during a call
// shows once the call and its wrap-up are over.
func TestWorkerActivities(t *testing.T) {
	acts, err := ParseActivities([]byte("activities:\n  Lunch: aux lunch\n  \"After Call Work\": wrap_up\n"))
	if err != nil {
		t.Fatal(err)
	}
	task := taskF("WT12", "Support", "voice", "+15551230012")
	r := convert(t, acts,
		ev(0, "worker.created", workerF("WK01", "Offline")),
		ev(10, "worker.activity.update", workerF("WK01", "Available")),
		ev(100, "worker.activity.update", workerF("WK01", "Break")), // aux break: 300 s
		ev(400, "worker.activity.update", workerF("WK01", "Available")),
		ev(450, "worker.activity.update", workerF("WK01", "Training")),  // not mapped: aux training, 50 s
		ev(500, "worker.activity.update", workerF("WK01", "Lunch")),     // the file's: aux lunch, 100 s
		ev(600, "worker.activity.update", workerF("WK01", "available")), // names match ignoring case
		ev(700, "task-queue.entered", task),
		ev(701, "reservation.accepted", task, workerF("WK01", "Available"), resF("WR12")),
		ev(720, "worker.activity.update", workerF("WK01", "Break")), // during the call: shows at +760
		ev(750, "reservation.wrapup", task, workerF("WK01", "Break"), resF("WR12")),
		ev(760, "reservation.completed", task, workerF("WK01", "Break"), resF("WR12")), // aux break from +760
		ev(800, "worker.activity.update", workerF("WK01", "Offline")),                  // 40 s more break
	)
	sourcetest.CheckAgent(t, r.report, "WK01", sourcetest.AgentWant{Name: "Ana Lima", Handled: 1, AHT: 59, State: feed.StateOffline,
		Aux: map[string]float64{"break": 340, "training": 50, "lunch": 100}})
	if note := strings.Join(r.tally.Notes, "\n"); !strings.Contains(note, "Training") || !strings.Contains(note, "--activities") {
		t.Errorf("notes %q: want Training named as not mapped", note)
	}
	if _, err := ParseActivities([]byte("activities:\n  Busy: busy\n")); err == nil {
		t.Error("a state the protocol does not have was accepted")
	}
	if _, err := ParseActivities([]byte("activities:\n  Busy: available now\n")); err == nil {
		t.Error("a reason on available was accepted")
	}
	if _, err := ParseActivities([]byte("activity:\n  Busy: aux\n")); err == nil {
		t.Error("an unknown key was accepted")
	}
}

// Events of tasks the bridge never saw offered change no call figure, and
// their workers' states still follow; a second delivery of a finished
// task's end changes nothing.
func TestTasksBeforeTheBridge(t *testing.T) {
	task := taskF("WT13", "Support", "voice", "+15551230013")
	ana := workerF("WK01", "Available")
	r := convert(t, DefaultActivities(),
		ev(0, "reservation.accepted", task, ana, resF("WR13")),
		ev(50, "reservation.wrapup", task, ana, resF("WR13")),
		ev(60, "reservation.completed", task, ana, resF("WR13")),
		ev(60, "task.completed", task),
		ev(70, "task-queue.entered", taskF("WT14", "Support", "voice", "")),
		ev(80, "task.canceled", taskF("WT14", "Support", "voice", ""), kv("TaskCanceledReason", "hangup")),
		ev(81, "task.deleted", taskF("WT14", "Support", "voice", "")),
	)
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 1, Abandoned: 1, ByReason: map[string]int64{"caller": 1},
		SL: 0, ASA: sourcetest.Null, AHT: sourcetest.Null})
	if r.tally.Skipped[skipBefore] != 4 || r.tally.Skipped[skipEnded] != 1 {
		t.Errorf("skipped %v", r.tally.Skipped)
	}
	var states []string
	for _, e := range r.events {
		if e.Type == feed.TypeAgentState {
			states = append(states, e.State)
		}
	}
	if want := []string{"on_call", "wrap_up", "available"}; !slices.Equal(states, want) {
		t.Errorf("Ana's states %v, want %v", states, want)
	}
}

// An agent's outbound call (Flex makes a task of it, routed through a
// queue and accepted at once) is work for the agent but no offer; a task
// that ends before entering any queue is no call.
func TestTasksThatAreNotCalls(t *testing.T) {
	out := taskF("WT15", "Support", "voice", "+15551230015")
	out.Set("TaskAttributes", `{"direction":"outbound","type":"outbound","from":"+15550000000","outbound_to":"+15551230015"}`)
	ana := workerF("WK01", "Available")
	r := convert(t, DefaultActivities(),
		ev(0, "worker.activity.update", ana),
		ev(10, "task.created", out),
		ev(10.1, "task-queue.entered", out),
		ev(10.2, "reservation.created", out, ana, resF("WR15")),
		ev(10.3, "reservation.accepted", out, ana, resF("WR15")),
		ev(70, "reservation.wrapup", out, ana, resF("WR15")),
		ev(80, "reservation.completed", out, ana, resF("WR15")),
		ev(80, "task.completed", out),
		ev(90, "task.created", taskF("WT16", "", "chat", "")),
		ev(91, "task.canceled", taskF("WT16", "", "chat", ""), kv("TaskCanceledReason", "No eligible workers")),
	)
	if got := types(r.events); len(got) != 0 {
		t.Errorf("call events %v, want none", got)
	}
	if len(r.report.Queues) != 0 {
		t.Errorf("queues %v, want none", r.report.Queues)
	}
	var states []string
	for _, e := range r.events {
		states = append(states, e.State)
	}
	if want := []string{"available", "on_call", "wrap_up", "available"}; !slices.Equal(states, want) {
		t.Errorf("Ana's states %v, want %v", states, want)
	}
	if r.tally.Skipped[skipOutbound] != 1 || r.tally.Skipped[skipNoOffer] != 1 || r.tally.Skipped[skipNoQueue] != 0 {
		t.Errorf("skipped %v", r.tally.Skipped)
	}
}

// A cold transfer whose target's reservation names no queue stays in the
// task's queue.
func TestColdTransferWithoutQueue(t *testing.T) {
	task := taskF("WT17", "Support", "voice", "")
	bare := kv("TaskSid", "WT17")
	r := convert(t, DefaultActivities(),
		ev(0, "task-queue.entered", task),
		ev(1, "reservation.accepted", task, workerF("WK01", "Available"), resF("WR17")),
		ev(20, "task.transfer-initiated", task, kv("TransferMode", "COLD")),
		ev(21, "reservation.created", bare, workerF("WK02", "Available"), resF("WR18")),  // transferred at +21
		ev(25, "reservation.accepted", bare, workerF("WK02", "Available"), resF("WR18")), // answered: wait 4 s
		ev(85, "task.completed", bare),                                                   // AHT 60 s
	)
	sourcetest.CheckCalls(t, "Support", r.queue(t, "Support").Metrics, sourcetest.Calls{Offered: 2, Answered: 2, Within: 2, SL: 1, ASA: 2.5, AHT: 60})
}
