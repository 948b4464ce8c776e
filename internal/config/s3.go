package config

import "strings"

// EvidenceS3 is the S3-compatible bucket that holds the evidence files
// when S3Endpoint is set (every replica then reads and writes the same
// objects); otherwise they live in EvidenceDir.
type EvidenceS3 struct {
	S3Endpoint  string // host[:port]
	S3Bucket    string
	S3Prefix    string
	S3AccessKey string
	S3SecretKey string // secret
	S3Region    string
	S3TLS       bool // https (default true)
}

// UseS3 reports whether evidence goes to the bucket.
func (c Config) UseS3() bool { return c.S3Endpoint != "" }

// checkS3 refuses a half-configured bucket, naming the missing key.
func (c Config) checkS3() error {
	if !c.UseS3() {
		return nil
	}
	if strings.Contains(c.S3Endpoint, "/") {
		return c.bad("evidence-s3-endpoint", "host[:port] without a scheme or path, got %q", c.S3Endpoint)
	}
	for _, req := range []struct{ key, val string }{
		{"evidence-s3-bucket", c.S3Bucket}, {"evidence-s3-access-key", c.S3AccessKey}, {"evidence-s3-secret-key", c.S3SecretKey},
	} {
		if req.val == "" {
			return c.bad(req.key, "required with evidence-s3-endpoint")
		}
	}
	return nil
}
