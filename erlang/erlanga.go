package erlang

import "math"

// A is the Erlang A model (M/M/N+M, Palm's queue with impatience): Poisson
// arrivals, n agents with exponential handle time, first come first served,
// and every waiting caller hangs up after an exponential patience. With no
// patience (PatienceS ≤ 0 or +Inf) it is Erlang C.
//
// Its figures come from the stationary distribution of the number of calls
// on the floor (a birth–death chain: arrivals at λ, departures at kμ while
// k ≤ n and nμ + (k−n)θ beyond), seen by arriving callers (PASTA), and from
// what happens to a caller who arrives with j ahead of it: it moves up at
// nμ + jθ (the head is answered or someone ahead hangs up) and hangs up
// itself at θ.
type A struct {
	n                     int
	lambda, mu, theta     float64
	pNoWait               float64   // P(an arrival finds a free agent)
	p                     []float64 // p[j]: P(an arrival finds all n busy and j waiting)
	served, abandoned     float64   // P(answered), P(hung up), over all arrivals
	waitServed, meanQueue float64   // E[wait · 1{answered}], E[calls waiting]
}

// NewA solves the Erlang A model for n agents, ratePerS arrivals a second,
// a mean handle time of ahtS seconds and a mean patience of patienceS
// seconds (≤ 0 or +Inf: callers never hang up, which is Erlang C).
func NewA(n int, ratePerS, ahtS, patienceS float64) *A {
	m := &A{n: n, lambda: ratePerS, mu: 1 / ahtS}
	if patienceS > 0 && !math.IsInf(patienceS, 1) {
		m.theta = 1 / patienceS
	}
	if ratePerS <= 0 {
		m.pNoWait, m.served = 1, 1
		return m
	}
	if m.theta == 0 {
		m.solveC()
		return m
	}
	m.solve()
	return m
}

// solveC fills the figures from Erlang C, whose waiting-caller distribution
// is geometric and may be unbounded, so it is not tabulated.
func (m *A) solveC() {
	a := m.lambda / m.mu
	c := C(m.n, a)
	m.pNoWait = 1 - c
	if c == 1 {
		// The queue grows without bound: every caller waits for ever.
		m.waitServed, m.meanQueue = math.Inf(1), math.Inf(1)
		return
	}
	m.served = 1
	m.waitServed = ASA(m.n, m.lambda, 1/m.mu)
	m.meanQueue = m.lambda * m.waitServed // Little's law
}

// solve tabulates the stationary distribution relative to the state with
// all n agents busy and nobody waiting, which keeps every term finite: the
// states below sum to 1/B(n, a) − 1 by the Erlang B recursion, and the
// states above decay once nμ + jθ exceeds λ.
func (m *A) solve() {
	nmu := float64(m.n) * m.mu
	below := math.Inf(1) // Σ_{k<n} q_k / q_n
	if b := B(m.n, m.lambda/m.mu); b > 0 {
		below = 1/b - 1
	}
	if math.IsInf(below, 1) {
		// n is so far above the load that nobody ever waits.
		m.pNoWait, m.served = 1, 1
		return
	}
	q := []float64{1}
	sum := 1.0
	for j := 1; ; j++ {
		ratio := m.lambda / (nmu + float64(j)*m.theta)
		next := q[j-1] * ratio
		if ratio < 1 && next < 1e-17*(sum+below) {
			break
		}
		q = append(q, next)
		sum += next
		if sum > 1e250 {
			// A long overloaded stretch: rescale before it overflows.
			for i := range q {
				q[i] /= sum
			}
			below /= sum
			sum = 1
		}
	}
	total := below + sum
	m.pNoWait = below / total
	m.p = q
	for j := range q {
		m.p[j] = q[j] / total
	}
	pServed, waitServed := 1.0, 0.0 // for a caller with j ahead, built up from j = 0
	m.served = m.pNoWait
	for j, pj := range m.p {
		fwd := nmu + float64(j)*m.theta
		out := fwd + m.theta
		pServed *= fwd / out
		waitServed = pServed/out + fwd/out*waitServed
		m.served += pj * pServed
		m.abandoned += pj * (1 - pServed)
		m.waitServed += pj * waitServed
		m.meanQueue += pj * float64(j)
	}
}

