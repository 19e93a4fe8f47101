package floor

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

func channelOf(t *testing.T, list []ChannelReport, ch string) ChannelReport {
	t.Helper()
	for _, c := range list {
		if c.Channel == ch {
			return c
		}
	}
	t.Fatalf("no channel %q in %+v", ch, list)
	return ChannelReport{}
}

// channelFloor: q1 (exclude_short, 20 s, 80 %) holds chats to 60 s and
// 90 %, emails to 4 h and 70 %; q2 (abandons_in_sl_good, 30 s) has no goal
// by channel. Figures worked out in TestChannelFiguresWorkedByHand.
func channelFloor(t *testing.T, opts Options) *script {
	s := newScript(t, opts)
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20, "sl_target", 0.8, "short_abandon_s", 5,
		"channel_goals", map[string]any{"chat": map[string]any{"sl_threshold_s": 60, "sl_target": 0.9},
			"email": map[string]any{"sl_threshold_s": 14400, "sl_target": 0.7}})
	s.must(0, "queue.config", "queue", "q2", "sl_threshold_s", 30, "sl_mode", "abandons_in_sl_good")
	s.must(0, "call.offered", "call", "v1", "queue", "q1")                   // no channel: voice
	s.must(0, "call.offered", "call", "v2", "queue", "q1", "channel", "")    // empty: voice
	s.must(0, "call.offered", "call", "v3", "queue", "q1", "channel", 7)     // not a string: voice
	s.must(0, "call.offered", "call", "s1", "queue", "q2", "channel", "sms") // a channel of its own, kept
	for _, c := range []string{"h1", "h2", "h3"} {
		s.must(0, "call.offered", "call", c, "queue", "q1", "channel", "chat")
	}
	s.must(0, "call.offered", "call", "e1", "queue", "q1", "channel", "email")
	s.must(0, "call.offered", "call", "e2", "queue", "q1", "channel", "email")
	s.must(0, "call.offered", "call", "k1", "queue", "q2", "channel", "chat")
	s.must(0, "call.offered", "call", "k2", "queue", "q2", "channel", "chat")
	s.must(3, "call.abandoned", "call", "v3", "queue", "q1")                    // short
	s.must(5, "call.answered", "call", "s1", "queue", "q2", "agent", "a3")      // within 30
	s.must(10, "call.abandoned", "call", "k2", "queue", "q2")                   // not short, within 30
	s.must(15, "call.answered", "call", "v1", "queue", "q1", "agent", "a4")     // within 20
	s.must(30, "call.answered", "call", "v2", "queue", "q1", "agent", "a5")     // late
	s.must(40, "call.answered", "call", "k1", "queue", "q2", "agent", "a3")     // late
	s.must(45, "call.answered", "call", "h1", "queue", "q1", "agent", "a1")     // within 60 (late for a voice call)
	s.must(50, "call.abandoned", "call", "h3", "queue", "q1")                   // not short; SL counts it
	s.must(70, "call.answered", "call", "h2", "queue", "q1", "agent", "a1")     // late; a1's second chat at once
	s.must(200, "call.transferred", "call", "h2", "agent", "a1", "queue", "q2") // a chat again in q2
	s.must(220, "call.answered", "call", "h2", "queue", "q2", "agent", "a2")    // 20 s in q2: within 30
	s.must(300, "call.ended", "call", "h1", "agent", "a1")                      //
	s.must(345, "call.wrapped", "call", "h1", "agent", "a1")                    // AHT 300
	s.must(10800, "call.answered", "call", "e1", "queue", "q1", "agent", "a6")  // 3 h: within 4 h
	s.must(17000, "call.offered", "call", "h4", "queue", "q1", "channel", "chat")
	s.must(18000, "call.answered", "call", "e2", "queue", "q1", "agent", "a6") // 5 h: late
	return s
}

