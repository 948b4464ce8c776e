package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// Uploads are streamed: never read into memory whole. These bound them.
const (
	// uploadSlack is what a body may carry beyond the evidence file limit
	// (the other form fields and the multipart framing).
	uploadSlack = 1 << 20
	// uploadsPerCaller is how many uploads one caller (a key, or an
	// integration acting for one party) may have running at once; more
	// wait (uploadWait), then are 429 with Retry-After.
	uploadsPerCaller = 2
	// uploadsAtOnce is how many uploads the process takes at once; more
	// wait, then are 503 with Retry-After.
	uploadsAtOnce = 32
	// uploadReadTimeout is an upload body's read deadline, longer than
	// the server's ReadTimeout for other requests.
	uploadReadTimeout = 10 * time.Minute
)

// uploadSlots bounds the uploads running at once, per caller and in all:
// an upload waits up to uploadWait for a slot (its body unread, so a
// waiting upload costs no memory), then is refused.
type uploadSlots struct {
	mu    sync.Mutex
	per   map[string]chan struct{}
	all   chan struct{}
	users map[string]int
}

// uploadWait is how long an upload waits for a slot.
const uploadWait = 5 * time.Second

// take reserves a slot for who (429 when the caller's are all taken, 503
// when the process's are); release gives it back.
func (u *uploadSlots) take(ctx context.Context, who string) (release func(), err error) {
	u.mu.Lock()
	if u.per == nil {
		u.per, u.users, u.all = map[string]chan struct{}{}, map[string]int{}, make(chan struct{}, uploadsAtOnce)
	}
	mine, ok := u.per[who]
	if !ok {
		mine = make(chan struct{}, uploadsPerCaller)
		u.per[who] = mine
	}
	u.users[who]++
	all := u.all
	u.mu.Unlock()
	leave := func() {
		u.mu.Lock()
		if u.users[who]--; u.users[who] == 0 {
			delete(u.users, who)
			delete(u.per, who)
		}
		u.mu.Unlock()
	}
	t := time.NewTimer(uploadWait)
	defer t.Stop()
	select {
	case mine <- struct{}{}:
	case <-t.C:
		leave()
		return func() {}, &fault.Error{Code: fault.TooMany, Message: "同时上传过多，请稍后重试 / too many uploads at once: retry shortly"}
	case <-ctx.Done():
		leave()
		return func() {}, ctx.Err()
	}
	select {
	case all <- struct{}{}:
	case <-t.C:
		<-mine
		leave()
		return func() {}, fault.New(fault.Unavailable, "服务器上传繁忙，请稍后重试 / the server is busy with uploads: retry shortly")
	case <-ctx.Done():
		<-mine
		leave()
		return func() {}, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-all
			<-mine
			leave()
		})
	}, nil
}

// streamBody prepares a streamed route's body: a slot among the uploads
// running at once (429 / 503 when full), the longer read deadline, and the
// cap (the evidence file limit plus uploadSlack, http.MaxBytesReader). A
// POST with an Idempotency-Key is spooled to a temporary file first,
// hashing as it goes, so that the key's body hash is known before the
// handler runs; done releases the slot and the file.
func (a *API) streamBody(w http.ResponseWriter, r *http.Request, c service.Caller, scope string, spec *routeSpec) (done func(), err error) {
	release, err := a.uploads.take(r.Context(), scope+"|"+string(c.Role)+":"+c.PartyID)
	if err != nil {
		return release, err
	}
	limit := a.uploadLimit()
	if r.ContentLength > limit {
		return release, tooLarge(limit)
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if r.Method != http.MethodPost || r.Header.Get("Idempotency-Key") == "" {
		return release, nil
	}
	f, err := os.CreateTemp("", "weiquan-upload-*")
	if err != nil {
		return release, err
	}
	done = func() {
		f.Close()
		_ = os.Remove(f.Name())
		release()
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r.Body); err != nil {
		return done, bodyError(err, limit)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return done, err
	}
	spec.bodyDigest = hex.EncodeToString(h.Sum(nil))
	r.Body = f
	return done, nil
}

// uploadLimit is the largest upload body: the evidence file limit plus
// uploadSlack.
func (a *API) uploadLimit() int64 {
	if b := a.svc.Blobs(); b != nil {
		return b.Limits().MaxFileBytes + uploadSlack
	}
	return 10<<20 + uploadSlack
}

func tooLarge(limit int64) error {
	return &fault.Error{Code: fault.PayloadTooBig, Field: "file",
		Message: "上传超过 " + strconv.FormatInt(limit, 10) + " 字节 / the upload exceeds " + strconv.FormatInt(limit, 10) + " bytes"}
}

// bodyError is the problem of a body that could not be read: too large,
// or cut off.
func bodyError(err error, limit int64) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge(limit)
	}
	return fault.Field("body", "无法读取请求体 / cannot read the body: %v", err)
}
