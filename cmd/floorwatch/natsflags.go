package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/natsfeed"
	"github.com/floorwatch/floorwatch/tui"
)

// natsFlushTimeout is how long a producer that has finished waits for NATS
// to take what its publisher still holds.
const natsFlushTimeout = 15 * time.Second

// What a command does with NATS (docs/scale.md).
const (
	natsPublish    = 1 << iota // sim, bridge, serve --scenario: --nats URL --site NAME
	natsSubscribe              // watch, status, serve: a nats:// feed URL
	natsSiteFilter             // status: --site, one site of several
)

// natsFlags are the NATS JetStream flags; the credentials come from a file
// (or NATS_CREDS), never from a flag value that ps would show.
type natsFlags struct {
	url, site string
	keepDays  int
	bufferMiB int
	creds     string
	since     string
	only      string // status --site: one site of several
}

func (n *natsFlags) register(fs *flag.FlagSet, uses int) {
	fs.StringVar(&n.creds, "nats-creds", os.Getenv("NATS_CREDS"), "NATS credentials `FILE` (default $NATS_CREDS)")
	if uses&natsPublish != 0 {
		fs.StringVar(&n.url, "nats", "", "also publish to NATS JetStream at `URL` (nats://HOST:PORT, tls:// for TLS), with --site")
		fs.StringVar(&n.site, "site", "", "with --nats: the site `NAME` this floor is; its events go to floorwatch.NAME.events")
		fs.IntVar(&n.keepDays, "keep-days", natsfeed.DefaultKeepDays, "with --nats: keep `N` days of events, if the stream is created now")
		fs.IntVar(&n.bufferMiB, "nats-buffer", natsfeed.DefaultBuffer>>20, "with --nats: hold at most `MiB` of events while NATS is slow or away; beyond it events are dropped and counted")
	}
	if uses&natsSubscribe != 0 {
		fs.StringVar(&n.since, "since", "", "with a nats:// feed: replay from `TIME` (RFC 3339, or a span back from now such as 2h) instead of the day start")
	}
	if uses&natsSiteFilter != 0 {
		fs.StringVar(&n.only, "site", "", "with a nats:// feed of several sites: print the site `NAME` alone")
	}
}

// publisher starts publishing to NATS as --nats asks (nil without it):
// the feed named name, on srv's stream when a feed server numbers the
// events, on clock's time.
func (n *natsFlags) publisher(name string, srv *feed.Server, clock func() time.Time, logf func(string, ...any),
	sourceLost func() string) (*natsfeed.Publisher, error) {
	switch {
	case n.url == "" && n.site == "":
		return nil, nil
	case n.url == "" || n.site == "":
		return nil, usageError("give --nats URL and --site NAME together")
	case n.keepDays < 1 || n.bufferMiB < 1:
		return nil, usageError("--keep-days and --nats-buffer must be at least 1")
	}
	stream := ""
	if srv != nil {
		stream = srv.Stream()
	}
	p, err := natsfeed.NewPublisher(natsfeed.PublisherOptions{URL: n.url, Site: n.site, Auth: natsfeed.Auth{Creds: n.creds},
		Stream: stream, Feed: name, Clock: clock, KeepDays: n.keepDays, Buffer: n.bufferMiB << 20, Logf: logf,
		SourceLost: sourceLost})
	if err != nil {
		return nil, usageError("%v", err)
	}
	logf("publishing to %s, subject %s", n.url, natsfeed.Subject(n.site))
	return p, nil
}

// closePublisher gives p up to natsFlushTimeout to publish what it holds,
// and says what it published and what it could not.
func closePublisher(p *natsfeed.Publisher, logf func(string, ...any)) {
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), natsFlushTimeout)
	defer cancel()
	st := p.Close(ctx)
	logf("NATS: %d messages published, %d events could not be", st.Published, st.Dropped)
}

// feedClient keeps a hub fed from a feed: a websocket's feed.Client, or
// NATS's natsfeed.Client, picked by the URL's scheme.
type feedClient interface {
	Run(ctx context.Context) error
	CatchUp(ctx context.Context) error
	Status() feed.ConnStatus
}