func TestChannelFiguresWorkedByHand(t *testing.T) {
	r := channelFloor(t, Options{}).f.Report(All)
	// q1: answered v1 v2 h1 h2 e1 e2, within v1 h1 e1, abandoned v3 (short)
	// and h3: 3 / (6 + 2 - 1). Its goal: the targets its calls were held to,
	// (0.8×2 + 0.9×3 + 0.7×2) / 7.
	q1 := queueOf(t, r, "q1")
	approx(t, "q1 service_level", q1.ServiceLevel, 3.0/7)
	approx(t, "q1 sl_target", &q1.SLTarget, 5.7/7)
	eq(t, "q1 channels", len(q1.Channels), 3)
	voice, chat, email := channelOf(t, q1.Channels, "voice"), channelOf(t, q1.Channels, "chat"), channelOf(t, q1.Channels, "email")
	approx(t, "q1 voice SL", voice.ServiceLevel, 1.0/2) // v1 / (2 + 1 - 1)
	approx(t, "q1 voice ASA", voice.ASAS, 22.5)
	approx(t, "q1 voice abandon rate", voice.AbandonRate, 0) // (1 - 1) / (3 - 1)
	eq(t, "q1 voice goal", [2]float64{voice.SLThresholdS, voice.SLTarget}, [2]float64{20, 0.8})
	approx(t, "q1 chat SL", chat.ServiceLevel, 1.0/3) // h1 / (h1 h2 + h3)
	eq(t, "q1 chat offered", chat.Offered, 4)
	approx(t, "q1 chat ASA", chat.ASAS, 57.5)
	approx(t, "q1 chat AHT", chat.AHTS, 300)
	approx(t, "q1 chat abandon rate", chat.AbandonRate, 0.25)
	eq(t, "q1 chat waiting", chat.Waiting, 1)
	approx(t, "q1 chat longest wait", chat.LongestWaitS, 1000)
	eq(t, "q1 chat goal", [2]float64{chat.SLThresholdS, chat.SLTarget}, [2]float64{60, 0.9})
	approx(t, "q1 email SL", email.ServiceLevel, 0.5)
	approx(t, "q1 email ASA", email.ASAS, 14400)
	eq(t, "q1 email goal", [2]float64{email.SLThresholdS, email.SLTarget}, [2]float64{14400, 0.7})
	isNull(t, "q1 email longest wait", email.LongestWaitS)

	// q2 (abandons_in_sl_good): answered s1 (within), k1 (late) and the
	// transferred chat h2 (within), abandoned k2 within 30 s: (2 + 1) / 4.
	q2 := queueOf(t, r, "q2")
	approx(t, "q2 service_level", q2.ServiceLevel, 0.75)
	q2chat := channelOf(t, q2.Channels, "chat")
	eq(t, "q2 chats offered (k1, k2 and the transferred h2)", q2chat.Offered, 3)
	approx(t, "q2 chat SL", q2chat.ServiceLevel, 2.0/3) // (h2 + k2) / (2 + 1)

	// The floor's channels, sorted: each one's SL is the queues' numerators
	// over their denominators, each queue by its own mode: chat is
	// (1 + 2) / (3 + 3), not the mean of 1/3 and 2/3.
	var names []string
	for _, c := range r.Channels {
		names = append(names, c.Channel)
	}
	if !slices.Equal(names, []string{"chat", "email", "sms", "voice"}) {
		t.Errorf("channels %v", names)
	}
	fc := channelOf(t, r.Channels, "chat")
	eq(t, "floor chat offered", fc.Offered, 7)
	eq(t, "floor chat answered", fc.Answered, 4)
	eq(t, "floor chat answered_within", fc.AnsweredWithin, 2)
	eq(t, "floor chat abandoned", fc.Abandoned, 2)
	approx(t, "floor chat SL", fc.ServiceLevel, 0.5)
	approx(t, "floor chat ASA", fc.ASAS, (45+70+40+20)/4.0)
	approx(t, "floor chat abandon rate", fc.AbandonRate, 2.0/7)
	approx(t, "floor chat goal", &fc.SLTarget, (0.9*3+0.8*3)/6)
	approx(t, "floor sms SL", channelOf(t, r.Channels, "sms").ServiceLevel, 1)
	approx(t, "floor sl_target", &r.Floor.SLTarget, (5.7+0.8*4)/11)
	var offered int64
	for _, c := range r.Channels {
		offered += c.Offered
	}
	eq(t, "channels' offers add up to the floor's", offered, r.Floor.Offered)

	// The contract's fields, and no others.
	b, _ := json.Marshal(r)
	var out struct {
		Channels []map[string]any `json:"channels"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range out.Channels[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"abandon_rate", "abandoned", "aht_s", "answered", "answered_within", "asa_s", "channel", "longest_wait_s",
		"offered", "service_level", "short_abandoned", "waiting"}
	if !slices.Equal(keys, want) {
		t.Errorf("channel keys %v, want %v", keys, want)
	}
}

// A goals file's channel goals override the feed's, thresholds written as a
// person reads them.
func TestChannelGoalsFromTheGoalsFile(t *testing.T) {
	g, err := ParseGoals([]byte(`queues:
  q1:
    channel_goals:
      chat: {sl_threshold_s: 2m}            # h2's 70 s is now within
      email: {sl_threshold_s: 4h, sl_target: 0.75}
  q2:
    sl_threshold_s: "30s"
    channel_goals:
      chat: {sl_threshold_s: 15}            # h2's 20 s in q2 is late; k2's 10 s abandon within
      social: {sl_threshold_s: 1h30m}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := channelFloor(t, Options{Goals: g})
	r := s.f.Report(All)
	q1, q2 := queueOf(t, r, "q1"), queueOf(t, r, "q2")
	chat := channelOf(t, q1.Channels, "chat")
	approx(t, "q1 chat SL", chat.ServiceLevel, 2.0/3)
	eq(t, "q1 chat goal", [2]float64{chat.SLThresholdS, chat.SLTarget}, [2]float64{120, 0.9}) // the feed's target kept
	email := channelOf(t, q1.Channels, "email")
	eq(t, "q1 email goal", [2]float64{email.SLThresholdS, email.SLTarget}, [2]float64{14400, 0.75})
	approx(t, "q1 SL", q1.ServiceLevel, 4.0/7)
	approx(t, "q2 chat SL", channelOf(t, q2.Channels, "chat").ServiceLevel, 1.0/3) // (0 + k2) / 3
	goal := s.f.goal(s.f.queues["q2"])
	if th, target := goal.Goal("social"); th != 5400 || target != 0.8 {
		t.Errorf("q2 social goal %v, %v: want 1h30m and the queue's target", th, target)
	}
	if s.f.queues["q1"].cfg.ChannelGoals["chat"].SLThresholdS != 60 {
		t.Error("the goals file changed the feed's own config")
	}
}

func TestSecondsReadAsAPersonWritesThem(t *testing.T) {
	for in, want := range map[string]float64{"20": 20, `"20"`: 20, "20.5": 20.5, "60s": 60, "4h": 14400, "1h30m": 5400, "1d": 86400, "0s": 0} {
		g, err := ParseGoals([]byte("queues: {q: {sl_threshold_s: " + in + "}}"))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := float64(*g.Queues["q"].SLThresholdS); got != want {
			t.Errorf("%s read as %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{"soon", "-5s", "[1]", `{chat: {sl_threshold_s: -1}}`, `{"": {sl_target: 0.5}}`, `{chat: {sl_target: 2}}`} {
		field := "sl_threshold_s: " + in
		if in[0] == '{' {
			field = "channel_goals: " + in
		}
		if _, err := ParseGoals([]byte("queues: {q: {" + field + "}}")); err == nil {
			t.Errorf("%s was accepted", field)
		}
	}
}

// The figures by channel are counted in every window.
func TestChannelsInEveryWindow(t *testing.T) {
	s := channelFloor(t, Options{})
	r := s.f.Report(Rolling(2 * time.Hour)) // 13000..18000 s: h4 offered, e2 answered
	eq(t, "chat offered in 2 h", channelOf(t, r.Channels, "chat").Offered, 1)
	eq(t, "email answered in 2 h", channelOf(t, r.Channels, "email").Answered, 1)
	eq(t, "voice offered in 2 h", channelOf(t, r.Channels, "voice").Offered, 0) // listed: offered on this floor
	today := s.f.Report(Today)
	if !reflect.DeepEqual(today.Channels, s.f.Report(All).Channels) {
		t.Error("today and all differ on a floor of one day")
	}
}

// An agent may hold several conversations at once (chats): the fold takes
// an answer from an agent on a call, and names the one answered first.
func TestAgentOnTwoChats(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", []string{"q1"})
	s.must(0, "call.offered", "call", "x2", "queue", "q1", "channel", "chat")
	s.must(0, "call.offered", "call", "x1", "queue", "q1", "channel", "chat")
	s.must(5, "call.answered", "call", "x2", "queue", "q1", "agent", "a1")
	s.must(5, "agent.state", "agent", "a1", "state", "on_call")
	s.must(9, "call.answered", "call", "x1", "queue", "q1", "agent", "a1") // while on a call
	for range 3 {
		eq(t, "a1's call", agentOf(t, s.f.Report(All), "a1").Call, "x2")
		eq(t, "a1's call in a snapshot", s.f.Snapshot().Agents[0].Call, "x2")
	}
	s.must(60, "call.ended", "call", "x2", "agent", "a1")
	eq(t, "a1's call once x2 ended", agentOf(t, s.f.Report(All), "a1").Call, "x1")
	a := agentOf(t, s.f.Report(All), "a1")
	eq(t, "a1 handled", a.Handled, 2)
	approx(t, "a1 occupancy", a.Occupancy, 55.0/60)
}

// A chat a snapshot lists, waiting, is listed under its channel, though no
// offer of it was seen.
func TestChannelOfASnapshotCall(t *testing.T) {
	s := newScript(t, Options{})
	s.must(0, "snapshot", "queues", []any{}, "agents", []any{}, "calls", []any{
		map[string]any{"call": "w1", "queue": "q1", "offered": ts(-30), "channel": "chat"}})
	r := s.f.Report(All)
	c := channelOf(t, r.Channels, "chat")
	eq(t, "offered", c.Offered, 0)
	eq(t, "waiting", c.Waiting, 1)
	approx(t, "longest", c.LongestWaitS, 30)
}
