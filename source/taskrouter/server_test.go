package taskrouter

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

const testToken = "0123456789abcdef0123456789abcdef"

// endpoint is a source serving on a loopback port, and what it emits.
type endpoint struct {
	src  *trSource
	base string // http://127.0.0.1:PORT
	mu   sync.Mutex
	evs  []*feed.Event
	stop func() error
}

// serveTest runs a source with the given hold on 127.0.0.1, the Event
// Callback URL Twilio knows being publicURL ("" to sign the request's own).
func serveTest(t *testing.T, publicURL string, hold time.Duration) *endpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &endpoint{src: newSource(ln.Addr().String(), "/twilio/events", publicURL, []string{testToken}, DefaultActivities()),
		base: "http://" + ln.Addr().String()}
	e.src.hold = hold
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.src.serve(ctx, ln, func(ev *feed.Event) {
			e.mu.Lock()
			e.evs = append(e.evs, ev)
			e.mu.Unlock()
		})
	}()
	stopped := false
	e.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			return errors.New("the source did not stop")
		}
	}
	t.Cleanup(func() { e.stop() })
	return e
}

var client = &http.Client{Timeout: 5 * time.Second}

// post sends form to path with signature sig and returns the status.
func (e *endpoint) post(t *testing.T, path string, form url.Values, sig string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// events waits until n events were emitted (or the deadline), then
// returns them.
func (e *endpoint) events(t *testing.T, n int, within time.Duration) []*feed.Event {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		e.mu.Lock()
		got := slices.Clone(e.evs)
		e.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *endpoint) tally() source.Tally { return e.src.Tally() }

const public = "https://floor.example.com/twilio/events"

// Correctly signed callbacks are taken; wrongly signed, unsigned or
// otherwise refused requests get their status and change nothing.
func TestSignedAndUnsignedCallbacks(t *testing.T) {
	e := serveTest(t, public, 50*time.Millisecond)
	offer := ev(0, "task-queue.entered", taskF("WT21", "Support", "voice", "+15551230021")).form
	forged := url.Values{}
	for k, v := range offer {
		forged[k] = v
	}
	forged.Set("TaskQueueName", "Billing") // changed after signing

	for _, tc := range []struct {
		name string
		form url.Values
		sig  string
		want int
	}{
		{"unsigned", offer, "", http.StatusForbidden},
		{"signed with another token", offer, sign("not-the-token", public, offer), http.StatusForbidden},
		{"signed for another URL", offer, sign(testToken, e.base+"/twilio/events", offer), http.StatusForbidden},
		{"changed after signing", forged, sign(testToken, public, offer), http.StatusForbidden},
		{"signature of nothing", offer, "garbage", http.StatusForbidden},
	} {
		if got := e.post(t, "/twilio/events", tc.form, tc.sig); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := e.post(t, "/elsewhere", offer, sign(testToken, public, offer)); got != http.StatusNotFound {
		t.Errorf("another path: %d, want 404", got)
	}
	if resp, err := client.Get(e.base + "/twilio/events"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v, want 405", resp.Status, err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/twilio/events", strings.NewReader(`{"EventType":"task.created"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", "x")
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("JSON: %v %v, want 415", resp.Status, err)
	}
	huge := url.Values{"TaskAttributes": {strings.Repeat("x", maxBody)}}
	if got := e.post(t, "/twilio/events", huge, "x"); got != http.StatusRequestEntityTooLarge {
		t.Errorf("a huge body: %d, want 413", got)
	}
	// Signed, but of no use: counted malformed, answered 400 so that it
	// shows in Twilio's debugger.
	bad := ev(0, "task.created", taskF("WT20", "", "voice", "")).form
	bad.Set("TimestampMs", "")
	bad.Set("Timestamp", "yesterday")
	if got := e.post(t, "/twilio/events", bad, sign(testToken, public, bad)); got != http.StatusBadRequest {
		t.Errorf("signed, no timestamp: %d, want 400", got)
	}
	time.Sleep(200 * time.Millisecond)
	if evs := e.events(t, 0, 0); len(evs) != 0 {
		t.Fatalf("refused requests made %d events", len(evs))
	}

	start := time.Now()
	if got := e.post(t, "/twilio/events", offer, sign(testToken, public, offer)); got != http.StatusNoContent {
		t.Fatalf("signed: status %d, want 204", got)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("answered after %v", took)
	}
	evs := e.events(t, 1, 5*time.Second)
	if len(evs) != 1 || evs[0].Type != feed.TypeOffered || evs[0].Queue != "Support" {
		t.Fatalf("events %v, want the offer in Support", evs)
	}
	tally := e.tally()
	// Every POST to the path is a line: five refused for their signature,
	// one not a form, one too large, one malformed, one taken.
	if tally.Skipped[skipRefused] != 5 || tally.Skipped[skipNotForm] != 1 || tally.Skipped[skipTooLarge] != 1 ||
		tally.Malformed != 1 || !strings.Contains(tally.FirstMalformed, "yesterday") || tally.Lines != 9 {
		t.Errorf("tally %+v", tally)
	}
	if !strings.Contains(strings.Join(tally.Notes, "\n"), "--public-url") {
		t.Errorf("notes %q: want the hint on --public-url", tally.Notes)
	}
}

// Without --public-url the URL signed is the request's own.
func TestSignedWithRequestURL(t *testing.T) {
	e := serveTest(t, "", 50*time.Millisecond)
	form := ev(0, "worker.activity.update", workerF("WK01", "Available")).form
	if got := e.post(t, "/twilio/events", form, sign(testToken, public, form)); got != http.StatusForbidden {
		t.Errorf("signed for the public URL: %d, want 403", got)
	}
	if got := e.post(t, "/twilio/events", form, sign(testToken, e.base+"/twilio/events", form)); got != http.StatusNoContent {
		t.Errorf("signed for the request's URL: %d, want 204", got)
	}
	if evs := e.events(t, 1, 5*time.Second); len(evs) != 1 || evs[0].Agent != "WK01" {
		t.Errorf("events %v", evs)
	}
}

// A retry of an event (Twilio posts it again when an answer was slow or
// lost) is answered 204 and applied once.
func TestRetryAppliedOnce(t *testing.T) {
	e := serveTest(t, public, 50*time.Millisecond)
	task := taskF("WT22", "Support", "voice", "+15551230022")
	offer := ev(0, "task-queue.entered", task).form
	cancel := ev(3, "task.canceled", task, kv("TaskCanceledReason", "hangup")).form
	for _, f := range []url.Values{offer, offer, cancel, offer, cancel} {
		if got := e.post(t, "/twilio/events", f, sign(testToken, public, f)); got != http.StatusNoContent {
			t.Fatalf("status %d", got)
		}
	}
	time.Sleep(300 * time.Millisecond)
	evs := e.events(t, 2, 5*time.Second)
	if got := types(evs); !slices.Equal(got, []string{feed.TypeOffered, feed.TypeAbandoned}) {
		t.Errorf("events %v, want one offer and one abandon", got)
	}
	fold(t, evs, floor.Options{})
	if n := e.tally().Skipped[skipRetry]; n != 3 {
		t.Errorf("%d retries counted, want 3", n)
	}
}

// Callbacks that arrive out of order within a second come out in the
// order of their events, at the production hold.
func TestOutOfOrderPutBack(t *testing.T) {
	e := serveTest(t, public, Hold)
	task := taskF("WT23", "Support", "voice", "+15551230023")
	ana := workerF("WK01", "Available")
	flow := []tr{
		ev(0, "worker.activity.update", ana),
		ev(10.0, "task-queue.entered", task),
		ev(10.4, "reservation.created", task, ana, resF("WR23")),
		ev(12.5, "reservation.accepted", task, ana, resF("WR23")),
		ev(12.6, "task.transfer-initiated", task, ana, kv("TransferMode", "COLD", "TransferType", "QUEUE", "TransferTo", queueSids["Billing"])),
		ev(12.7, "task-queue.entered", taskF("WT23", "Billing", "voice", "")),
	}
	// Delivered newest first, within 0.6 s of wall time.
	start := time.Now()
	for i := len(flow) - 1; i >= 0; i-- {
		f := flow[i].form
		if got := e.post(t, "/twilio/events", f, sign(testToken, public, f)); got != http.StatusNoContent {
			t.Fatalf("status %d", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d := time.Since(start); d > time.Second {
		t.Logf("delivery took %v", d)
	}
	evs := e.events(t, 5, Hold+5*time.Second)
	want := []string{feed.TypeOffered, feed.TypeAnswered, feed.TypeTransferred}
	if got := types(evs); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	fold(t, evs, floor.Options{})
	if e.src.conv.late != 0 {
		t.Errorf("%d late", e.src.conv.late)
	}
}

// Stopping the source applies what it still holds, then returns the
// context's error, which the bridge reads as an interrupt.
func TestStopAppliesWhatIsHeld(t *testing.T) {
	e := serveTest(t, public, time.Hour)
	f := ev(0, "task-queue.entered", taskF("WT24", "Support", "voice", "")).form
	if got := e.post(t, "/twilio/events", f, sign(testToken, public, f)); got != http.StatusNoContent {
		t.Fatalf("status %d", got)
	}
	time.Sleep(50 * time.Millisecond)
	if err := e.stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if evs := e.events(t, 1, 0); len(evs) != 1 {
		t.Errorf("%d events after the stop, want the held one", len(evs))
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("\n  old-token \nnew-token\n"), 0o600)
	acts := filepath.Join(dir, "activities.yaml")
	os.WriteFile(acts, []byte("activities:\n  Lunch: aux lunch\n"), 0o600)

	src, err := Open("//127.0.0.1:8088/twilio/events", source.Options{AuthTokenFile: tokenFile, ActivitiesFile: acts, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*trSource)
	if s.addr != "127.0.0.1:8088" || s.path != "/twilio/events" || !slices.Equal(s.tokens, []string{"old-token", "new-token"}) {
		t.Errorf("opened %s %s %q", s.addr, s.path, s.tokens)
	}
	if st, known := s.conv.acts.state("lunch"); !known || st.reason != "lunch" {
		t.Errorf("lunch is %+v %v", st, known)
	}
	t.Setenv(TokenEnv, "env-token")
	if src, err := Open("//:8088", source.Options{}); err != nil || src.(*trSource).addr != "127.0.0.1:8088" ||
		src.(*trSource).path != "/" || src.(*trSource).tokens[0] != "env-token" {
		t.Errorf("Open with the token from the environment: %v", err)
	}
	t.Setenv(TokenEnv, "")
	for _, tc := range []struct {
		arg  string
		opt  source.Options
		want string
	}{
		{"//127.0.0.1:8088/x", source.Options{}, TokenEnv},
		{"127.0.0.1:8088/x", source.Options{AuthTokenFile: tokenFile}, "want taskrouter://ADDR/PATH"},
		{"//127.0.0.1/x", source.Options{AuthTokenFile: tokenFile}, "want taskrouter://ADDR/PATH"},
		{"//127.0.0.1:1/x", source.Options{AuthTokenFile: tokenFile, PublicURL: "floor.example.com/x"}, "--public-url"},
		{"//127.0.0.1:1/x", source.Options{AuthTokenFile: filepath.Join(dir, "none")}, "no such file"},
		{"//127.0.0.1:1/x", source.Options{AuthTokenFile: tokenFile, ActivitiesFile: tokenFile}, "activities"},
	} {
		if _, err := Open(tc.arg, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q): %v, want an error naming %q", tc.arg, err, tc.want)
		}
	}
}

// The set of event Sids seen is bounded: past its limit the oldest are
// forgotten first.
func TestSeenSetBounded(t *testing.T) {
	s := newKeySet(3)
	for _, k := range []string{"a", "b", "c", "a", "d", "e"} {
		s.add(k)
	}
	for k, want := range map[string]bool{"a": false, "b": false, "c": true, "d": true, "e": true} {
		if s.has(k) != want {
			t.Errorf("has(%s) = %v, want %v", k, !want, want)
		}
	}
	if len(s.keys) != 3 || len(s.ring) != 3 {
		t.Errorf("holds %d keys in a ring of %d, want 3", len(s.keys), len(s.ring))
	}
}
