package ami

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// session is one logged-in manager connection.
type session struct {
	conn net.Conn
	r    *reader
	// skew is the PBX's clock less this machine's, from the Timestamp of
	// Ping responses (always) and of events (timestampevents = yes), so
	// packets without one are timed on the PBX's clock too.
	skew      time.Duration
	skewKnown bool
}

// maxJump bounds how far a Timestamp may be from the PBX's clock as the
// connection's Timestamps so far set it: one corrupt header would
// otherwise drag the time of every later event along.
const maxJump = 24 * time.Hour

// at is when packet p happened on the PBX's clock: its Timestamp, or
// local, this machine's time it came in, moved by the skew.
func (ss *session) at(p packet, local time.Time) time.Time {
	pbx := local.Add(ss.skew)
	if t, ok := epoch(p.get("Timestamp")); ok && (!ss.skewKnown || t.Sub(pbx).Abs() <= maxJump) {
		ss.skew, ss.skewKnown = t.Sub(local), true
		return t
	}
	return pbx
}

// banner is the greeting every Asterisk manager sends first.
const banner = "Asterisk Call Manager/"

// eventClasses are the event classes asked for at login (the user's read
// rights bound them): queue events (agent), hangups, dials and transfers
// (call), QUEUESTATUS (dialplan) and FullyBooted (system).
const eventClasses = "agent,call,dialplan,system"

// connect dials the manager and logs in. Over TLS the secret is sent as
// it is; over plain TCP only an MD5 of it with the manager's challenge.
func (s *Source) connect(ctx context.Context) (*session, error) {
	d := net.Dialer{Timeout: s.timing.dial}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.spec, err)
	}
	ss := &session{conn: conn}
	if err := s.login(ss); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return ss, nil
}

func (s *Source) login(ss *session) error {
	ss.conn.SetDeadline(time.Now().Add(s.timing.login))
	if s.tls != nil {
		tc := tls.Client(ss.conn, s.tls)
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("%s: TLS: %w", s.spec, err)
		}
		ss.conn = tc
	}
	ss.r = newReader(ss.conn)
	greeting, err := ss.r.banner()
	if err != nil {
		return fmt.Errorf("%s: reading the manager's greeting: %w", s.spec, err)
	}
	if !strings.HasPrefix(greeting, banner) {
		return &fatalError{fmt.Sprintf("%s: not an Asterisk manager (it says %q)", s.spec, greeting)}
	}
	login := []string{"Action", "Login", "ActionID", s.actionID("login"), "Username", s.user}
	if s.tls != nil {
		login = append(login, "Secret", s.secret)
	} else {
		id := s.actionID("challenge")
		if err := writeAction(ss.conn, "Action", "Challenge", "ActionID", id, "AuthType", "MD5"); err != nil {
			return fmt.Errorf("%s: %w", s.spec, err)
		}
		p, err := s.response(ss, id)
		if err != nil {
			return err
		}
		challenge := p.get("Challenge")
		if !strings.EqualFold(p.get("Response"), "Success") || challenge == "" {
			return &fatalError{fmt.Sprintf("%s: the manager offers no MD5 challenge (%s); use amis:// to send the secret over TLS", s.spec, p.get("Message"))}
		}
		sum := md5.Sum([]byte(challenge + s.secret))
		login = append(login, "AuthType", "MD5", "Key", hex.EncodeToString(sum[:]))
	}
	login = append(login, "Events", eventClasses)
	if err := writeAction(ss.conn, login...); err != nil {
		return fmt.Errorf("%s: %w", s.spec, err)
	}
	p, err := s.response(ss, login[3])
	if err != nil {
		return err
	}
	if !strings.EqualFold(p.get("Response"), "Success") {
		msg := p.get("Message")
		if msg == "" {
			msg = "no reason given"
		}
		return &fatalError{fmt.Sprintf("%s: login refused: %s", s.spec, msg)}
	}
	return nil
}

// response reads packets until the response to action id; before a login
// succeeds the manager sends nothing else.
func (s *Source) response(ss *session, id string) (packet, error) {
	for {
		p, err := ss.r.next()
		var bad *badPacket
		switch {
		case errors.As(err, &bad):
			continue
		case err != nil:
			return packet{}, fmt.Errorf("%s: logging in: %w", s.spec, err)
		}
		s.mu.Lock()
		s.conv.Packet(p, time.Now()) // counted as read, as every packet is
		s.mu.Unlock()
		if p.has("Response") && p.get("ActionID") == id {
			return p, nil
		}
	}
}

func (s *Source) actionID(what string) string {
	s.actions++
	return "floorwatch-" + what + "-" + strconv.Itoa(s.actions)
}

// read is what the reading goroutine hands on: a packet, a refused one, or
// the error that ended the connection.
type read struct {
	p     packet
	local time.Time
	bad   string
	err   error
}

// follow reads a logged-in connection until it ends: a Ping (for the
// PBX's clock), QueueStatus for the snapshot, then every event; a Ping
// every timing.ping keeps the connection known to be alive.
func (s *Source) follow(ctx context.Context, ss *session, emit func(*feed.Event)) error {
	defer ss.conn.Close()
	reads := make(chan read, 256)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			p, err := ss.r.next()
			r := read{p: p, local: time.Now(), err: err}
			var bad *badPacket
			if errors.As(err, &bad) {
				r.err, r.bad = nil, bad.reason
			}
			select {
			case reads <- r:
			case <-stop:
				return
			}
			if r.err != nil {
				return
			}
		}
	}()
	statusID := s.actionID("status")
	if err := s.send(ss, "Action", "Ping", "ActionID", s.actionID("ping")); err != nil {
		return err
	}
	if err := s.send(ss, "Action", "QueueStatus", "ActionID", statusID); err != nil {
		return err
	}
	tick := time.NewTicker(s.timing.tick)
	defer tick.Stop()
	ping := time.NewTicker(s.timing.ping)
	defer ping.Stop()
	heard := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r := <-reads:
			heard = r.local
			switch {
			case r.err != nil:
				return fmt.Errorf("%s: connection lost: %w", s.spec, r.err)
			case r.bad != "":
				s.with(emit, func(c *Converter) { c.Refused(r.bad) })
				continue
			}
			at := ss.at(r.p, r.local)
			if r.p.get("ActionID") == statusID && r.p.has("Response") {
				if !strings.EqualFold(r.p.get("Response"), "Success") {
					return &fatalError{fmt.Sprintf("%s: QueueStatus refused (is app_queue loaded?): %s", s.spec, r.p.get("Message"))}
				}
				s.with(emit, func(c *Converter) { c.BeginSnapshot(at) })
			}
			s.with(emit, func(c *Converter) { c.Packet(r.p, at) })
		case now := <-tick.C:
			if now.Sub(heard) > s.timing.dead {
				return fmt.Errorf("%s: no word from the manager for %v", s.spec, s.timing.dead)
			}
			s.with(emit, func(c *Converter) { c.Tick(now.Add(ss.skew)) })
		case <-ping.C:
			if err := s.send(ss, "Action", "Ping", "ActionID", s.actionID("ping")); err != nil {
				return err
			}
		}
	}
}

// send writes an action, bounded in time.
func (s *Source) send(ss *session, headers ...string) error {
	ss.conn.SetWriteDeadline(time.Now().Add(s.timing.login))
	if err := writeAction(ss.conn, headers...); err != nil {
		return fmt.Errorf("%s: connection lost: %w", s.spec, err)
	}
	return nil
}

// jitter spreads reconnections over half the backoff, so bridges that
// lost one PBX do not all knock at once.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}
