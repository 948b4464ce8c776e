package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers (the Standard Webhooks scheme weiquan signs with).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// ErrBadSignature is returned for a webhook whose signature does not
// verify, whose timestamp is outside the tolerance, or that lacks the
// headers.
var ErrBadSignature = errors.New("weiquan webhook: bad signature")

// VerifyWebhook checks a delivery: the HMAC-SHA256 of id + "." +
// timestamp + "." + body under the endpoint's secret ("whsec_…", shown
// when the endpoint was made or its secret rotated) must equal one of the
// space-separated "v1," signatures, and the timestamp must be within
// tolerance of now (5 minutes when tolerance is 0), which stops replays.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance == 0 {
		tolerance = 5 * time.Minute
	}
	id, ts, sigs := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp), h.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrBadSignature
	}
	rest, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return errors.New("weiquan webhook: the secret lacks the whsec_ prefix")
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return errors.New("weiquan webhook: the secret is not base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		v, ok := strings.CutPrefix(s, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(v)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}
