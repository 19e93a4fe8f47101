package taskrouter

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// Signature is the X-Twilio-Signature of a POST to rawURL with params, as
// Twilio's helper libraries compute it (twilio-python's
// RequestValidator.compute_signature, twilio-node's
// getExpectedTwilioSignature, twilio-go's RequestValidator.Validate): the
// URL exactly as Twilio requested it, then each parameter's name and value
// appended with no separator, names in sorted order (a name sent more than
// once: each distinct value, sorted), HMAC-SHA1 keyed with the account's
// auth token, in standard base64.
func Signature(token, rawURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(rawURL)
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := slices.Clone(params[name])
		slices.Sort(values)
		for _, v := range slices.Compact(values) {
			b.WriteString(name)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// validSignature reports whether sig is the signature of a request to
// rawURL with params under one of tokens (two during a rotation of the
// auth token). Like the helper libraries it accepts the URL with and
// without its port, as Twilio's signing has not always agreed with itself
// on a default port (:443, :80).
func validSignature(tokens []string, rawURL string, params url.Values, sig string) bool {
	if sig == "" {
		return false
	}
	for _, token := range tokens {
		for _, u := range urlVariants(rawURL) {
			if hmac.Equal([]byte(Signature(token, u, params)), []byte(sig)) {
				return true
			}
		}
	}
	return false
}

// urlVariants is rawURL as given, then without its port if it has one,
// or with the scheme's default port if it has none. The URL is edited as
// text, never parsed and written back, so that its path and query stay
// byte for byte what Twilio signed.
func urlVariants(rawURL string) []string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return []string{rawURL}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, authority = authority[:at+1], authority[at+1:]
	}
	host, port := authority, ""
	if i := strings.LastIndex(authority, ":"); i > strings.LastIndex(authority, "]") {
		host, port = authority[:i], authority[i+1:]
	}
	other := host
	if port == "" {
		other = host + ":80"
		if strings.EqualFold(scheme, "https") {
			other = host + ":443"
		}
	}
	return []string{rawURL, scheme + "://" + userinfo + other + tail}
}
