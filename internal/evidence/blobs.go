package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // registers the GIF header decoder for image.DecodeConfig
	_ "image/jpeg" // JPEG
	_ "image/png"  // PNG
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/fault"
)

// Default limits.
const (
	DefaultMaxFileBytes int64 = 10 << 20 // one upload: 10 MiB
	DefaultMaxCaseBytes int64 = 50 << 20 // all the evidence of one case: 50 MiB
)

// Sentinel causes, for errors.Is.
var (
	ErrUnsupportedType = errors.New("evidence: unsupported content type")
	ErrTooLarge        = errors.New("evidence: over the size limit")
	ErrBadDigest       = errors.New("evidence: malformed digest")
	ErrCorrupt         = errors.New("evidence: stored bytes do not match their digest")
)

// Limits bounds what is stored. Zero fields take the defaults.
type Limits struct {
	// MaxFileBytes caps one upload (default 10 MiB).
	MaxFileBytes int64
	// MaxCaseBytes caps the evidence of one case (default 50 MiB). Blobs
	// cannot see cases: the caller enforces it with the metadata store, see
	// CaseBudget and CheckCase.
	MaxCaseBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes == 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxCaseBytes == 0 {
		l.MaxCaseBytes = DefaultMaxCaseBytes
	}
	return l
}

// CaseBudget returns how many more bytes a case that already holds used
// bytes of evidence may take (never negative): pass it to PutWithin.
func (l Limits) CaseBudget(used int64) int64 {
	l = l.withDefaults()
	return max(0, l.MaxCaseBytes-used)
}

// CheckCase refuses adding size bytes to a case that already holds used
// bytes when the total would pass MaxCaseBytes. Call it in the transaction
// that inserts the evidence row, after locking the case, so that concurrent
// uploads cannot both slip under the limit. Errors: PayloadTooBig.
func (l Limits) CheckCase(used, size int64) error {
	l = l.withDefaults()
	if used+size <= l.MaxCaseBytes {
		return nil
	}
	return &fault.Error{Code: fault.PayloadTooBig, Field: "file", Cause: ErrTooLarge,
		Message: fmt.Sprintf("本案证据总量不能超过 %s（已用 %s）/ a case's evidence cannot exceed %s in total (%s used)",
			human(l.MaxCaseBytes), human(used), human(l.MaxCaseBytes), human(used))}
}

// Blob describes stored content.
type Blob struct {
	Digest    string // SHA-256 of the bytes, 64 lowercase hex digits
	Size      int64  // bytes
	MediaType string // sniffed from the content, e.g. "image/png"
	Kind      Kind
}

// Backend keeps the bytes of Blobs, each under its digest: the folder of
// OpenDir (the default) or an object store (package evidence/s3blob). Blobs
// is its one consumer and does everything else — hashing, limits, type
// checks — so the backends cannot differ in what they accept.
type Backend interface {
	// CreateTemp returns a new, empty temporary file for an upload in
	// progress and a function that removes it (called once the upload is
	// placed or refused).
	CreateTemp() (f *os.File, remove func(), err error)
	// Place stores the finished temporary file f (size bytes, positioned
	// at its start) as the blob digest, unless a blob of that digest is
	// already there: stored bytes are never rewritten.
	Place(ctx context.Context, f *os.File, digest string, size int64) error
	// Open returns a blob's bytes, seekable, and its size. A missing blob
	// is an error wrapping fs.ErrNotExist.
	Open(ctx context.Context, digest string) (io.ReadSeekCloser, int64, error)
	// Delete removes a blob; one already gone is not an error.
	Delete(ctx context.Context, digest string) error
	// Close releases the backend.
	Close() error
}

// Blobs is a content-addressed blob store over a Backend. It is safe for
// concurrent use, also by several processes (replicas) sharing the backend.
type Blobs struct {
	be     Backend
	limits Limits
}

// Open opens (creating it if needed) the blob store in the folder dir
// (OpenDir). Errors: Invalid for negative limits or an empty dir; otherwise
// the filesystem's.
func Open(dir string, limits Limits) (*Blobs, error) {
	if err := checkLimits(limits); err != nil {
		return nil, err
	}
	be, err := OpenDir(dir)
	if err != nil {
		return nil, err
	}
	return New(be, limits)
}

// New is the blob store over be. Errors: Invalid for negative limits.
func New(be Backend, limits Limits) (*Blobs, error) {
	if err := checkLimits(limits); err != nil {
		return nil, err
	}
	return &Blobs{be: be, limits: limits.withDefaults()}, nil
}

func checkLimits(l Limits) error {
	if l.MaxFileBytes < 0 || l.MaxCaseBytes < 0 {
		return fault.Field("limits", "证据大小上限不能为负 / evidence limits cannot be negative")
	}
	return nil
}

// Close releases the backend.
func (b *Blobs) Close() error { return b.be.Close() }

// Limits returns the limits in force (defaults filled in).
func (b *Blobs) Limits() Limits { return b.limits }

