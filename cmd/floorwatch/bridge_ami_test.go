package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/source/ami/amitest"
)

// amiFixture is a script of the ami package's fake manager.
func amiFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../source/ami/testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The AMI bridge end to end: `bridge ami://… --listen` on a fake Asterisk
// 20 manager on 127.0.0.1, and status --feed on the bridge, showing the
// figures worked by hand in source/ami/day_test.go.
func TestBridgeAMIEndToEnd(t *testing.T) {
	m := amitest.Start(t, amiFixture(t, "asterisk20-day.ami"), "floorwatch", "s3cret", "9.0.0", nil)
	dir := t.TempDir()
	secret, goalsFile := filepath.Join(dir, "secret"), filepath.Join(dir, "goals.yaml")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	os.WriteFile(goalsFile, []byte("queues:\n  support: {wrap_s: 10}\n"), 0o644)

	bridgeErr := &syncBuffer{}
	bridgeDone := make(chan int, 1)
	go func() {
		bridgeDone <- run([]string{"bridge", "ami://floorwatch@" + m.Addr, "--secret-file", secret, "--goals", goalsFile,
			"--listen", "127.0.0.1:0"}, io.Discard, bridgeErr)
	}()
	url := waitForMatch(t, bridgeErr, `serving (ws://127\.0\.0\.1:\d+)`)
	interrupt := interruptOnce()
	defer interrupt()

	type figures struct {
		Feed struct {
			BadLines int64 `json:"bad_lines"`
		} `json:"feed"`
		Floor struct {
			Offered           int64            `json:"offered"`
			Answered          int64            `json:"answered"`
			AnsweredWithin    int64            `json:"answered_within"`
			Abandoned         int64            `json:"abandoned"`
			AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
			ServiceLevel      *float64         `json:"service_level"`
			ASA               *float64         `json:"asa_s"`
			AHT               *float64         `json:"aht_s"`
		} `json:"floor"`
		Agents []struct {
			Agent, State string
			Handled      int64
		} `json:"agents"`
	}
	// The bridge emits as the manager plays: ask until it has all of it.
	var got figures
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, stderr := runCmd("status", "--feed", url, "--json")
		if code != 0 {
			t.Fatalf("status --feed: exit %d %s", code, stderr)
		}
		got = figures{}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		if got.Floor.AHT != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Hand-worked in source/ami/day_test.go: 4 offered, 2 answered (1
	// within 30 s), 2 abandoned (caller, timeout); SL 1/3, ASA 28.5, AHT
	// 70.
	f := got.Floor
	if got.Feed.BadLines != 0 || f.Offered != 4 || f.Answered != 2 || f.AnsweredWithin != 1 || f.Abandoned != 2 ||
		f.AbandonedByReason["caller"] != 1 || f.AbandonedByReason["timeout"] != 1 ||
		f.ServiceLevel == nil || *f.ServiceLevel != 1.0/3 || f.ASA == nil || *f.ASA != 28.5 || f.AHT == nil || *f.AHT != 70 {
		b, _ := json.Marshal(got)
		t.Errorf("status --feed on the AMI bridge: %s", b)
	}
	if len(got.Agents) != 3 {
		t.Errorf("agents %+v, want Ana, Ben and Cara", got.Agents)
	}

	// The PBX goes away: the bridge says so, and so do its heartbeats.
	m.Stop()
	waitForMatch(t, bridgeErr, `the source is lost (since \S+ UTC: .*; reconnecting)`)
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no heartbeat saying the source is lost: %v", err)
		}
		if strings.HasPrefix(string(frame), `{"type":"heartbeat"`) && strings.Contains(string(frame), `"source_lost":"since `) {
			break
		}
	}

	interrupt()
	select {
	case code := <-bridgeDone:
		if code != 0 {
			t.Errorf("bridge exited %d on an interrupt:\n%s", code, bridgeErr)
		}
	case <-time.After(10 * time.Second):
		t.Error("bridge did not stop on an interrupt")
	}
}

// A wrong secret: the bridge exits at once with one clear line.
func TestBridgeAMILoginRefused(t *testing.T) {
	m := amitest.Start(t, "", "floorwatch", "s3cret", "9.0.0", nil)
	t.Setenv("FLOORWATCH_AMI_SECRET", "not-it")
	code, _, stderr := runCmd("bridge", "ami://floorwatch@"+m.Addr, "--listen", "127.0.0.1:0")
	want := "floorwatch bridge: ami://floorwatch@" + m.Addr + ": login refused: Authentication failed\n"
	if code == 0 || stderr != want {
		t.Errorf("exit %d, stderr %q; want one line %q", code, stderr, want)
	}
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("%d lines", strings.Count(stderr, "\n"))
	}
}
