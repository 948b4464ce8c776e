package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/server"
)

// TestTwoReplicasOnePostgresOneBucket is issue 12's two-replica test: two
// servers on ONE PostgreSQL schema with their evidence in ONE S3 bucket
// (a real S3 server process; scripts/test starts it and requires it) and
// each its own, different evidence-dir. Evidence uploaded on A is
// downloaded on B, byte for byte, under the same digest; a rule book set
// on A is in force on B within seconds; an API key revoked on A is refused
// on B at its next request.
func TestTwoReplicasOnePostgresOneBucket(t *testing.T) {
	ctx := context.Background()
	s3 := apitest.S3(t)
	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.PolicyPoll = apitest.PostgresURL(t), "127.0.0.1:0", 200*time.Millisecond
	cfg.S3Endpoint, cfg.S3Bucket, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Region, cfg.S3TLS = s3.Endpoint, s3.Bucket, s3.AccessKey, s3.SecretKey, s3.Region, s3.TLS
	cfg.S3Prefix = "replicas/"
	cfgA, cfgB := cfg, cfg
	cfgA.EvidenceDir, cfgB.EvidenceDir = t.TempDir(), t.TempDir()
	logB := &syncBuffer{}
	a := startServer(t, cfgA, slog.New(slog.NewTextHandler(io.Discard, nil)))
	b := startServer(t, cfgB, slog.New(slog.NewJSONHandler(logB, nil)))
	urlA, urlB := "http://"+a.Addr, "http://"+b.Addr

	admin, _, err := a.Svc.NewAPIKey(ctx, actor.Admin, "", "two replicas: admin")
	if err != nil {
		t.Fatal(err)
	}
	integration, _, err := a.Svc.NewAPIKey(ctx, actor.Integration, "", "two replicas: marketplace")
	if err != nil {
		t.Fatal(err)
	}
	buyer, buyerKeyID, err := a.Svc.NewAPIKey(ctx, actor.Buyer, "B1", "two replicas: buyer")
	if err != nil {
		t.Fatal(err)
	}
	must := func(want int, method, url, key string, body any) []byte {
		t.Helper()
		raw, _ := json.Marshal(body)
		if body == nil {
			raw = nil
		}
		resp, got := call(t, method, url, key, raw)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s (want %d)", method, url, resp.StatusCode, got, want)
		}
		return got
	}

	// An order delivered and a refund request, through A.
	now := time.Now().UTC()
	must(200, "PUT", urlA+"/v1/orders/R1", integration, map[string]any{"buyer_id": "B1", "seller_id": "S1", "category": "女装", "amount": 9900, "postage": 0,
		"items": []map[string]any{{"title": "连衣裙", "quantity": 1, "price": 9900}}})
	for _, ev := range []map[string]any{
		{"type": "paid", "at": now.Add(-4 * time.Hour)},
		{"type": "shipped", "at": now.Add(-3 * time.Hour), "carrier": "SF", "tracking_no": "SF1"},
		{"type": "delivered", "at": now.Add(-2 * time.Hour), "signed_by": "本人"},
	} {
		must(200, "POST", urlA+"/v1/orders/R1/events", integration, ev)
	}
	var as struct{ ID string }
	_ = json.Unmarshal(must(201, "POST", urlA+"/v1/aftersales", buyer, map[string]any{"order_id": "R1", "type": "refund_only", "reason": "quality_problem", "amount": 9900}), &as)

	// Evidence uploaded on A ...
	img := noisyPNG(t, 120, 90)
	sum := sha256.Sum256(img)
	digest := hex.EncodeToString(sum[:])
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("case_id", as.ID)
	_ = mw.WriteField("caption", "裙摆开线 / the hem came apart")
	fw, _ := mw.CreateFormFile("file", "hem.png")
	_, _ = fw.Write(img)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", urlA+"/v1/evidence", &mp)
	req.Header.Set("Authorization", "Bearer "+buyer)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload on A: %d %s", resp.StatusCode, body)
	}
	var ev struct {
		ID         string `json:"id"`
		SHA256     string `json:"sha256"`
		ContentURL string `json:"content_url"`
	}
	_ = json.Unmarshal(body, &ev)
	if ev.SHA256 != digest || ev.ContentURL == "" {
		t.Fatalf("upload on A answered %s, want sha256 %s", body, digest)
	}
	// ... is downloaded on B: the same bytes, the same digest.
	got := must(200, "GET", urlB+ev.ContentURL, buyer, nil)
	if gs := sha256.Sum256(got); !bytes.Equal(got, img) || hex.EncodeToString(gs[:]) != digest {
		t.Fatalf("B served %d bytes hashing to %x, want the %d bytes uploaded on A (%s)", len(got), gs, len(img), digest)
	}
	var meta map[string]any
	_ = json.Unmarshal(must(200, "GET", urlB+"/v1/evidence/"+ev.ID, buyer, nil), &meta)
	if meta["sha256"] != digest {
		t.Fatalf("B's evidence record %v, want sha256 %s", meta, digest)
	}
	// Neither replica kept the file on its own disk: it is in the bucket.
	for name, dir := range map[string]string{"A": cfgA.EvidenceDir, "B": cfgB.EvidenceDir} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("replica %s wrote to its evidence-dir: %v", name, entries)
		}
	}

	// The rule book set on A is in force on B within seconds.
	var doc map[string]any
	if err := json.Unmarshal(policy.DefaultJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = "2099.12.1"
	must(200, "PUT", urlA+"/v1/policy", admin, doc)
	set := time.Now()
	version := func(s *server.Server) string {
		var p struct{ Version string }
		_ = json.Unmarshal(must(200, "GET", "http://"+s.Addr+"/v1/policy", admin, nil), &p)
		return p.Version
	}
	for v := version(b); v != "2099.12.1"; v = version(b) {
		if time.Since(set) > 10*time.Second {
			t.Fatalf("B still has rule book %s 10 s after the PUT on A", v)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("B applied A's rule book after %v", time.Since(set).Round(time.Millisecond))
	for !strings.Contains(logB.String(), `"msg":"rule book changed on another replica: now in force","policy_version":"2099.12.1"`) {
		if time.Since(set) > 10*time.Second {
			t.Fatalf("B did not log the change: %s", logB.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A key revoked on A is refused on B at once (no cache to wait out),
	// downloads included.
	must(200, "GET", urlB+"/v1/aftersales/"+as.ID, buyer, nil)
	must(200, "POST", urlA+"/v1/api-keys/"+buyerKeyID+"/revoke", admin, map[string]any{})
	must(http.StatusUnauthorized, "GET", urlB+"/v1/aftersales/"+as.ID, buyer, nil)
	must(http.StatusUnauthorized, "GET", urlB+ev.ContentURL, buyer, nil)
	// The other keys still work on both.
	must(200, "GET", urlB+"/v1/evidence/"+ev.ID, admin, nil)
}

func noisyPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(2463534242)
	for y := range h {
		for x := range w {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			img.Set(x, y, color.RGBA{R: uint8(seed), G: uint8(seed >> 8), B: uint8(seed >> 16), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