// client makes the feed client for url, feeding hub (with several NATS
// sites, hub folds them together).
func (n *natsFlags) client(url string, hub *live.Hub, fopts floor.Options, copt feed.ClientOptions) (feedClient, error) {
	if !natsfeed.IsURL(url) {
		if n.since != "" {
			return nil, fmt.Errorf("--since is for a nats:// feed; a websocket feed sends its whole history")
		}
		return feed.NewClient(url, hub, copt)
	}
	since, err := parseSince(n.since, time.Now())
	if err != nil {
		return nil, err
	}
	return natsfeed.NewClient(url, hub, fopts, natsfeed.Options{Auth: natsfeed.Auth{Creds: n.creds, TLSConfig: copt.TLSConfig},
		Since: since, OnStatus: copt.OnStatus})
}

// parseSince reads --since: a time, or a span back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2026-11-25T06:00:00Z) or a span back from now (90m, 2h)", s)
}

// sites is what the dashboard shows of a floor of several NATS sites: a
// row each and a key to narrow to one (nil for any other feed).
func sites(c feedClient) func() []tui.Site {
	nc, ok := c.(*natsfeed.Client)
	if !ok || len(nc.Sites()) < 2 {
		return nil
	}
	return func() []tui.Site {
		var out []tui.Site
		for _, s := range nc.Sites() {
			out = append(out, tui.Site{Name: s.Name, Hub: s.Hub, LastMessage: s.LastMessage, Dropped: s.Dropped, SourceLost: s.SourceLost})
		}
		return out
	}
}

// wanted says whether status reads url as NATS: a nats:// URL, or flags
// that only make sense for one (status then says so).
func (n *natsFlags) wanted(url string) bool {
	return natsfeed.IsURL(url) || n.since != "" || n.only != ""
}

// status is `status --feed nats://…`: the floor as the other feeds
// print it, then a row per site (with --site, that site's floor alone).
func (n *natsFlags) status(stdout io.Writer, url string, fopts floor.Options, w floor.Window, copt feed.ClientOptions, timeout time.Duration, asJSON bool) error {
	if !natsfeed.IsURL(url) {
		return usageError("--since and --site are for a nats:// feed; a websocket feed sends its whole history")
	}
	hub := live.NewHub(floor.New(fopts))
	c, err := n.client(url, hub, fopts, copt)
	if err != nil {
		return usageError("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		return err
	}
	all := c.(*natsfeed.Client).Sites()
	list := all
	if n.only != "" {
		list = nil
		for _, s := range all {
			if s.Name == n.only {
				list, hub = []natsfeed.Site{s}, s.Hub
			}
		}
		if list == nil {
			return usageError("--site %s: not one of the feed's sites", n.only)
		}
	}
	r := hub.Report(w)
	rows := make([]siteRow, len(list))
	for i, s := range list {
		sr := s.Hub.Report(w)
		rows[i] = siteRow{Site: s.Name, Feed: sr.Feed, Floor: sr.Floor, Dropped: s.Dropped}
	}
	if asJSON {
		// The contract's status --json, and the sites beside it.
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*floor.Report
			Sites []siteRow `json:"sites"`
		}{r, rows})
	}
	if err := floor.WriteText(stdout, r); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSITE\tSL\tOFFERED\tANSWERED\tABANDONED\tWAITING\tSTAFFED\tEVENTS\tGAPS\tNOT PUBLISHED")
	for _, s := range rows {
		f := s.Floor
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Site, floor.Pct(f.ServiceLevel), f.Offered, f.Answered,
			f.Abandoned, f.Waiting, f.Staffed, s.Feed.Events, s.Feed.Gaps, s.Dropped)
	}
	return tw.Flush()
}

// siteRow is one site in `status --json` of a NATS feed.
type siteRow struct {
	Site  string          `json:"site"`
	Feed  floor.FeedStats `json:"feed"`
	Floor floor.Metrics   `json:"floor"`
	// Dropped counts the events the site's publisher could not publish.
	Dropped int64 `json:"not_published"`
}
