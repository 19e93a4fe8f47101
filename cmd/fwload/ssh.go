package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

type sshOptions struct {
	Sessions      int
	For           time.Duration
	Size          string
	Width, Height int
	FeedClients   int
	Bin           string
	ServeFlags    []string
	// Press is typed in every dashboard once all are open: sessions that
	// have pressed a key draw their own screens.
	Press string
}

// session is one dashboard over SSH, as a terminal holds it: it notes when
// each piece of screen output arrived, and answers the terminal queries the
// server sends, as a real terminal does.
type session struct {
	c     *gossh.Client
	s     *gossh.Session
	stdin io.Writer
	mu    sync.Mutex
	at    []time.Time
	done  chan struct{}
	// refused is the message of a session the server turned away.
	refused string
	exit    int
}

func (s *session) arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.at)
}

func clientConfig(signer gossh.Signer) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User: "load",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		// Loopback, a server this tool started a moment ago.
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         30 * time.Second,
	}
}

// openSession connects and starts a dashboard on a w×h PTY.
func openSession(addr string, cfg *gossh.ClientConfig, w, h int) (*session, error) {
	c, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	s, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		c.Close()
		return nil, err
	}
	stdin, _ := s.StdinPipe()
	stdout, _ := s.StdoutPipe()
	var stderr bytes.Buffer
	s.Stderr = &stderr
	if err := s.Shell(); err != nil {
		c.Close()
		return nil, err
	}
	ss := &session{c: c, s: s, stdin: stdin, done: make(chan struct{})}
	go func() {
		defer close(ss.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				ss.mu.Lock()
				ss.at = append(ss.at, time.Now())
				ss.mu.Unlock()
				if bytes.Contains(buf[:n], []byte("\x1b[c")) {
					// A dark terminal answering the background and device
					// attribute queries.
					io.WriteString(stdin, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
				}
			}
			if err != nil {
				break
			}
		}
		var ee *gossh.ExitError
		if err := s.Wait(); errors.As(err, &ee) {
			ss.exit = ee.ExitStatus()
		}
		ss.refused = strings.TrimSpace(stderr.String())
	}()
	return ss, nil
}

func (s *session) close() {
	s.c.Close()
	<-s.done
}

// status runs `ssh … status` on a new connection, as a person would, and
// says how long it took from dialling to the last byte.
func status(addr string, cfg *gossh.ClientConfig) (time.Duration, error) {
	t0 := time.Now()
	c, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return 0, err
	}
	out, err := s.Output("status")
	if err != nil {
		return 0, err
	}
	if !bytes.Contains(out, []byte("agents")) && !bytes.Contains(out, []byte("Agents")) {
		return 0, fmt.Errorf("status printed no floor: %.200q", out)
	}
	return time.Since(t0), nil
}

var serveListening = regexp.MustCompile(`ssh -p (\d+) 127\.0\.0\.1`)

type sshResult struct {
	opt                sshOptions
	open, refused      int
	failed             int // could not open (handshake, channel)
	failure            string
	refusal            string
	refusedExit        int
	events             int
	wall               time.Duration
	gap                dist // event → next output
	silence            dist // each session's longest time without output
	late               int  // event → output waits over 1 s (or none)
	lateSessions       int
	statusLat          dist
	statusErr          int
	serverCPU, selfCPU time.Duration
	otherCPU           time.Duration // the rest of the machine's busy time
	rssBefore, rssOpen int64
	rssAfter           int64
	openTime           time.Duration
	feedLag            dist
	feedReaders        int
	maxLag             string // the most the server said it lagged when a session started
}

var lagLogged = regexp.MustCompile(` lag=(\S+)`)

// maxLagLogged is the largest lag the server's connection log gave a
// session start, "" when it gave none.
func maxLagLogged(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var most time.Duration
	seen := false
	for _, m := range lagLogged.FindAllStringSubmatch(string(b), -1) {
		if d, err := time.ParseDuration(m[1]); err == nil {
			most, seen = max(most, d), true
		}
	}
	if !seen {
		return ""
	}
	return most.String()
}

