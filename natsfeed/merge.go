package natsfeed

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Several sites in one floor: each site is folded on its own, by the
// protocol's rules for its own stream (seqs, hellos, new floors), so its
// figures are exactly those of that site alone. The sites' fold is one more
// floor.Floor, fed every line the sites' folds took, with queue, agent and
// call ids prefixed by the site ("paris/billing") and seqs renumbered into
// one sequence of its own. Its figures are therefore the fold's own sums
// over the sites' queues and agents: numerators and denominators added, as
// for the queues of one floor, never percentages averaged. Filtering one
// combined fold by prefix instead would need figures the report does not
// carry (abandons within goal, AHT samples, occupancy times) to rebuild a
// site's totals.
//
// What a site's fold counted, the sites' fold counts the same way: a line
// applied, unknown or bad there is passed on with the next seq; a duplicate
// with a seq already used; a gap as a skipped seq before the next line;
// hellos and heartbeats as heartbeats (they move the clock). A new floor at
// one site (a rerun: a new stream whose clock went back) cannot be taken
// out of the sites' fold line by line, so that fold is made again from the
// stream: every site read once more from the start of its current floor.
type merger struct {
	mu   sync.Mutex
	all  *live.Hub
	opts floor.Options // the sites' fold's: goals with ids prefixed
	name string
	seq  int64
	gap  bool
	// clock is the newest ts passed on, for the hello that says the
	// sites' fold has caught up.
	clock     time.Time
	announced bool
}

// sitesStream is the stream id of the sites' fold, announced once every
// site has caught up.
const sitesStream = "sites"

func newMerger(all *live.Hub, fopts floor.Options, sites []string) *merger {
	m := &merger{all: all, opts: fopts, name: strings.Join(sites, "+")}
	m.opts.Goals = prefixGoals(fopts.Goals, sites)
	all.Reset(floor.New(m.opts))
	return m
}

// prefixGoals is g with its per-queue and per-agent entries repeated for
// each site under prefixed ids: a goals file names a site's ids as the
// site knows them.
func prefixGoals(g *floor.Goals, sites []string) *floor.Goals {
	if g == nil {
		return nil
	}
	c := *g
	c.Queues = prefixKeys(g.Queues, sites)
	c.Agents = prefixKeys(g.Agents, sites)
	c.Alerts.Queues = prefixKeys(g.Alerts.Queues, sites)
	return &c
}

func prefixKeys[V any](m map[string]V, sites []string) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m)*len(sites))
	for _, s := range sites {
		for k, v := range m {
			out[s+"/"+k] = v
		}
	}
	return out
}

// hook sees every line a site's fold takes, with what became of it, and
// passes it on to the sites' fold, unless it started a new floor at the
// site: then the sites' fold is made again once the line is folded.
func (c *Client) hook(s *site) func(line []byte, o floor.Outcome) {
	return func(line []byte, o floor.Outcome) {
		if o == floor.Control {
			if d := feed.Decode(line); d.Err == nil && d.Event.Type == feed.TypeHello {
				h := &d.Event
				s.rerun = s.stream != "" && h.Stream != s.stream && h.TS.Before(s.clock)
				s.stream = h.Stream
				if s.rerun {
					s.clock = h.TS
					return
				}
			}
		}
		c.merge.mu.Lock()
		ts := c.merge.pass(s.name, line, o)
		c.merge.mu.Unlock()
		if ts.After(s.clock) {
			s.clock = ts
		}
	}
}

// pass folds one line of site into the sites' fold, as the site's fold
// took it (o), and returns its ts. m.mu is held.
func (m *merger) pass(site string, line []byte, o floor.Outcome) time.Time {
	var fields map[string]json.RawMessage
	if json.Unmarshal(line, &fields) != nil {
		// Not an object: as bad in the sites' fold as it was at the site.
		m.all.Ingest([][]byte{line})
		return time.Time{}
	}
	if o == floor.Applied && string(fields["type"]) == `"`+feed.TypeSnapshot+`"` {
		return m.passSnapshot(site, line)
	}
	var ts time.Time
	if raw, ok := fields["ts"]; ok && o != floor.Bad {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			ts, _ = time.Parse(time.RFC3339Nano, s)
		}
	}
	switch o {
	case floor.Gap:
		m.gap = true
		return ts
	case floor.Control:
		fields = map[string]json.RawMessage{"type": json.RawMessage(`"` + feed.TypeHeartbeat + `"`), "ts": fields["ts"]}
		fields["seq"] = m.seqJSON()
	case floor.Duplicate:
		if m.seq == 0 {
			return ts
		}
		fields["seq"] = m.seqJSON()
	default:
		// A line whose seq cannot be read keeps it so: it was counted
		// bad without a seq at the site, and is here.
		if _, err := strconv.ParseInt(string(fields["seq"]), 10, 64); err != nil {
			break
		}
		if m.gap {
			m.seq++
			m.gap = false
		}
		m.seq++
		fields["seq"] = m.seqJSON()
	}
	prefixIDs(site, fields)
	out, err := json.Marshal(fields)
	if err != nil {
		return ts
	}
	m.all.Ingest([][]byte{out})
	if ts.After(m.clock) {
		m.clock = ts
	}
	return ts
}

