package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
)

// ---- fixtures: real files made here, never copied in ----

// picture is a w×h image; noisy pixels do not compress, so the encoded
// file grows with its area.
func picture(w, h int, noisy bool) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{R: uint8(x * 7), G: uint8(y * 13), B: 128, A: 255}
			if noisy {
				c = color.RGBA{R: uint8(rng.Uint32()), G: uint8(rng.Uint32()), B: uint8(rng.Uint32()), A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func pngFile(t testing.TB, w, h int, noisy bool) []byte {
	t.Helper()
	var b bytes.Buffer
	must.NoError(t, png.Encode(&b, picture(w, h, noisy)))
	return b.Bytes()
}

func jpegFile(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	must.NoError(t, jpeg.Encode(&b, picture(16, 12, false), &jpeg.Options{Quality: 80}))
	return b.Bytes()
}

func gifFile(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	must.NoError(t, gif.Encode(&b, picture(8, 8, false), nil))
	return b.Bytes()
}

// webpFile is a RIFF container with a VP8L (lossless) chunk header for a
// 1×1 image: what a WebP file starts with.
func webpFile() []byte {
	payload := []byte{0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(payload)))
	b.WriteString("WEBPVP8L")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(payload)))
	b.Write(payload)
	return b.Bytes()
}

// mp4File is an ftyp box (major brand isom, compatible isom/mp41) followed
// by a small mdat box.
func mp4File() []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(24))
	b.WriteString("ftypisom")
	_ = binary.Write(&b, binary.BigEndian, uint32(0x200))
	b.WriteString("isommp41")
	data := bytes.Repeat([]byte{0xAB}, 64)
	_ = binary.Write(&b, binary.BigEndian, uint32(8+len(data)))
	b.WriteString("mdat")
	b.Write(data)
	return b.Bytes()
}

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

const chatLogObject = `{"messages": [
  {"sender_role": "buyer", "time": "2026-03-02T09:00:00+08:00", "text": "收到的衣服颜色和图片不一样"},
  {"sender_role": "seller", "time": "2026-03-02T09:05:00+08:00", "text": "亲，可以退货退款"},
  {"sender_role": "system", "time": "2026-03-02T01:06:00Z", "text": "买家已申请客服介入"}
]}`

const chatLogArray = "\ufeff[{\"sender_role\": \"agent\", \"time\": \"2026-03-03T10:00:00Z\", \"text\": \"请双方提供凭证\"}]"

const trackingRecord = `{"carrier": "SF", "tracking_no": "SF1234567890", "events": [
  {"time": "2026-03-01T18:00:00+08:00", "location": "杭州", "status": "已揽收"},
  {"time": "2026-03-02T10:00:00+08:00", "status": "已签收"}
]}`

// ---- harness ----

type bundle struct {
	dir   string
	blobs *evidence.Blobs
	ctx   context.Context
}

func setup(t *testing.T, limits evidence.Limits) *bundle {
	t.Helper()
	dir := t.TempDir()
	b, err := evidence.Open(dir, limits)
	must.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return &bundle{dir: dir, blobs: b, ctx: context.Background()}
}

// files lists the regular files under the store's directory, relative to it.
func (b *bundle) files(t *testing.T) []string {
	t.Helper()
	var out []string
	must.NoError(t, filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(b.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	}))
	return out
}

func blobPath(digest string) string {
	return "sha256/" + digest[:2] + "/" + digest[2:4] + "/" + digest
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func requireFault(t *testing.T, err error, code fault.Code, field string) *fault.Error {
	t.Helper()
	must.Error(t, err)
	fe, ok := fault.As(err)
	must.True(t, ok, "not a fault: %v", err)
	must.Equal(t, code, fe.Code, "%v", err)
	if field != "" {
		must.Equal(t, field, fe.Field, "%v", err)
	}
	return fe
}

// ---- behaviour ----

func TestPutStoresWhatWasUploaded(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		mediaType string
		kind      evidence.Kind
	}{
		{"png", pngFile(t, 20, 10, false), "image/png", evidence.KindImage},
		{"jpeg", jpegFile(t), "image/jpeg", evidence.KindImage},
		{"gif", gifFile(t), "image/gif", evidence.KindImage},
		{"webp", webpFile(), "image/webp", evidence.KindImage},
		{"mp4", mp4File(), "video/mp4", evidence.KindVideo},
		{"pdf", pdfFile(), "application/pdf", evidence.KindPDF},
		{"chat log object", []byte(chatLogObject), "application/json", evidence.KindChatLog},
		{"chat log array with BOM", []byte(chatLogArray), "application/json", evidence.KindChatLog},
		{"tracking", []byte(trackingRecord), "application/json", evidence.KindTracking},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, evidence.Limits{})
			blob, err := b.blobs.Put(b.ctx, bytes.NewReader(tt.data), "upload.bin")
			must.NoError(t, err)
			must.Equal(t, sha(tt.data), blob.Digest)
			must.Equal(t, int64(len(tt.data)), blob.Size)
			must.Equal(t, tt.mediaType, blob.MediaType)
			must.Equal(t, tt.kind, blob.Kind)
			must.Equal(t, []string{blobPath(blob.Digest)}, b.files(t), "one blob at its digest's path, no temporary file")

			rc, got, err := b.blobs.Open(b.ctx, blob.Digest)
			must.NoError(t, err)
			defer rc.Close()
			data, err := io.ReadAll(rc)
			must.NoError(t, err)
			must.Equal(t, tt.data, data)
			must.Equal(t, blob, got)
			must.NoError(t, b.blobs.Verify(b.ctx, blob.Digest))

			onDisk, err := os.ReadFile(filepath.Join(b.dir, blobPath(blob.Digest)))
			must.NoError(t, err)
			must.Equal(t, tt.data, onDisk)
		})
	}
}

