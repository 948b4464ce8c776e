// Package s3blob is the object-storage backend of the evidence blob store
// (evidence.Backend): the blobs of every replica in one S3-compatible
// bucket — Aliyun OSS, MinIO, AWS S3, SeaweedFS — through minio-go.
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
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

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
	c      *minio.Client
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
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("evidence-s3-endpoint: %w", err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("evidence-s3: bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("evidence-s3: create bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
		}
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
func (b *Bucket) Place(ctx context.Context, f *os.File, digest string, size int64) error {
	key := b.key(digest)
	if _, err := b.c.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{}); err == nil {
		return nil
	} else if !notFound(err) {
		return fmt.Errorf("evidence: stat %s: %w", key, err)
	}
	// The payload is signed by its Content-MD5, checked by the server,
	// rather than by the streaming (aws-chunked) signature minio-go uses
	// over plain HTTP, which not every S3-compatible server decodes. The
	// digest the blob is named by is ours in any case (Verify re-hashes).
	_, err := b.c.PutObject(ctx, b.bucket, key, f, size, minio.PutObjectOptions{ContentType: "application/octet-stream",
		SendContentMd5: true, DisableContentSha256: true})
	if err != nil {
		return fmt.Errorf("evidence: put %s: %w", key, err)
	}
	return nil
}

// Open returns the object, seekable (ranged GETs), and its size.
func (b *Bucket) Open(ctx context.Context, digest string) (io.ReadSeekCloser, int64, error) {
	key := b.key(digest)
	obj, err := b.c.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, b.wrap(key, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, 0, b.wrap(key, err)
	}
	return obj, info.Size, nil
}

// Delete removes the object; S3 does not mind one already gone.
func (b *Bucket) Delete(ctx context.Context, digest string) error {
	err := b.c.RemoveObject(ctx, b.bucket, b.key(digest), minio.RemoveObjectOptions{})
	if err != nil && !notFound(err) {
		return err
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
	if err == nil {
		return false
	}
	resp := minio.ToErrorResponse(err)
	return resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey"
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
