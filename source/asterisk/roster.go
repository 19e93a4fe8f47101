package asterisk

import (
	"fmt"
	"strings"
)

// MaxAgents and maxNames bound the agents, and the spellings of them, a
// source can be made to hold.
const MaxAgents, maxNames = 20_000, 100_000

// Ident is who an agent is: the id and display name the feed shows, and
// the names Asterisk has used for them.
type Ident struct {
	ID, Name string
	// SeenMember: named where they join or leave a queue; SeenActivity:
	// named on a call. An agent seen only one way may be another one's
	// other name, which the notes point out.
	SeenMember, SeenActivity bool

	names     []string // every spelling seen, the --agents file's first
	fileNames int      // how many of names the --agents file gave
}

// Identity is the agent's Ident, for a source's agent type that embeds it.
func (i *Ident) Identity() *Ident { return i }

// Member is a source's agent type: a pointer to a struct embedding Ident.
type Member interface {
	comparable
	Identity() *Ident
}

// Roster joins the names Asterisk uses for agents into agents. Without an
// --agents file it joins a name to a known agent when they are equal
// ignoring case, or when one is an interface whose device part is the
// other's name or device part (SIP/1001, Local/1001@from-queue/n and a
// member named 1001 are one agent); the first spelling seen is the id.
type Roster[M Member] struct {
	byKey  map[string]M
	byRes  map[string]M // device part → agent; the zero M when two agents share it
	list   []M
	listed bool // an --agents file was given
	make   func(id string) M
}

// NewRoster starts a roster with the --agents file's agents (a may be
// nil); make makes a source's agent for an id.
func NewRoster[M Member](a *Agents, make func(id string) M) *Roster[M] {
	r := &Roster[M]{byKey: map[string]M{}, byRes: map[string]M{}, make: make}
	if a == nil {
		return r
	}
	r.listed = true
	for _, e := range a.entries {
		m := r.add(e.id)
		id := m.Identity()
		id.Name = e.name
		for _, n := range e.aka {
			r.Index(m, n)
		}
		id.fileNames = len(id.names)
	}
	return r
}

// Find is the agent a name stands for; false when none is known.
func (r *Roster[M]) Find(name string) (M, bool) {
	if m, ok := r.byKey[nameKey(name)]; ok {
		return m, true
	}
	res := resource(name)
	if res == "" {
		res = name
	}
	var zero M
	m, ok := r.byRes[nameKey(res)]
	return m, ok && m != zero
}

// Get is the agent a name stands for, made when new; false past MaxAgents.
func (r *Roster[M]) Get(name string) (M, bool) {
	m, ok := r.Find(name)
	if !ok {
		if len(r.list) >= MaxAgents {
			return m, false
		}
		m = r.add(name)
	}
	r.Index(m, name)
	return m, true
}

// Agents are every agent, in the order they were first named.
func (r *Roster[M]) Agents() []M { return r.list }

func (r *Roster[M]) add(id string) M {
	m := r.make(id)
	r.list = append(r.list, m)
	return m
}

// Index remembers name as one of m's names, and its device part for
// joining later names. A source whose records name an agent two ways at
// once (an interface and a member name) indexes both.
func (r *Roster[M]) Index(m M, name string) {
	k := nameKey(name)
	if _, ok := r.byKey[k]; ok || k == "" || len(r.byKey) >= maxNames {
		return
	}
	r.byKey[k] = m
	id := m.Identity()
	id.names = append(id.names, name)
	res := resource(name)
	if res == "" {
		res = name
	}
	rk := nameKey(res)
	if o, ok := r.byRes[rk]; !ok {
		r.byRes[rk] = m
	} else if o != m {
		var zero M
		r.byRes[rk] = zero // two agents share the device part: join neither by it
	}
}

// maxNoteNames bounds the names one note lists.
const maxNoteNames = 12

// Notes say which names could not be joined, so the user can write or
// complete an --agents file; loggedIn names the records that make an agent
// a member (for queue_log, "ADDMEMBER, AGENTLOGIN").
func (r *Roster[M]) Notes(loggedIn string) []string {
	var ifaceOnly, nameOnly, unlisted []string
	for _, m := range r.list {
		a := m.Identity()
		if r.listed {
			unlisted = append(unlisted, a.names[a.fileNames:]...)
			continue
		}
		switch {
		case a.SeenMember && !a.SeenActivity:
			ifaceOnly = append(ifaceOnly, a.names...)
		case a.SeenActivity && !a.SeenMember:
			nameOnly = append(nameOnly, a.names...)
		}
	}
	var out []string
	if len(unlisted) > 0 {
		out = append(out, "agent names not in the --agents file (joined by name or device where they could be): "+NameList(unlisted))
	}
	if len(ifaceOnly) > 0 && len(nameOnly) > 0 {
		out = append(out, fmt.Sprintf("could not join agent names: %s logged in (%s) but took no call; %s took calls but never logged in. If they are the same people, join them with --agents FILE",
			NameList(ifaceOnly), loggedIn, NameList(nameOnly)))
	}
	return out
}

// NameList lists names for a note, the first dozen and how many more.
func NameList(names []string) string {
	if len(names) <= maxNoteNames {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNoteNames], ", "), len(names)-maxNoteNames)
}