func TestTypeComesFromContentNotName(t *testing.T) {
	b := setup(t, evidence.Limits{})
	blob, err := b.blobs.Put(b.ctx, bytes.NewReader(pngFile(t, 4, 4, false)), "质检报告.pdf")
	must.NoError(t, err)
	must.Equal(t, "image/png", blob.MediaType)
	must.Equal(t, evidence.KindImage, blob.Kind)

	blob, err = b.blobs.Put(b.ctx, bytes.NewReader(pdfFile()), "photo.jpg")
	must.NoError(t, err)
	must.Equal(t, "application/pdf", blob.MediaType)

	// An HTML page named like a picture is still HTML, and refused.
	_, err = b.blobs.Put(b.ctx, strings.NewReader("<!DOCTYPE html><html><body>hi</body></html>"), "cat.png")
	fe := requireFault(t, err, fault.Invalid, "file")
	must.Contains(t, fe.Message, "text/html")
}

func TestOversizedUploadLeavesNothingBehind(t *testing.T) {
	t.Run("configured limit", func(t *testing.T) {
		b := setup(t, evidence.Limits{MaxFileBytes: 4096})
		big := pngFile(t, 64, 64, true)
		must.Greater(t, len(big), 4096)
		_, err := b.blobs.Put(b.ctx, bytes.NewReader(big), "big.png")
		requireFault(t, err, fault.PayloadTooBig, "file")
		must.ErrorIs(t, err, evidence.ErrTooLarge)
		must.Empty(t, b.files(t), "no blob and no temporary file")

		// Under the limit, the same store accepts.
		small := pngFile(t, 8, 8, false)
		_, err = b.blobs.Put(b.ctx, bytes.NewReader(small), "small.png")
		must.NoError(t, err)
	})
	t.Run("default 10 MiB, at and past the boundary", func(t *testing.T) {
		b := setup(t, evidence.Limits{})
		head := pngFile(t, 4, 4, false)
		pad := func(total int64) io.Reader {
			return io.MultiReader(bytes.NewReader(head), io.LimitReader(zeros{}, total-int64(len(head))))
		}
		_, err := b.blobs.Put(b.ctx, pad(evidence.DefaultMaxFileBytes+1), "one-byte-too-many.png")
		fe := requireFault(t, err, fault.PayloadTooBig, "file")
		must.Contains(t, fe.Message, "10 MB")
		must.Empty(t, b.files(t))

		blob, err := b.blobs.Put(b.ctx, pad(evidence.DefaultMaxFileBytes), "exactly.png")
		must.NoError(t, err)
		must.Equal(t, evidence.DefaultMaxFileBytes, blob.Size)
		must.Equal(t, []string{blobPath(blob.Digest)}, b.files(t))
	})
	t.Run("tiny limit below the sniffing window", func(t *testing.T) {
		b := setup(t, evidence.Limits{MaxFileBytes: 10})
		_, err := b.blobs.Put(b.ctx, bytes.NewReader(pdfFile()), "a.pdf")
		requireFault(t, err, fault.PayloadTooBig, "file")
		must.Empty(t, b.files(t))
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestCaseBudget(t *testing.T) {
	b := setup(t, evidence.Limits{MaxCaseBytes: 1000})
	lim := b.blobs.Limits()
	must.Equal(t, evidence.DefaultMaxFileBytes, lim.MaxFileBytes)
	must.Equal(t, int64(1000), lim.MaxCaseBytes)
	must.Equal(t, int64(300), lim.CaseBudget(700))
	must.Equal(t, int64(0), lim.CaseBudget(1200))

	data := pdfFile()
	_, err := b.blobs.PutWithin(b.ctx, bytes.NewReader(data), "r.pdf", int64(len(data))-1)
	fe := requireFault(t, err, fault.PayloadTooBig, "file")
	must.Contains(t, fe.Message, "allowance")
	must.Empty(t, b.files(t))

	_, err = b.blobs.PutWithin(b.ctx, bytes.NewReader(data), "r.pdf", 0)
	requireFault(t, err, fault.PayloadTooBig, "file")

	blob, err := b.blobs.PutWithin(b.ctx, bytes.NewReader(data), "r.pdf", int64(len(data)))
	must.NoError(t, err)

	must.NoError(t, lim.CheckCase(1000-blob.Size, blob.Size))
	err = lim.CheckCase(1001-blob.Size, blob.Size)
	requireFault(t, err, fault.PayloadTooBig, "file")
	must.ErrorIs(t, err, evidence.ErrTooLarge)
}

func TestSameBytesTwiceStoreOneBlob(t *testing.T) {
	b := setup(t, evidence.Limits{})
	data := jpegFile(t)
	first, err := b.blobs.Put(b.ctx, bytes.NewReader(data), "a.jpg")
	must.NoError(t, err)
	path := filepath.Join(b.dir, blobPath(first.Digest))
	before, err := os.Stat(path)
	must.NoError(t, err)

	second, err := b.blobs.Put(b.ctx, bytes.NewReader(data), "copy of a.jpeg")
	must.NoError(t, err)
	must.Equal(t, first, second)
	must.Equal(t, []string{blobPath(first.Digest)}, b.files(t))

	after, err := os.Stat(path)
	must.NoError(t, err)
	must.True(t, os.SameFile(before, after), "the stored file was replaced")
	must.Equal(t, before.ModTime(), after.ModTime(), "the stored file was rewritten")
	must.Zero(t, after.Mode().Perm()&0o222, "a stored blob is read-only")
}

func TestRefusesOtherTypesNamingThem(t *testing.T) {
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 100)...)
	tests := []struct {
		name, detected string
		data           []byte
	}{
		{"ELF", "application/x-elf", elf},
		{"Windows exe", "application/x-msdownload", exe},
		{"HTML", "text/html", []byte("  <html><head><script>alert(1)</script></head></html>")},
		{"SVG (scriptable)", "text/xml", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"plain text", "text/plain", []byte("just some words")},
		{"zip", "application/zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")},
		{"HEIC photo", "image/heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 40)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, evidence.Limits{})
			_, err := b.blobs.Put(b.ctx, bytes.NewReader(tt.data), "evidence.jpg")
			fe := requireFault(t, err, fault.Invalid, "file")
			must.ErrorIs(t, err, evidence.ErrUnsupportedType)
			must.Contains(t, fe.Message, tt.detected)
			must.Contains(t, fe.Message, `"evidence.jpg"`)
			must.Empty(t, b.files(t))
		})
	}
	t.Run("empty", func(t *testing.T) {
		b := setup(t, evidence.Limits{})
		_, err := b.blobs.Put(b.ctx, strings.NewReader(""), "nothing.png")
		requireFault(t, err, fault.Invalid, "file")
		must.Empty(t, b.files(t))
	})
	t.Run("image magic with a broken header", func(t *testing.T) {
		b := setup(t, evidence.Limits{})
		fake := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("x"), 100)...)
		_, err := b.blobs.Put(b.ctx, bytes.NewReader(fake), "fake.png")
		fe := requireFault(t, err, fault.Invalid, "file")
		must.Contains(t, fe.Message, "image/png")
		must.Empty(t, b.files(t))
	})
}

