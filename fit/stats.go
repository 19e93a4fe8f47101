package fit

import "math"

// Alpha is the chance a test of the fit may raise a false alarm over all
// its comparisons together: flagging a half-hour of long calls that is
// only chance, in a day with none.
const Alpha = 0.01

// ZFor is how many standard errors make a difference significant when m
// comparisons share Alpha (Bonferroni: each gets Alpha/m, two-sided).
func ZFor(m int) float64 {
	if m < 1 {
		m = 1
	}
	return math.Sqrt2 * math.Erfinv(1-Alpha/float64(m))
}

// Dist is a fitted distribution of durations in seconds.
type Dist struct {
	N        int
	Mean, SD float64
	// Family is the better fit: "exponential" or "lognormal", by AIC
	// (2k − 2 ln L; k = 1 and 2), the likelihoods compared on the same
	// samples. Empty with fewer than two samples.
	Family string
	// CV is the lognormal's coefficient of variation, from its σ.
	CV float64
	// LogLikExp and LogLikLognormal are the maximised log-likelihoods.
	LogLikExp, LogLikLognormal float64
	// Zeros are samples of 0 s (whole-second timestamps): no lognormal
	// fits them, so the exponential is kept.
	Zeros int
}

// SE is the mean's standard error.
func (d *Dist) SE() float64 {
	if d.N < 2 {
		return math.NaN()
	}
	return d.SD / math.Sqrt(float64(d.N))
}

// AICGap is how much lower the chosen family's AIC is than the other's.
func (d *Dist) AICGap() float64 {
	exp, ln := 2-2*d.LogLikExp, 4-2*d.LogLikLognormal
	return math.Abs(exp - ln)
}

// fitDist fits x (seconds): the mean and SD of the samples, and the
// family by AIC. scaled are the samples the family is judged on (x with a
// long-call period's factor divided out); nil: x itself.
func fitDist(x, scaled []float64) Dist {
	d := Dist{N: len(x)}
	if d.N == 0 {
		return d
	}
	d.Mean, d.SD = meanSD(x)
	if scaled == nil {
		scaled = x
	}
	if len(scaled) < 2 {
		return d
	}
	m, _ := meanSD(scaled)
	n := float64(len(scaled))
	d.Family = "exponential"
	if m <= 0 {
		return d
	}
	d.LogLikExp = -n*math.Log(m) - n
	logs := make([]float64, 0, len(scaled))
	for _, v := range scaled {
		if v <= 0 {
			d.Zeros++
			continue
		}
		logs = append(logs, math.Log(v))
	}
	if d.Zeros > 0 {
		return d
	}
	mu, _ := meanSD(logs)
	var ss float64
	for _, l := range logs {
		ss += (l - mu) * (l - mu)
	}
	sigma2 := ss / n // the maximum-likelihood σ²
	if sigma2 <= 0 {
		return d
	}
	d.LogLikLognormal = -n*mu - n/2*math.Log(2*math.Pi*sigma2) - n/2
	d.CV = math.Sqrt(math.Expm1(sigma2))
	if 4-2*d.LogLikLognormal < 2-2*d.LogLikExp {
		d.Family = "lognormal"
	}
	return d
}

func meanSD(x []float64) (mean, sd float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(x)-1))
}