// PWait is the probability that a caller finds every agent busy and waits.
func (m *A) PWait() float64 { return 1 - m.pNoWait }

// PAbandon is the probability that a caller hangs up before being answered.
func (m *A) PAbandon() float64 { return m.abandoned }

// PAnswered is the probability that a caller is answered.
func (m *A) PAnswered() float64 { return m.served }

// ASA is the mean wait of answered callers, in seconds (zero waits
// included), as the floor's ASA is. It is +Inf when the queue grows without
// bound and NaN when no caller is ever answered (no agents).
func (m *A) ASA() float64 {
	switch {
	case math.IsInf(m.waitServed, 1):
		return math.Inf(1)
	case m.served == 0:
		return math.NaN()
	}
	return m.waitServed / m.served
}

// MeanQueue is the mean number of callers waiting.
func (m *A) MeanQueue() float64 { return m.meanQueue }

// ServiceLevel is the fraction of all offered callers answered within
// thresholdS seconds of arriving: P(answered and wait ≤ T). Abandons count
// in the denominator and never in the numerator, whenever they happen; for
// the contract's exclude_short mode use ServiceLevelExcludingShort.
func (m *A) ServiceLevel(thresholdS float64) float64 {
	ans, _ := m.Within(thresholdS)
	return ans
}

// ServiceLevelExcludingShort is the contract's default service level:
// answered within thresholdS / (offered − callers who hung up within
// shortS), the denominator being answered + abandoned − short abandons.
func (m *A) ServiceLevelExcludingShort(thresholdS, shortS float64) float64 {
	ans, _ := m.Within(thresholdS)
	_, short := m.Within(shortS)
	return ans / (1 - short)
}

// Within gives, over all offered callers, the probability of being answered
// with a wait of at most t seconds and the probability of hanging up with a
// wait of at most t seconds.
func (m *A) Within(t float64) (answered, abandoned float64) {
	if t < 0 {
		return 0, 0
	}
	if m.theta == 0 {
		if m.served == 0 {
			return 0, 0
		}
		return ServiceLevel(m.n, m.lambda, 1/m.mu, t), 0
	}
	if len(m.p) == 0 || t == 0 {
		return m.pNoWait, 0
	}
	return m.pNoWait + m.reachedBy(t, true), m.reachedBy(t, false)
}

// reachedBy is the probability that a waiting caller is answered (or, with
// answered false, hangs up) within t seconds, by uniformization of the
// tagged caller's chain: states j = callers ahead, with one Poisson clock
// of rate Λ = the fastest exit rate, each tick moving up, hanging up or
// staying. Every term is a probability, so nothing cancels.
func (m *A) reachedBy(t float64, answered bool) float64 {
	nmu := float64(m.n) * m.mu
	J := len(m.p)
	// A caller with j ahead leaves the queue after at most j+1 exits, each
	// at rate nμ+θ or more; far enough past the mean of J+1 of them, every
	// caller has left, and the answer is the eventual one.
	if k := float64(J + 1); t*(nmu+m.theta) > k+12*math.Sqrt(k)+50 {
		if answered {
			return m.served - m.pNoWait
		}
		return m.abandoned
	}
	rate := nmu + float64(J)*m.theta
	lt := rate * t
	v := append([]float64(nil), m.p...)
	next := make([]float64, J)
	absorbed := 0.0
	result := 0.0
	maxSteps := int(lt+10*math.Sqrt(lt)) + 20
	for step := 0; step <= maxSteps; step++ {
		w := math.Exp(-lt + float64(step)*math.Log(lt) - lgamma(float64(step)+1))
		result += w * absorbed
		clear(next)
		for j, mass := range v {
			if mass == 0 {
				continue
			}
			fwd := (nmu + float64(j)*m.theta) / rate
			hang := m.theta / rate
			next[j] += mass * (1 - fwd - hang)
			if answered {
				if j == 0 {
					absorbed += mass * fwd
				} else {
					next[j-1] += mass * fwd
				}
			} else {
				absorbed += mass * hang
				if j > 0 {
					next[j-1] += mass * fwd
				}
			}
		}
		v, next = next, v
	}
	return result
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
