package simulator

import "github.com/floorwatch/floorwatch/feed"

// slot is an event with room for the survey scores it points to.
type slot struct {
	ev     feed.Event
	scores [3]float64
}

// arena hands out events from blocks that are kept and reused, so that a
// long run allocates no event memory beyond its largest batch.
type arena struct {
	blocks [][]slot
	block  int
	used   int
}

const arenaBlock = 1024

func (a *arena) nextSlot() *slot {
	if a.block < len(a.blocks) && a.used == arenaBlock {
		a.block++
		a.used = 0
	}
	if a.block == len(a.blocks) {
		a.blocks = append(a.blocks, make([]slot, arenaBlock))
	}
	sl := &a.blocks[a.block][a.used]
	a.used++
	*sl = slot{}
	return sl
}

func (a *arena) reset() { a.block, a.used = 0, 0 }
