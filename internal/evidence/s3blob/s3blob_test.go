package s3blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/evidence/s3blob"
	"github.com/weiquan/weiquan/internal/fault"
)

// The bucket backend runs against a real S3 server process
// (WEIQUAN_TEST_S3_URL; scripts/test starts one and sets
// WEIQUAN_REQUIRE_S3=1 so that these tests cannot skip there).

type fixture struct {
	ctx   context.Context
	cfg   s3blob.Config
	blobs *evidence.Blobs
	raw   *minio.Client // the same bucket, seen without our code
}

func setup(t *testing.T, limits evidence.Limits) fixture {
	t.Helper()
	ctx := context.Background()
	cfg := apitest.S3(t)
	cfg.Prefix = "ev/"
	be, err := s3blob.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open bucket: %v", err)
	}
	blobs, err := evidence.New(be, limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	raw, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.TLS, Region: cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{ctx: ctx, cfg: cfg, blobs: blobs, raw: raw}
}

// objects lists every object name in the bucket.
func (f fixture) objects(t *testing.T) []string {
	t.Helper()
	var names []string
	for o := range f.raw.ListObjects(f.ctx, f.cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list: %v", o.Err)
		}
		names = append(names, o.Key)
	}
	return names
}

// temps lists the files left in the temporary folder.
func (f fixture) temps(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(f.cfg.TempDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// pngFile is a w×h picture of noise (which does not compress: the file
// grows with its area).
func pngFile(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(rng.Uint32()), G: uint8(rng.Uint32()), B: uint8(rng.Uint32()), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func isFault(t *testing.T, err error, code fault.Code, field string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != code || fe.Field != field {
		t.Fatalf("got %v, want fault %s on field %q", err, code, field)
	}
}

const chatLog = `{"messages":[{"sender_role":"buyer","time":"2026-03-02T09:00:00+08:00","text":"收到的衣服颜色和图片不一样"}]}`

func TestPutOpenVerifyDeleteInTheBucket(t *testing.T) {
	f := setup(t, evidence.Limits{})
	img := pngFile(t, 64, 48)
	blob, err := f.blobs.Put(f.ctx, bytes.NewReader(img), "photo.png")
	if err != nil {
		t.Fatal(err)
	}
	if blob.Digest != sha(img) || blob.Size != int64(len(img)) || blob.MediaType != evidence.TypePNG || blob.Kind != evidence.KindImage {
		t.Fatalf("blob %+v, want digest %s size %d png image", blob, sha(img), len(img))
	}
	chat, err := f.blobs.Put(f.ctx, bytes.NewReader([]byte(chatLog)), "chat.json")
	if err != nil {
		t.Fatal(err)
	}
	if chat.Kind != evidence.KindChatLog {
		t.Fatalf("chat log stored as %s", chat.Kind)
	}
	got := f.objects(t)
	want := map[string]bool{"ev/" + evidence.BlobPath(blob.Digest): true, "ev/" + evidence.BlobPath(chat.Digest): true}
	if len(got) != 2 || !want[got[0]] || !want[got[1]] {
		t.Fatalf("objects %v, want the two digests' paths under the prefix", got)
	}
	if tmp := f.temps(t); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	// The object holds exactly the bytes, read without our code.
	obj, err := f.raw.GetObject(f.ctx, f.cfg.Bucket, got[0], minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || sha(stored) != got[0][len(got[0])-64:] {
		t.Fatalf("stored object %s hashes to %s (%v)", got[0], sha(stored), err)
	}

	rc, desc, err := f.blobs.Open(f.ctx, blob.Digest)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(back, img) || desc != blob {
		t.Fatalf("read back %d bytes (%v), %+v; want %d bytes, %+v", len(back), err, desc, len(img), blob)
	}
	// Seekable, for ranged downloads.
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		t.Fatalf("%T is not an io.ReadSeeker", rc)
	}
	if _, err := rs.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(rs)
	if !bytes.Equal(tail, img[100:]) {
		t.Fatalf("after Seek(100) read %d bytes, want %d", len(tail), len(img)-100)
	}
	rc.Close()
	_, cdesc, err := f.blobs.Open(f.ctx, chat.Digest)
	if err != nil || cdesc.Kind != evidence.KindChatLog {
		t.Fatalf("chat log opened as %+v (%v)", cdesc, err)
	}
	if err := f.blobs.Verify(f.ctx, blob.Digest); err != nil {
		t.Fatal(err)
	}

	if err := f.blobs.Delete(f.ctx, blob.Digest); err != nil {
		t.Fatal(err)
	}
	if err := f.blobs.Delete(f.ctx, blob.Digest); err != nil {
		t.Fatalf("deleting a blob already gone: %v", err)
	}
	_, _, err = f.blobs.Open(f.ctx, blob.Digest)
	isFault(t, err, fault.NotFound, "digest")
	isFault(t, f.blobs.Verify(f.ctx, blob.Digest), fault.NotFound, "digest")
	if got := f.objects(t); len(got) != 1 || got[0] != "ev/"+evidence.BlobPath(chat.Digest) {
		t.Fatalf("after delete: %v", got)
	}
}

func TestSameBytesTwiceAreNotRewritten(t *testing.T) {
	f := setup(t, evidence.Limits{})
	img := pngFile(t, 20, 20)
	first, err := f.blobs.Put(f.ctx, bytes.NewReader(img), "a.png")
	if err != nil {
		t.Fatal(err)
	}
	key := "ev/" + evidence.BlobPath(first.Digest)
	before, err := f.raw.StatObject(f.ctx, f.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // Last-Modified has one-second resolution
	second, err := f.blobs.Put(f.ctx, bytes.NewReader(img), "copy.png")
	if err != nil || second != first {
		t.Fatalf("second put %+v (%v), want %+v", second, err, first)
	}
	after, err := f.raw.StatObject(f.ctx, f.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastModified.Equal(before.LastModified) {
		t.Fatalf("the object was rewritten: %s then %s", before.LastModified, after.LastModified)
	}
	if n := len(f.objects(t)); n != 1 {
		t.Fatalf("%d objects, want 1", n)
	}
}

func TestRefusedUploadsReachNoObject(t *testing.T) {
	f := setup(t, evidence.Limits{MaxFileBytes: 4096})
	big := pngFile(t, 200, 200)
	_, err := f.blobs.Put(f.ctx, bytes.NewReader(big), "big.png")
	isFault(t, err, fault.PayloadTooBig, "file")
	_, err = f.blobs.Put(f.ctx, bytes.NewReader(append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 100)...)), "x.png")
	isFault(t, err, fault.Invalid, "file")
	_, err = f.blobs.PutWithin(f.ctx, bytes.NewReader([]byte(chatLog)), "chat.json", 10)
	isFault(t, err, fault.PayloadTooBig, "file")
	boom := errors.New("connection reset")
	_, err = f.blobs.Put(f.ctx, io.MultiReader(bytes.NewReader(pngFile(t, 8, 8)[:40]), errReader{boom}), "cut.png")
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
	if got := f.objects(t); len(got) != 0 {
		t.Fatalf("refused uploads left objects: %v", got)
	}
	if tmp := f.temps(t); len(tmp) != 0 {
		t.Fatalf("refused uploads left temporary files: %v", tmp)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestVerifyDetectsATamperedObject(t *testing.T) {
	f := setup(t, evidence.Limits{})
	img := pngFile(t, 16, 16)
	blob, err := f.blobs.Put(f.ctx, bytes.NewReader(img), "a.png")
	if err != nil {
		t.Fatal(err)
	}
	forged := pngFile(t, 17, 16)
	if _, err := f.raw.PutObject(f.ctx, f.cfg.Bucket, "ev/"+evidence.BlobPath(blob.Digest), bytes.NewReader(forged), int64(len(forged)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	err = f.blobs.Verify(f.ctx, blob.Digest)
	isFault(t, err, fault.Internal, "")
	if !errors.Is(err, evidence.ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

func TestOpenNamesWhatIsMissing(t *testing.T) {
	cfg := s3blob.Config{Endpoint: "127.0.0.1:1", Bucket: "b", AccessKey: "a"}
	_, err := s3blob.Open(context.Background(), cfg)
	isFault(t, err, fault.Invalid, "evidence-s3-secret-key")
	cfg.SecretKey, cfg.TempDir = "s", t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s3blob.Open(ctx, cfg); err == nil {
		t.Fatal("a bucket on a closed port opened")
	}
}

func TestOpenSweepsStaleTemporaryFiles(t *testing.T) {
	cfg := apitest.S3(t)
	stale := filepath.Join(cfg.TempDir, "weiquan-evidence-1.part")
	fresh := filepath.Join(cfg.TempDir, "weiquan-evidence-2.part")
	other := filepath.Join(cfg.TempDir, "not-ours.part")
	for _, p := range []string{stale, fresh, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	for _, p := range []string{stale, other} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3blob.Open(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Fatalf("%s exists=%v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
