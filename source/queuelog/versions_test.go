package queuelog

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// Each test converts one fixture and checks the floor's figures against
// numbers worked by hand from the fixture's comments.

func TestAsterisk14(t *testing.T) {
	r := convert(t, fixture(t, "asterisk-1.4.txt"), Config{})
	// Offered A..F = 6. Answered A (18 s) and B (5 s), both within 20 s.
	// Abandoned C timeout (60 s, from the line's time), D exit_key (7 s,
	// likewise), E caller (3 s: short), F no_agents (2 s: not short, only
	// the caller's abandons are). SL = 2 / (2 + 4 - 1) = 0.4. ASA =
	// (18+5)/2 = 11.5. AHT: only A wrapped, 120 s; B left the floor.
	sourcetest.CheckCalls(t, "sales", r.queue(t, "sales").Metrics, sourcetest.Calls{Offered: 6, Answered: 2, Within: 2, Abandoned: 4, Short: 1,
		ByReason: map[string]int64{feed.ReasonCaller: 1, feed.ReasonTimeout: 1, feed.ReasonExitKey: 1, feed.ReasonNoAgents: 1},
		SL:       0.4, ASA: 11.5, AHT: 120})
	// SIP/201: A; paused +320..+410 with no reason; removed: offline.
	sourcetest.CheckAgent(t, r.report, "SIP/201", sourcetest.AgentWant{Handled: 1, AHT: 120, State: feed.StateOffline,
		Aux: map[string]float64{"unspecified": 90}})
	// Agent/300: missed A, answered B and transferred it out; logged off.
	sourcetest.CheckAgent(t, r.report, "Agent/300", sourcetest.AgentWant{Handled: 1, Missed: 1, Transferred: 1, AHT: sourcetest.Null, State: feed.StateOffline})
	if ev := r.find(feed.TypeTransferred, "1700000150.2", at(195)); ev == nil || ev.To != "500@default" || ev.Queue != "" {
		t.Errorf("B's transfer: %+v, want to 500@default at +195", ev)
	}
	if ev := r.find(feed.TypeOffered, "1700000010.1", at(10)); ev == nil || ev.Caller != "5550001" {
		t.Errorf("A's offer: %+v, want caller 5550001", ev)
	}
	if r.tally.Malformed != 0 || r.tally.Skipped["QUEUESTART"] != 1 || r.tally.Lines != 22 {
		t.Errorf("tally %+v", r.tally)
	}
}

func TestAsterisk18(t *testing.T) {
	g := goals(t, "queues:\n  support: {wrap_s: 30}\n")
	// Offered A..H = 8. Answered A (12 s, within) and B (30 s). Abandoned
	// C caller 8 s, D caller 15 s, E timeout 90 s, F timeout 45 s (line
	// time), G exit_key 20 s, H exit_key 3 s (line time): 6, none short.
	// SL = 1 / (2 + 6) = 0.125; ASA = 21; AHT: A 200 + 30 wrap = 230.
	want := sourcetest.Calls{Offered: 8, Answered: 2, Within: 1, Abandoned: 6,
		ByReason: map[string]int64{feed.ReasonCaller: 2, feed.ReasonTimeout: 2, feed.ReasonExitKey: 2},
		SL:       0.125, ASA: 21, AHT: 230}
	agent1001 := sourcetest.AgentWant{Handled: 2, Transferred: 1, AHT: 230, State: feed.StateOffline}

	t.Run("without --agents", func(t *testing.T) {
		r := convert(t, fixture(t, "asterisk-1.8.txt"), Config{Goals: g})
		sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, want)
		sourcetest.CheckAgent(t, r.report, "Agent/1001", agent1001)
		// Ana's two names stay apart: Ana (calls, pauses) and SIP/1002
		// (ADDMEMBER), both staffed at the end, and a note says so.
		sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Missed: 2, AHT: sourcetest.Null, State: feed.StateAvailable,
			Aux: map[string]float64{"Break": 100}})
		sourcetest.CheckAgent(t, r.report, "SIP/1002", sourcetest.AgentWant{AHT: sourcetest.Null, State: feed.StateAvailable})
		if r.report.Floor.Staffed != 2 {
			t.Errorf("staffed = %d, want 2 (Ana counted twice)", r.report.Floor.Staffed)
		}
		if !sourcetest.HasNote(r.tally, "could not join agent names: SIP/1002 logged in") {
			t.Errorf("notes %q: want SIP/1002 and Ana named as not joined", r.tally.Notes)
		}
	})
	t.Run("with --agents", func(t *testing.T) {
		r := convert(t, fixture(t, "asterisk-1.8.txt"), Config{Goals: g, Agents: testAgents(t)})
		sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, want)
		sourcetest.CheckAgent(t, r.report, "Agent/1001", agent1001)
		sourcetest.CheckAgent(t, r.report, "ana", sourcetest.AgentWant{Missed: 2, AHT: sourcetest.Null, State: feed.StateAvailable,
			Aux: map[string]float64{"Break": 100}})
		if a := r.agent(t, "ana"); a.Name != "Ana Lima" {
			t.Errorf("ana's name = %q", a.Name)
		}
		if r.report.Floor.Staffed != 1 {
			t.Errorf("staffed = %d, want 1", r.report.Floor.Staffed)
		}
		if sourcetest.HasNote(r.tally, "could not join") || sourcetest.HasNote(r.tally, "not in the --agents file") && !sourcetest.HasNote(r.tally, "Agent/1001") {
			t.Errorf("notes %q", r.tally.Notes)
		}
	})
	// Agent/1001's day: available at login, on a call +22..+222, wrap-up
	// to +252, on B +260..+320, wrap-up after the transfer to +350.
	r := convert(t, fixture(t, "asterisk-1.8.txt"), Config{Goals: g})
	for _, s := range []struct {
		sec   float64
		state string
	}{{3, feed.StateAvailable}, {22, feed.StateOnCall}, {222, feed.StateWrapUp}, {252, feed.StateAvailable},
		{260, feed.StateOnCall}, {320, feed.StateWrapUp}, {350, feed.StateAvailable}, {1000, feed.StateOffline}} {
		if ev := r.find(feed.TypeAgentState, "Agent/1001", at(s.sec)); ev == nil || ev.State != s.state {
			t.Errorf("Agent/1001 at +%v: %+v, want %s", s.sec, ev, s.state)
		}
	}
	if ev := r.find(feed.TypeWrapped, "1700000010.21", at(252)); ev == nil {
		t.Error("A is not wrapped at +252 (ended +222, wrap_s 30)")
	}
}

