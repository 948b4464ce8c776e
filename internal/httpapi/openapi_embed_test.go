package httpapi

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"testing"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite openapi.merged.json.gz from the openapi*.json sources")

// The binary embeds the merge of the OpenAPI sources, gzipped: it must be
// exactly the merge of the sources in the tree (`go generate
// ./internal/httpapi` rewrites it).
func TestEmbeddedOpenAPIMatchesSources(t *testing.T) {
	merged, err := mergeOpenAPI(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if *updateOpenAPI {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // no name, no time: the same bytes every run
		zw.Write(merged)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("openapi.merged.json.gz", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(merged, OpenAPI()) {
		t.Fatal("openapi.merged.json.gz is not the merge of the openapi*.json sources: run `go generate ./internal/httpapi`")
	}
}
