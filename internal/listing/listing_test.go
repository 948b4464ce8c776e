package listing

import (
	"fmt"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func rules(fs []Finding) map[string][]Finding {
	m := map[string][]Finding{}
	for _, f := range fs {
		m[f.RuleID] = append(m[f.RuleID], f)
	}
	return m
}

func TestTitleRules(t *testing.T) {
	s := NewScanner(NewBrandSet([]string{"双超", "橡果", "耐克"}))
	fs := rules(s.ScanTitle(Listing{ID: "1", Title: "橡果同厂出品*第二代*浙江-双超*豪华液压摇摆踏步机", Brand: "双超"}))
	if len(fs[RuleBrand]) == 0 {
		t.Fatalf("same-factory brand misuse not found: %+v", fs)
	}
	fs = rules(s.ScanTitle(Listing{ID: "2", Title: "可媲美LV的真皮手袋"}))
	if len(fs[RuleBrand]) != 1 || fs[RuleBrand][0].Action != "demote" {
		t.Fatalf("comparison: %+v", fs)
	}
	fs = rules(s.ScanTitle(Listing{ID: "3", Title: "耐克特约经销商 运动鞋"}))
	if len(fs[RuleAuthorised]) != 1 {
		t.Fatalf("unlicensed claim: %+v", fs)
	}
	if fs := rules(s.ScanTitle(Listing{ID: "4", Title: "耐克特约经销商 运动鞋", Licensed: true})); len(fs[RuleAuthorised]) != 0 {
		t.Fatalf("licensed seller flagged: %+v", fs)
	}
	if fs := s.ScanTitle(Listing{ID: "5", Title: "汽车安全带 半永久 纯棉T恤"}); len(fs) != 0 {
		t.Fatalf("ordinary title flagged: %+v", fs)
	}
}

func TestStale(t *testing.T) {
	s := NewScanner(nil)
	old := now.AddDate(0, -7, 0)
	if _, ok := s.Stale(Listing{ID: "a", ListedAt: old, LastSaleAt: now.AddDate(0, -4, 0)}, now); !ok {
		t.Error("7 months listed, last sale 4 months ago: stale")
	}
	if _, ok := s.Stale(Listing{ID: "b", ListedAt: old, LastSaleAt: now.AddDate(0, -1, 0)}, now); ok {
		t.Error("sold last month: not stale")
	}
	if _, ok := s.Stale(Listing{ID: "c", ListedAt: now.AddDate(0, -5, 0)}, now); ok {
		t.Error("5 months listed: not stale")
	}
}

func TestDuplicatesLimitsBundles(t *testing.T) {
	s := NewScanner(nil)
	var ls []Listing
	ls = append(ls, Listing{ID: "d1", ShopID: "A", Title: "纯棉 T恤/男 短袖"}, Listing{ID: "d2", ShopID: "A", Title: "纯棉t恤男短袖"},
		Listing{ID: "d3", ShopID: "B", Title: "纯棉t恤男短袖"})
	for i := 0; i < 7; i++ {
		ls = append(ls, Listing{ID: fmt.Sprintf("q%d", i), ShopID: "A", Title: fmt.Sprintf("腾讯QQ币%d个 自动充值 面值%d", 10*(i+1), i)})
	}
	for i := 0; i < 17; i++ {
		ls = append(ls, Listing{ID: fmt.Sprintf("t%d", i), ShopID: "A", Title: fmt.Sprintf("中国移动话费充值%d元 快充", 10+i)})
	}
	ls = append(ls, Listing{ID: "v1", ShopID: "A", Title: "SONATA索纳塔专用补漆笔"}, Listing{ID: "v2", ShopID: "A", Title: "GOLF高尔夫专用补漆笔"})
	ls = append(ls, Listing{ID: "k1", ShopID: "A", Title: "套餐一", BundleItemIDs: []string{"d1", "x"}}, Listing{ID: "k2", ShopID: "A", Title: "套餐二", BundleItemIDs: []string{"d1"}})
	fs := rules(s.Batch(ls))
	if d := fs[RuleDuplicate]; len(d) < 1 || d[0].ListingID != "d2" || d[0].Related != "d1" || d[0].Action != "delete" {
		t.Errorf("duplicate: %+v", d)
	}
	for _, f := range fs[RuleDuplicate] {
		if f.ListingID == "d3" {
			t.Error("another shop's copy is not this shop's duplicate")
		}
	}
	if n := len(fs[RuleLimitQQ]); n != 2 {
		t.Errorf("QQ coin limit 5 of 7: %d findings", n)
	}
	if n := len(fs[RuleLimitTopup]); n != 2 {
		t.Errorf("top-up limit 15 of 17: %d findings", n)
	}
	variant := false
	for _, f := range fs[RuleDuplicate] {
		if f.Kind == "variant_duplicate" && f.ListingID == "v2" {
			variant = true
		}
	}
	if !variant {
		t.Errorf("car-model variant not found: %+v", fs[RuleDuplicate])
	}
	if b := fs[RuleBundle]; len(b) != 1 || b[0].ListingID != "k2" {
		t.Errorf("bundle: %+v", b)
	}
}

func TestModelsLimit(t *testing.T) {
	s := NewScanner(nil)
	var ls []Listing
	for i := 0; i < 53; i++ {
		ls = append(ls, Listing{ID: fmt.Sprintf("m%02d", i), ShopID: "A", Title: fmt.Sprintf("无线蓝牙耳机 型号 X%03d", i)})
	}
	if n := len(rules(s.Batch(ls))[RuleLimitModel]); n != 3 {
		t.Errorf("models limit 50 of 53: %d", n)
	}
}

func TestSimHashNearDuplicate(t *testing.T) {
	a := SimHash("夏季新款韩版宽松纯棉短袖t恤女学生百搭上衣")
	b := SimHash("夏季新款韩版宽松纯棉短袖t恤女学生百搭上衣潮")
	c := SimHash("不锈钢保温杯男女学生便携水杯大容量")
	if Hamming(a, b) >= Hamming(a, c) {
		t.Errorf("near %d, far %d", Hamming(a, b), Hamming(a, c))
	}
}

func TestKeywordStuffing(t *testing.T) {
	s := NewScanner(nil)
	fs := rules(s.ScanTitle(Listing{ID: "s", Title: "pvc地板自粘水泥地面地板贴纸加厚耐磨防水地板革家用塑胶地板贴"}))
	if f := fs[RuleStuffing]; len(f) != 1 || f[0].Text != "地板" || f[0].Action != "demote" {
		t.Fatalf("stuffing: %+v", f)
	}
	if fs := rules(s.ScanTitle(Listing{ID: "n", Title: "定时器插座家用电源智能定时开关空调热水器16a大功率定时插座"})); len(fs[RuleStuffing]) != 0 {
		t.Fatalf("three repeats are ordinary: %+v", fs)
	}
}

func TestStuffingLongTitleTerminates(t *testing.T) {
	var b []rune
	for r := rune(0x4E00); r < 0x4E00+400; r++ {
		b = append(b, r)
	}
	if fs := rules(NewScanner(nil).ScanTitle(Listing{ID: "l", Title: string(b)})); len(fs[RuleStuffing]) != 0 {
		t.Fatalf("no repeats: %+v", fs)
	}
}