// runSSH measures `floorwatch serve` with o.Sessions dashboards.
func runSSH(ctx context.Context, o sshOptions, log io.Writer) (*sshResult, error) {
	ctx, cancel := context.WithTimeout(ctx, setupLimit+o.For+time.Duration(o.Sessions)*100*time.Millisecond)
	defer cancel()
	b, err := openBench(ctx, o.Bin, o.FeedClients+2, log)
	if err != nil {
		return nil, err
	}
	defer b.close()
	dir, bin, sim, url := b.dir, b.bin, b.sim, b.url

	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(key)
	if err != nil {
		return nil, err
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		return nil, err
	}
	args := []string{"serve", "--feed", url, "--authorized-keys", keys, "--host-key", filepath.Join(dir, "host_key"),
		"--listen", "127.0.0.1:0", "--log", filepath.Join(dir, "serve-connections.log"),
		"--max-sessions", "0", "--max-per-key", "0", "--max-logins", "0", "--max-logins-per-addr", "0", "--idle-timeout", "0"}
	args = append(args, o.ServeFlags...)
	srv, port, err := start(ctx, bin, args, serveListening, filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	addr := net.JoinHostPort("127.0.0.1", port)
	cfg := clientConfig(signer)

	ref, err := openReaders(ctx, url, 1)
	if err != nil {
		return nil, err
	}
	defer ref.close()
	// The server has caught up once status answers with the floor.
	for {
		if _, err := status(addr, cfg); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the server never answered status: %w", ctx.Err())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	before, err := srv.usage()
	if err != nil {
		return nil, err
	}

	var feeders *readers
	if o.FeedClients > 0 {
		fmt.Fprintf(log, "fwload: opening %d feed readers\n", o.FeedClients)
		if feeders, err = openReaders(ctx, url, o.FeedClients); feeders != nil {
			defer feeders.close()
		}
		if err != nil {
			return nil, err
		}
	}

	fmt.Fprintf(log, "fwload: opening %d dashboards (%dx%d) on %s\n", o.Sessions, o.Width, o.Height, addr)
	r := &sshResult{opt: o, rssBefore: before.rss}
	open0 := time.Now()
	sessions := make([]*session, o.Sessions)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, 8) // at most 8 logins at once
	for i := range sessions {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := openSession(addr, cfg, o.Width, o.Height)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			sessions[i] = s
		}()
		if ctx.Err() != nil {
			break
		}
	}
	wg.Wait()
	defer func() {
		var wg sync.WaitGroup
		for _, s := range sessions {
			if s != nil {
				wg.Add(1)
				go func() { defer wg.Done(); s.close() }()
			}
		}
		wg.Wait()
	}()
	if len(errs) > 0 {
		// Measured all the same, on the sessions that did open: a server
		// that cannot take them all is a figure too.
		r.failed, r.failure = len(errs), errs[0].Error()
		fmt.Fprintf(log, "fwload: %d sessions failed to open; the first: %v\n", len(errs), errs[0])
	}
	r.openTime = time.Since(open0)
	time.Sleep(3 * time.Second) // every dashboard has drawn its first frame, or been refused
	var live []*session
	for _, s := range sessions {
		if s == nil {
			continue
		}
		select {
		case <-s.done:
			r.refused++
			r.refusal, r.refusedExit = s.refused, s.exit
		default:
			live = append(live, s)
		}
	}
	if o.Press != "" {
		for _, s := range live {
			io.WriteString(s.stdin, o.Press)
		}
		time.Sleep(time.Second)
	}
	r.open = len(live)
	if r.open == 0 {
		return nil, fmt.Errorf("no dashboard open (%d failed, %d refused: %q)", r.failed, r.refused, r.refusal)
	}
	open, err := srv.usage()
	if err != nil {
		return nil, err
	}
	r.rssOpen = open.rss

	// Measure: the floor goes on changing; one status a second.
	var statusLat []time.Duration
	statusDone := make(chan struct{})
	measureEnd := time.Now().Add(o.For)
	go func() {
		defer close(statusDone)
		for time.Now().Before(measureEnd) && ctx.Err() == nil {
			d, err := status(addr, cfg)
			if err != nil {
				r.statusErr++
			} else {
				statusLat = append(statusLat, d)
			}
			time.Sleep(time.Second)
		}
	}()
	fmt.Fprintf(log, "fwload: %d dashboards open (%d refused); measuring for %s\n", r.open, r.refused, o.For)
	u0, self0, busy0, t0 := procUsage{}, selfCPU(), machineBusy(), time.Now()
	if u0, err = srv.usage(); err != nil {
		return nil, err
	}
	sim0, _ := sim.usage()
	select {
	case <-time.After(o.For):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t1 := time.Now()
	u1, err := srv.usage()
	if err != nil {
		return nil, err
	}
	self1, busy1 := selfCPU(), machineBusy()
	sim1, _ := sim.usage()
	r.otherCPU = busy1 - busy0 - (u1.cpu - u0.cpu) - (self1 - self0) - (sim1.cpu - sim0.cpu)
	<-statusDone
	time.Sleep(1500 * time.Millisecond) // outputs for the last events arrive
	r.wall, r.serverCPU, r.selfCPU, r.rssAfter = t1.Sub(t0), u1.cpu-u0.cpu, self1-self0, u1.rss
	r.statusLat = newDist(statusLat)
	r.maxLag = maxLagLogged(filepath.Join(dir, "serve-connections.log"))

	var events []time.Time
	for _, f := range ref.all[0].seen() {
		if !f.at.Before(t0) && !f.at.After(t1) {
			events = append(events, f.at)
		}
	}
	r.events = len(events)
	var gaps, silences []time.Duration
	for _, s := range live {
		at := s.arrivals()
		late := false
		for _, ev := range events {
			i, _ := slices.BinarySearchFunc(at, ev, func(x, t time.Time) int { return x.Compare(t) })
			d := time.Second + time.Millisecond
			if i < len(at) {
				d = at[i].Sub(ev)
			}
			if d > time.Second {
				r.late++
				late = true
			}
			gaps = append(gaps, d)
		}
		if late {
			r.lateSessions++
		}
		// The longest silence within the measurement.
		var longest time.Duration
		prev := t0
		for _, a := range at {
			if a.Before(t0) {
				continue
			}
			if a.After(t1) {
				break
			}
			longest = max(longest, a.Sub(prev))
			prev = a
		}
		silences = append(silences, max(longest, t1.Sub(prev)))
	}
	r.gap, r.silence = newDist(gaps), newDist(silences)
	if feeders != nil {
		r.feedReaders = len(feeders.all)
		r.feedLag = newDist(lags(firstSeen(ref.all[0].seen()), feeders.all, t0, t1))
	}
	return r, nil
}

func (r *sshResult) write(w io.Writer) {
	o := r.opt
	n := max(1, r.open)
	fmt.Fprintf(w, "dashboards: %d asked, %d open, %d refused (%dx%d), opened in %s\n", o.Sessions, r.open, r.refused, o.Width, o.Height, ms(r.openTime))
	if o.Press != "" {
		fmt.Fprintf(w, "each pressed %q once open\n", o.Press)
	}
	if r.failed > 0 {
		fmt.Fprintf(w, "failed to open: %d; the first: %s\n", r.failed, r.failure)
	}
	if r.refused > 0 {
		fmt.Fprintf(w, "a refusal (exit status %d): %q\n", r.refusedExit, r.refusal)
	}
	fmt.Fprintf(w, "events (frames of the feed) measured: %d over %s\n", r.events, ms(r.wall))
	fmt.Fprintf(w, "event → next screen output: %s; over 1 s: %d of %d, in %d of %d sessions\n", r.gap, r.late, r.gap.n, r.lateSessions, r.open)
	fmt.Fprintf(w, "longest silence of a session: %s\n", r.silence)
	fmt.Fprintf(w, "ssh status (dial to last byte, one a second): %s; failed %d\n", r.statusLat, r.statusErr)
	if r.maxLag != "" {
		fmt.Fprintf(w, "the server's lag as sessions started (its log): at most %s\n", r.maxLag)
	}
	fmt.Fprintf(w, "server CPU: %s over %s = %.0f%% of a core, %.3f%% a session\n",
		ms(r.serverCPU), ms(r.wall), pct(r.serverCPU, r.wall), pct(r.serverCPU, r.wall)/float64(n))
	fmt.Fprintf(w, "server RSS: %.1f MiB before, %.1f MiB open, %.1f MiB at the end: %.0f KiB a session\n",
		mib(r.rssBefore), mib(r.rssOpen), mib(r.rssAfter), float64(r.rssAfter-r.rssBefore)/1024/float64(n))
	fmt.Fprintf(w, "this tool (the clients): CPU %.0f%% of a core; other work on the machine: %.0f%% of a core\n",
		pct(r.selfCPU, r.wall), pct(r.otherCPU, r.wall))
	if r.feedReaders > 0 {
		fmt.Fprintf(w, "feed readers: %d, lag behind the first: %s\n", r.feedReaders, r.feedLag)
	}
	fmt.Fprintf(w, "| %d | %d | %s | %s | %s | %d | %s | %.0f%% | %.2f%% | %.0f KiB | %s / %s |\n",
		o.Sessions, r.refused+r.failed, ms(r.gap.p50), ms(r.gap.p99), ms(r.gap.max), r.lateSessions, ms(r.silence.max),
		pct(r.serverCPU, r.wall), pct(r.serverCPU, r.wall)/float64(n), float64(r.rssAfter-r.rssBefore)/1024/float64(n),
		ms(r.statusLat.p50), ms(r.statusLat.max))
}
