package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/evidence"
)

// bigUpload is a multipart upload body of about size bytes, made as it is
// read (the client holds no copy): the form fields, then a PNG header and
// zeros as the file.
func bigUpload(caseID string, size int64) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("case_id", caseID)
	mw.CreateFormFile("file", "big.png")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(&head, bytes.NewReader(png), io.LimitReader(zeros{}, size), strings.NewReader(tail)), mw.FormDataContentType()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func vmHWM() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

// TestConcurrentLargeUploadsStayStreamed: 8 concurrent 60 MiB uploads —
// by one buyer, then by 8 buyers at once — are refused 413 after the file
// limit (10 MiB) without the body ever being held in memory: the heap
// stays far under 300 MiB (the figure is logged; the process's peak RSS
// too, client included).
func TestConcurrentLargeUploadsStayStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("moves ~1 GB over loopback")
	}
	e := apitest.Open(t, apitest.SQLiteURL(t))
	blobs, err := evidence.Open(t.TempDir(), evidence.Limits{MaxFileBytes: 10 << 20, MaxCaseBytes: 50 << 20})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.SetBlobs(blobs)
	cases := make([]string, 8)
	keys := make([]string, 8)
	for i := range cases {
		buyer := fmt.Sprintf("UB%d", i)
		e.NewOrder("U"+buyer, buyer, "S1", 1000, apitest.Delivered)
		cases[i] = e.Aftersale("U"+buyer, buyer, map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 1000})
		keys[i] = e.Key("buyer", buyer)
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	run := func(name string, who func(i int) (key, caseID string)) {
		var wg sync.WaitGroup
		codes := make([]int, 8)
		for i := range 8 {
			wg.Go(func() {
				key, caseID := who(i)
				body, ct := bigUpload(caseID, 60<<20)
				req, _ := http.NewRequest("POST", e.Server.URL+"/v1/evidence", body)
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", ct)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					codes[i] = -1 // the server answered and closed while the client was still sending
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				codes[i] = res.StatusCode
			})
		}
		wg.Wait()
		t.Logf("%s: statuses %v", name, codes)
		for i, c := range codes {
			if c != http.StatusRequestEntityTooLarge && c != -1 {
				t.Errorf("%s: upload %d answered %d, want 413", name, i, c)
			}
		}
	}
	run("one buyer", func(int) (string, string) { return keys[0], cases[0] })
	run("eight buyers", func(i int) (string, string) { return keys[i], cases[i] })
	close(stop)
	sampler.Wait()
	mib := float64(peak.Load()) / (1 << 20)
	t.Logf("8 concurrent 60 MiB uploads (one buyer, then eight): peak heap+stacks %.1f MiB; process peak RSS %s (test client included)", mib, vmHWM())
	if mib > 300 {
		t.Errorf("peak heap %.1f MiB, want under 300", mib)
	}
	if n := len(e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + cases[0], Key: keys[0]}).JSON()["items"].([]any)); n != 0 {
		t.Errorf("%d refused uploads stored", n)
	}
}

// TestUploadRefusals: the fields come before the file (400 naming
// case_id otherwise), a body over the file limit plus a little is 413
// before it is read (Content-Length), and a third upload at once by one
// caller waits, then is 429 with Retry-After.
func TestUploadRefusals(t *testing.T) {
	e := apitest.Open(t, apitest.SQLiteURL(t))
	as := refundOnly(e, "UR1", 1000, apitest.Delivered, "quality_problem")
	buyer := e.Key("buyer", "B1")

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "p.png")
	fw.Write(pngBytes(t, 2, 2))
	mw.WriteField("case_id", as)
	mw.Close()
	r := e.Do(apitest.Req{Method: "POST", Path: "/v1/evidence", Key: buyer, Body: b.Bytes(), Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	if r.Status != 400 || problemField(r) != "case_id" {
		t.Errorf("file before case_id: %d %s", r.Status, r.Body)
	}

	body, ct := bigUpload(as, 2<<20) // the test blob store takes 256 KiB files
	data, _ := io.ReadAll(body)
	req, _ := http.NewRequest("POST", e.Server.URL+"/v1/evidence", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+buyer)
	req.Header.Set("Content-Type", ct)
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
	}
	if err != nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body with Content-Length: %v %v, want 413", err, res)
	}

	// Two uploads that send nothing yet hold the buyer's slots.
	var held []*io.PipeWriter
	var wg sync.WaitGroup
	for range 2 {
		pr, pw := io.Pipe()
		held = append(held, pw)
		req, _ := http.NewRequest("POST", e.Server.URL+"/v1/evidence", pr)
		req.Header.Set("Authorization", "Bearer "+buyer)
		req.Header.Set("Content-Type", ct)
		wg.Go(func() {
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	b.Reset()
	mw = multipart.NewWriter(&b)
	mw.WriteField("case_id", as)
	fw, _ = mw.CreateFormFile("file", "p.png")
	fw.Write(pngBytes(t, 2, 2))
	mw.Close()
	r = e.Do(apitest.Req{Method: "POST", Path: "/v1/evidence", Key: buyer, Body: b.Bytes(), Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("third upload at once: %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	// Another buyer is not held up.
	e.NewOrder("UR2", "B2", "S1", 1000, apitest.Delivered)
	as2 := e.Aftersale("UR2", "B2", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 1000})
	if r := upload(e, e.Key("buyer", "B2"), as2, "x", "p.png", pngBytes(t, 2, 2), ""); r.Status != 201 {
		t.Errorf("another buyer's upload: %d %s", r.Status, r.Body)
	}
	for _, pw := range held {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	wg.Wait()
	if r := upload(e, buyer, as, "x", "p.png", pngBytes(t, 2, 2), ""); r.Status != 201 {
		t.Errorf("after the held uploads ended: %d %s", r.Status, r.Body)
	}
}
