package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(e *apitest.Env, key, caseID, caption, name string, data []byte, satisfies string) apitest.Resp {
	e.T.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("case_id", caseID)
	mw.WriteField("caption", caption)
	if satisfies != "" {
		mw.WriteField("satisfies", satisfies)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return e.Do(apitest.Req{Method: "POST", Path: "/v1/evidence", Key: key, Body: b.Bytes(), Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func TestEvidenceUploadChainAndAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		as := refundOnly(e, "T1", 9900, apitest.Delivered, "quality_problem")
		caseID := e.Escalate(as, buyer, seller, map[string]any{"reason": "无质量问题", "evidence": []string{"说明"}})

		// A PNG named .pdf is stored as a PNG; the bytes read back are the upload.
		img := pngBytes(t, 40, 30)
		r := upload(e, buyer, caseID, "裙摆开线处特写", "photo.pdf", img, "defect_photos")
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		v := r.JSON()
		sum := sha256.Sum256(img)
		if v["media_type"] != "image/png" || v["kind"] != "image" || v["sha256"] != hex.EncodeToString(sum[:]) || v["case_id"] != as {
			t.Fatalf("stored as %v", v)
		}
		content := e.Must(200, apitest.Req{Method: "GET", Path: v["content_url"].(string), Key: seller})
		if !bytes.Equal(content.Body, img) || content.Header.Get("Content-Type") != "image/png" || content.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("read back %d bytes, type %q", len(content.Body), content.Header.Get("Content-Type"))
		}
		// The upload joined the case and answered the buyer's checklist item.
		c := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + caseID, Key: e.Agent}).JSON()
		if ids := c["evidence_ids"].([]any); len(ids) != 1 || ids[0] != v["id"] {
			t.Fatalf("case evidence %v", c["evidence_ids"])
		}
		if c["checklist"].([]any)[0].(map[string]any)["satisfied"] != true {
			t.Fatalf("checklist not satisfied: %v", c["checklist"])
		}
		// The chain lists uploads in order with captions; the seller adds one.
		upload(e, seller, as, "出厂质检报告", "report.png", pngBytes(t, 20, 20), "")
		chain := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + caseID, Key: buyer}).JSON()["items"].([]any)
		if len(chain) != 2 || chain[0].(map[string]any)["caption"] != "裙摆开线处特写" || chain[1].(map[string]any)["uploader_role"] != "seller" {
			t.Fatalf("chain %v", chain)
		}
		// Anyone else gets 404, for the list, the metadata and the bytes.
		other := e.Key("buyer", "B2")
		for _, p := range []string{"/v1/evidence?case_id=" + caseID, "/v1/evidence/" + v["id"].(string), v["content_url"].(string)} {
			if r := e.Do(apitest.Req{Method: "GET", Path: p, Key: other}); r.Status != http.StatusNotFound {
				t.Fatalf("%s as another buyer: %d", p, r.Status)
			}
		}
		if r := upload(e, other, caseID, "x", "x.png", img, ""); r.Status != 404 {
			t.Fatalf("upload to another's case: %d", r.Status)
		}
		// Executables and oversized files are refused and leave nothing behind.
		if r := upload(e, buyer, caseID, "x", "x.png", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...), ""); r.Status != 400 {
			t.Fatalf("ELF: %d %s", r.Status, r.Body)
		}
		big := pngBytes(t, 400, 400) // above the test limit of 256 KiB
		if len(big) <= 256<<10 {
			big = append(big, make([]byte, 300<<10)...)
		}
		if r := upload(e, buyer, caseID, "big", "big.png", big, ""); r.Status != 413 {
			t.Fatalf("oversized: %d %s", r.Status, r.Body)
		}
		if n := len(e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + as, Key: e.Agent}).JSON()["items"].([]any)); n != 2 {
			t.Fatalf("refused uploads added rows: %d", n)
		}
	})
}
