package queuelog

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
)

// Agents is the --agents file: the names one agent goes by in queue_log
// (an interface such as SIP/1001 or Local/1001@from-queue/n on ADDMEMBER, a
// member name such as Karthik on CONNECT and PAUSE, Agent/1001 or 1001 for
// an agent-pool login) joined to one id and display name:
//
//	agents:
//	  a017:
//	    name: Karthik Rao
//	    aka: [SIP/1001, PJSIP/1001, "Local/1001@from-queue/n", Karthik]
//
// Names match case-insensitively; the id itself matches too.
type Agents struct {
	entries []agentEntry
}

type agentEntry struct {
	id, name string
	aka      []string
}

// agentsFile is the YAML form of Agents.
type agentsFile struct {
	Agents map[string]struct {
		Name string   `yaml:"name"`
		Aka  []string `yaml:"aka"`
	} `yaml:"agents"`
}

// LoadAgents reads and checks an --agents file.
func LoadAgents(path string) (*Agents, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := ParseAgents(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ParseAgents reads an --agents file's YAML, rejecting unknown keys and a
// name claimed by two agents.
func ParseAgents(b []byte) (*Agents, error) {
	var f agentsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	ids := make([]string, 0, len(f.Agents))
	for id := range f.Agents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	owner := map[string]string{}
	a := &Agents{}
	for _, id := range ids {
		e := f.Agents[id]
		clean := safetext.Clean(strings.TrimSpace(id))
		if clean == "" {
			return nil, fmt.Errorf("agents: an agent id is empty")
		}
		entry := agentEntry{id: clean, name: label(safetext.Clean(strings.TrimSpace(e.Name)))}
		if len(clean) > maxText {
			return nil, fmt.Errorf("agents: an id is %d bytes long; at most %d", len(clean), maxText)
		}
		for _, n := range append([]string{id}, e.Aka...) {
			n = safetext.Clean(strings.TrimSpace(n))
			k := nameKey(n)
			if k == "" {
				return nil, fmt.Errorf("agents: %s: an empty name in aka", clean)
			}
			if o, dup := owner[k]; dup && o != clean {
				return nil, fmt.Errorf("agents: %q is listed for both %s and %s", n, o, clean)
			}
			owner[k] = clean
			entry.aka = append(entry.aka, n)
		}
		a.entries = append(a.entries, entry)
	}
	return a, nil
}

// nameKey is how names compare: case-insensitively, spaces around ignored.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// resource is an interface's device part, "1001" of SIP/1001, PJSIP/1001,
// Agent/1001 and Local/1001@from-queue/n; "" for a plain member name.
func resource(name string) string {
	_, rest, ok := strings.Cut(name, "/")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "@/"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// maxAgents and maxNames bound the agents, and the spellings of them, one
// file can make up.
const maxAgents, maxNames = 20_000, 100_000

// roster joins the names queue_log uses for agents into agents. Without an
// --agents file it joins a name to a known agent when they are equal
// ignoring case, or when one is an interface whose device part is the
// other's name or device part (SIP/1001, Local/1001@from-queue/n and a
// member named 1001 are one agent); the first spelling seen is the id.
type roster struct {
	byKey  map[string]*agent
	byRes  map[string]*agent // device part → agent; nil when two agents share it
	list   []*agent
	listed bool // an --agents file was given
}

func newRoster(a *Agents) *roster {
	r := &roster{byKey: map[string]*agent{}, byRes: map[string]*agent{}}
	if a == nil {
		return r
	}
	r.listed = true
	for _, e := range a.entries {
		ag := r.add(e.id)
		ag.name = e.name
		for _, n := range e.aka {
			r.index(ag, n)
		}
		ag.fileNames = len(ag.names)
	}
	return r
}

// find is the agent a name stands for, nil when none is known.
func (r *roster) find(name string) *agent {
	if a := r.byKey[nameKey(name)]; a != nil {
		return a
	}
	res := resource(name)
	if res == "" {
		res = name
	}
	return r.byRes[nameKey(res)]
}

// get is the agent a name stands for, made when new (nil past maxAgents).
func (r *roster) get(name string) *agent {
	a := r.find(name)
	if a == nil {
		if len(r.list) >= maxAgents {
			return nil
		}
		a = r.add(name)
	}
	r.index(a, name)
	return a
}

func (r *roster) add(id string) *agent {
	a := &agent{id: id, skills: map[string]bool{}, paused: map[string]string{}, removed: map[string]bool{}}
	r.list = append(r.list, a)
	return a
}

// index remembers a name of a, and its device part for joining later names.
func (r *roster) index(a *agent, name string) {
	k := nameKey(name)
	if _, ok := r.byKey[k]; ok || len(r.byKey) >= maxNames {
		return
	}
	r.byKey[k] = a
	a.names = append(a.names, name)
	res := resource(name)
	if res == "" {
		res = name
	}
	rk := nameKey(res)
	if o, ok := r.byRes[rk]; !ok {
		r.byRes[rk] = a
	} else if o != a {
		r.byRes[rk] = nil // two agents share the device part: join neither by it
	}
}

// maxNoteNames bounds the names one note lists.
const maxNoteNames = 12

// notes say which names could not be joined, so the user can write or
// complete an --agents file.
func (r *roster) notes() []string {
	var ifaceOnly, nameOnly, unlisted []string
	for _, a := range r.list {
		if r.listed {
			unlisted = append(unlisted, a.names[a.fileNames:]...)
			continue
		}
		switch {
		case a.seenMember && !a.seenActivity:
			ifaceOnly = append(ifaceOnly, a.names...)
		case a.seenActivity && !a.seenMember:
			nameOnly = append(nameOnly, a.names...)
		}
	}
	var out []string
	if len(unlisted) > 0 {
		out = append(out, "agent names not in the --agents file (joined by name or device where they could be): "+nameList(unlisted))
	}
	if len(ifaceOnly) > 0 && len(nameOnly) > 0 {
		out = append(out, fmt.Sprintf("could not join agent names: %s logged in (ADDMEMBER, AGENTLOGIN) but took no call; %s took calls but never logged in. If they are the same people, join them with --agents FILE",
			nameList(ifaceOnly), nameList(nameOnly)))
	}
	return out
}

func nameList(names []string) string {
	if len(names) <= maxNoteNames {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNoteNames], ", "), len(names)-maxNoteNames)
}

// agent is one agent as queue_log shows them, and what the feed was last
// told of them.
type agent struct {
	id, name     string
	names        []string // every spelling seen, the --agents file's first
	fileNames    int      // how many of names the --agents file gave
	seenMember   bool     // in an ADDMEMBER, REMOVEMEMBER or agent login line
	seenActivity bool     // in a call line

	skills      map[string]bool   // the queues they are a member of
	removed     map[string]bool   // queues they left, which a late line does not add back
	paused      map[string]string // queue → pause reason; "*": all, before any queue was known
	pauseReason string            // the latest pause's
	pool        bool              // logged in to the agent pool (AGENTLOGIN)
	member      bool              // logged in: a member of a queue or of the pool
	talking     int               // calls in conversation
	wrapUntil   time.Time

	last                             time.Time // its newest event: an agent's events never go back in time
	sentState, sentReason, sentQueue string
}

// state is what the agent is doing at ts: a call and its wrap-up come
// first, so a pause or a logoff during a call shows when it is over.
func (a *agent) state(ts time.Time) (state, reason string) {
	switch {
	case a.talking > 0:
		return feed.StateOnCall, ""
	case ts.Before(a.wrapUntil):
		return feed.StateWrapUp, ""
	case !a.member:
		return feed.StateOffline, ""
	case a.allPaused():
		return feed.StateAux, a.pauseReason
	}
	return feed.StateAvailable, ""
}

// allPaused: paused in every queue they are in, so they take no call.
func (a *agent) allPaused() bool {
	if len(a.paused) == 0 {
		return false
	}
	for q := range a.skills {
		if _, ok := a.paused[q]; !ok {
			return false
		}
	}
	return true
}

// touch tells the feed the agent's state at ts, if it changed.
func (c *Converter) touch(a *agent, ts time.Time) {
	state, reason := a.state(ts)
	skills := make([]string, 0, len(a.skills))
	for q := range a.skills {
		skills = append(skills, q)
	}
	sort.Strings(skills)
	queues := strings.Join(skills, "\n")
	if state == a.sentState && reason == a.sentReason && queues == a.sentQueue {
		return
	}
	a.sentState, a.sentReason, a.sentQueue = state, reason, queues
	if ts.Before(a.last) {
		ts = a.last
	}
	a.last = ts
	c.push(ts, &feed.Event{Type: feed.TypeAgentState, Agent: a.id, Name: a.name, State: state,
		Reason: reason, Skills: skills, HasSkills: true})
}
