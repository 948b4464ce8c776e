package actor_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
)

type kind string

func TestEventEncodesItsEnvelopeFlat(t *testing.T) {
	e := actor.Event[kind, map[string]int]{Head: actor.Head[kind]{Seq: 3, Type: "opened", Actor: actor.Actor{Role: actor.Buyer, ID: "B1"},
		At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), PolicyVersion: "v1"}, Data: map[string]int{"n": 1}}
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seq":3,"type":"opened","actor":{"role":"buyer","id":"B1"},"at":"2026-03-02T09:00:00Z","rule_ids":null,"policy_version":"v1","data":{"n":1}}`
	if string(got) != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestReplayFoldsInOrder(t *testing.T) {
	got := actor.Replay("id:", func(s string, e kind) string { return s + string(e) }, []kind{"a", "b", "c"})
	if got != "id:abc" {
		t.Fatalf("got %q", got)
	}
}

func TestStringsIsNeverNil(t *testing.T) {
	if s := actor.Strings([]kind(nil)); s == nil || len(s) != 0 {
		t.Fatalf("got %#v", s)
	}
	if s := actor.Strings([]kind{"x", "y"}); len(s) != 2 || s[0] != "x" || s[1] != "y" {
		t.Fatalf("got %#v", s)
	}
}
