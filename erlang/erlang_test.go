package erlang

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.6f, want %.6f ± %g", what, got, want, tol)
	}
}

// Erlang B table values (blocking for A Erlangs on N lines), as printed in
// every Erlang B table: A=10, N=10 → 0.215; A=10, N=15 → 0.0365. Checked
// by hand with the recursion: B(1)=10/11, B(2)=10·B1/(2+10·B1)=0.8065, ...
func TestBTable(t *testing.T) {
	near(t, "B(10, 10)", B(10, 10), 0.2146, 5e-5)
	near(t, "B(15, 10)", B(15, 10), 0.0365, 5e-5)
	near(t, "B(1, 1)", B(1, 1), 0.5, 1e-12) // a/(1+a)
	near(t, "B(0, 3)", B(0, 3), 1, 0)
}

// Small cases worked by hand from the textbook formula
// C = (aⁿ/n!)(n/(n−a)) / (Σ_{k<n} aᵏ/k! + (aⁿ/n!)(n/(n−a))).
func TestCByHand(t *testing.T) {
	// M/M/1: C = ρ.
	near(t, "C(1, 0.7)", C(1, 0.7), 0.7, 1e-12)
	// n=2, a=1: (1/2)(2/1) = 1 over 1 + 1 + 1 → 1/3.
	near(t, "C(2, 1)", C(2, 1), 1.0/3, 1e-12)
	// n=3, a=2: (8/6)(3/1) = 4 over 1 + 2 + 2 + 4 → 4/9.
	near(t, "C(3, 2)", C(3, 2), 4.0/9, 1e-12)
	if C(10, 10) != 1 || C(10, 12) != 1 || C(0, 1) != 1 {
		t.Errorf("an overloaded queue must make everyone wait: C(10,10)=%v C(10,12)=%v C(0,1)=%v", C(10, 10), C(10, 12), C(0, 1))
	}
	if C(5, 0) != 0 {
		t.Errorf("C with no load = %v, want 0", C(5, 0))
	}
}

// The classic staffing example (Call Centre Helper's Erlang C worked
// example): 100 calls in 30 minutes, 180 s AHT, goal 80% in 20 s. The load
// is 10 Erlangs, so 10 agents never catch up; with 11, P(wait) = 68.21%
// and SL = 1 − 0.6821·e^(−1·20/180) = 38.96%; 14 agents are the first to
// reach 80%.
func TestClassicExample(t *testing.T) {
	rate := 100.0 / 1800
	if got := ServiceLevel(10, rate, 180, 20); got != 0 {
		t.Errorf("SL with 10 agents = %v, want 0 (load equals agents)", got)
	}
	if got := ASA(10, rate, 180); !math.IsInf(got, 1) {
		t.Errorf("ASA with 10 agents = %v, want +Inf", got)
	}
	near(t, "C(11, 10)", C(11, 10), 0.6821, 5e-5)
	near(t, "SL(11)", ServiceLevel(11, rate, 180, 20), 0.6821182*(1-math.Exp(-20.0/180))+1-0.6821182, 1e-6)
	near(t, "ASA(11)", ASA(11, rate, 180), 0.6821182*180/1, 1e-4)
	near(t, "C(12, 10)", C(12, 10), 0.4494, 5e-5)
	near(t, "SL(13)", ServiceLevel(13, rate, 180, 20), 0.7956, 5e-5)
	near(t, "SL(14)", ServiceLevel(14, rate, 180, 20), 0.8884, 5e-5)
	if got := AgentsNeeded(rate, 180, 20, 0.8); got != 14 {
		t.Errorf("AgentsNeeded = %d, want 14", got)
	}
}

