package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// A short run of each mode: floorwatch built, served on loopback, measured
// and stopped, within a bounded time.
func TestLoadToolRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs floorwatch: not with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log bytes.Buffer
	bin, err := binary(ctx, "", t.TempDir(), &log)
	if err != nil {
		t.Fatal(err)
	}

	r, err := runSSH(ctx, sshOptions{Sessions: 3, For: 3 * time.Second, Width: 80, Height: 24, FeedClients: 2, Bin: bin}, &log)
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, log.String())
	}
	var out bytes.Buffer
	r.write(&out)
	t.Log("\n" + out.String())
	if r.open != 3 || r.events == 0 || r.gap.n != 3*r.events || r.statusLat.n == 0 || r.feedLag.n == 0 {
		t.Errorf("ssh: %d open, %d events, %d gaps, %d status, %d feed lags", r.open, r.events, r.gap.n, r.statusLat.n, r.feedLag.n)
	}
	if !strings.Contains(out.String(), "| 3 | 0 |") {
		t.Errorf("no table row for 3 sessions:\n%s", out.String())
	}

	f, err := runFeed(ctx, feedOptions{Clients: 3, For: 2 * time.Second, Bin: bin}, &log)
	if err != nil {
		t.Fatalf("feed: %v\n%s", err, log.String())
	}
	out.Reset()
	f.write(&out)
	t.Log("\n" + out.String())
	if f.frames == 0 {
		t.Error("feed: no frame measured")
	}
}
