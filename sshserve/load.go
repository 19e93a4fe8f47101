package sshserve

import (
	"bytes"
	"io"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ExitAtCapacity is the exit status of a session the server turned away
// because it is at capacity (Limits.MaxSessions, Limits.MaxLag): nothing is
// wrong with the request, try again shortly.
const ExitAtCapacity = 3

// errAtCapacity is a refusal for load; its text is the one line the client
// sees after "floorwatch: ".
type errAtCapacity struct{ msg string }

func (e errAtCapacity) Error() string { return e.msg }

// atCapacity is the refusal: "the server is at capacity (WHY): try again
// shortly".
func atCapacity(why string) error {
	return errAtCapacity{"the server is at capacity (" + why + "): try again shortly"}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// lagWindow is how far back the measured lag looks: long enough to span a
// burst of redraws, short enough to let sessions in soon after it passes.
const lagWindow = 2 * time.Second

// lagGauge measures how long the server's goroutines wait to run once they
// are ready (the Go runtime's scheduling latencies): every dashboard's
// redraw is a few such waits, so when they grow the sessions fall behind
// the floor, whatever the reason (too many sessions, or a machine busy
// with other work). Lag is the 99th percentile over the last lagWindow.
type lagGauge struct {
	lag    atomic.Int64 // nanoseconds
	stop   chan struct{}
	once   sync.Once
	sample []metrics.Sample
	prev   []uint64      // the histogram's counts at the last look
	recent [][]uint64    // the increments of the last looks
	bounds []float64     // the buckets' bounds, in seconds
	every  time.Duration // between looks
}

const schedLatencies = "/sched/latencies:seconds"

// newLagGauge makes a gauge; its run method keeps it up to date. Nil when
// the runtime does not measure scheduling latencies.
func newLagGauge() *lagGauge {
	g := &lagGauge{stop: make(chan struct{}), every: lagWindow / 4,
		sample: []metrics.Sample{{Name: schedLatencies}}}
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil // a runtime without the metric: no admission by lag
	}
	h := g.sample[0].Value.Float64Histogram()
	g.bounds = h.Buckets
	g.prev = append([]uint64(nil), h.Counts...)
	return g
}

func (g *lagGauge) run() {
	t := time.NewTicker(g.every)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.look()
		}
	}
}

func (g *lagGauge) look() {
	metrics.Read(g.sample)
	counts := g.sample[0].Value.Float64Histogram().Counts
	inc := make([]uint64, len(counts))
	for i, c := range counts {
		inc[i] = c - g.prev[i]
	}
	copy(g.prev, counts)
	g.recent = append(g.recent, inc)
	if n := int(lagWindow / g.every); len(g.recent) > n {
		g.recent = g.recent[len(g.recent)-n:]
	}
	sum := make([]uint64, len(counts))
	var total uint64
	for _, r := range g.recent {
		for i, c := range r {
			sum[i] += c
			total += c
		}
	}
	var lag time.Duration
	if total > 0 {
		// The lower bound of the bucket that holds the 99th percentile.
		want, seen := total-total/100, uint64(0)
		for i, c := range sum {
			if seen += c; seen >= want {
				lag = time.Duration(max(0, g.bounds[i]) * float64(time.Second))
				break
			}
		}
	}
	g.lag.Store(int64(lag))
}

// Lag is the server's measured scheduling lag (the 99th percentile over
// the last 2 s); 0 when it is not measured.
func (s *Server) Lag() time.Duration {
	if s.lagNow != nil {
		return s.lagNow()
	}
	return 0
}

func (g *lagGauge) close() { g.once.Do(func() { close(g.stop) }) }

// statusCache keeps the last output of each kind of status request, so that
// a status costs one computation a change, not one a request.
type statusCache struct {
	mu      sync.Mutex
	entries map[StatusRequest]statusEntry
}

type statusEntry struct {
	version uint64
	out     []byte
}

// write writes the status of req at version, computing it only if the
// version moved since it was last asked for.
func (c *statusCache) write(w io.Writer, req StatusRequest, version uint64, compute Status) error {
	c.mu.Lock()
	e, ok := c.entries[req]
	c.mu.Unlock()
	if ok && e.version == version {
		_, err := w.Write(e.out)
		return err
	}
	var buf bytes.Buffer
	if err := compute(&buf, req); err != nil {
		return err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 64 {
		c.entries = map[StatusRequest]statusEntry{}
	}
	c.entries[req] = statusEntry{version, buf.Bytes()}
	c.mu.Unlock()
	_, err := w.Write(buf.Bytes())
	return err
}