func TestAsterisk13(t *testing.T) {
	g := goals(t, "queues:\n  billing: {wrap_s: 10}\n")
	r := convert(t, fixture(t, "asterisk-13.txt"), Config{Goals: g})
	// Offered A..G = 7. Answered A 6, B 9, C 25, D 2, E 4: 5, 4 within.
	// Abandoned F no_agents, G exit_key. SL = 4/7; ASA = 46/5 = 9.2; AHT:
	// D only (88 + 10 wrap = 98): A, B, C, E were transferred out.
	sourcetest.CheckCalls(t, "billing", r.queue(t, "billing").Metrics, sourcetest.Calls{Offered: 7, Answered: 5, Within: 4, Abandoned: 2,
		ByReason: map[string]int64{feed.ReasonNoAgents: 1, feed.ReasonExitKey: 1}, SL: 4.0 / 7, ASA: 9.2, AHT: 98})
	// The pool agent logged in as 1001 and answered as Agent/1001: one.
	sourcetest.CheckAgent(t, r.report, "1001", sourcetest.AgentWant{Handled: 3, Transferred: 3, AHT: sourcetest.Null, State: feed.StateOffline})
	sourcetest.CheckAgent(t, r.report, "Ravi", sourcetest.AgentWant{Handled: 2, Transferred: 1, AHT: 98, State: feed.StateAvailable,
		Aux: map[string]float64{"Meeting": 200}})
	if len(r.report.Agents) != 2 {
		t.Errorf("%d agents, want 2", len(r.report.Agents))
	}
	for _, x := range []struct {
		call string
		sec  float64
		to   string
	}{{"1700000010.1", 66, "8100@from-internal"}, {"1700000100.3", 139, "APP VoiceMail"},
		{"1700000200.5", 300, "LINK Local/8200@from-internal-00000001;1 Local/8200@from-internal-00000001;2"},
		{"1700000420.9", 444, "BRIDGE 6f3a1c9e-2b51-4d2e-9f0a-7e1d2c3b4a5f"}} {
		if ev := r.find(feed.TypeTransferred, x.call, at(x.sec)); ev == nil || ev.To != x.to {
			t.Errorf("transfer of %s: %+v, want to %q at +%v", x.call, ev, x.to, x.sec)
		}
	}
}