func TestMalformedJSONIsRefusedNamingTheField(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"bad role", `{"messages":[{"sender_role":"buyer","time":"2026-03-02T09:00:00Z","text":"a"},{"sender_role":"boss","time":"2026-03-02T09:00:00Z","text":"b"}]}`, "messages[1].sender_role"},
		{"missing role in array form", `[{"time":"2026-03-02T09:00:00Z","text":"a"}]`, "[0].sender_role"},
		{"bad time", `{"messages":[{"sender_role":"seller","time":"2026/03/02 09:00","text":"a"}]}`, "messages[0].time"},
		{"time without offset", `[{"sender_role":"seller","time":"2026-03-02T09:00:00","text":"a"}]`, "[0].time"},
		{"blank text", `{"messages":[{"sender_role":"seller","time":"2026-03-02T09:00:00Z","text":"  "}]}`, "messages[0].text"},
		{"text not a string", `{"messages":[{"sender_role":"seller","time":"2026-03-02T09:00:00Z","text":5}]}`, "messages[0].text"},
		{"unknown field", `{"messages":[{"sender_role":"seller","time":"2026-03-02T09:00:00Z","text":"a","mood":"angry"}]}`, "messages[0].mood"},
		{"no messages", `{"messages":[]}`, "messages"},
		{"messages not an array", `{"messages":"hello"}`, "messages"},
		{"syntax error", `{"messages":[{"sender_role":"seller",]}`, "file"},
		{"truncated", `{"messages":[{"sender_role":"seller"`, "file"},
		{"trailing data", `[{"sender_role":"seller","time":"2026-03-02T09:00:00Z","text":"a"}] []`, "file"},
		{"neither kind", `{"hello":"world"}`, "file"},
		{"tracking without number", `{"carrier":"SF","events":[]}`, "tracking_no"},
		{"tracking without events", `{"carrier":"SF","tracking_no":"SF1"}`, "events"},
		{"tracking event without status", `{"carrier":"SF","tracking_no":"SF1","events":[{"time":"2026-03-02T09:00:00Z","location":"杭州"}]}`, "events[0].status"},
		{"tracking event bad time", `{"carrier":"SF","tracking_no":"SF1","events":[{"time":"yesterday","status":"已签收"}]}`, "events[0].time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, evidence.Limits{})
			_, err := b.blobs.Put(b.ctx, strings.NewReader(tt.body), "chat.json")
			requireFault(t, err, fault.Invalid, tt.field)
			must.Empty(t, b.files(t), "refused JSON must leave no temporary file")
		})
	}
}

