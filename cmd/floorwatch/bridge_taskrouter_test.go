package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/source/taskrouter"
)

// The bridge end to end on TaskRouter: callbacks signed as Twilio signs
// them, posted to the endpoint on 127.0.0.1, some out of order, one twice,
// one forged; status --feed on the bridge's feed shows the figures worked
// out by hand.
func TestBridgeTaskRouterEndToEnd(t *testing.T) {
	dir := t.TempDir()
	const token = "0123456789abcdef0123456789abcdef"
	tokenFile := filepath.Join(dir, "twilio-token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A free loopback port for the endpoint (the bridge's own feed takes :0).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const public = "https://floor.example.com/twilio/events" // as configured in the workspace, behind a proxy

	bridgeErr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"bridge", "taskrouter://" + addr + "/twilio/events", "--listen", "127.0.0.1:0",
			"--auth-token-file", tokenFile, "--public-url", public, "--name", "flex"}, io.Discard, bridgeErr)
	}()
	feedURL := waitForMatch(t, bridgeErr, `serving (ws://127\.0\.0\.1:\d+)`)
	interrupt := interruptOnce()
	defer interrupt()

	// The day began ten minutes ago; "+10" is 10 s after.
	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	n := 0
	callback := func(at float64, typ string, fields ...string) url.Values {
		n++
		ms := t0.UnixMilli() + int64(at*1000)
		f := url.Values{"EventType": {typ}, "Sid": {fmt.Sprintf("EV%032d", n)}, "TimestampMs": {strconv.FormatInt(ms, 10)},
			"Timestamp": {strconv.FormatInt(ms/1000, 10)}, "AccountSid": {"AC0123"}, "WorkspaceSid": {"WS0123"}}
		for i := 0; i+1 < len(fields); i += 2 {
			f.Set(fields[i], fields[i+1])
		}
		return f
	}
	task := func(sid, from string) []string {
		return []string{"TaskSid", sid, "TaskQueueSid", "WQ01", "TaskQueueName", "Support", "TaskChannelUniqueName", "voice",
			"TaskAttributes", `{"from":"` + from + `","call_sid":"CA` + sid + `"}`}
	}
	ana := []string{"WorkerSid", "WK01", "WorkerName", "ana@example.com", "WorkerActivityName", "Available",
		"WorkerAttributes", `{"full_name":"Ana Lima"}`}
	with := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	offer1 := callback(10, "task-queue.entered", task("WT01", "+15551230001")...)
	flow := []url.Values{
		callback(14, "reservation.accepted", with(task("WT01", "+15551230001"), ana, []string{"ReservationSid", "WR01"})...), // wait 4 s
		callback(0, "worker.activity.update", ana...),
		offer1,
		offer1, // a retry: applied once
		callback(74, "reservation.wrapup", with(task("WT01", "+15551230001"), ana, []string{"ReservationSid", "WR01"})...),
		callback(94, "reservation.completed", with(task("WT01", "+15551230001"), ana, []string{"ReservationSid", "WR01"})...), // AHT 80 s
		callback(102, "task.canceled", with(task("WT02", "+15551230002"), []string{"TaskCanceledReason", "hangup"})...),       // short: 2 s
		callback(100, "task-queue.entered", task("WT02", "+15551230002")...),
	}
	endpoint := "http://" + addr + "/twilio/events"
	post := func(f url.Values, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The endpoint listens once the bridge runs its source.
	forged := callback(20, "task.canceled", with(task("WT01", ""), []string{"TaskCanceledReason", "hangup"})...)
	deadline := time.Now().Add(10 * time.Second)
	for post(forged, taskrouter.Signature("not-the-token", public, forged)) != http.StatusForbidden {
		if time.Now().After(deadline) {
			t.Fatalf("the endpoint never answered; the bridge said:\n%s", bridgeErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, f := range flow {
		if got := post(f, taskrouter.Signature(token, public, f)); got != http.StatusNoContent {
			t.Fatalf("callback %d (%s): status %d", i, f.Get("EventType"), got)
		}
	}

	type figures struct {
		Feed struct {
			BadLines int64 `json:"bad_lines"`
		} `json:"feed"`
		Queues []struct {
			Queue             string           `json:"queue"`
			Offered           int64            `json:"offered"`
			Answered          int64            `json:"answered"`
			Abandoned         int64            `json:"abandoned"`
			ShortAbandoned    int64            `json:"short_abandoned"`
			ServiceLevel      *float64         `json:"service_level"`
			ASAS              *float64         `json:"asa_s"`
			AHTS              *float64         `json:"aht_s"`
			AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
		} `json:"queues"`
		Agents []struct {
			Agent   string `json:"agent"`
			Name    string `json:"name"`
			State   string `json:"state"`
			Handled int64  `json:"handled"`
		} `json:"agents"`
	}
	// Callbacks are held 3 s to be put in order: ask until both calls show.
	var r figures
	var out string
	deadline = time.Now().Add(taskrouter.Hold + 10*time.Second)
	for {
		code, stdout, stderr := runCmd("status", "--feed", feedURL, "--json", "--window", "all")
		if code != 0 {
			t.Fatalf("status --feed: exit %d %s", code, stderr)
		}
		out = stdout
		r = figures{}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Queues) == 1 && r.Queues[0].Offered == 2 && r.Queues[0].Abandoned == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }
	// Support: two offered (the retry applied once), one answered after
	// 4 s, one abandoned by its caller after 2 s (short). Service level
	// 1 / (1 + 1 − 1) = 1; ASA 4 s; AHT 94 − 14 = 80 s.
	if len(r.Queues) != 1 {
		t.Fatalf("queues: %s", out)
	}
	q := r.Queues[0]
	if r.Feed.BadLines != 0 || q.Queue != "Support" || q.Offered != 2 || q.Answered != 1 || q.Abandoned != 1 || q.ShortAbandoned != 1 ||
		q.AbandonedByReason["caller"] != 1 || !near(q.ServiceLevel, 1) || !near(q.ASAS, 4) || !near(q.AHTS, 80) {
		t.Errorf("figures differ from the hand-worked ones:\n%s", out)
	}
	if len(r.Agents) != 1 || r.Agents[0].Agent != "WK01" || r.Agents[0].Name != "Ana Lima" || r.Agents[0].Handled != 1 ||
		r.Agents[0].State != "available" {
		t.Errorf("agents: %s", out)
	}

	interrupt()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("bridge exited %d on an interrupt:\n%s", code, bridgeErr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("bridge did not stop on an interrupt")
	}
	// The account: the forged callback refused, the retry counted as
	// such, nothing malformed.
	if s := bridgeErr.String(); !strings.Contains(s, "retry of an event already received 1") ||
		!strings.Contains(s, "refused: bad or missing signature 1") || !strings.Contains(s, "0 malformed") {
		t.Errorf("the bridge's account:\n%s", s)
	}
}
