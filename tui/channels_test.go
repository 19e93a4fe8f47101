package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// The Queues view and the queue detail of the omnichannel floor (see
// omnichannel in day_test.go) over today: Calls carries voice and chat, so
// it is marked "(2 ch)", and its pane and its detail show each channel
// against its own goal: chat's 80.0% (two of ten chats waited over a
// minute) is under its 85% in 1m while voice is on its 80% in 20s. Email,
// all email at the queue's own 4h, shows none.
func TestGoldenChannels(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, v := range []struct {
			name string
			keys []string
		}{
			{"queues", []string{"w", "w", "2"}},
			{"queue_detail", []string{"w", "w", "2", "enter"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				m := newModel(t, replayHub(t, omnichannel), size[0], size[1])
				press(m, v.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}
