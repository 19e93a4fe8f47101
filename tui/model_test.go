package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

func names(list []*floor.AgentReport) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Label()
	}
	return out
}

func same(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }

func TestTabsNumbersAndQuit(t *testing.T) {
	m := newModel(t, testHub(t), 80, 24)
	if m.view != viewOverview {
		t.Fatalf("starts on %v", m.view)
	}
	want := []view{viewQueues, viewAgents, viewRecovery, viewRecognition, viewFlow, viewAlerts, viewDay, viewOverview}
	for _, v := range want {
		press(m, "tab")
		if m.view != v {
			t.Fatalf("tab went to %v, want %v", m.view, v)
		}
	}
	press(m, "shift+tab")
	if m.view != viewDay {
		t.Errorf("shift+tab from the overview went to %v, want the day", m.view)
	}
	press(m, "5")
	if m.view != viewRecognition {
		t.Errorf("5 went to %v", m.view)
	}
	press(m, "?")
	if !m.showHelp || !strings.Contains(m.View(), "Reading the screen") {
		t.Error("? did not show the help")
	}
	press(m, "j")
	if !m.showHelp || m.helpOff != 1 {
		t.Error("j did not scroll the help")
	}
	press(m, "x")
	if m.showHelp {
		t.Error("a key did not close the help")
	}
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := m.Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s returned no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s did not quit", k)
		}
	}
}

func TestDrillDownAndBack(t *testing.T) {
	m := newModel(t, testHub(t), 160, 48)
	// Worst first: Billing (66.7% against 90%) is the first row.
	press(m, "enter")
	if m.view != viewQueueDetail || m.queueID != "billing" {
		t.Fatalf("enter on the first row opened %v %q, want the billing queue", m.view, m.queueID)
	}
	if !strings.Contains(m.View(), "Billing (billing)") {
		t.Error("queue detail does not show its queue")
	}
	// Billing's agents, off-goal first: Eve (csat) then Dev.
	press(m, "enter")
	if m.view != viewAgentDetail || m.agentID != "a5" {
		t.Fatalf("enter on the first serving agent opened %v %q, want a5", m.view, m.agentID)
	}
	press(m, "esc")
	if m.view != viewQueueDetail || m.queueID != "billing" {
		t.Errorf("esc went to %v %q, want the billing queue", m.view, m.queueID)
	}
	press(m, "esc")
	if m.view != viewOverview {
		t.Errorf("second esc went to %v, want the overview", m.view)
	}
	// The overview's cursor runs through the queues, then the agents.
	press(m, "down", "down", "down", "enter")
	if m.view != viewAgentDetail || m.agentID != "a3" {
		t.Errorf("fourth row opened %v %q, want agent a3 (Cleo, off three goals)", m.view, m.agentID)
	}
	// A recovery row opens the item in full, and that its agent; a tab key
	// leaves any drill-down.
	press(m, "4", "enter")
	if m.view != viewRecoveryDetail || !strings.Contains(m.View(), "Charged twice and nobody called back") {
		t.Errorf("newest recovery item opened %v:\n%s", m.view, m.View())
	}
	press(m, "enter")
	if m.view != viewAgentDetail || m.agentID != "a5" {
		t.Errorf("the survey's detail opened %v %q, want its agent a5", m.view, m.agentID)
	}
	press(m, "2")
	if m.view != viewQueues || len(m.back) != 0 {
		t.Errorf("2 from a detail: view %v, back stack %v", m.view, m.back)
	}
}

