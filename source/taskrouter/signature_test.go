package taskrouter

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// The request every official helper library tests its validator with:
// twilio-python tests/unit/test_request_validator.py and twilio-go
// client/request_validator_test.go, auth token "12345".
const (
	libToken = "12345"
	libURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
)

var libParams = url.Values{
	"CallSid": {"CA1234567890ABCDE"},
	"Digits":  {"1234"},
	"From":    {"+14158675309"},
	"To":      {"+18005551212"},
	"Caller":  {"+14158675309"},
}

// Signature gives, for the libraries' own test requests, the values their
// test suites expect.
func TestSignatureMatchesHelperLibraries(t *testing.T) {
	goParams := url.Values{}
	for k, v := range libParams {
		goParams[k] = v
	}
	// twilio-go adds two names one of which begins the other: sorted by
	// name, "Reason" comes first ("95+Bu0…" is the signature of the
	// parameters sorted as concatenated strings, which twilio-go's test
	// names as wrong).
	goParams.Set("ReasonConferenceEnded", "test")
	goParams.Set("Reason", "Participant")
	for _, tc := range []struct {
		name   string
		url    string
		params url.Values
		want   string
	}{
		// twilio-python test_compute_signature.
		{"python compute_signature", libURL, libParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		// twilio-python test_compute_signature_duplicate_multi_dict: names
		// sorted, a name's values sorted and each distinct one once.
		{"python duplicates", libURL, url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}},
			"IK+Dwps556ElfBT0I3Rgjkr1wJU="},
		// twilio-python test_validation_adds_port_on_https / _on_http.
		{"python :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", libParams, "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{"python :80", "http://mycompany.com:80/myapp.php?foo=1&bar=2", libParams, "0ZXoZLH/DfblKGATFgpif+LLRf4="},
		// twilio-python test_validation_removes_port_on_http.
		{"python http :1234", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", libParams, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
		// twilio-go TestRequestValidator_Validate.
		{"go sorted by name", libURL, goParams, "vOEb5UThFn24KEfnOFLQY2AE5FY="},
	} {
		if got := Signature(libToken, tc.url, tc.params); got != tc.want {
			t.Errorf("%s: Signature = %s, want %s", tc.name, got, tc.want)
		}
	}
	if validSignature([]string{libToken}, libURL, goParams, "95+Bu0JVPi0r/SsESZCVf0dWAjw=") {
		t.Error("accepted the signature of parameters sorted as concatenated strings")
	}
}

// validSignature accepts what the libraries accept: the URL as given, and
// with the port added or removed; and nothing else.
func TestValidSignatureVariants(t *testing.T) {
	tokens := []string{"old-token", libToken}
	for _, tc := range []struct {
		name string
		url  string
		sig  string
		want bool
	}{
		{"as signed", libURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		// twilio-python test_validation_removes_port_on_https: the request
		// URL has a port, Twilio signed it without.
		{"signed without the port", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		{"signed with :443", libURL, "kvajT1Ptam85bY51eRf/AJRuM3w=", true},
		{"signed with :80", "http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4=", true},
		{"another path", "https://mycompany.com/other.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
		{"another query order", "https://mycompany.com/myapp.php?bar=2&foo=1", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
		{"http for https", "http://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
		{"wrong", libURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8", false},
		{"missing", libURL, "", false},
	} {
		if got := validSignature(tokens, tc.url, libParams, tc.sig); got != tc.want {
			t.Errorf("%s: valid = %v, want %v", tc.name, got, tc.want)
		}
	}
	changed := url.Values{}
	for k, v := range libParams {
		changed[k] = v
	}
	changed.Set("Digits", "1235")
	if validSignature(tokens, libURL, changed, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("accepted a signature after a parameter changed")
	}
	if validSignature([]string{"another"}, libURL, libParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("accepted a signature made with another token")
	}
}

func TestURLVariants(t *testing.T) {
	for in, want := range map[string]string{
		"https://x.example/a?b=c":         "https://x.example:443/a?b=c",
		"http://x.example/a":              "http://x.example:80/a",
		"https://x.example:8443/a":        "https://x.example/a",
		"https://u:p@x.example:1/a:b?c:d": "https://u:p@x.example/a:b?c:d",
		"http://[::1]:8088/t":             "http://[::1]/t",
		"http://[::1]/t":                  "http://[::1]:80/t",
		"https://x.example":               "https://x.example:443",
	} {
		got := urlVariants(in)
		if len(got) != 2 || got[0] != in || got[1] != want {
			t.Errorf("urlVariants(%q) = %q, want [%q %q]", in, got, in, want)
		}
	}
}

// sign computes X-Twilio-Signature the way Twilio's security page
// describes it, independently of Signature: the full URL, then each POST
// parameter's name and value, sorted by name, HMAC-SHA1 with the auth
// token, base64. (Callbacks send each name once.)
func sign(token, u string, form url.Values) string {
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	for i := range names { // insertion sort: no shared helper with the code under test
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	var b strings.Builder
	b.WriteString(u)
	for _, k := range names {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestSignMatchesLibraryVector(t *testing.T) {
	if got := sign(libToken, libURL, libParams); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Fatalf("the test's own signer gives %s for twilio-python's vector", got)
	}
}
