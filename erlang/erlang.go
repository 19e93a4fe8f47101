// Package erlang holds the queueing formulas a call center is staffed by:
// Erlang B (loss), Erlang C (M/M/N, callers wait for ever) and Erlang A
// (M/M/N+M, callers with exponential patience hang up).
//
// Rates are per second and times in seconds throughout, so that a figure can
// be compared with the floor's own without unit juggling. Offered load is
// a = rate × AHT, in Erlangs.
package erlang

import "math"

// B is the Erlang B blocking probability of n servers offered a Erlangs. It
// uses the recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which stays within
// [0, 1] at every step, so it neither overflows (as a^n/n! would for a
// 1,000-agent floor) nor loses precision.
func B(n int, a float64) float64 {
	if a <= 0 {
		if n <= 0 {
			return 1
		}
		return 0
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// C is the Erlang C probability that a caller waits, for n agents offered
// a Erlangs. When a ≥ n the queue grows without bound and every caller
// waits: C is 1. With no load nobody waits: C is 0.
func C(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	if n <= 0 || a >= float64(n) {
		return 1
	}
	b := B(n, a)
	// C = B / (1 − ρ(1 − B)), ρ = a/n: a ratio of two numbers in (0, 1].
	return b / (1 - a/float64(n)*(1-b))
}

// ServiceLevel is the Erlang C fraction of callers answered within
// thresholdS seconds: 1 − C·e^{−(n−a)·T/AHT}. With no calls it is 1; with
// too few agents (a ≥ n) it is 0, as the queue grows without bound.
func ServiceLevel(n int, ratePerS, ahtS, thresholdS float64) float64 {
	a := ratePerS * ahtS
	if a <= 0 {
		return 1
	}
	if n <= 0 || a >= float64(n) {
		return 0
	}
	sl := 1 - C(n, a)*math.Exp(-(float64(n)-a)*thresholdS/ahtS)
	return math.Max(0, sl)
}

// ASA is the Erlang C mean wait of all callers, in seconds: C·AHT/(n−a).
// Every caller is answered in M/M/N, so this is also the mean wait of the
// answered. It is +Inf when a ≥ n and 0 with no calls.
func ASA(n int, ratePerS, ahtS float64) float64 {
	a := ratePerS * ahtS
	if a <= 0 {
		return 0
	}
	if n <= 0 || a >= float64(n) {
		return math.Inf(1)
	}
	return C(n, a) * ahtS / (float64(n) - a)
}

// AgentsNeeded is the smallest number of agents whose Erlang C service level
// (answered within thresholdS) is at least target. It is 0 when no calls
// arrive; a target at or below 0 asks only for a queue that does not grow
// without bound. The service level rises with every agent past the load and
// reaches 1 in floating point, so the search always ends; target is capped
// just below 1 so that it ends soon.
func AgentsNeeded(ratePerS, ahtS, thresholdS, target float64) int {
	a := ratePerS * ahtS
	if a <= 0 {
		return 0
	}
	target = math.Min(target, 1-1e-9)
	n := int(math.Floor(a)) + 1
	for ServiceLevel(n, ratePerS, ahtS, thresholdS) < target {
		n++
	}
	return n
}