func TestAgentSortCycles(t *testing.T) {
	m := newModel(t, testHub(t), 160, 48)
	press(m, "3")
	cases := []struct {
		sort string
		want []string
	}{
		// Hana's break has overrun its planned 3 minutes: a flag.
		{"attention", []string{"Cleo Park", "Hana Sato", "Eve Moreau", "Finn Walsh", "Ada Lovelace", "Ben Okri", "Dev Patel", "Gus Lind"}},
		{"name", []string{"Ada Lovelace", "Ben Okri", "Cleo Park", "Dev Patel", "Eve Moreau", "Finn Walsh", "Gus Lind", "Hana Sato"}},
		// aux (longest first), available (longest first), on call, wrap-up, offline
		{"state", []string{"Finn Walsh", "Hana Sato", "Ada Lovelace", "Dev Patel", "Ben Okri", "Cleo Park", "Eve Moreau", "Gus Lind"}},
		// most handled first, ties by id
		{"handled", []string{"Eve Moreau", "Ada Lovelace", "Ben Okri", "Cleo Park", "Hana Sato", "Dev Patel", "Finn Walsh", "Gus Lind"}},
	}
	for i, c := range cases {
		if i > 0 {
			press(m, "s")
		}
		if got := agentSorts[m.sortIdx].name; got != c.sort {
			t.Fatalf("sort %q, want %q", got, c.sort)
		}
		if got := names(m.agents); !same(got, c.want) {
			t.Errorf("by %s: %v\nwant %v", c.sort, got, c.want)
		}
	}
	if !strings.Contains(m.View(), "sort handled") {
		t.Error("the view does not say how it is sorted")
	}
	// s cycles back to the start.
	for range len(agentSorts) - 3 {
		press(m, "s")
	}
	if m.sortIdx != 0 {
		t.Errorf("after a full cycle sort is %d", m.sortIdx)
	}
}

func TestFilter(t *testing.T) {
	m := newModel(t, testHub(t), 160, 48)
	press(m, "/")
	if m.view != viewAgents || !m.filtering {
		t.Fatalf("/ did not open the agents filter (view %v, filtering %v)", m.view, m.filtering)
	}
	press(m, "a", "u", "x")
	if got := names(m.agents); !same(got, []string{"Hana Sato", "Finn Walsh"}) {
		t.Errorf("filter aux: %v", got)
	}
	press(m, "backspace", "backspace", "backspace")
	// Every word must match: skill and state.
	press(m, "s", "u", "p", "p", "o", "r", "t", " ", "a", "v", "a", "i", "l")
	if got := names(m.agents); !same(got, []string{"Ada Lovelace", "Dev Patel"}) {
		t.Errorf("filter 'support avail': %v", got)
	}
	// q is a letter while typing, not quit.
	_, cmd := m.Update(keyMsg("q"))
	if cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Fatal("q quit while typing a filter")
		}
	}
	press(m, "backspace", "enter")
	if m.filtering || m.filter.Value() != "support avail" {
		t.Fatalf("enter: filtering %v, filter %q", m.filtering, m.filter.Value())
	}
	if !strings.Contains(m.View(), "AGENT 30m (2 of 8)") {
		t.Error("the title does not count the filtered agents")
	}
	press(m, "esc")
	if m.filter.Value() != "" || len(m.agents) != 8 || m.view != viewAgents {
		t.Errorf("esc: filter %q, %d agents, view %v", m.filter.Value(), len(m.agents), m.view)
	}
}

