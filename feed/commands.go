package feed

import (
	"encoding/json"
	"io"
	"time"
)

// A drill's supervisor acts by sending commands on the feed's WebSocket,
// one JSON object a text frame (DESIGN.md "Drills"). The server only
// carries them: ServerOptions.OnCommand hands each frame to the drill, which
// answers with a drill.action it publishes like any event. A feed that is
// not a drill has no OnCommand and closes the sender with CloseNotADrill.

// The commands of a drill, as a drill.command names them.
const (
	CommandMove     = "move"      // agent: their skills become queues
	CommandRelease  = "release"   // agent: their aux ends now
	CommandOvertime = "overtime"  // count agents on queues log in now, off after for
	CommandSendHome = "send_home" // agent: logs off after their call
	CommandOverflow = "overflow"  // queue: calls waiting over after_s move to to
	CommandCallback = "callback"  // queue: callers waiting over after_s take a call back
)

// CloseNotADrill is the close code a feed that takes no command (a plain
// simulation, a bridge) ends the connection of a client that sent one.
const CloseNotADrill = 4403

// notADrill is the close reason the contract gives with CloseNotADrill.
const notADrill = "refused: not a drill"

// commandGap is the least time between two commands of one connection. A
// supervisor acts every few seconds; a client that sends faster is read
// more slowly, so that it cannot fill the feed with drill.actions.
const commandGap = 50 * time.Millisecond

// CommandByToken is who a command came from on a feed that requires a
// token: whoever holds it. On an open feed it is the sender's address.
const CommandByToken = "token"

// command hands a text frame the client sent to the drill, or closes a
// client that sent one to a feed that is not a drill.
func (c *client) command(r io.Reader) error {
	frame, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	on := c.s.opt.OnCommand
	if on == nil {
		// The writer sends the close; the reader goes on until it lands.
		c.s.mu.Lock()
		c.s.dropLocked(c, CloseNotADrill, notADrill)
		c.s.mu.Unlock()
		return nil
	}
	by := CommandByToken
	if c.s.opt.Token == "" {
		by = c.ws.RemoteAddr().String()
	}
	on(frame, by)
	time.Sleep(commandGap)
	return nil
}

// commandFrame is a drill.command as a client writes it; the drill names
// the sender itself.
type commandFrame struct {
	Type    string   `json:"type"`
	ID      string   `json:"id,omitempty"`
	Command string   `json:"command"`
	Agent   string   `json:"agent,omitempty"`
	Queues  []string `json:"queues,omitempty"`
	Count   int      `json:"count,omitempty"`
	For     string   `json:"for,omitempty"`
	Queue   string   `json:"queue,omitempty"`
	To      string   `json:"to,omitempty"`
	// AfterS absent is null to the drill: it ends an overflow or callback.
	AfterS *float64 `json:"after_s,omitempty"`
}

// CommandFrame is the drill.command frame of d's ID, Command and the
// command's own fields (By and Result are the drill's to say). Only an
// AfterS that is not a number (NaN, ±Inf) makes it fail.
func CommandFrame(d *Drill) ([]byte, error) {
	return json.Marshal(commandFrame{Type: "drill.command", ID: d.ID, Command: d.Command, Agent: d.Agent,
		Queues: d.Queues, Count: d.Count, For: d.For, Queue: d.Queue, To: d.To, AfterS: d.AfterS})
}
