package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/script"
	"github.com/weiquan/weiquan/internal/store"
)

// ScriptMeta is the bookkeeping of one scenario of the script library:
// "default" (embedded, version 1) or "edited" by an admin.
type ScriptMeta struct {
	Status    string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// scriptEpoch is the created_at of the embedded default scripts.
var scriptEpoch = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// Scripts returns the script library in force: the embedded defaults with
// every admin edit applied, and each scenario's bookkeeping.
func (s *Service) Scripts(ctx context.Context) (*script.Library, map[string]ScriptMeta, error) {
	lib := script.Default()
	meta := map[string]ScriptMeta{}
	for _, id := range lib.IDs() {
		meta[id] = ScriptMeta{Status: "default", Version: 1, CreatedAt: scriptEpoch, UpdatedAt: scriptEpoch}
	}
	rows, err := s.st.ListScripts(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		var sc script.Scenario
		if err := json.Unmarshal([]byte(r.Body), &sc); err != nil {
			return nil, nil, fmt.Errorf("script %s: %w", r.ID, err)
		}
		if lib.Replace(sc) {
			meta[r.ID] = ScriptMeta{Status: r.Status, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		}
	}
	return lib, meta, nil
}

// EditScript replaces one scenario of the library (admin only). expect is
// the version the admin saw (0 = do not check). One transaction writes the
// row and its event. Errors: Forbidden, NotFound, Invalid (naming the
// field), Conflict (stale version or a concurrent edit).
func (s *Service) EditScript(ctx context.Context, c Caller, sc script.Scenario, reason string, expect int64) (script.Scenario, ScriptMeta, error) {
	if c.Role != actor.Admin {
		return sc, ScriptMeta{}, fault.New(fault.Forbidden, "只有管理员可以修改话术 / only an admin edits scripts")
	}
	lib := script.Default()
	def, ok := lib.Scenario(sc.ID)
	if !ok {
		return sc, ScriptMeta{}, fault.New(fault.NotFound, "话术场景 %s 不存在 / no script scenario %s", sc.ID, sc.ID)
	}
	if sc.RuleID == "" {
		sc.RuleID = def.RuleID
	}
	if err := lib.ValidateScenario(sc); err != nil {
		return sc, ScriptMeta{}, err
	}
	body, err := json.Marshal(sc)
	if err != nil {
		return sc, ScriptMeta{}, err
	}
	now := s.now(ctx).UTC()
	var meta ScriptMeta
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		row, found, err := tx.GetScriptForUpdate(ctx, sc.ID)
		if err != nil {
			return err
		}
		prev := int64(0)
		cur := int64(1) // the embedded default is version 1
		created := scriptEpoch
		if found {
			prev, cur, created = row.Version, row.Version, row.CreatedAt
		}
		if expect != 0 && expect != cur {
			return &fault.Error{Code: fault.PreconditionFailed, Field: "If-Match", Message: fmt.Sprintf("话术已是第 %d 版 / the script is at version %d", cur, cur), Cause: store.ErrStale}
		}
		nr := store.ScriptRow{ID: sc.ID, Status: "edited", Body: string(body), Version: cur + 1, CreatedAt: created, UpdatedAt: now}
		cm.Scripts = append(cm.Scripts, store.Row[store.ScriptRow]{Value: nr, Prev: prev})
		actor, _ := json.Marshal(map[string]string{"role": string(c.Role), "id": c.PartyID, "via": c.Via})
		if reason == "" {
			reason = "管理员修改话术 / admin edited the script"
		}
		cm.Events = append(cm.Events, store.EventRecord{AggregateType: "script", AggregateID: sc.ID, Seq: nr.Version, ID: newID(), Type: "script.edited",
			Actor: actor, At: now, Reason: reason, RuleIDs: []string{sc.RuleID, script.OrderRuleID}, PolicyVersion: s.Policy().Version, Data: body})
		meta = ScriptMeta{Status: nr.Status, Version: nr.Version, CreatedAt: created, UpdatedAt: now}
		return nil
	})
	return sc, meta, err
}
