package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// ErrNotDemo is the refusal of a database that holds data the demo did
// not write (see Guard).
type ErrNotDemo struct {
	Found string // e.g. "3 orders, 1 user"
	Demo  bool   // the database holds a demo fill besides
}

func (e *ErrNotDemo) Error() string {
	return fmt.Sprintf("demo: 数据库中有不是演示程序写入的数据（%s），拒绝写入 / the database holds %s not made by demo: refusing to touch it (use an empty database)", e.Found, e.Found)
}

// Guard says whether the demo may write to (or `serve --demo` recreate)
// this database: it must hold nothing of a marketplace's data
// (store.Inventory), or exactly what the last demo fill recorded. It
// reports whether the database is a demo fill. It only reads, and works on
// a database not migrated yet.
func Guard(ctx context.Context, st *store.Store) (filled bool, err error) {
	have, err := st.Inventory(ctx)
	if err != nil {
		return false, err
	}
	made, filled, err := st.LastDemoFill(ctx)
	if err != nil {
		return false, err
	}
	var extra []string
	for _, t := range store.InventoryTables {
		if n := have[t.Table] - made[t.Table]; n > 0 {
			w := t.Many
			if n == 1 {
				w = t.One
			}
			extra = append(extra, fmt.Sprintf("%d %s", n, w))
		}
	}
	if len(extra) > 0 {
		return filled, &ErrNotDemo{Found: strings.Join(extra, ", "), Demo: filled}
	}
	return filled, nil
}

// FillEmpty is Fill for the commands (`weiquan demo`, `serve --demo`):
// never into a database that holds anything the demo did not make, nor
// twice into one. A refusal writes nothing.
func FillEmpty(ctx context.Context, svc *service.Service, st *store.Store, clk *clock.Manual, o Options) (Summary, error) {
	if filled, err := Guard(ctx, st); err != nil {
		return Summary{}, err
	} else if filled {
		return Summary{}, errors.New("demo: 数据库已有演示数据 / the database already holds a demo fill: use an empty database")
	}
	return Fill(ctx, svc, st, clk, o)
}

// recordFill notes what the fill wrote, for Guard.
func recordFill(ctx context.Context, st *store.Store, seed int64, f *filler) error {
	counts, err := st.Inventory(ctx)
	if err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	return st.RecordDemoFill(ctx, id.String(), seed, counts, f.now)
}
