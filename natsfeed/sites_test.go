package natsfeed

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/natsfeed/natstest"
)

var timeOfDay = regexp.MustCompile(`"ts":"(\d\d:\d\d:\d\d)"`)

// lines decodes a hand-written feed, the ts written as a time of day on
// 2026-11-23.
func lines(t *testing.T, text string) []*feed.Event {
	t.Helper()
	var evs []*feed.Event
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		l = timeOfDay.ReplaceAllString(l, `"ts":"2026-11-23T$1.000Z"`)
		d := feed.Decode([]byte(l))
		if d.Err != nil {
			t.Fatalf("%s: %v", l, d.Err)
		}
		evs = append(evs, &d.Event)
	}
	return evs
}

// Paris: two calls, one answered in 10 s, one abandoned after 30 s.
const parisDay = `
{"type":"agent.state","seq":1,"ts":"08:00:00","agent":"a1","state":"available","queues":["billing"]}
{"type":"call.offered","seq":2,"ts":"08:00:00","call":"c1","queue":"billing"}
{"type":"call.offered","seq":3,"ts":"08:00:00","call":"c2","queue":"billing"}
{"type":"call.answered","seq":4,"ts":"08:00:10","call":"c1","queue":"billing","agent":"a1"}
{"type":"call.abandoned","seq":5,"ts":"08:00:30","call":"c2","queue":"billing"}`

// Lisbon, with the same ids: four calls, answered in 30, 5 and 15 s, one
// abandoned after 2 s (short).
const lisbonDay = `
{"type":"agent.state","seq":1,"ts":"08:00:00","agent":"a1","state":"available","queues":["billing"]}
{"type":"agent.state","seq":2,"ts":"08:00:00","agent":"a2","state":"available","queues":["billing"]}
{"type":"agent.state","seq":3,"ts":"08:00:00","agent":"a3","state":"available","queues":["billing"]}
{"type":"call.offered","seq":4,"ts":"08:00:00","call":"c1","queue":"billing"}
{"type":"call.offered","seq":5,"ts":"08:00:00","call":"c2","queue":"billing"}
{"type":"call.offered","seq":6,"ts":"08:00:00","call":"c3","queue":"billing"}
{"type":"call.offered","seq":7,"ts":"08:00:00","call":"c4","queue":"billing"}
{"type":"call.answered","seq":8,"ts":"08:00:30","call":"c1","queue":"billing","agent":"a1"}
{"type":"call.answered","seq":9,"ts":"08:00:05","call":"c2","queue":"billing","agent":"a2"}
{"type":"call.abandoned","seq":10,"ts":"08:00:02","call":"c3","queue":"billing"}
{"type":"call.answered","seq":11,"ts":"08:00:15","call":"c4","queue":"billing","agent":"a3"}`

// publishSite publishes evs for site and waits until the stream has them.
func publishSite(t *testing.T, url, site string, evs []*feed.Event) *Publisher {
	t.Helper()
	p, clock := publisher(t, url, site, evs[0], PublisherOptions{Feed: site})
	clock.send(p, evs...)
	drain(t, p)
	return p
}

// Two sites folded together: each site's figures are that site's alone,
// and the floor's are the sums worked by hand — numerators and denominators
// added, not service levels averaged.
func TestTwoSitesFoldTogether(t *testing.T) {
	srv := natstest.Start(t)
	publishSite(t, srv.URL(), "paris", lines(t, parisDay))
	publishSite(t, srv.URL(), "lisbon", lines(t, lisbonDay))

	all, c := catchUp(t, srv.URL()+"/paris,lisbon", floor.Options{})
	r := all.Report(floor.All)
	f := r.Floor
	// Paris: SL 1/(1+1−0) = 0.5. Lisbon: 2/(3+1−1) = 0.667. Together:
	// (1+2)/(2+3) = 0.6, where the mean of the two would be 0.583.
	if f.Offered != 6 || f.Answered != 4 || f.AnsweredWithin != 3 || f.Abandoned != 2 || f.ShortAbandoned != 1 ||
		!near(f.ServiceLevel, 0.6) || !near(f.ASAS, 15) || !near(f.AbandonRate, 0.2) || f.Staffed != 4 {
		t.Errorf("floor %+v\nwant 6 offered, 4 answered (3 within), 2 abandoned (1 short), SL 0.6, ASA 15 s, abandon rate 0.2, 4 staffed", f)
	}
	var ids []string
	for _, q := range r.Queues {
		ids = append(ids, q.Queue)
	}
	for _, a := range r.Agents {
		ids = append(ids, a.Agent)
	}
	if got := strings.Join(ids, " "); got != "lisbon/billing paris/billing lisbon/a1 lisbon/a2 lisbon/a3 paris/a1" {
		t.Errorf("ids %s, want each prefixed with its site", got)
	}
	if r.Feed.Events != 16 || r.Feed.Name != "paris+lisbon" || !r.CaughtUp {
		t.Errorf("feed %+v, caught up %v; want the 16 events of both sites, named for them, caught up", r.Feed, r.CaughtUp)
	}

	sites := c.Sites()
	if len(sites) != 2 || sites[0].Name != "paris" || sites[1].Name != "lisbon" || !sites[0].CaughtUp {
		t.Fatalf("sites %+v", sites)
	}
	for _, s := range sites {
		alone, _ := catchUp(t, srv.URL()+"/"+s.Name, floor.Options{})
		if got, want := figures(t, s.Hub.Report(floor.All)), figures(t, alone.Report(floor.All)); got != want {
			t.Errorf("%s among two sites:\n%s\nwant as alone:\n%s", s.Name, got, want)
		}
	}
	if got := sites[0].Hub.Report(floor.All).Floor.ServiceLevel; !near(got, 0.5) {
		t.Errorf("paris SL %v, want 0.5", got)
	}
}

