// Package s3blob is the object-storage backend of the evidence blob store
// (evidence.Backend): the blobs of every replica in one S3-compatible
// bucket — Aliyun OSS, MinIO, AWS S3, SeaweedFS — over the S3 REST API
// with Signature Version 4 (sigv4.go).
//
// Objects are named as the folder backend names files,
// [prefix]sha256/ab/cd/abcd…, so a folder can be copied into a bucket as
// it is. What is stored is decided by evidence.Blobs before a byte is sent:
// an upload is streamed to a local temporary file while it is hashed,
// counted and checked, and only an accepted, complete file is put, under
// its digest. An object already there is never rewritten (two replicas
// racing to put the same digest put the same bytes).
package s3blob

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
)

// Config names the bucket and how to reach it.
type Config struct {
	Endpoint  string // host[:port], e.g. oss-cn-hangzhou.aliyuncs.com or 127.0.0.1:9000
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string // empty: the server's default
	TLS       bool   // https
	Prefix    string // prepended to every object name, e.g. "weiquan/"; may be empty
	TempDir   string // where uploads wait while they are checked; empty: os.TempDir()
}

// Bucket is the backend. It is safe for concurrent use.
type Bucket struct {
	c      *client
	bucket string
	prefix string
	tmp    string
}

// tempPattern names the temporary files of uploads in progress.
const tempPattern = "weiquan-evidence-*.part"

// Open connects to the bucket, creating it when it does not exist (with
// credentials allowed to), and removes temporary files older than a day.
// Errors: Invalid naming the missing setting; otherwise the server's.
func Open(ctx context.Context, cfg Config) (*Bucket, error) {
	for _, req := range []struct{ key, val string }{
		{"evidence-s3-endpoint", cfg.Endpoint}, {"evidence-s3-bucket", cfg.Bucket},
		{"evidence-s3-access-key", cfg.AccessKey}, {"evidence-s3-secret-key", cfg.SecretKey},
	} {
		if req.val == "" {
			return nil, fault.Field(req.key, "对象存储缺少 %s / object storage needs %s", req.key, req.key)
		}
	}
	if strings.Contains(cfg.Endpoint, "://") || strings.ContainsAny(cfg.Endpoint, "/?#") {
		return nil, fault.Field("evidence-s3-endpoint", "对象存储地址应为 host[:port] / the endpoint is host[:port], not a URL")
	}
	scheme := "http"
	if cfg.TLS {
		scheme = "https"
	}
	c := &client{hc: &http.Client{Timeout: 10 * time.Minute}, base: scheme + "://" + cfg.Endpoint, access: cfg.AccessKey, secret: cfg.SecretKey,
		region: cmp.Or(cfg.Region, "us-east-1"), now: time.Now}
	bucketPath := "/" + cfg.Bucket
	if res, err := c.do(ctx, http.MethodHead, bucketPath, nil, nil, 0, emptySHA256); err == nil {
		res.Body.Close()
	} else if notFound(err) {
		var body []byte
		if cfg.Region != "" && cfg.Region != "us-east-1" {
			body = []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` + cfg.Region + `</LocationConstraint></CreateBucketConfiguration>`)
		}
		sum := sha256.Sum256(body)
		res, err := c.do(ctx, http.MethodPut, bucketPath, nil, bytes.NewReader(body), int64(len(body)), hex.EncodeToString(sum[:]))
		if err != nil {
			return nil, fmt.Errorf("evidence-s3: create bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
		}
		res.Body.Close()
	} else {
		return nil, fmt.Errorf("evidence-s3: bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	tmp := cfg.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: temporary folder: %w", err)
	}
	b := &Bucket{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, tmp: tmp}
	b.sweepTemp(time.Now().Add(-24 * time.Hour))
	return b, nil
}

var _ evidence.Backend = (*Bucket)(nil)

func (b *Bucket) key(digest string) string { return b.prefix + evidence.BlobPath(digest) }

// path is an object's request path (path-style: /bucket/key).
func (b *Bucket) path(key string) string { return "/" + b.bucket + "/" + key }

// CreateTemp makes a local temporary file for an upload being checked.
func (b *Bucket) CreateTemp() (*os.File, func(), error) {
	f, err := os.CreateTemp(b.tmp, tempPattern)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence: create temporary file: %w", err)
	}
	name := f.Name()
	return f, func() { _ = os.Remove(name) }, nil
}

// Place puts the checked file under its digest unless the object exists.
// The payload is signed by its SHA-256 and checked by the server against
// its Content-MD5.
func (b *Bucket) Place(ctx context.Context, f *os.File, digest string, size int64) error {
	key := b.key(digest)
	if res, err := b.c.do(ctx, http.MethodHead, b.path(key), nil, nil, 0, emptySHA256); err == nil {
		res.Body.Close()
		return nil
	} else if !notFound(err) {
		return fmt.Errorf("evidence: stat %s: %w", key, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sh, md := sha256.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(sh, md), f); err != nil {
		return fmt.Errorf("evidence: read %s: %w", f.Name(), err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	hdr := http.Header{"Content-Type": {"application/octet-stream"}, "Content-Md5": {base64.StdEncoding.EncodeToString(md.Sum(nil))}}
	res, err := b.c.do(ctx, http.MethodPut, b.path(key), hdr, io.NopCloser(f), size, hex.EncodeToString(sh.Sum(nil)))
	if err != nil {
		return fmt.Errorf("evidence: put %s: %w", key, err)
	}
	res.Body.Close()
	return nil
}

// Open returns the object, seekable (ranged GETs), and its size.
func (b *Bucket) Open(ctx context.Context, digest string) (io.ReadSeekCloser, int64, error) {
	key := b.key(digest)
	res, err := b.c.do(ctx, http.MethodHead, b.path(key), nil, nil, 0, emptySHA256)
	if err != nil {
		return nil, 0, b.wrap(key, err)
	}
	res.Body.Close()
	if res.ContentLength < 0 {
		return nil, 0, fmt.Errorf("evidence: %s: the server gave no size", key)
	}
	return &object{c: b.c, path: b.path(key), size: res.ContentLength, ctx: ctx}, res.ContentLength, nil
}

// Delete removes the object; S3 does not mind one already gone.
func (b *Bucket) Delete(ctx context.Context, digest string) error {
	res, err := b.c.do(ctx, http.MethodDelete, b.path(b.key(digest)), nil, nil, 0, emptySHA256)
	if err != nil && !notFound(err) {
		return err
	}
	if res != nil {
		res.Body.Close()
	}
	return nil
}

// Close has nothing to release.
func (b *Bucket) Close() error { return nil }

func (b *Bucket) wrap(key string, err error) error {
	if notFound(err) {
		return fmt.Errorf("evidence: %s: %w", key, fs.ErrNotExist)
	}
	return fmt.Errorf("evidence: get %s: %w", key, err)
}

func notFound(err error) bool {
	var e *s3Error
	return errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Code == "NoSuchKey" || e.Code == "NoSuchBucket")
}

// sweepTemp removes this package's temporary files last written before
// cutoff (a crash mid-upload).
func (b *Bucket) sweepTemp(cutoff time.Time) {
	names, _ := filepath.Glob(filepath.Join(b.tmp, tempPattern))
	for _, n := range names {
		if info, err := os.Lstat(n); err == nil && info.Mode().IsRegular() && info.ModTime().Before(cutoff) && strings.HasSuffix(n, ".part") {
			_ = os.Remove(n)
		}
	}
}
