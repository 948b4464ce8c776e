package apitest

import (
	"net/url"
	"testing"

	"github.com/weiquan/weiquan/internal/evidence/s3blob"
)

// S3Env names the environment variable with the test S3 server's URL,
// credentials in the user part: http://ACCESS:SECRET@127.0.0.1:4568
// (https for TLS; ?region=… optional).
const S3Env = "WEIQUAN_TEST_S3_URL"

// RequireS3Env, when "1", turns a missing S3 server into a failure instead
// of a skip (scripts/test sets it).
const RequireS3Env = "WEIQUAN_REQUIRE_S3"

// S3 returns the configuration of a fresh bucket on the test S3 server
// (the bucket is created by s3blob.Open), skipping t without one.
func S3(t testing.TB) s3blob.Config {
	t.Helper()
	raw := ServerURL(t, "S3", S3Env, RequireS3Env, "http://S3RVER:S3RVER@127.0.0.1:4568")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User == nil {
		t.Fatalf("%s=%q: want http[s]://ACCESS:SECRET@host:port", S3Env, raw)
	}
	secret, _ := u.User.Password()
	return s3blob.Config{Endpoint: u.Host, Bucket: "wqt-" + Unique(), AccessKey: u.User.Username(), SecretKey: secret,
		Region: u.Query().Get("region"), TLS: u.Scheme == "https", TempDir: t.TempDir()}
}