func TestConcurrentUploadsOfTheSameContent(t *testing.T) {
	b := setup(t, evidence.Limits{})
	same := pngFile(t, 48, 48, true)
	other := pdfFile()
	const n = 24
	blobs := make([]evidence.Blob, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			data := same
			if i%4 == 3 {
				data = other
			}
			blobs[i], errs[i] = b.blobs.Put(b.ctx, iotestHalfReader(data), "x")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		must.NoError(t, errs[i])
		want := sha(same)
		if i%4 == 3 {
			want = sha(other)
		}
		must.Equal(t, want, blobs[i].Digest)
	}
	files := b.files(t)
	must.ElementsMatch(t, []string{blobPath(sha(same)), blobPath(sha(other))}, files)
	must.NoError(t, b.blobs.Verify(b.ctx, sha(same)))
	must.NoError(t, b.blobs.Verify(b.ctx, sha(other)))
}

// iotestHalfReader returns data in small pieces so that concurrent uploads
// interleave.
func iotestHalfReader(data []byte) io.Reader { return &smallReader{data: data} }

type smallReader struct{ data []byte }

func (r *smallReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 97)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestDigestsAreChecked(t *testing.T) {
	b := setup(t, evidence.Limits{})
	data := gifFile(t)
	blob, err := b.blobs.Put(b.ctx, bytes.NewReader(data), "a.gif")
	must.NoError(t, err)

	bad := []string{
		"../../etc/passwd",
		"",
		"sha256/" + blob.Digest[:2] + "/" + blob.Digest[2:4] + "/" + blob.Digest,
		blob.Digest[:63],
		blob.Digest + "0",
		"../" + blob.Digest[3:],
		strings.Repeat("g", 64),
		"/" + blob.Digest[1:],
		blob.Digest[:62] + "\x00a",
	}
	for _, d := range bad {
		_, _, err := b.blobs.Open(b.ctx, d)
		requireFault(t, err, fault.Invalid, "digest")
		must.ErrorIs(t, err, evidence.ErrBadDigest)
		err = b.blobs.Verify(b.ctx, d)
		requireFault(t, err, fault.Invalid, "digest")
	}

	// Upper case is the same digest.
	rc, got, err := b.blobs.Open(b.ctx, strings.ToUpper(blob.Digest))
	must.NoError(t, err)
	rc.Close()
	must.Equal(t, blob, got)

	// A well-formed digest nobody stored.
	_, _, err = b.blobs.Open(b.ctx, sha([]byte("nothing")))
	requireFault(t, err, fault.NotFound, "digest")
	requireFault(t, b.blobs.Verify(b.ctx, sha([]byte("nothing"))), fault.NotFound, "digest")
}