func TestAgentsNeededEdges(t *testing.T) {
	if got := AgentsNeeded(0, 180, 20, 0.8); got != 0 {
		t.Errorf("no calls: AgentsNeeded = %d, want 0", got)
	}
	// Target 0 asks only for a stable queue: one more agent than the load.
	if got := AgentsNeeded(10.0/180, 180, 20, 0); got != 11 {
		t.Errorf("target 0: AgentsNeeded = %d, want 11", got)
	}
	// Target 1 cannot be met exactly; the search still ends.
	if got := AgentsNeeded(10.0/180, 180, 20, 1); got < 20 || got > 60 {
		t.Errorf("target 1: AgentsNeeded = %d, want a finite figure well above 14", got)
	}
	// A 1,000-agent load: a^n/n! would overflow; the recursion does not.
	n := AgentsNeeded(1000.0/180, 180, 20, 0.8)
	if n <= 1000 || n > 1060 {
		t.Errorf("1000 Erlangs: AgentsNeeded = %d, want just above 1000", n)
	}
	if sl := ServiceLevel(n, 1000.0/180, 180, 20); sl < 0.8 || ServiceLevel(n-1, 1000.0/180, 180, 20) >= 0.8 {
		t.Errorf("1000 Erlangs: %d is not the smallest meeting 80%%", n)
	}
}

// With patience equal to the handle time, every call on the floor leaves at
// rate μ whether waiting or talking, so the number on the floor is
// Poisson(a): P(wait) = P(N ≥ n), E[queue] = E[(N−n)⁺] and, by Little's law
// on the waiting room, P(abandon) = θ·E[queue]/λ = E[queue]/a.
// For n = 2, a = 1: P(wait) = 1 − 2/e, E[queue] = 3/e − 1.
func TestAPoissonCase(t *testing.T) {
	m := NewA(2, 1.0/60, 60, 60)
	near(t, "P(wait)", m.PWait(), 1-2/math.E, 1e-9)
	near(t, "E[queue]", m.MeanQueue(), 3/math.E-1, 1e-9)
	near(t, "P(abandon)", m.PAbandon(), 3/math.E-1, 1e-9)
	near(t, "P(answered)+P(abandon)", m.PAnswered()+m.PAbandon(), 1, 1e-12)
	ans, ab := m.Within(1e6)
	near(t, "answered eventually", ans, m.PAnswered(), 1e-9)
	near(t, "abandoned eventually", ab, m.PAbandon(), 1e-9)
}

// A lone agent with nobody ever queued behind a waiting caller is the
// race of two exponentials; n=1 with a tiny load makes two waiting callers
// negligible (P ≈ a³), so the caller who waits is answered within t with
// probability μ/(μ+θ)·(1 − e^{−(μ+θ)t}).
func TestAOneAheadRace(t *testing.T) {
	const aht, pat, rate = 100.0, 50.0, 1e-5
	m := NewA(1, rate, aht, pat)
	mu, th := 1/aht, 1/pat
	pw := m.PWait()
	near(t, "P(wait)", pw, rate*aht, 1e-6)
	ans, ab := m.Within(30)
	near(t, "answered within 30 s | waited", (ans-(1-pw))/pw, mu/(mu+th)*(1-math.Exp(-(mu+th)*30)), 1e-4)
	near(t, "abandoned within 30 s | waited", ab/pw, th/(mu+th)*(1-math.Exp(-(mu+th)*30)), 1e-4)
}

// Callers who (almost) never hang up make Erlang A into Erlang C; the
// uniformized waiting-time distribution must then agree with Erlang C's
// closed form, an independent computation.
func TestAApproachesC(t *testing.T) {
	rate := 100.0 / 1800
	m := NewA(11, rate, 180, 1e9)
	near(t, "P(wait)", m.PWait(), C(11, 10), 1e-6)
	near(t, "SL(20)", m.ServiceLevel(20), ServiceLevel(11, rate, 180, 20), 1e-5)
	near(t, "ASA", m.ASA(), ASA(11, rate, 180), 1e-2)
	if m.PAbandon() > 1e-6 {
		t.Errorf("P(abandon) = %v, want ≈ 0", m.PAbandon())
	}
	// No patience at all is Erlang C exactly.
	c := NewA(11, rate, 180, 0)
	near(t, "no patience: SL", c.ServiceLevel(20), ServiceLevel(11, rate, 180, 20), 1e-12)
	near(t, "no patience: ASA", c.ASA(), ASA(11, rate, 180), 1e-9)
	if c.PAbandon() != 0 {
		t.Errorf("no patience: P(abandon) = %v, want 0", c.PAbandon())
	}
}

