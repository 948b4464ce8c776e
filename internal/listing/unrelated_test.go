package listing

import "testing"

func unrelatedOf(s *Scanner, l Listing) []Finding {
	var out []Finding
	for _, f := range s.ScanTitle(l) {
		if f.RuleID == RuleUnrelated {
			out = append(out, f)
		}
	}
	return out
}

// TestUnrelatedKeywords: product words of an unrelated family are flagged
// (the seed's own example: a face mask titled with fitness products), while
// modifiers, accessories, toys and compatible families stay clean.
func TestUnrelatedKeywords(t *testing.T) {
	s := NewScanner(nil)
	for _, c := range []struct {
		title, category, word string
	}{
		{"MISSHA杏子去角质面膜 瘦身健美用品热销中", "", "健美用品"},
		{"夏季新款连衣裙女 雪纺碎花长裙 手机", "", "手机"},
		{"蓝牙耳机 无线运动耳机 入耳式 狗粮", "", "狗粮"},
		{"纯棉T恤 短袖 冰箱", "女装/T恤", "冰箱"},
		{"冰箱 双门 家用", "女装", "冰箱"},
	} {
		fs := unrelatedOf(s, Listing{ID: "x", Title: c.title, Category: c.category})
		if len(fs) != 1 || fs[0].Text != c.word || fs[0].Action != "demote" || fs[0].Kind != "unrelated_keywords" {
			t.Errorf("%s (category %q): want %q flagged, got %+v", c.title, c.category, c.word, fs)
			continue
		}
		if r := []rune(c.title); string(r[fs[0].Start:fs[0].End]) != c.word {
			t.Errorf("%s: span %d–%d is not %q", c.title, fs[0].Start, fs[0].End, c.word)
		}
	}
	for _, title := range []string{
		"数码相机包单反单肩摄影包女耐用斜挎背包便携防刮",               // a camera bag
		"苹果iphone6s手机包6plus手机袋7p大屏直插袋简约布包小外套男女", // phone bag
		"婴儿毛毯盖毯新生儿夏季空调房盖被婴儿床盖毯",                 // 空调房: a modifier
		"北美玩具微波炉儿童仿真迷你生活小家电玩具过家家电饭锅",            // a toy
		"大桶宠物猫咪狗沐浴露香波除臭止痒大瓶装洗发水",                // for pets
		"内衣收纳盒布艺有分格多层抽屉式装文胸内裤袜子收纳整理箱",           // storage for clothes
		"车载手机支架 汽车用品 出风口 导航",                    // compatible families
		"夏季高腰牛仔裤女九分小脚铅笔裤",                       // 铅笔裤 is trousers
		"连衣裙",
	} {
		if fs := unrelatedOf(s, Listing{ID: "y", Title: title}); len(fs) != 0 {
			t.Errorf("%s: flagged %+v", title, fs)
		}
	}
}