// A link planted inside the directory cannot lead outside it: os.Root
// refuses to follow it.
func TestLinksCannotEscapeTheDirectory(t *testing.T) {
	b := setup(t, evidence.Limits{})
	secret := []byte("%PDF-1.4 secret outside the store\n%%EOF\n")
	outside := filepath.Join(t.TempDir(), "secret.pdf")
	must.NoError(t, os.WriteFile(outside, secret, 0o600))
	d := sha(secret)
	p := filepath.Join(b.dir, filepath.FromSlash(blobPath(d)))
	must.NoError(t, os.MkdirAll(filepath.Dir(p), 0o750))
	rel, err := filepath.Rel(filepath.Dir(p), outside)
	must.NoError(t, err)
	for _, target := range []string{outside, rel} {
		_ = os.Remove(p)
		must.NoError(t, os.Symlink(target, p))
		rc, _, err := b.blobs.Open(b.ctx, d)
		if err == nil {
			data, _ := io.ReadAll(rc)
			rc.Close()
			t.Fatalf("link to %s followed: read %q", target, data)
		}
		must.Error(t, b.blobs.Verify(b.ctx, d))
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	b := setup(t, evidence.Limits{})
	blob, err := b.blobs.Put(b.ctx, bytes.NewReader(pdfFile()), "r.pdf")
	must.NoError(t, err)
	p := filepath.Join(b.dir, blobPath(blob.Digest))
	must.NoError(t, os.Chmod(p, 0o600))
	must.NoError(t, os.WriteFile(p, []byte("%PDF-1.4 forged\n%%EOF\n"), 0o600))
	err = b.blobs.Verify(b.ctx, blob.Digest)
	requireFault(t, err, fault.Internal, "")
	must.ErrorIs(t, err, evidence.ErrCorrupt)
}

func TestCanceledUploadLeavesNothing(t *testing.T) {
	b := setup(t, evidence.Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := pngFile(t, 64, 64, true)
	r := &cancelAfter{r: bytes.NewReader(data), n: 3, cancel: cancel}
	_, err := b.blobs.Put(ctx, r, "a.png")
	must.ErrorIs(t, err, context.Canceled)
	must.Empty(t, b.files(t))
}

type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return c.r.Read(p[:min(len(p), 600)])
}

func TestFailingReaderLeavesNothing(t *testing.T) {
	b := setup(t, evidence.Limits{})
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(pngFile(t, 64, 64, true)), errReader{boom})
	_, err := b.blobs.Put(b.ctx, r, "a.png")
	must.ErrorIs(t, err, boom)
	must.Empty(t, b.files(t))
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestOpenSweepsStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	b, err := evidence.Open(dir, evidence.Limits{})
	must.NoError(t, err)
	must.NoError(t, b.Close())
	stale := filepath.Join(dir, "tmp", "old.part")
	fresh := filepath.Join(dir, "tmp", "new.part")
	must.NoError(t, os.WriteFile(stale, []byte("x"), 0o600))
	must.NoError(t, os.WriteFile(fresh, []byte("x"), 0o600))
	old := time.Now().Add(-48 * time.Hour)
	must.NoError(t, os.Chtimes(stale, old, old))

	b, err = evidence.Open(dir, evidence.Limits{})
	must.NoError(t, err)
	defer b.Close()
	_, err = os.Stat(stale)
	must.ErrorIs(t, err, fs.ErrNotExist)
	_, err = os.Stat(fresh)
	must.NoError(t, err, "an upload possibly in progress elsewhere must survive")
}

func TestOpenRefusesBadLimits(t *testing.T) {
	_, err := evidence.Open(t.TempDir(), evidence.Limits{MaxFileBytes: -1})
	requireFault(t, err, fault.Invalid, "limits")
	_, err = evidence.Open("", evidence.Limits{})
	requireFault(t, err, fault.Invalid, "dir")
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"photo.jpg":                    "photo.jpg",
		"../../etc/passwd":             "passwd",
		`C:\Users\买家\聊天记录.json`:        "聊天记录.json",
		"a\x00b\nc\u202eexe.png":       "abcexe.png",
		"..":                           "",
		"  spaced  ":                   "spaced",
		strings.Repeat("长", 100):       strings.Repeat("长", 85),
		"bad\xffutf8.png":              "badutf8.png",
		"dir/":                         "",
		"ok name (1).pdf":              "ok name (1).pdf",
		"\u200bzero-width-start.png":   "zero-width-start.png",
		"trailing-format\u2066.png":    "trailing-format.png",
		"/absolute/path/evidence.webp": "evidence.webp",
	} {
		must.Equal(t, want, evidence.CleanName(in), "CleanName(%q)", in)
	}
}
