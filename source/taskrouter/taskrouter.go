// Package taskrouter receives Twilio TaskRouter's Event Callbacks, as
// `floorwatch bridge taskrouter://ADDR/PATH`: an HTTP endpoint that checks
// every callback's X-Twilio-Signature, answers at once, sets retries
// aside, puts events back in the order they happened, and hands them to a
// pure converter from TaskRouter events to feed events (Converter).
// docs/sources.md, "Twilio TaskRouter", is the mapping in full; in short:
//
//   - task-queue.entered offers the call (the task's channel, the caller
//     from its attributes); entering another queue while waiting leaves
//     the first with reason timeout, as the workflow moved it on.
//   - reservation.accepted answers it; reservation.rejected and
//     reservation.timeout are misses; reservation.wrapup or task.wrapup
//     end the conversation, reservation.completed or task.completed end
//     the wrap-up.
//   - task.canceled abandons a waiting call with a reason read from
//     TaskCanceledReason (hangup: caller; TTL or timeout: timeout; …).
//   - task.transfer-initiated, then the target's reservation, transfer the
//     call into the target's queue.
//   - A worker's state is their reservations' (on a call, in wrap-up),
//     else their activity's, through the --activities map.
package taskrouter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

func init() {
	source.Register(source.Kind{
		Scheme: "taskrouter",
		Live:   true,
		Usage:  "taskrouter://ADDR/PATH",
		Help:   "Twilio TaskRouter event callbacks received on ADDR at PATH, each signature checked (--auth-token-file, --public-url, --activities)",
		Open:   Open,
	})
}

// TokenEnv holds the auth token when no --auth-token-file is given: never
// a flag value, which would show in ps.
const TokenEnv = "FLOORWATCH_TWILIO_TOKEN"

const (
	// Hold is how long a callback is held before its event is applied, so
	// that one overtaken in delivery by a later event is put back in
	// order: TaskRouter posts each event on its own, and they arrive a few
	// hundred milliseconds apart in any order.
	Hold = 3 * time.Second
	// maxBody bounds a request: a callback is a few kilobytes, most of it
	// the task's attributes.
	maxBody = 256 << 10
	// maxSeen is how many event Sids are remembered to recognise a retry:
	// hours of a busy floor.
	maxSeen = 100_000
	// inboxSize is how many callbacks may wait between the endpoint and
	// the converter; past it the endpoint answers 503 and Twilio retries.
	inboxSize = 4096

	skipRefused  = "refused: bad or missing signature"
	skipNotForm  = "refused: not a form"
	skipTooLarge = "refused: too large"
	skipRetry    = "retry of an event already received"
)

// Open opens taskrouter://ADDR/PATH for the bridge: the auth token and the
// activities map are read here, so a mistake fails before anything is
// received.
func Open(arg string, opt source.Options) (source.Source, error) {
	addr, path, err := parseSpec(arg)
	if err != nil {
		return nil, err
	}
	tokens, err := loadTokens(opt.AuthTokenFile)
	if err != nil {
		return nil, err
	}
	if opt.PublicURL != "" {
		u, err := url.Parse(opt.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("taskrouter: --public-url %q: want the Event Callback URL as configured in the workspace, e.g. https://floor.example.com/twilio/events", opt.PublicURL)
		}
	}
	acts := DefaultActivities()
	if opt.ActivitiesFile != "" {
		if acts, err = LoadActivities(opt.ActivitiesFile); err != nil {
			return nil, err
		}
	}
	return newSource(addr, path, opt.PublicURL, tokens, acts), nil
}

// parseSpec reads //ADDR/PATH. An address without a host binds 127.0.0.1,
// as every floorwatch listener does unless told otherwise.
func parseSpec(arg string) (addr, path string, err error) {
	rest, ok := strings.CutPrefix(arg, "//")
	addr, path, _ = strings.Cut(rest, "/")
	host, port, splitErr := net.SplitHostPort(addr)
	if !ok || splitErr != nil || port == "" {
		return "", "", fmt.Errorf("taskrouter: %q: want taskrouter://ADDR/PATH, e.g. taskrouter://127.0.0.1:8088/twilio/events", "taskrouter:"+arg)
	}
	if host == "" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	return addr, "/" + path, nil
}

// loadTokens reads the auth token: every line of the file (two during a
// rotation, when Twilio may sign with either), or the environment.
func loadTokens(file string) ([]string, error) {
	var text string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("taskrouter: %w", err)
		}
		text = string(b)
	} else {
		text = os.Getenv(TokenEnv)
	}
	var tokens []string
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			tokens = append(tokens, t)
		}
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("taskrouter: give the account's auth token in --auth-token-file FILE or %s: every callback's signature is checked with it", TokenEnv)
	}
	return tokens, nil
}

// trSource is the endpoint and its converter. The endpoint checks and
// queues callbacks (inbox); Run orders and converts them. mu guards the
// converter and its tally, which the endpoint counts into too.
type trSource struct {
	addr, path, publicURL string
	tokens                []string
	hold                  time.Duration
	now                   func() time.Time
	inbox                 chan held

	mu      sync.Mutex
	conv    *Converter
	pending []*feed.Event
	seen    *keySet
}

