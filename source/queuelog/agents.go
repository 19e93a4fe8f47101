package queuelog

import (
	"sort"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source/asterisk"
)

// roster joins the names queue_log uses for agents (asterisk.Roster).
type roster = asterisk.Roster[*agent]

func newRoster(a *asterisk.Agents) *roster {
	return asterisk.NewRoster(a, func(id string) *agent {
		return &agent{Ident: asterisk.Ident{ID: id}, skills: map[string]bool{}, paused: map[string]string{}, removed: map[string]bool{}}
	})
}

// loggedIn names the lines that make an agent a member, for the roster's
// notes.
const loggedIn = "ADDMEMBER, AGENTLOGIN"

// agent is one agent as queue_log shows them, and what the feed was last
// told of them. SeenMember: in an ADDMEMBER, REMOVEMEMBER or agent login
// line; SeenActivity: in a call line.
type agent struct {
	asterisk.Ident

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
	c.push(ts, &feed.Event{Type: feed.TypeAgentState, Agent: a.ID, Name: a.Name, State: state,
		Reason: reason, Skills: skills, HasSkills: true})
}