func TestAsterisk16(t *testing.T) {
	r := convert(t, fixture(t, "asterisk-16.txt"), Config{Agents: testAgents(t)})
	// support: A (6 s) and D (4 s) answered within, C no_agents: SL 2/3,
	// ASA 5, AHT (30 + 60)/2 = 45. sales: B withdrawn: SL 0/1.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 3, Answered: 2, Within: 2, Abandoned: 1,
		ByReason: map[string]int64{feed.ReasonNoAgents: 1}, SL: 2.0 / 3, ASA: 5, AHT: 45})
	sourcetest.CheckCalls(t, "sales", r.queue(t, "sales").Metrics, sourcetest.Calls{Offered: 1, Abandoned: 1,
		ByReason: map[string]int64{feed.ReasonWithdraw: 1}, SL: 0, ASA: sourcetest.Null, AHT: sourcetest.Null})
	// Ana: RINGCANCELED is not a miss; paused in sales alone she stays
	// available; Training counts only while paused everywhere (+300..+600).
	sourcetest.CheckAgent(t, r.report, "ana", sourcetest.AgentWant{AHT: sourcetest.Null, State: feed.StateAvailable, Aux: map[string]float64{"Training": 300}})
	// Ben: Lunch +200..+500; the pause during D shows at its end (+764).
	sourcetest.CheckAgent(t, r.report, "ben", sourcetest.AgentWant{Handled: 2, AHT: 45, State: feed.StateAux, Reason: "Break",
		Aux: map[string]float64{"Lunch": 300}})
	if ev := r.find(feed.TypeAgentState, "ben", at(720)); ev != nil {
		t.Errorf("Ben's pause during a call shows at once: %+v", ev)
	}
	if ev := r.find(feed.TypeAgentState, "ben", at(764)); ev == nil || ev.State != feed.StateAux || ev.Reason != "Break" {
		t.Errorf("Ben at +764: %+v, want aux Break", ev)
	}
	if r.tally.Skipped["RINGCANCELED"] != 1 || r.tally.Malformed != 0 || len(r.tally.Notes) != 1 {
		t.Errorf("tally %+v", r.tally)
	}
}

func TestAsterisk21(t *testing.T) {
	g := goals(t, "queues:\n  helpdesk: {wrap_s: 15}\n")
	r := convert(t, fixture(t, "asterisk-21.txt"), Config{Goals: g})
	// A answered in 17 s; B abandoned after 40 s. SL 1/2, ASA 17, AHT
	// 100 + 15 = 115.
	sourcetest.CheckCalls(t, "helpdesk", r.queue(t, "helpdesk").Metrics, sourcetest.Calls{Offered: 2, Answered: 1, Within: 1, Abandoned: 1,
		ByReason: map[string]int64{feed.ReasonCaller: 1}, SL: 0.5, ASA: 17, AHT: 115})
	// Chen: added paused (+1..+5, no reason), then the call.
	sourcetest.CheckAgent(t, r.report, "Chen", sourcetest.AgentWant{Handled: 1, AHT: 115, State: feed.StateAvailable,
		Aux: map[string]float64{"unspecified": 4}})
	// Dee, a static member first seen ringing: Auto-Pause +25..+200,
	// Coaching +200..+400.
	sourcetest.CheckAgent(t, r.report, "Dee", sourcetest.AgentWant{Missed: 1, AHT: sourcetest.Null, State: feed.StateAvailable,
		Aux: map[string]float64{"Auto-Pause": 175, "Coaching": 200}})
	if ev := r.find(feed.TypeOffered, "1700000010.2", at(10)); ev == nil || ev.Caller != "0612345678" {
		t.Errorf("A's offer: %+v, want caller 0612345678", ev)
	}
	if ev := r.find(feed.TypeOffered, "1700000300.4", at(300)); ev == nil || ev.Caller != "" {
		t.Errorf("B's offer: %+v, want no caller", ev)
	}
	if r.tally.Skipped["OUTCALL"] != 1 || r.tally.Malformed != 0 {
		t.Errorf("tally %+v", r.tally)
	}
}

func TestTransfers(t *testing.T) {
	r := convert(t, fixture(t, "transfers.txt"), Config{})
	// support: offered A, B, C, D, E; answered A 5, B 3, C 4 (all
	// transferred: no AHT); abandoned D caller 1 s (short), E timeout 60.
	// SL = 3 / (3 + 2 - 1) = 0.75; ASA 4.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 5, Answered: 3, Within: 3, Abandoned: 2, Short: 1,
		ByReason: map[string]int64{feed.ReasonCaller: 1, feed.ReasonTimeout: 1}, SL: 0.75, ASA: 4, AHT: sourcetest.Null})
	// billing: offered A and B (by transfer), C again later, E (overflow);
	// answered A 7, E 9; abandoned B caller 30 s (from its transfer at
	// +240), C timeout. SL 2/4; ASA 8; AHT (100 + 30)/2 = 65.
	sourcetest.CheckCalls(t, "billing", r.queue(t, "billing").Metrics, sourcetest.Calls{Offered: 4, Answered: 2, Within: 2, Abandoned: 2,
		ByReason: map[string]int64{feed.ReasonCaller: 1, feed.ReasonTimeout: 1}, SL: 0.5, ASA: 8, AHT: 65})
	sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Handled: 3, Transferred: 3, AHT: sourcetest.Null, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "Ben", sourcetest.AgentWant{Handled: 2, AHT: 65, State: feed.StateAvailable})
	for _, x := range []struct {
		call      string
		sec       float64
		queue, to string
	}{{"1700000010.1", 61, "billing", ""}, {"1700000200.4", 240, "billing", ""}, {"1700000300.6", 324, "", "2000@from-internal"}} {
		if ev := r.find(feed.TypeTransferred, x.call, at(x.sec)); ev == nil || ev.Queue != x.queue || ev.To != x.to || ev.Agent != "Ana" {
			t.Errorf("transfer of %s: %+v, want at +%v to queue %q / %q", x.call, ev, x.sec, x.queue, x.to)
		}
	}
	if n := count(r.events, feed.TypeTransferred); n != 3 {
		t.Errorf("%d transfers, want 3", n)
	}
}