func newSource(addr, path, publicURL string, tokens []string, acts *Activities) *trSource {
	s := &trSource{addr: addr, path: path, publicURL: publicURL, tokens: tokens, hold: Hold, now: time.Now,
		inbox: make(chan held, inboxSize), seen: newKeySet(maxSeen)}
	s.conv = NewConverter(acts, func(ev *feed.Event) { s.pending = append(s.pending, ev) })
	return s
}

func (s *trSource) Tally() source.Tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.conv.Tally()
	if t.Skipped[skipRefused] > 0 {
		t.Notes = append(t.Notes, "callbacks were refused for their X-Twilio-Signature: --public-url must be the workspace's Event Callback URL exactly as configured (scheme, host, path, query), and the auth token the account's")
	}
	return t
}

// Run listens on ADDR until ctx is done, applying each callback Hold after
// it arrived, in the order of the events' times; at the end what is held
// is applied at once.
func (s *trSource) Run(ctx context.Context, emit func(*feed.Event)) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("taskrouter: %w", err)
	}
	return s.serve(ctx, ln, emit)
}

func (s *trSource) serve(ctx context.Context, ln net.Listener, emit func(*feed.Event)) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		// The server's own complaints quote what strangers sent.
		ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tick := time.NewTicker(max(s.hold/10, 10*time.Millisecond))
	defer tick.Stop()
	var order reorder
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			srv.Shutdown(shut)
			cancel()
			s.drain(&order, emit)
			return ctx.Err()
		case err := <-served:
			s.drain(&order, emit)
			return fmt.Errorf("taskrouter: %w", err)
		case h := <-s.inbox:
			order.push(h.cb, h.arrived)
		case <-tick.C:
		}
		s.release(&order, emit, s.hold)
	}
}

// drain applies everything received, held or not.
func (s *trSource) drain(order *reorder, emit func(*feed.Event)) {
	for {
		select {
		case h := <-s.inbox:
			order.push(h.cb, h.arrived)
		default:
			s.release(order, emit, 0)
			return
		}
	}
}

// release applies the callbacks held long enough, then emits their events
// outside the lock.
func (s *trSource) release(order *reorder, emit func(*feed.Event), hold time.Duration) {
	now := s.now()
	s.mu.Lock()
	for {
		cb, ok := order.next(now, hold)
		if !ok {
			break
		}
		s.conv.Apply(cb)
	}
	out := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, ev := range out {
		emit(ev)
	}
}

// ServeHTTP is the Event Callback URL. It answers within the request's
// own reading time: the conversion happens on Run's goroutine.
func (s *trSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "TaskRouter posts its callbacks", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.conv.tally.Lines++
	line := s.conv.tally.Lines
	s.mu.Unlock()
	status, cb, msg := s.accept(r, http.MaxBytesReader(w, r.Body, maxBody))
	switch status {
	case http.StatusForbidden:
		s.count(func(t *source.Tally) { t.Skip(skipRefused) })
	case http.StatusUnsupportedMediaType:
		s.count(func(t *source.Tally) { t.Skip(skipNotForm) })
	case http.StatusRequestEntityTooLarge:
		s.count(func(t *source.Tally) { t.Skip(skipTooLarge) })
	case http.StatusBadRequest:
		s.count(func(t *source.Tally) { t.Bad(line, msg) })
	}
	if cb != nil {
		status, msg = s.enqueue(cb)
	}
	if status != http.StatusNoContent {
		http.Error(w, msg, status)
		return
	}
	// What TaskRouter's documentation asks of an Event Callback URL.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNoContent)
}

func (s *trSource) count(fn func(*source.Tally)) {
	s.mu.Lock()
	fn(&s.conv.tally)
	s.mu.Unlock()
}

// accept reads and checks a request: the callback, or the status to
// answer and why.
func (s *trSource) accept(r *http.Request, body io.Reader) (int, *callback, string) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return http.StatusUnsupportedMediaType, nil, "want an Event Callback: application/x-www-form-urlencoded"
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" {
		return http.StatusForbidden, nil, "no X-Twilio-Signature"
	}
	b, err := io.ReadAll(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return http.StatusRequestEntityTooLarge, nil, fmt.Sprintf("a callback is at most %d bytes", maxBody)
		}
		return http.StatusBadRequest, nil, "unreadable body"
	}
	// A body that is not a form cannot carry a good signature: Twilio's
	// always parse. Only a signed callback is counted malformed.
	params, err := url.ParseQuery(string(b))
	if err != nil {
		return http.StatusForbidden, nil, "X-Twilio-Signature does not match"
	}
	signed := s.publicURL
	if signed == "" {
		signed = "http://" + r.Host + r.URL.RequestURI()
	}
	if !validSignature(s.tokens, signed, params, sig) {
		return http.StatusForbidden, nil, "X-Twilio-Signature does not match"
	}
	cb, err := parseCallback(params, s.now())
	if err != nil {
		return http.StatusBadRequest, nil, err.Error()
	}
	return http.StatusNoContent, cb, ""
}

// enqueue hands a checked callback to Run, once per event: a retry of one
// already queued is answered as a success and changes nothing.
func (s *trSource) enqueue(cb *callback) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen.has(cb.key) {
		s.conv.tally.Skip(skipRetry)
		return http.StatusNoContent, ""
	}
	select {
	case s.inbox <- held{cb: cb, arrived: s.now()}:
		s.seen.add(cb.key)
		return http.StatusNoContent, ""
	default:
		return http.StatusServiceUnavailable, "busy: retry"
	}
}