// Impatience keeps an overloaded queue finite: 10 agents, 10 Erlangs (Erlang
// C: everyone waits for ever), 120 s patience. The abandon probability must
// equal θ·E[queue]/λ (Little's law on the waiting room), answered plus
// abandoned must be everyone, and the service level lies between the
// answered-eventually probability and the no-wait probability.
func TestAOverloadedIsFinite(t *testing.T) {
	rate := 100.0 / 1800
	m := NewA(10, rate, 180, 120)
	near(t, "P(abandon) by Little", m.PAbandon(), m.MeanQueue()/120/rate, 1e-9)
	near(t, "answered+abandoned", m.PAnswered()+m.PAbandon(), 1, 1e-12)
	if m.PWait() <= 0 || m.PWait() >= 1 {
		t.Errorf("P(wait) = %v, want within (0, 1)", m.PWait())
	}
	sl := m.ServiceLevel(20)
	if sl < 1-m.PWait() || sl > m.PAnswered() {
		t.Errorf("SL(20) = %v, want between %v and %v", sl, 1-m.PWait(), m.PAnswered())
	}
	if asa := m.ASA(); asa <= 0 || asa > 120 {
		t.Errorf("ASA = %v, want a finite figure below the mean patience", asa)
	}
	// Exclude-short removes early hang-ups from the denominator, so it is
	// never below the plain figure.
	if ex := m.ServiceLevelExcludingShort(20, 5); ex < sl {
		t.Errorf("exclude-short SL %v below plain SL %v", ex, sl)
	}
}

// Without patience and with no more agents than the load, Erlang A is an
// Erlang C queue that grows without bound: every caller waits for ever.
func TestAOverloadedWithoutPatience(t *testing.T) {
	m := NewA(2, 0.5, 4, 0) // 2 agents, 2 Erlangs
	if m.PWait() != 1 || !math.IsInf(m.ASA(), 1) || m.ServiceLevel(20) != 0 {
		t.Errorf("2 agents, 2 Erlangs, no patience: P(wait)=%v ASA=%v SL=%v, want 1, +Inf, 0", m.PWait(), m.ASA(), m.ServiceLevel(20))
	}
}

func TestANoCallsNoAgents(t *testing.T) {
	m := NewA(3, 0, 180, 60)
	if m.PWait() != 0 || m.ServiceLevel(20) != 1 || m.ASA() != 0 {
		t.Errorf("no calls: P(wait)=%v SL=%v ASA=%v, want 0, 1, 0", m.PWait(), m.ServiceLevel(20), m.ASA())
	}
	z := NewA(0, 0.1, 180, 60)
	near(t, "no agents: P(abandon)", z.PAbandon(), 1, 1e-9)
	if !math.IsNaN(z.ASA()) {
		t.Errorf("no agents: ASA = %v, want NaN (nobody answered)", z.ASA())
	}
}

// A 1,000-agent floor at 98% load must not overflow anywhere.
func TestALarge(t *testing.T) {
	m := NewA(1000, 980.0/180, 180, 120)
	for name, v := range map[string]float64{"P(wait)": m.PWait(), "P(abandon)": m.PAbandon(), "ASA": m.ASA(), "SL": m.ServiceLevel(20)} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Errorf("%s = %v", name, v)
		}
	}
	near(t, "P(abandon) by Little", m.PAbandon(), m.MeanQueue()/120/(980.0/180), 1e-9)
}
