package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// frameSeen is a frame of events a reader got: the last seq in it, and when.
type frameSeen struct {
	seq int64
	at  time.Time
}

// reader is one websocket feed reader: a feed.Client whose sink only notes
// when each frame of events arrived.
type reader struct {
	mu     sync.Mutex
	frames []frameSeen
	last   int64
}

// Frame notes the frame if it holds events (not only control lines).
func (r *reader) Frame(data []byte) bool {
	now := time.Now()
	var last int64
	feed.EachLine(data, func(line []byte) bool {
		if bytes.HasPrefix(line, []byte(`{"type":"heartbeat"`)) || bytes.HasPrefix(line, []byte(`{"type":"hello"`)) {
			return true
		}
		if s := seqOf(line); s > last {
			last = s
		}
		return true
	})
	if last > 0 {
		r.mu.Lock()
		r.frames = append(r.frames, frameSeen{last, now})
		r.last = last
		r.mu.Unlock()
	}
	return false
}

// Resume: never resume; a reconnect starts from a snapshot of now.
func (r *reader) Resume() (string, int64, bool) { return "", 0, false }

func (r *reader) seen() []frameSeen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.frames)
}

// seqOf is the seq of an encoded event line, 0 when it has none.
func seqOf(line []byte) int64 {
	i := bytes.Index(line, []byte(`"seq":`))
	if i < 0 {
		return 0
	}
	j := i + len(`"seq":`)
	k := j
	for k < len(line) && line[k] >= '0' && line[k] <= '9' {
		k++
	}
	n, _ := strconv.ParseInt(string(line[j:k]), 10, 64)
	return n
}

// readers runs n feed readers on url until ctx ends.
type readers struct {
	all  []*reader
	wg   sync.WaitGroup
	cncl context.CancelFunc
}

