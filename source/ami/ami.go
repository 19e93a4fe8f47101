// Package ami reads the Asterisk Manager Interface live, as `floorwatch
// bridge ami://USER@HOST:PORT` (amis:// over TLS): a pure converter from
// manager packets to feed events (Converter) and a thin client that logs
// in, asks QueueStatus, follows the events and reconnects. Asterisk 11 to
// 22 (and what FreePBX, Issabel and VitalPBX run on them).
// docs/sources.md, "Asterisk Manager Interface (AMI)", is the mapping in
// full; in short:
//
//   - QueueStatus at connect is the floor as found: QueueParams'
//     ServiceLevel is the queue's threshold (where --goals gives none),
//     QueueMember each agent's queues, pause and device, QueueEntry the
//     callers waiting, offered back-dated by their Wait.
//   - QueueCallerJoin offers a call (caller from CallerIDNum);
//     AgentConnect answers it at the offer plus HoldTime; AgentRingNoAnswer
//     and AgentDump are misses; AgentComplete ends it at the answer plus
//     TalkTime, and wrap-up lasts the member's Wrapuptime or the queue's
//     wrap_s from --goals.
//   - QueueCallerAbandon with QueueCallerLeave abandons it at the offer
//     plus HoldTime, the reason from the channel's QUEUESTATUS (dialplan
//     events), a hangup requested before it (call events) or the members
//     left; a Leave with neither Abandon nor AgentConnect is an exit key.
//   - AgentComplete with Reason transfer sends it to the BlindTransfer or
//     AttendedTransfer's destination, or into a queue the caller joins
//     soon after.
//   - QueueMemberAdded, QueueMemberRemoved, QueueMemberStatus and
//     QueueMemberPause give each agent's state, with on_call and wrap_up
//     from the calls.
package ami

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
)

func init() {
	for _, k := range []struct {
		scheme, port, how string
		tls               bool
	}{{"ami", "5038", "", false}, {"amis", "5039", " over TLS", true}} {
		source.Register(source.Kind{
			Scheme: k.scheme,
			Live:   true,
			Usage:  k.scheme + "://USER@HOST:PORT",
			Help:   "Asterisk Manager Interface, live" + k.how + " (--secret-file or FLOORWATCH_AMI_SECRET; --agents; wrap_s in --goals)",
			Open:   opener(k.scheme, k.port, k.tls),
		})
	}
}

// SecretEnv is the environment variable that may hold the manager secret.
const SecretEnv = "FLOORWATCH_AMI_SECRET"

// Timings of the client; tests shorten them.
const (
	dialTimeout  = 10 * time.Second
	loginTimeout = 15 * time.Second // Asterisk waits a second before refusing a login
	pingEvery    = 10 * time.Second
	// deadAfter: a manager answers Ping at once; this long with no packet
	// at all is a connection lost without a word (a cable, a firewall).
	deadAfter  = 30 * time.Second
	tickEvery  = 500 * time.Millisecond
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
)

