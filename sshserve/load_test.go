package sshserve

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A server that cannot keep its dashboards fresh turns a new one away with
// one line and ExitAtCapacity, still answers status, and lets dashboards in
// again once it has caught up.
func TestAtCapacityRefusesNewDashboards(t *testing.T) {
	var lag atomic.Int64
	ts := startServer(t, func(c *Config) {
		c.Limits.MaxLag = 500 * time.Millisecond
		c.measureLag = func() time.Duration { return time.Duration(lag.Load()) }
	})
	c := ts.client(t)
	first := openTerminal(t, c, 80, 24, "")
	first.waitFor("offered=0", 5*time.Second)

	lag.Store(int64(1200 * time.Millisecond))
	second := openTerminal(t, c, 80, 24, "")
	if code := second.exit(5 * time.Second); code != ExitAtCapacity {
		t.Errorf("a dashboard on a lagging server: exit %d, want %d", code, ExitAtCapacity)
	}
	const want = "floorwatch: the server is at capacity (1 dashboard open, their updates running 1.2s late): try again shortly\r\n"
	if got := second.out.String(); got != want {
		t.Errorf("refusal %q, want %q", got, want)
	}
	if !strings.Contains(ts.log.String(), "at capacity") {
		t.Errorf("the refusal is not in the connection log:\n%s", ts.log.String())
	}

	// status is not a dashboard: it is answered.
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := sess.Output("status"); err != nil || !bytes.Contains(out, []byte("offered")) {
		t.Errorf("status on a lagging server: %v, %q", err, out)
	}

	lag.Store(int64(100 * time.Millisecond))
	third := openTerminal(t, c, 80, 24, "")
	third.waitFor("offered=0", 5*time.Second)
	if n := ts.Sessions(); n != 2 {
		t.Errorf("%d sessions open, want 2", n)
	}
}

// The lag is measured from the Go runtime's scheduling latencies: goroutines
// kept waiting by busy ones make it grow.
func TestLagGaugeSeesWaitingGoroutines(t *testing.T) {
	g := newLagGauge()
	if g == nil {
		t.Skip("this runtime has no " + schedLatencies)
	}
	defer g.close()
	g.look()
	idle := time.Duration(g.lag.Load())

	// More busy goroutines than processors, each spinning for 20 ms at a
	// time, while others wake up often: those wait in the run queue.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
				}
			}
		}()
	}
	for range 50 {
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	g.look()
	busy := time.Duration(g.lag.Load())
	t.Logf("lag idle %s, busy %s", idle, busy)
	if busy < time.Millisecond || busy <= idle {
		t.Errorf("lag %s while goroutines queued (idle %s): not measured", busy, idle)
	}
}

// status is computed once per version of the floor, whoever asks.
func TestStatusIsComputedOncePerChange(t *testing.T) {
	var version atomic.Uint64
	var computed atomic.Int32
	ts := startServer(t, func(c *Config) {
		status := c.Status
		c.Status = func(w io.Writer, req StatusRequest) error {
			computed.Add(1)
			return status(w, req)
		}
		c.Version = version.Load
	})
	c := ts.client(t)
	run := func(cmd string) string {
		t.Helper()
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.Output(cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return string(out)
	}
	first := run("status")
	if again := run("status"); again != first || computed.Load() != 1 {
		t.Errorf("status twice on one version: computed %d times, same output %v", computed.Load(), again == first)
	}
	run("status --json") // another request, another computation
	ts.hub.Frame(offered(1))
	version.Add(1)
	if got := run("status"); got == first || computed.Load() != 3 {
		t.Errorf("status after a change: computed %d times (want 3), output changed %v", computed.Load(), got != first)
	}
}
