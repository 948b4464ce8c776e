package httpapi_test

import (
	"context"
	"sync"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

// TestScriptEditsOnBothEngines: an admin edit is stored with its event in
// one transaction; of two concurrent edits from the same version exactly one
// wins and the other is 409.
func TestScriptEditsOnBothEngines(t *testing.T) {
	steps := map[string]string{"soothe": "非常理解您的心情。", "find_cause": "我查一下。", "state_position": "责任在我们。", "resolve": "马上处理。", "apologise": "抱歉。", "thank": "谢谢。"}
	edit := func(text string) map[string]any {
		return map[string]any{"name": "包裹丢失 / lost parcel", "steps": steps, "recommended": []string{text},
			"forbidden": []map[string]string{{"text": "显示签收了就是你收到了", "why": "不核实 / unchecked"}}, "reason": "培训更新 / training update"}
	}
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/scripts/lost_parcel", Key: e.Admin, Body: edit("第一版"), Header: map[string]string{"If-Match": `"1"`}})
		if r.Status != 200 {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				codes[i] = e.Do(apitest.Req{Method: "PUT", Path: "/v1/scripts/lost_parcel", Key: e.Admin, Body: edit([]string{"甲", "乙"}[i]), Header: map[string]string{"If-Match": `"2"`}}).Status
			}(i)
		}
		wg.Wait()
		if !(codes[0] == 200 && codes[1] == 412 || codes[0] == 412 && codes[1] == 200) {
			t.Fatalf("concurrent edits: %v, want one 200 and one 412 (the loser's If-Match is stale)", codes)
		}
		evs, err := e.Store.Events(context.Background(), "script", "lost_parcel", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Reason != "培训更新 / training update" || len(evs[0].RuleIDs) != 2 || evs[1].Seq != 3 {
			t.Fatalf("events: %+v", evs)
		}
		got := e.Do(apitest.Req{Method: "GET", Path: "/v1/scripts?scenario=lost_parcel", Key: e.Agent}).JSON()
		item := got["items"].([]any)[0].(map[string]any)
		if item["version"] != float64(3) || item["status"] != "edited" {
			t.Fatalf("served: %v", item)
		}
	})
}