// opener opens SCHEME://USER@HOST:PORT: it reads the secret, connects and
// logs in, so that a wrong address or secret fails at once, in one line,
// before anything is served.
func opener(scheme, port string, useTLS bool) func(string, source.Options) (source.Source, error) {
	return func(arg string, opt source.Options) (source.Source, error) {
		s, err := newSource(scheme, port, arg, opt, useTLS)
		if err != nil {
			return nil, err
		}
		if s.first, err = s.connect(context.Background()); err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Source is a live manager connection, reconnected when lost; Tally may
// be asked from another goroutine, so the converter is used under mu and
// its events handed on outside it.
type Source struct {
	spec, addr, user, secret string
	tls                      *tls.Config // nil: plain TCP, logging in by MD5 challenge
	timing                   timing
	first                    *session // the connection Open made
	actions                  int

	mu        sync.Mutex
	conv      *Converter
	pending   []*feed.Event
	failures  int64 // reconnection attempts that failed
	lastError string
	lostAt    time.Time // when the connection was lost; zero while connected
}

type timing struct {
	dial, login, ping, dead, tick, minBackoff, maxBackoff time.Duration
}

func newSource(scheme, port, arg string, opt source.Options, useTLS bool) (*Source, error) {
	u, err := url.Parse(scheme + ":" + arg)
	spec := scheme + ":" + arg
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", spec, err)
	case u.Opaque != "" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%s: want %s://USER@HOST:PORT", spec, scheme)
	case u.User == nil || u.User.Username() == "":
		return nil, fmt.Errorf("%s: give the manager user, %s://USER@HOST:PORT", spec, scheme)
	case strings.ContainsAny(u.User.Username(), "\r\n"):
		return nil, fmt.Errorf("%s: the user name has a line break", spec)
	}
	if _, hasPass := u.User.Password(); hasPass {
		return nil, fmt.Errorf("%s: a secret in the address shows in ps; give it with --secret-file or %s", scheme+"://"+u.User.Username()+"@"+u.Host, SecretEnv)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	s := &Source{
		spec: scheme + "://" + u.User.Username() + "@" + u.Host,
		addr: u.Host,
		user: u.User.Username(),
		timing: timing{dial: dialTimeout, login: loginTimeout, ping: pingEvery, dead: deadAfter, tick: tickEvery,
			minBackoff: minBackoff, maxBackoff: maxBackoff},
	}
	if s.secret, err = readSecret(opt.SecretFile); err != nil {
		return nil, fmt.Errorf("%s: %w", s.spec, err)
	}
	if useTLS {
		s.tls = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	}
	cfg := Config{Goals: opt.Goals}
	if opt.AgentsFile != "" {
		if cfg.Agents, err = asterisk.LoadAgents(opt.AgentsFile); err != nil {
			return nil, err
		}
	}
	s.conv = NewConverter(cfg, func(ev *feed.Event) { s.pending = append(s.pending, ev) })
	return s, nil
}

// readSecret is the manager secret from --secret-file (its trailing line
// break dropped), else from the environment.
func readSecret(file string) (string, error) {
	secret := os.Getenv(SecretEnv)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--secret-file: %w", err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
	}
	switch {
	case secret == "":
		return "", fmt.Errorf("no secret: give the manager user's secret with --secret-file FILE or %s", SecretEnv)
	case strings.ContainsAny(secret, "\r\n"):
		return "", errors.New("the secret has a line break in it")
	}
	return secret, nil
}

func (s *Source) Tally() source.Tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.conv.Tally()
	if s.failures > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d attempts to reconnect to %s failed (the last error: %s)", s.failures, s.spec, s.lastError))
	}
	if !s.lostAt.IsZero() {
		t.Lost = fmt.Sprintf("since %s UTC: %s; reconnecting", s.lostAt.UTC().Format(time.TimeOnly), s.lastError)
	}
	return t
}

// with runs fn on the converter, then emits what it released.
func (s *Source) with(emit func(*feed.Event), fn func(*Converter)) {
	s.mu.Lock()
	fn(s.conv)
	out := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, ev := range out {
		emit(ev)
	}
}

// Run follows the manager until ctx is done, reconnecting with backoff
// when the connection is lost. A login refused (the secret changed) or a
// QueueStatus refused ends it: retrying cannot help.
func (s *Source) Run(ctx context.Context, emit func(*feed.Event)) error {
	sess := s.first
	s.first = nil
	backoff := s.timing.minBackoff
	for {
		if sess != nil {
			began := time.Now()
			err := s.follow(ctx, sess, emit)
			var fatal *fatalError
			switch {
			case ctx.Err() != nil:
				s.with(emit, (*Converter).Close)
				return ctx.Err()
			case errors.As(err, &fatal):
				s.with(emit, (*Converter).Close)
				return err
			}
			s.with(emit, (*Converter).Disconnected)
			s.noteError(err, false)
			s.setLost(time.Now())
			if time.Since(began) > time.Minute {
				backoff = s.timing.minBackoff
			}
		}
		select {
		case <-ctx.Done():
			s.with(emit, (*Converter).Close)
			return ctx.Err()
		case <-time.After(jitter(backoff)):
		}
		backoff = min(2*backoff, s.timing.maxBackoff)
		var err error
		if sess, err = s.connect(ctx); err != nil {
			var fatal *fatalError
			if errors.As(err, &fatal) {
				s.with(emit, (*Converter).Close)
				return err
			}
			s.noteError(err, true)
		} else {
			s.setLost(time.Time{})
		}
	}
}

// setLost marks the manager connection lost at t, or back when t is zero.
func (s *Source) setLost(t time.Time) {
	s.mu.Lock()
	s.lostAt = t
	s.mu.Unlock()
}

// noteError remembers why a connection ended or could not be made.
func (s *Source) noteError(err error, connecting bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if connecting {
		s.failures++
	}
	s.lastError = err.Error()
}

// fatalError ends Run: the PBX refused what only a person can fix.
type fatalError struct{ msg string }

func (e *fatalError) Error() string { return e.msg }
