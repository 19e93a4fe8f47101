package simulator

import (
	"math"
	"strconv"
)

// Common random numbers. Every caller draws from a stream of their own,
// keyed by the scenario's seed, the queue they dial and their place among
// that queue's arrivals; every agent likewise; and each queue's arrival
// process has its own. A draw never depends on what else happened on the
// floor, so the same scenario and seed meets the same callers whatever the
// agents and the supervisor do, and a difference between two runs is the
// doing of what differed.
//
// A stream is SplitMix64 used as a counter-based generator: its i-th number
// is a strong mix of key + i·γ. That makes a caller's numbers addressable:
// their patience or handle time is the same draw whenever it is needed.

const golden = 0x9e3779b97f4a7c15 // γ: 2^64 / the golden ratio, odd

// mix64 is SplitMix64's finalizer (Steele, Lea and Flood 2014).
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Kinds of stream, so that no two kinds share a key.
const (
	streamArrivals uint64 = iota + 1
	streamCaller
	streamAgent
	streamNumbers
)

// streamKey derives the key of a stream from the seed, its kind and up to
// two indexes (a queue and a caller, an agent).
func streamKey(seed int64, kind uint64, i, j uint64) uint64 {
	k := mix64(uint64(seed) ^ kind*golden)
	k = mix64(k + mix64(i+1))
	return mix64(k + mix64(j+1))
}

type stream struct {
	key uint64
	n   uint64 // numbers drawn so far, for sequential use
}

// at is the stream's i-th number, whatever has been drawn before.
func (r *stream) at(i uint64) uint64 { return mix64(r.key + (i+1)*golden) }

// next is the stream's next number in sequence.
func (r *stream) next() uint64 {
	r.n++
	return r.at(r.n - 1)
}

// unit maps a number to (0, 1), never 0 or 1, so logs and inverses are finite.
func unit(x uint64) float64 { return (float64(x>>11) + 0.5) * 0x1p-53 }

// By inversion rather than ziggurat: one number per variate, so a draw's
// place in its stream is fixed.
func expOf(u float64) float64  { return -math.Log(u) }
func normOf(u float64) float64 { return math.Sqrt2 * math.Erfinv(2*u-1) }

func (r *stream) float() float64 { return unit(r.next()) }
func (r *stream) exp() float64   { return expOf(r.float()) }
func (r *stream) norm() float64  { return normOf(r.float()) }

// What a caller draws for each conversation (leg) of their call: each has
// its place in the leg's block of the caller's stream.
const (
	drawPatience = iota
	drawHandle
	drawWrap
	drawTransfer
	drawTransferTo
	drawSurvey
	drawMood
	drawComment
	drawCommentPick
	drawRedial
	drawRedialDelay
	legDraws = 16 // room in each leg's block
)

// caller is who is on the line: the same person through transfers,
// overflows, a callback and their redials.
type caller struct {
	rng    stream
	number string
	base   string // the id of their first call; later contacts are base.N
	home   int32  // the queue they dial, again when they redial
	leg    uint32 // their conversations so far: a transfer or a redial starts the next
	follow uint32 // their contacts after the first (overflow, callback, redial)
}

// nextID is the id of the caller's next contact: base.N.
func (c *caller) nextID() string {
	c.follow++
	return c.base + "." + strconv.FormatUint(uint64(c.follow), 10)
}

// draw is the caller's number for what, in their current leg, in (0, 1).
func (c *caller) draw(what int) float64 {
	return unit(c.rng.at(uint64(c.leg)*legDraws + uint64(what)))
}

// numberPlan turns the n-th new caller of a run into a phone number:
// n ↦ (a·n + b) mod 10^7 is one-to-one for a prime to 10, so ten million
// callers have different numbers, and from a seed's own a and b they do
// not look consecutive. Area code 555 is not in service: the numbers are
// plausible and nobody's.
type numberPlan struct{ a, b uint64 }

const numberSpace = 10_000_000

func newNumberPlan(seed int64) numberPlan {
	r := stream{key: streamKey(seed, streamNumbers, 0, 0)}
	a := r.next()%numberSpace | 1
	if a%5 == 0 {
		a += 2
	}
	return numberPlan{a: a % numberSpace, b: r.next() % numberSpace}
}

func (p numberPlan) number(n int64) string {
	v := (p.a*(uint64(n)%numberSpace) + p.b) % numberSpace
	b := []byte("+1 555 000 0000")
	for i := len(b) - 1; v > 0; i-- {
		if b[i] == ' ' {
			i--
		}
		b[i] += byte(v % 10)
		v /= 10
	}
	return string(b)
}