// openReaders connects n readers, a few at a time, and waits until each has
// had a frame of events (or until 60 s have passed).
func openReaders(ctx context.Context, url string, n int) (*readers, error) {
	ctx, cancel := context.WithCancel(ctx)
	rs := &readers{cncl: cancel}
	for range n {
		r := &reader{}
		c, err := feed.NewClient(url, r, feed.ClientOptions{})
		if err != nil {
			cancel()
			return nil, err
		}
		rs.all = append(rs.all, r)
		rs.wg.Add(1)
		go func() {
			defer rs.wg.Done()
			c.Run(ctx)
		}()
		if len(rs.all)%32 == 0 {
			time.Sleep(20 * time.Millisecond) // do not storm the listener
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, r := range rs.all {
		for {
			r.mu.Lock()
			ok := r.last > 0
			r.mu.Unlock()
			if ok {
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return rs, fmt.Errorf("not every feed reader got a frame within 60 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return rs, nil
}

func (rs *readers) close() {
	rs.cncl()
	rs.wg.Wait()
}

// firstSeen is, for the reference reader's frames, when each seq was first
// seen: the frame of events that carried it.
type firstSeen []frameSeen

// at is when seq was first seen by the reference, zero if never.
func (f firstSeen) at(seq int64) time.Time {
	i, _ := slices.BinarySearchFunc(f, seq, func(x frameSeen, s int64) int { return int(x.seq - s) })
	if i < len(f) {
		return f[i].at
	}
	return time.Time{}
}

// lags is how long after the reference each reader got each frame of events
// it received within [from, to].
func lags(ref firstSeen, rs []*reader, from, to time.Time) []time.Duration {
	var out []time.Duration
	for _, r := range rs {
		for _, f := range r.seen() {
			if f.at.Before(from) || f.at.After(to) {
				continue
			}
			t := ref.at(f.seq)
			if t.IsZero() {
				continue
			}
			out = append(out, max(0, f.at.Sub(t)))
		}
	}
	return out
}

type feedOptions struct {
	Clients int
	For     time.Duration
	Bin     string
}

type feedResult struct {
	opt                 feedOptions
	lag                 dist
	frames              int
	serverCPU, selfCPU  time.Duration
	otherCPU            time.Duration
	wall                time.Duration
	rssBefore, rssAfter int64
}

// runFeed measures the feed server (`sim --listen`) with o.Clients readers.
func runFeed(ctx context.Context, o feedOptions, log io.Writer) (*feedResult, error) {
	ctx, cancel := context.WithTimeout(ctx, setupLimit+o.For)
	defer cancel()
	b, err := openBench(ctx, o.Bin, o.Clients+1, log)
	if err != nil {
		return nil, err
	}
	defer b.close()
	sim, url := b.sim, b.url
	ref, err := openReaders(ctx, url, 1)
	if err != nil {
		return nil, err
	}
	defer ref.close()
	time.Sleep(2 * time.Second) // the agents' logins are over
	before, err := sim.usage()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "fwload: opening %d feed readers on %s\n", o.Clients, url)
	rs, err := openReaders(ctx, url, o.Clients)
	if rs != nil {
		defer rs.close()
	}
	if err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	u0, err := sim.usage()
	if err != nil {
		return nil, err
	}
	self0, busy0, t0 := selfCPU(), machineBusy(), time.Now()
	fmt.Fprintf(log, "fwload: measuring for %s\n", o.For)
	select {
	case <-time.After(o.For):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t1 := time.Now()
	u1, err := sim.usage()
	if err != nil {
		return nil, err
	}
	self1, busy1 := selfCPU(), machineBusy()
	time.Sleep(time.Second) // what was sent by t1 arrives
	r := &feedResult{opt: o, wall: t1.Sub(t0), serverCPU: u1.cpu - u0.cpu, selfCPU: self1 - self0,
		rssBefore: before.rss, rssAfter: u1.rss, otherCPU: busy1 - busy0 - (u1.cpu - u0.cpu) - (self1 - self0)}
	l := lags(firstSeen(ref.all[0].seen()), rs.all, t0, t1)
	r.frames = len(l)
	r.lag = newDist(l)
	return r, nil
}

func (r *feedResult) write(w io.Writer) {
	n := r.opt.Clients
	fmt.Fprintf(w, "feed readers: %d, measured %s, %d frames of events received\n", n, r.wall.Round(time.Millisecond), r.frames)
	fmt.Fprintf(w, "lag behind the first reader: %s\n", r.lag)
	fmt.Fprintf(w, "feed server (sim --listen): CPU %s = %.1f%% of a core, %.3f%% a reader; RSS %.1f MiB → %.1f MiB, %.0f KiB a reader\n",
		r.serverCPU.Round(time.Millisecond), pct(r.serverCPU, r.wall), pct(r.serverCPU, r.wall)/float64(n),
		mib(r.rssBefore), mib(r.rssAfter), float64(r.rssAfter-r.rssBefore)/1024/float64(n))
	fmt.Fprintf(w, "this tool (the readers): CPU %.1f%% of a core; other work on the machine: %.0f%% of a core\n",
		pct(r.selfCPU, r.wall), pct(r.otherCPU, r.wall))
	fmt.Fprintf(w, "| %d | %s | %s | %s | %.1f%% | %.3f%% | %.0f KiB |\n", n,
		ms(r.lag.p50), ms(r.lag.p99), ms(r.lag.max), pct(r.serverCPU, r.wall), pct(r.serverCPU, r.wall)/float64(n),
		float64(r.rssAfter-r.rssBefore)/1024/float64(n))
}

// dist is a distribution of durations.
type dist struct {
	n             int
	p50, p99, max time.Duration
}

func newDist(d []time.Duration) dist {
	if len(d) == 0 {
		return dist{}
	}
	slices.Sort(d)
	return dist{n: len(d), p50: d[len(d)/2], p99: d[len(d)*99/100], max: d[len(d)-1]}
}

func (d dist) String() string {
	return fmt.Sprintf("p50 %s, p99 %s, max %s (%d measured)", ms(d.p50), ms(d.p99), ms(d.max), d.n)
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func pct(cpu, wall time.Duration) float64 { return 100 * cpu.Seconds() / wall.Seconds() }

func mib(b int64) float64 { return float64(b) / (1 << 20) }