func near(v *float64, want float64) bool {
	return v != nil && *v > want-1e-9 && *v < want+1e-9
}

// A simulation run again at one site (a new stream whose clock went back)
// starts a new floor there, as on a websocket; the sites' fold is made
// again, so that its figures stay the sum of the sites', whether the rerun
// is read live or in the replay.
func TestRerunAtOneSiteKeepsTheSum(t *testing.T) {
	srv := natstest.Start(t)
	publishSite(t, srv.URL(), "lisbon", lines(t, lisbonDay))
	publishSite(t, srv.URL(), "paris", lines(t, parisDay))

	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := NewClient(srv.URL()+"/paris,lisbon", hub, floor.Options{}, Options{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	eventually(t, 10*time.Second, "both sites", func() bool { return hub.Progress().CaughtUp && hub.Report(floor.All).Floor.Offered == 6 })

	// Paris again from 08:00, one call this time.
	rerun := lines(t, `
{"type":"agent.state","seq":1,"ts":"08:00:00","agent":"a1","state":"available","queues":["billing"]}
{"type":"call.offered","seq":2,"ts":"08:00:00","call":"c9","queue":"billing"}
{"type":"call.answered","seq":3,"ts":"08:00:04","call":"c9","queue":"billing","agent":"a1"}`)
	publishSite(t, srv.URL(), "paris", rerun)
	paris := c.Sites()[0].Hub
	eventually(t, 10*time.Second, "the rerun", func() bool { return paris.Report(floor.All).Floor.Offered == 1 })
	if paris.Report(floor.All).NewFloor == nil {
		t.Error("paris does not say it started a new floor")
	}
	for name, h := range map[string]*live.Hub{"live": hub, "replayed": must(catchUp(t, srv.URL()+"/paris,lisbon", floor.Options{}))} {
		eventually(t, 10*time.Second, name+" sum", func() bool {
			f := h.Report(floor.All).Floor
			return f.Offered == 5 && f.Answered == 4 && f.AnsweredWithin == 3
		})
	}
}

func must(h *live.Hub, _ *Client) *live.Hub { return h }

// Goals name a site's queues as the site knows them; the sites' fold holds
// each site's queue to them under its prefixed id.
func TestGoalsApplyToEverySite(t *testing.T) {
	srv := natstest.Start(t)
	publishSite(t, srv.URL(), "paris", lines(t, parisDay))
	publishSite(t, srv.URL(), "lisbon", lines(t, lisbonDay))
	g, err := floor.ParseGoals([]byte("queues:\n  billing: {sl_threshold_s: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := catchUp(t, srv.URL()+"/paris,lisbon", floor.Options{Goals: g})
	for _, q := range all.Report(floor.All).Queues {
		if q.SLThresholdS != 10 {
			t.Errorf("%s: threshold %v, want the goals file's 10 s", q.Queue, q.SLThresholdS)
		}
	}
	// Within 10 s: paris c1 (10 s), lisbon c2 (5 s).
	if f := all.Report(floor.All).Floor; f.AnsweredWithin != 2 {
		t.Errorf("%d answered within 10 s, want 2", f.AnsweredWithin)
	}
}