// passSnapshot sets a site's snapshot (a consumer's start mid-run) into
// the sites' fold: that fold's state with the site's part replaced by the
// snapshot's, ids prefixed, as one snapshot at the fold's own seq, so the
// other sites' state stands. m.mu is held.
func (m *merger) passSnapshot(site string, line []byte) time.Time {
	d := feed.Decode(line)
	if d.Err != nil || d.Event.Snapshot == nil {
		return time.Time{}
	}
	p := site + "/"
	mine := func(id string) bool { return strings.HasPrefix(id, p) }
	pre := func(id string) string {
		if id == "" {
			return ""
		}
		return p + id
	}
	cur, in := m.all.Snapshot(), d.Event.Snapshot
	var out feed.Snapshot
	for _, q := range cur.Queues {
		if !mine(q.Queue) {
			out.Queues = append(out.Queues, q)
		}
	}
	for _, q := range in.Queues {
		q.Queue, q.Name = pre(q.Queue), pre(q.Name)
		out.Queues = append(out.Queues, q)
	}
	for _, a := range cur.Agents {
		if !mine(a.Agent) {
			out.Agents = append(out.Agents, a)
		}
	}
	for _, a := range in.Agents {
		skills := make([]string, len(a.Queues))
		for i, q := range a.Queues {
			skills[i] = pre(q)
		}
		a.Agent, a.Name, a.Call, a.Queues = pre(a.Agent), pre(a.Name), pre(a.Call), skills
		out.Agents = append(out.Agents, a)
	}
	for _, c := range cur.Calls {
		if !mine(c.Call) {
			out.Calls = append(out.Calls, c)
		}
	}
	for _, c := range in.Calls {
		c.Call, c.Queue, c.Agent = pre(c.Call), pre(c.Queue), pre(c.Agent)
		out.Calls = append(out.Calls, c)
	}
	ts := d.Event.TS
	m.all.Ingest([][]byte{feed.Encode(&feed.Event{Type: feed.TypeSnapshot, Seq: m.seq, TS: ts, Snapshot: &out})})
	if ts.After(m.clock) {
		m.clock = ts
	}
	return ts
}

func (m *merger) seqJSON() json.RawMessage { return strconv.AppendInt(nil, m.seq, 10) }

// idFields name a queue, an agent or a call of the floor, wherever a line
// has them, and the name a queue.config or agent.state gives one (two
// sites' "Billing" must not look alike); a transfer's "to" is outside the
// floor and keeps its name.
var idFields = []string{"queue", "agent", "call", "name"}

func prefixIDs(site string, fields map[string]json.RawMessage) {
	for _, k := range idFields {
		var id string
		if raw, ok := fields[k]; ok && json.Unmarshal(raw, &id) == nil {
			fields[k], _ = json.Marshal(site + "/" + id)
		}
	}
	var skills []string
	if raw, ok := fields["queues"]; ok && json.Unmarshal(raw, &skills) == nil && skills != nil {
		for i, q := range skills {
			skills[i] = site + "/" + q
		}
		fields["queues"], _ = json.Marshal(skills)
	}
}

// announce tells the sites' fold that every site has caught up with the
// stream, with a hello announcing what it has: until then the views show
// the catch-up, as for one feed's history.
func (m *merger) announce() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.announced {
		return
	}
	m.announced = true
	ts := m.clock
	if ts.IsZero() {
		ts = time.Now()
	}
	m.all.Ingest([][]byte{feed.Encode(&feed.Event{Type: feed.TypeHello, V: 1, Feed: m.name, Stream: sitesStream, Seq: m.seq, TS: ts})})
}

// rebuild makes the sites' fold again from the stream after a new floor at
// one site: each site's messages from the start of its current floor to
// the last one folded, through a fold of its own (to know what became of
// each line), passed on as the live path passes them.
func (c *Client) rebuild(ctx context.Context) {
	m := c.merge
	m.mu.Lock()
	m.all.Reset(floor.New(m.opts))
	m.seq, m.gap, m.clock, m.announced = 0, false, time.Time{}, false
	for _, s := range c.sites {
		s.mu.Lock()
		from, to := s.floorStart, s.pos
		s.mu.Unlock()
		if from == 0 || to < from {
			continue
		}
		scratch := floor.New(c.fopts)
		first := true
		err := c.replay(ctx, s.subject, from, to, func(line []byte) {
			// The live path folds a snapshot only where the site started.
			skip := !first && lineKind(line) == feed.TypeSnapshot
			first = false
			if skip {
				return
			}
			o := scratch.IngestLine(line, floor.Live)
			if o == floor.Gap {
				// Live, the message is read again and then applied.
				m.pass(s.name, line, o)
				o = scratch.IngestLine(line, floor.Live)
			}
			m.pass(s.name, line, o)
		})
		if err != nil {
			why := "site " + s.name + ": rebuilding the sites' fold: " + err.Error()
			c.setStatus(func(st *feed.ConnStatus) { st.Err = why })
		}
	}
	m.mu.Unlock()
	if c.allCaughtUp() {
		m.announce()
	}
}

// replay hands fn each line of the subject's messages from stream
// sequence from to to, inclusive.
func (c *Client) replay(ctx context.Context, subject string, from, to uint64, fn func(line []byte)) error {
	cons, err := c.consumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject},
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from})
	if err != nil {
		return err
	}
	return eachMessage(ctx, cons, func(data []byte, md *jetstream.MsgMetadata) error {
		if md.Sequence.Stream > to {
			return errDone
		}
		feed.EachLine(data, func(line []byte) bool {
			fn(line)
			return true
		})
		if md.Sequence.Stream == to {
			return errDone
		}
		return nil
	})
}
