package simulator

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/erlang"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

func omnichannel(t testing.TB) *Scenario {
	t.Helper()
	b, err := os.ReadFile("testdata/omnichannel.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func fold(t *testing.T, rec []byte) *floor.Floor {
	t.Helper()
	f := floor.New(floor.Options{})
	for _, line := range bytes.Split(bytes.TrimSuffix(rec, []byte("\n")), []byte("\n")) {
		if out := f.IngestLine(line, floor.Recording); out != floor.Applied {
			t.Fatalf("line %s: %v", line, out)
		}
	}
	return f
}

// The queues carry their channel goals in queue.config, each call its
// channel; the fold of the run counts what the simulator counted, each call
// held to its channel's goal, and finds each channel's calls where the
// lines put them.
func TestChannelsFoldToCounters(t *testing.T) {
	t.Parallel()
	sc := omnichannel(t)
	rec, s := record(t, sc, Options{})
	evs := decode(t, strings.Split(strings.TrimSuffix(string(rec), "\n"), "\n"))
	if c := evs[0].Config; evs[0].Type != feed.TypeQueueConfig || c.SLThresholdS != 20 ||
		c.ChannelGoals["chat"] != (feed.ChannelGoal{SLThresholdS: 60, SLTarget: 0.85}) {
		t.Fatalf("calls' queue.config: %+v", evs[0])
	}
	// A transfer is a new offer in its queue, of the call's channel.
	offers, channel := map[string]int64{}, map[string]string{}
	for _, ev := range evs {
		switch ev.Type {
		case feed.TypeOffered:
			channel[ev.Call] = ev.Channel
			offers[ev.Channel]++
		case feed.TypeTransferred:
			offers[channel[ev.Call]]++
		}
	}
	if offers["chat"] == 0 || offers["email"] == 0 {
		t.Fatalf("offers by channel: %v", offers)
	}
	rep := fold(t, rec).Report(floor.All)
	var total Counters
	for _, c := range s.Counters() {
		total = total.Add(c)
		compare(t, c.Queue, c, rep.Queues[indexOf(t, rep, c.Queue)].Metrics)
	}
	compare(t, "floor", total, rep.Floor)
	if len(rep.Channels) != 3 {
		t.Fatalf("channels %+v", rep.Channels)
	}
	for _, ch := range rep.Channels {
		if ch.Offered != offers[ch.Channel] {
			t.Errorf("%s: %d offered in the fold, %d lines", ch.Channel, ch.Offered, offers[ch.Channel])
		}
	}
	email := rep.Queues[indexOf(t, rep, "email")]
	if email.Abandoned != 0 || email.Answered != email.Offered || email.Offered == 0 {
		t.Errorf("emails never hang up and are all answered: %+v", email.Metrics)
	}
	calls := rep.Queues[indexOf(t, rep, "calls")]
	if chat := calls.Channels; len(chat) != 2 || chat[0].Channel != "chat" || chat[0].Offered == 0 || chat[0].SLThresholdS != 60 {
		t.Errorf("escalated chats in calls: %+v", chat)
	}
}

// An agent never holds more conversations than the queues allow, a call
// only alone; the feed shows them on a call while any conversation is open
// (answering the next chat while on one), in wrap-up while only wrap-ups
// are; and no occupancy passes 100 %.
func TestConcurrencySanity(t *testing.T) {
	t.Parallel()
	sc := omnichannel(t)
	rec, _ := record(t, sc, Options{})
	evs := decode(t, strings.Split(strings.TrimSuffix(string(rec), "\n"), "\n"))
	type conv struct{ queue, state string }
	open := map[string]map[string]*conv{} // agent → call → what it is
	state := map[string]string{}
	most := 0
	for i, ev := range evs {
		switch ev.Type {
		case feed.TypeAgentState:
			state[ev.Agent] = ev.State
		case feed.TypeAnswered:
			if open[ev.Agent] == nil {
				open[ev.Agent] = map[string]*conv{}
			}
			open[ev.Agent][ev.Call] = &conv{ev.Queue, "talk"}
		case feed.TypeEnded:
			open[ev.Agent][ev.Call].state = "wrap"
		case feed.TypeWrapped, feed.TypeTransferred:
			delete(open[ev.Agent], ev.Call)
		}
		if i+1 < len(evs) && evs[i+1].TS.Equal(ev.TS) {
			continue // the instant is not over
		}
		for a, convs := range open {
			n, talking := len(convs), false
			for _, c := range convs {
				talking = talking || c.state == "talk"
				if limit := map[string]int{"calls": 1, "email": 1, "chat": 3}[c.queue]; n > limit {
					t.Fatalf("at %v %s holds %d conversations, one of %s", ev.TS, a, n, c.queue)
				}
			}
			most = max(most, n)
			want := ""
			switch {
			case talking:
				want = feed.StateOnCall
			case n > 0:
				want = feed.StateWrapUp
			}
			if st := state[a]; want != "" && st != want || want == "" && (st == feed.StateOnCall || st == feed.StateWrapUp) {
				t.Fatalf("at %v %s is %q on the feed with %d conversations open", ev.TS, a, st, n)
			}
		}
	}
	if most != 3 {
		t.Errorf("at most %d conversations at once: the chats' concurrency is 3", most)
	}
	f := fold(t, rec)
	for _, w := range []floor.Window{floor.All, floor.Rolling(15 * time.Minute)} {
		rep := f.Report(w)
		occ := []*float64{rep.Floor.Occupancy}
		for _, q := range rep.Queues {
			occ = append(occ, q.Occupancy)
		}
		for _, a := range rep.Agents {
			occ = append(occ, a.Occupancy)
		}
		for _, o := range occ {
			if o != nil && *o > 1 {
				t.Fatalf("%v: occupancy %v", w, *o)
			}
		}
	}
}

// chatFloor is an M/M/N(+M) floor of chats: n agents taking up to conc at
// once, exponential handling, no wrap-up.
func chatFloor(n, conc int, perHour float64, patienceS *float64, dur time.Duration, seed int64) *Scenario {
	sc := mmn(n, perHour, 60, patienceS, dur, seed)
	sc.Queues[0].Channel, sc.Queues[0].Concurrency = "chat", conc
	return sc
}

// With the same chats arriving (common random numbers), each more that an
// agent may hold at once serves more of them within the goal.
func TestChatServiceLevelRisesWithConcurrency(t *testing.T) {
	t.Parallel()
	var sls []float64
	var first []offer
	for conc := 1; conc <= 3; conc++ {
		lines, s := play(t, chatFloor(4, conc, 480, ptr(120), 8*time.Hour, 3), Options{})
		a := arrivals(t, lines)
		if first == nil {
			first = a
		} else if len(a) != len(first) || a[0] != first[0] || a[len(a)-1] != first[len(first)-1] {
			t.Fatalf("concurrency %d met other chats", conc)
		}
		sl, _ := s.Counters()[0].ServiceLevel()
		t.Logf("concurrency %d: SL %.3f", conc, sl)
		if len(sls) > 0 && sl <= sls[len(sls)-1] {
			t.Errorf("concurrency %d: SL %.3f, no higher than %.3f with one fewer", conc, sl, sls[len(sls)-1])
		}
		sls = append(sls, sl)
	}
}

// Agents holding up to c chats each, each chat handled as long whatever
// else the agent holds, are n×c servers: the floor is M/M/(n·c), and its
// figures are Erlang C's.
func TestChatConcurrencyMatchesErlang(t *testing.T) {
	t.Parallel()
	const aht, thr, n, conc, load = 60.0, 20.0, 4, 3, 9.6 // 12 servers at ρ = 0.8
	perHour := load / aht * 3600
	st := collect(t, chatFloor(n, conc, perHour, nil, 300*time.Hour, 21), thr)
	m := erlang.NewA(n*conc, perHour/3600, aht, 0)
	t.Logf("%d chats", st.calls)
	checkFigure(t, "P(wait)", st.pWait, m.PWait(), 1e-3)
	checkFigure(t, "SL", st.sl, m.ServiceLevel(thr), 1e-3)
	checkFigure(t, "ASA", st.asa, m.ASA(), 1e-3)
}

func TestChannelScenarioErrors(t *testing.T) {
	base := "duration: 1h\nqueues: [{queue: s, aht_s: 100, calls_per_hour: 10, %s}]\nagents: [{count: 2, queues: [s]}]\n"
	for field, want := range map[string]string{
		"concurrency: 2":                                "a voice call takes the whole agent",
		"channel: chat, concurrency: 99":                "concurrency: must be 1 to 20",
		"channel_goals: {chat: {sl_target: 1.5}}":       "channel_goals.chat.sl_target: must be between 0 and 1",
		"channel_goals: {chat: {threshold: 60}}":        `a channel goal has no key "threshold"`,
		"channel_goals: {chat: {sl_threshold_s: soon}}": `"soon" is not a time`,
		"sl_threshold_s: -1s":                           "sl_threshold_s: must be 0 or more seconds",
	} {
		_, err := Parse([]byte(strings.Replace(base, "%s", field, 1)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", field, err, want)
		}
	}
}
