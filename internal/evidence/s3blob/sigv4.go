package s3blob

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// client is the part of the S3 REST API the backend uses — bucket HEAD and
// PUT, object HEAD, PUT, ranged GET and DELETE — in path-style addressing,
// each request signed with AWS Signature Version 4 (the published
// algorithm every S3-compatible store accepts: AWS, Aliyun OSS's S3 API,
// MinIO, SeaweedFS). A few dozen lines of our own instead of an SDK, which
// would add 3.7 MB to a binary with a size budget; the tests read the
// bucket back with minio-go to check it.
type client struct {
	hc                     *http.Client
	base                   string // scheme://endpoint
	access, secret, region string
	now                    func() time.Time
}

// emptySHA256 is the SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// s3Error is a non-2xx answer, with the S3 error code when the body had one.
type s3Error struct {
	Status  int
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
	Op      string
}

func (e *s3Error) Error() string {
	return fmt.Sprintf("s3 %s: %d %s %s", e.Op, e.Status, e.Code, e.Message)
}

// do sends one signed request; payloadHash is the hex SHA-256 of body (or
// of nothing). The caller closes the response body of a 2xx answer;
// anything else is returned as *s3Error.
func (c *client) do(ctx context.Context, method, path string, hdr http.Header, body io.Reader, size int64, payloadHash string) (*http.Response, error) {
	u := c.base + escapePath(path)
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	c.sign(req, payloadHash)
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 == 2 {
		return res, nil
	}
	defer res.Body.Close()
	e := &s3Error{Status: res.StatusCode, Op: method + " " + path}
	if b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10)); len(b) > 0 {
		_ = xml.Unmarshal(b, e)
	}
	return nil, e
}

// sign adds the Signature Version 4 Authorization header (and the
// x-amz-date and x-amz-content-sha256 headers it covers) to req.
func (c *client) sign(req *http.Request, payloadHash string) {
	t := c.now().UTC()
	date, stamp := t.Format("20060102"), t.Format("20060102T150405Z")
	req.Header.Set("X-Amz-Date", stamp)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	names := []string{"host"}
	for k := range req.Header {
		if lk := strings.ToLower(k); lk == "content-md5" || lk == "content-type" || lk == "range" || strings.HasPrefix(lk, "x-amz-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, n := range names {
		v := req.Host
		if v == "" {
			v = req.URL.Host
		}
		if n != "host" {
			v = strings.Join(req.Header.Values(n), ",")
		}
		canon.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	signed := strings.Join(names, ";")
	creq := strings.Join([]string{req.Method, req.URL.EscapedPath(), canonicalQuery(req.URL.Query()), canon.String(), signed, payloadHash}, "\n")
	scope := date + "/" + c.region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(creq))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+c.secret), date)
	for _, part := range []string{c.region, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+c.access+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// canonicalQuery is the query sorted by key, each part URI-encoded.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	return strings.Join(parts, "&")
}

// escapePath URI-encodes each segment of an object path as SigV4 wants.
func escapePath(p string) string { return uriEncode(p, false) }

// uriEncode encodes everything but the unreserved characters (and '/'
// unless slash is set), as SigV4 specifies.
func uriEncode(s string, slash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'A' <= ch && ch <= 'Z', 'a' <= ch && ch <= 'z', '0' <= ch && ch <= '9', ch == '-', ch == '_', ch == '.', ch == '~':
			b.WriteByte(ch)
		case ch == '/' && !slash:
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// object is a ranged reader over one object: each Read after a Seek opens
// a GET from the offset.
type object struct {
	c    *client
	path string
	size int64
	off  int64
	body io.ReadCloser
	ctx  context.Context
}

func (o *object) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		res, err := o.c.do(o.ctx, http.MethodGet, o.path, http.Header{"Range": {fmt.Sprintf("bytes=%d-", o.off)}}, nil, 0, emptySHA256)
		if err != nil {
			return 0, err
		}
		o.body = res.Body
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	if err == io.EOF && o.off < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	var to int64
	switch whence {
	case io.SeekStart:
		to = offset
	case io.SeekCurrent:
		to = o.off + offset
	case io.SeekEnd:
		to = o.size + offset
	default:
		return o.off, fmt.Errorf("s3blob: bad whence %d", whence)
	}
	if to < 0 {
		return o.off, fmt.Errorf("s3blob: seek before the start")
	}
	if to != o.off && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.off = to
	return to, nil
}

func (o *object) Close() error {
	if o.body != nil {
		return o.body.Close()
	}
	return nil
}