func TestWindowSelector(t *testing.T) {
	m := newModel(t, testHub(t), 80, 24)
	for _, want := range []string{"1h", "today", "all", "15m", "30m"} {
		press(m, "w")
		if m.report.Window != want {
			t.Errorf("w: report window %q, want %q", m.report.Window, want)
		}
	}
	// The fixture began at 08:00, so the 15-minute window from 08:15 holds
	// fewer calls than the 30-minute one.
	press(m, "w", "w", "w", "w")
	if m.report.Window != "15m" || m.report.Floor.Offered >= 16 {
		t.Errorf("15m window: %q with %d offered, want fewer than the 16 of 30m", m.report.Window, m.report.Floor.Offered)
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	m := newModel(t, testHub(t), 80, 24)
	press(m, "3")
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if c := m.cursor[viewAgents]; c != 3 {
		t.Errorf("wheel down: cursor %d, want 3", c)
	}
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if c := m.cursor[viewAgents]; c != 0 {
		t.Errorf("wheel up twice: cursor %d, want 0", c)
	}
}

// The Alerts view is the floor's log of the day, history included; a is
// this viewer's acknowledgement; a new alert rings the bell once and is
// handed to --notify once.
func TestAlertLifeCycle(t *testing.T) {
	var bell bytes.Buffer
	var told []string
	m := newModelWith(t, testHub(t), 160, 48, Options{Bell: &bell, Supervisor: "kim",
		OnAlert: func(a alerts.Alert, feedName string) { told = append(told, feedName+" "+a.Key) }})
	// At 08:30 the oldest Sales call has waited 100 s, over 3 × 20 s, and
	// Hana's break has overrun; the understaffing alerts of the morning are
	// over but still listed. Those active when the dashboard opens are
	// told, and ring, once.
	if m.book.Active() != 2 || len(m.alertList) != 4 || m.alertList[0].Kind != alerts.KindLongWait {
		t.Fatalf("alerts %+v, want the Sales long wait first of 4", m.alertList)
	}
	if m.ring == nil || len(told) != 2 || told[1] != "acme-east long_wait:sales@2026-11-23T08:30:00.000Z" {
		t.Fatalf("on opening: told %q, bell %v; want Hana's pause and the Sales long wait", told, m.ring != nil)
	}
	m.ring()
	bell.Reset()
	if !strings.Contains(m.View(), "7 Alerts(2)") {
		t.Error("the tab does not count the unacknowledged alerts")
	}
	press(m, "7", "a")
	if m.book.Unacked() != 1 || !m.alertList[1].Acked {
		t.Fatal("a did not acknowledge the selected alert")
	}
	if v := m.View(); !strings.Contains(v, "Alerts(1)") || !strings.Contains(v, "08:30:00 kim") {
		t.Errorf("acknowledged: the tab still counts it, or the log does not say who and when:\n%s", v)
	}
	// Both waiting Sales calls are answered at 08:30:10, a Billing call
	// comes in and waits; at 08:31 the Sales breach is judged over, at
	// 08:32 the Billing call has waited 100 s: a new alert.
	feedLines := func(lines ...string) tea.Cmd {
		t.Helper()
		if m.hub.Frame([]byte(strings.Join(lines, "\n"))) {
			t.Fatal("the hub saw a gap")
		}
		_, cmd := m.Update(frameMsg{})
		return cmd
	}
	if cmd := feedLines(
		`{"type":"call.answered","seq":111,"ts":"2026-11-23T08:30:10.000Z","call":"c5","queue":"sales","agent":"a1"}`,
		`{"type":"call.answered","seq":112,"ts":"2026-11-23T08:30:10.000Z","call":"c6","queue":"sales","agent":"a2"}`,
		`{"type":"call.offered","seq":113,"ts":"2026-11-23T08:30:20.000Z","call":"c31","queue":"billing"}`,
		`{"type":"heartbeat","seq":113,"ts":"2026-11-23T08:31:05.000Z"}`); cmd != nil {
		t.Error("an alert ending rang the bell")
	}
	find := func(kind, subject string) (a alerts.Alert) {
		for _, a = range m.alertList {
			if a.Kind == kind && a.Subject == subject {
				break
			}
		}
		return a
	}
	if a := find(alerts.KindLongWait, "sales"); a.Active() || !a.Ended.Equal(time.Date(2026, 11, 23, 8, 31, 0, 0, time.UTC)) {
		t.Fatalf("after the answers: %+v, want the Sales long wait cleared at 08:31:00", a)
	}
	if !strings.Contains(m.View(), "✓ cleared") {
		t.Error("the view does not show the alert cleared")
	}
	cmd := feedLines(`{"type":"heartbeat","seq":113,"ts":"2026-11-23T08:32:01.000Z"}`)
	if cmd == nil {
		t.Fatal("a new alert did not ring the bell")
	}
	cmd()
	if bell.String() != "\a" || len(told) != 3 || told[2] != "acme-east long_wait:billing@2026-11-23T08:32:00.000Z" {
		t.Errorf("bell %q, told %q; want one BEL and the Billing long wait", bell.String(), told)
	}
	if cmd := feedLines(`{"type":"heartbeat","seq":113,"ts":"2026-11-23T08:32:30.000Z"}`); cmd != nil {
		t.Error("an alert still on rang the bell again")
	}
}

func TestConnectionStates(t *testing.T) {
	hub := testHub(t)
	var st feed.ConnStatus
	hub.SetConn(func() feed.ConnStatus { return st })
	m := newModel(t, hub, 160, 48)
	cases := []struct {
		st   feed.ConnStatus
		want string
	}{
		{feed.ConnStatus{State: feed.ConnLive, LastFrame: wallNow.Add(-time.Second)}, "acme-east ● live"},
		{feed.ConnStatus{State: feed.ConnLive, LastFrame: wallNow.Add(-12 * time.Second)}, "acme-east ◌ stale 12s"},
		// Down for 25 s: the clock stays, saying how old it is.
		{feed.ConnStatus{State: feed.ConnReconnecting, Err: "dial tcp 127.0.0.1:7070: connection refused",
			Retry: wallNow.Add(2500 * time.Millisecond), LastFrame: wallNow.Add(-25 * time.Second)},
			"↻ reconnecting in 3s · floor 08:30:00 (25s old)"},
		{feed.ConnStatus{State: feed.ConnClosed, Err: "the feed has ended"}, "■ run ended · floor 08:30:00"},
		{feed.ConnStatus{State: feed.ConnClosed}, "✗ closed"},
	}
	for _, c := range cases {
		st = c.st
		m.Update(secondMsg{})
		if top := strings.SplitN(m.View(), "\n", 2)[0]; !strings.Contains(top, c.want) {
			t.Errorf("%s: top bar %q lacks %q", c.st.State, top, c.want)
		}
		if c.st.State == feed.ConnReconnecting && !strings.Contains(m.View(), "↻ feed lost: dial tcp 127.0.0.1:7070: connection refused") {
			t.Error("the banner does not give the reason in full")
		}
	}
}

// Each second redraws (clocks move), but an unchanged hub is not re-read.
func TestFramesOnlyWhenChanged(t *testing.T) {
	m := newModel(t, testHub(t), 80, 24)
	m.View()
	before, report := m.renders, m.report
	m.Update(frameMsg{})
	m.View()
	if m.renders != before || m.report != report {
		t.Errorf("a frame tick with no change redrew (%d→%d) or re-read the report", before, m.renders)
	}
	m.Update(secondMsg{})
	m.View()
	if m.renders != before+1 {
		t.Errorf("the second tick did not redraw")
	}
	// A change arms the frame tick; the frame clears it.
	_, cmd := m.Update(changedMsg{})
	if !m.frameArmed || cmd == nil {
		t.Fatal("a change did not arm the frame tick")
	}
	m.Update(frameMsg{})
	if m.frameArmed {
		t.Error("the frame did not disarm the tick")
	}
}

// Keys typed faster than the terminal is read arrive as one message.
func TestKeysArrivingTogether(t *testing.T) {
	m := newModel(t, testHub(t), 80, 24)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3jj")})
	if m.view != viewAgents || m.cursor[viewAgents] != 2 {
		t.Errorf("3jj: view %v cursor %d, want agents, row 2", m.view, m.cursor[viewAgents])
	}
	// After /, the rest is the filter's text.
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/aux")})
	if !m.filtering || m.filter.Value() != "aux" || len(m.agents) != 2 {
		t.Errorf("/aux: filtering %v, filter %q, %d agents", m.filtering, m.filter.Value(), len(m.agents))
	}
}

// cursorLine is the line of the frame that carries the cursor mark, or -1.
func cursorLine(frame string) int {
	for i, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, "›") {
			return i
		}
	}
	return -1
}

// Agents log in before any call names a queue: the overview's agent list
// still shows the row under the cursor, down to the last agent.
func TestOverviewWithoutQueuesKeepsTheCursorOnScreen(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `{"type":"agent.state","seq":%d,"ts":"2026-11-23T08:00:00.000Z","agent":"a%02d","state":"available"}`+"\n", i+1, i)
	}
	hub := live.NewHub(floor.New(floor.Options{}))
	if err := hub.Replay(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, hub, 80, 24)
	press(m, "G")
	frame := m.View()
	checkFits(t, frame, 80, 24)
	if cursorLine(frame) < 0 || !strings.Contains(frame, "a39") {
		t.Errorf("the last agent, under the cursor, is not on screen:\n%s", frame)
	}
}

// At the end of a queue's agents, the last one sits on the table's last
// line, not above an empty one.
func TestQueueDetailScrollsToItsLastLine(t *testing.T) {
	m := newModel(t, bigFloor(t), 80, 24)
	press(m, "2", "enter", "G")
	frame := m.View()
	if got, want := cursorLine(frame), 22; got != want {
		t.Errorf("cursor on line %d, want %d (the line above the footer):\n%s", got+1, want+1, frame)
	}
}
