package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/floorwatch/floorwatch/alerts"
)

// Notifier bounds: a chat webhook that is down for a while loses the
// oldest alerts first, and the dashboard never waits for it.
const (
	notifyQueue       = 64
	notifyAttempts    = 5
	notifyMinBackoff  = time.Second
	notifyMaxBackoff  = 30 * time.Second
	notifyPostTimeout = 10 * time.Second
)

// notice is one new alert as --notify posts it. Text is what a chat
// webhook (Slack, Mattermost, Teams' incoming webhooks) shows; the other
// fields are for a program.
type notice struct {
	Text    string    `json:"text"`
	Feed    string    `json:"feed,omitempty"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Name    string    `json:"name"`
	Detail  string    `json:"detail"`
	Began   time.Time `json:"began"` // on the floor clock
}

// notifier posts notices to a webhook from a goroutine of its own, fed
// through a bounded channel: Notify never blocks, and when the queue is
// full the oldest waiting notice is dropped (and counted).
type notifier struct {
	url     string
	client  *http.Client
	queue   chan notice
	log     *log.Logger
	backoff func(attempt int) time.Duration

	sent, failed, dropped atomic.Int64
}

// newNotifier checks the URL; run starts the posting.
func newNotifier(rawURL string, logger *log.Logger) (*notifier, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError("--notify %q: want an http:// or https:// webhook URL", rawURL)
	}
	return &notifier{
		url:    rawURL,
		client: &http.Client{Timeout: notifyPostTimeout},
		queue:  make(chan notice, notifyQueue),
		log:    logger,
		backoff: func(attempt int) time.Duration {
			return min(notifyMaxBackoff, notifyMinBackoff<<(attempt-1))
		},
	}, nil
}

// Notify queues n for posting, at once: the caller is the dashboard.
func (nt *notifier) Notify(n notice) {
	for {
		select {
		case nt.queue <- n:
			return
		default:
		}
		// Full: make room by letting the oldest go. The poster may take it
		// first, which makes room as well.
		select {
		case <-nt.queue:
			nt.dropped.Add(1)
		default:
		}
	}
}

// run posts queued notices until ctx ends, then logs the tally.
func (nt *notifier) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			nt.log.Printf("notify: %d sent, %d failed, %d dropped (queue full)", nt.sent.Load(), nt.failed.Load(), nt.dropped.Load())
			return
		case n := <-nt.queue:
			if err := nt.post(ctx, n); err != nil {
				nt.failed.Add(1)
				nt.log.Printf("notify: %s: gave up: %v", nt.url, err)
			} else {
				nt.sent.Add(1)
			}
		}
	}
}

// post sends one notice, retrying with backoff what may succeed later: a
// network error, a 5xx, a 429 (after its Retry-After when it gives one).
func (nt *notifier) post(ctx context.Context, n notice) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	var last error
	for attempt := 1; attempt <= notifyAttempts; attempt++ {
		wait, err := nt.postOnce(ctx, body)
		if err == nil {
			return nil
		}
		last = err
		if wait < 0 {
			return err // the webhook refused it for good
		}
		if attempt == notifyAttempts {
			break
		}
		wait = min(max(wait, nt.backoff(attempt)), notifyMaxBackoff)
		nt.log.Printf("notify: %v; retrying in %s", err, wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return fmt.Errorf("%d attempts: %w", notifyAttempts, last)
}

// postOnce makes one attempt. wait < 0: do not retry; otherwise the least
// the server asked to wait.
func (nt *notifier) postOnce(ctx context.Context, body []byte) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nt.url, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "floorwatch")
	resp, err := nt.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return time.Duration(max(0, s)) * time.Second, fmt.Errorf("%s", resp.Status)
	case resp.StatusCode >= 500:
		return 0, fmt.Errorf("%s", resp.Status)
	}
	return -1, fmt.Errorf("%s", resp.Status)
}

// noticeOf is the notice of a new alert on the feed named feedName.
func noticeOf(a alerts.Alert, feedName string) notice {
	where := a.SubjectName
	if feedName != "" {
		where = feedName + " · " + where
	}
	return notice{
		Text: fmt.Sprintf("⚠ floorwatch: %s: %s (%s, since %s on the floor clock)",
			where, strings.ReplaceAll(a.Kind, "_", " "), a.Detail, a.Began.UTC().Format("15:04:05")),
		Feed: feedName, Kind: a.Kind, Subject: a.Subject, Name: a.SubjectName, Detail: a.Detail, Began: a.Began,
	}
}
