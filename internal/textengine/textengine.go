// Package textengine is the one set of text engines both surfaces use (the
// JSON API and the web pages): the reply-script router with its optional
// trained models, the draft linter, the chat abuse detector and the listing
// scanner. It is built once at start-up (internal/server, from
// config.ModelDir) and handed to httpapi and web, so that the same question
// gets the same suggestions on either surface. The engines are immutable or
// guarded; an Engines is safe for concurrent use.
package textengine

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/lint"
	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/script"
)

// Engines holds the text engines.
type Engines struct {
	models   *script.Models
	abuse    *abuse.Detector
	listings *listing.Scanner

	mu     sync.Mutex
	libKey string // digest of the library the router and linter were built for
	router *script.Router
	linter *lint.Linter
}

// New builds the engines over the router's trained models (nil: keyword
// routing only).
func New(models *script.Models) *Engines {
	if models == nil {
		models = &script.Models{}
	}
	return &Engines{models: models, abuse: abuse.New(), listings: listing.NewScanner(nil)}
}

// Load builds the engines with the router models of dir (written by
// `weiquan train --only router`); an empty dir or missing files mean
// keyword routing only, a model file that does not load is an error.
func Load(dir string) (*Engines, error) {
	m, err := script.LoadModels(dir)
	if err != nil {
		return nil, fmt.Errorf("router models in %s: %w", dir, err)
	}
	return New(m), nil
}

// ModelsLoaded reports whether trained aspect models are in use.
func (e *Engines) ModelsLoaded() bool { return len(e.models.Aspect) > 0 }

// Abuse returns the chat abuse detector.
func (e *Engines) Abuse() *abuse.Detector { return e.abuse }

// Listings returns the listing scanner without a brand registry.
func (e *Engines) Listings() *listing.Scanner { return e.listings }

// Router returns the scenario router over lib (the script library in
// force), rebuilt only when the library's content changes.
func (e *Engines) Router(lib *script.Library) *script.Router {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refresh(lib)
	return e.router
}

// Linter returns the draft linter of lib, rebuilt only when the library's
// content changes.
func (e *Engines) Linter(lib *script.Library) *lint.Linter {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refresh(lib)
	return e.linter
}

// Suggest routes text over lib.
func (e *Engines) Suggest(lib *script.Library, text string) script.Result {
	return e.Router(lib).Suggest(text)
}

func (e *Engines) refresh(lib *script.Library) {
	b, _ := json.Marshal(lib)
	sum := sha256.Sum256(b)
	if e.router != nil && e.libKey == string(sum[:]) {
		return
	}
	e.libKey, e.router, e.linter = string(sum[:]), script.NewRouter(lib, e.models), lint.New(lib)
}