// Put stores the content of r under the per-file limit; see PutWithin.
func (b *Blobs) Put(ctx context.Context, r io.Reader, declaredName string) (Blob, error) {
	return b.PutWithin(ctx, r, declaredName, b.limits.MaxFileBytes)
}

// PutWithin stores the content of r if it is at most min(budget,
// MaxFileBytes) bytes long and of an accepted type, and returns its
// description. The budget is what is left of the case's allowance
// (Limits.CaseBudget). declaredName is the client's file name: it is only
// quoted in errors and never decides the type or the path.
//
// The content is streamed to a temporary file while it is hashed; on any
// refusal or failure that file is removed. Only a complete, accepted file
// reaches the backend, under its digest. Content already stored is not
// rewritten. Errors: Invalid (empty, unsupported type, malformed JSON or
// image header; field "file" or the JSON path), PayloadTooBig.
func (b *Blobs) PutWithin(ctx context.Context, r io.Reader, declaredName string, budget int64) (Blob, error) {
	limit, byCase := b.limits.MaxFileBytes, false
	if budget < limit {
		limit, byCase = budget, true
	}
	tooBig := func() error {
		if byCase {
			return &fault.Error{Code: fault.PayloadTooBig, Field: "file", Cause: ErrTooLarge,
				Message: fmt.Sprintf("文件 %q 超出本案剩余的证据额度 %s（总额 %s）/ file %q exceeds the %s left of the case's %s evidence allowance",
					CleanName(declaredName), human(max(limit, 0)), human(b.limits.MaxCaseBytes), CleanName(declaredName), human(max(limit, 0)), human(b.limits.MaxCaseBytes))}
		}
		return &fault.Error{Code: fault.PayloadTooBig, Field: "file", Cause: ErrTooLarge,
			Message: fmt.Sprintf("文件 %q 超过 %s 上限 / file %q exceeds the %s limit", CleanName(declaredName), human(limit), CleanName(declaredName), human(limit))}
	}
	if limit <= 0 {
		return Blob{}, tooBig()
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, err
	}
	r = ctxReader{ctx: ctx, r: r}

	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Blob{}, fmt.Errorf("evidence: read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return Blob{}, fault.Field("file", "文件 %q 为空 / file %q is empty", CleanName(declaredName), CleanName(declaredName))
	}
	if int64(n) > limit {
		return Blob{}, tooBig()
	}
	mediaType, kind, ok := sniff(head)
	if !ok {
		return Blob{}, unsupported(mediaType, declaredName)
	}

	f, remove, err := b.be.CreateTemp()
	if err != nil {
		return Blob{}, err
	}
	defer func() {
		f.Close()
		remove()
	}()
	h := sha256.New()
	w := io.MultiWriter(f, h)
	if _, err := w.Write(head); err != nil {
		return Blob{}, fmt.Errorf("evidence: write temporary file: %w", err)
	}
	rest, err := io.Copy(w, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return Blob{}, fmt.Errorf("evidence: store upload: %w", err)
	}
	size := int64(n) + rest
	if size > limit {
		return Blob{}, tooBig()
	}
	if err := f.Sync(); err != nil {
		return Blob{}, fmt.Errorf("evidence: sync temporary file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Blob{}, fmt.Errorf("evidence: rewind temporary file: %w", err)
	}
	if kind, err = checkContent(f, mediaType, kind, size, declaredName); err != nil {
		return Blob{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Blob{}, fmt.Errorf("evidence: rewind temporary file: %w", err)
	}

	blob := Blob{Digest: hex.EncodeToString(h.Sum(nil)), Size: size, MediaType: mediaType, Kind: kind}
	if err := b.be.Place(ctx, f, blob.Digest, size); err != nil {
		return Blob{}, err
	}
	return blob, nil
}

// checkContent looks past the first bytes where the format allows it: JSON
// documents are decoded and validated (which also decides chat log versus
// tracking record), and image headers must decode to a real size.
func checkContent(f io.Reader, mediaType string, kind Kind, size int64, declaredName string) (Kind, error) {
	switch mediaType {
	case TypeJSON:
		data, err := io.ReadAll(io.LimitReader(f, size))
		if err != nil {
			return "", fmt.Errorf("evidence: read back: %w", err)
		}
		return validateJSON(data)
	case TypePNG, TypeJPEG, TypeGIF:
		cfg, format, err := image.DecodeConfig(f)
		if err != nil || "image/"+format != mediaType || cfg.Width <= 0 || cfg.Height <= 0 {
			return "", &fault.Error{Code: fault.Invalid, Field: "file", Cause: ErrUnsupportedType,
				Message: fmt.Sprintf("文件 %q 以 %s 开头但不是有效图片 / file %q starts like %s but is not a valid image", CleanName(declaredName), mediaType, CleanName(declaredName), mediaType)}
		}
	}
	return kind, nil
}

// Open returns the bytes of a blob and its description (the type sniffed
// again from the stored content). The reader also implements io.Seeker, so
// it can be handed to http.ServeContent for range requests; the caller
// closes it. Errors: Invalid (malformed digest), NotFound.
func (b *Blobs) Open(ctx context.Context, digest string) (io.ReadCloser, Blob, error) {
	d, err := checkDigest(digest)
	if err != nil {
		return nil, Blob{}, err
	}
	f, size, err := b.openBlob(ctx, d)
	if err != nil {
		return nil, Blob{}, err
	}
	blob := Blob{Digest: d, Size: size}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		f.Close()
		return nil, Blob{}, fmt.Errorf("evidence: read %s: %w", d, err)
	}
	mt, kind, ok := sniff(head[:n])
	if ok && mt == TypeJSON {
		if _, err := f.Seek(0, io.SeekStart); err == nil {
			if data, err := io.ReadAll(io.LimitReader(f, blob.Size)); err == nil {
				kind, _ = jsonKind(data)
			}
		}
	}
	if ok {
		blob.MediaType, blob.Kind = mt, kind
	} else {
		blob.MediaType = "application/octet-stream"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, Blob{}, fmt.Errorf("evidence: rewind %s: %w", d, err)
	}
	return f, blob, nil
}

// Verify re-hashes a blob and checks it against its name. Errors: Invalid
// (malformed digest), NotFound, Internal with cause ErrCorrupt.
func (b *Blobs) Verify(ctx context.Context, digest string) error {
	d, err := checkDigest(digest)
	if err != nil {
		return err
	}
	f, _, err := b.openBlob(ctx, d)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("evidence: read %s: %w", d, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != d {
		return &fault.Error{Code: fault.Internal, Cause: fmt.Errorf("%w: %s hashes to %s", ErrCorrupt, d, got),
			Message: "证据文件已损坏 / the evidence file is corrupt"}
	}
	return nil
}

// Delete removes a blob (retention: the evidence period passed). A blob
// already gone is not an error. Errors: Invalid (malformed digest).
func (b *Blobs) Delete(ctx context.Context, digest string) error {
	d, err := checkDigest(digest)
	if err != nil {
		return err
	}
	if err := b.be.Delete(ctx, d); err != nil {
		return fmt.Errorf("evidence: delete %s: %w", d, err)
	}
	return nil
}

func (b *Blobs) openBlob(ctx context.Context, digest string) (io.ReadSeekCloser, int64, error) {
	f, size, err := b.be.Open(ctx, digest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, &fault.Error{Code: fault.NotFound, Field: "digest", Cause: err,
			Message: fmt.Sprintf("证据文件 %s 不存在 / evidence blob %s not found", digest, digest)}
	}
	if err != nil {
		return nil, 0, fmt.Errorf("evidence: open %s: %w", digest, err)
	}
	return f, size, nil
}

// ValidDigest reports whether s is a digest as Blob.Digest spells it: 64
// lowercase hexadecimal digits.
func ValidDigest(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkDigest accepts a digest in either case and returns it in lowercase.
func checkDigest(s string) (string, error) {
	d := strings.ToLower(s)
	if !ValidDigest(d) {
		return "", &fault.Error{Code: fault.Invalid, Field: "digest", Cause: ErrBadDigest,
			Message: "摘要须为 64 位十六进制 SHA-256 / the digest must be a SHA-256 of 64 hexadecimal digits"}
	}
	return d, nil
}

// BlobPath is where a blob with a valid digest lives in a backend, as a
// slash-separated path: sha256/ab/cd/abcd… (a file in the folder, an
// object key in a bucket).
func BlobPath(d string) string { return blobDir + "/" + d[0:2] + "/" + d[2:4] + "/" + d }

// maxNameBytes bounds a cleaned file name.
const maxNameBytes = 255

// CleanName makes a client's declared file name safe to store and show:
// the last path element only (either slash), control and format characters
// removed, at most 255 bytes of valid UTF-8. The result may be empty. It is
// for display; blobs are never stored under it.
func CleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > maxNameBytes {
		_, sz := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-sz]
	}
	if name == "." || name == ".." {
		return ""
	}
	return name
}

func unsupported(mediaType, declaredName string) error {
	return &fault.Error{Code: fault.Invalid, Field: "file", Cause: fmt.Errorf("%w: %s", ErrUnsupportedType, mediaType),
		Message: fmt.Sprintf("不支持的文件类型 %s（文件 %q）；可上传 JPEG、PNG、WebP、GIF 图片，MP4/MOV 视频，PDF，聊天记录或物流记录 JSON / unsupported file type %s (file %q); accepted: JPEG, PNG, WebP, GIF images, MP4/MOV video, PDF, chat-log or tracking-record JSON",
			mediaType, CleanName(declaredName), mediaType, CleanName(declaredName))}
}

// human prints a byte count for messages.
func human(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ctxReader stops a read once the context is done (a client gone away).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