func TestMessyFile(t *testing.T) {
	r := convert(t, fixture(t, "messy.txt"), Config{})
	// Offered Z, S, W, V, U (X and Y began before the file). Answered Z
	// 10 s, V 2 s, U 5 s. Abandoned S caller 30 s, W withdrawn by the
	// restart after 10 s. SL 3/5, ASA 17/3, AHT (60 + 3)/2 = 31.5; U is
	// still in conversation at the end.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 5, Answered: 3, Within: 3, Abandoned: 2,
		ByReason: map[string]int64{feed.ReasonCaller: 1, feed.ReasonWithdraw: 1}, SL: 0.6, ASA: 17.0 / 3, AHT: 31.5})
	if len(r.report.Queues) != 1 {
		t.Errorf("%d queues, want 1 (support, Support and SUPPORT are one)", len(r.report.Queues))
	}
	sourcetest.CheckAgent(t, r.report, "Karthik", sourcetest.AgentWant{Handled: 3, AHT: 31.5, State: feed.StateOnCall})
	if len(r.report.Agents) != 1 {
		t.Errorf("%d agents, want 1 (Karthik, karthik, KARTHIK)", len(r.report.Agents))
	}
	if ev := r.find(feed.TypeAnswered, "1700000100.6", at(110.25)); ev == nil {
		t.Error("Z is not answered at +110.25 (offer +100.25 plus holdtime 10)")
	}
	if ev := r.find(feed.TypeAgentState, "Karthik", at(5)); ev == nil || ev.State != feed.StateOnCall {
		t.Errorf("Karthik at +5 (a call from before the file): %+v, want on_call", ev)
	}
	want := map[string]int64{skipBefore: 3, "QUEUESTART": 1, "CONFIGRELOAD": 2, "DID": 1, "INFO": 1, "FOOBAR": 1}
	for k, n := range want {
		if r.tally.Skipped[k] != n {
			t.Errorf("skipped %s = %d, want %d (%v)", k, r.tally.Skipped[k], n, r.tally.Skipped)
		}
	}
	if len(r.tally.Skipped) != len(want) || r.tally.Malformed != 4 || r.tally.Lines != 23 ||
		r.tally.FirstMalformed != "line 6: 1 fields, want epoch|callid|queue|agent|EVENT|data…" {
		t.Errorf("tally %+v", r.tally)
	}
	if !sourcetest.HasNote(r.tally, "Asterisk restarted (QUEUESTART) 1 times with calls live: 1 waiting calls closed as withdrawn, 1 conversations ended") {
		t.Errorf("notes %q", r.tally.Notes)
	}
}

// TestTransferToQueueNumber: FreePBX names queues by their number; a
// transfer to an extension that is a queue of the floor waits a minute for
// the caller to enter it (a join announcement plays first).
func TestTransferToQueueNumber(t *testing.T) {
	r := convert(t, []byte(`1700000010|c1|401|NONE|ENTERQUEUE||5551|1
1700000012|c1|401|Ana|CONNECT|2|p|1
1700000042|c1|401|Ana|BLINDTRANSFER|402|from-internal|2|30|1
1700000067|c1|402|NONE|ENTERQUEUE||5551|1
1700000070|c1|402|Ben|CONNECT|3|p|1
`), Config{Goals: goals(t, "queues:\n  \"402\": {name: Billing}\n")})
	// The leg ends at +42; the caller enters 402 at +67, 25 s later.
	if ev := r.find(feed.TypeTransferred, "c1", at(67)); ev == nil || ev.Queue != "402" || ev.Agent != "Ana" {
		t.Errorf("transfer: %+v, want into 402 at +67", ev)
	}
	sourcetest.CheckCalls(t, "402", r.queue(t, "402").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1, SL: 1, ASA: 3, AHT: sourcetest.Null})
}
