package adlaw

import "testing"

func TestPatternsAndDictionary(t *testing.T) {
	s := New()
	for text, want := range map[string]string{
		"【淘宝最低价】包身蓬蓬裙": "淘宝最低价",
		"國家級產品":        "國家級",
		"ＮＯ．１销量":       "ＮＯ．１",
		"本店最便宜":        "最便宜",
		"全网首发 爆款":      "全网首发",
	} {
		fs := s.Scan(text, Listing)
		if len(fs) == 0 || fs[0].Text != want {
			t.Errorf("%q: want %q, got %+v", text, want, fs)
		}
	}
}

func TestContextRules(t *testing.T) {
	s := New()
	for _, text := range []string{"汽车安全带", "半永久纹眉", "万能表 数字", "2017最新款连衣裙", "最近很火", "第一次购买", "no.10 号色"} {
		if fs := s.Scan(text, Listing); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", text, fs)
		}
	}
	for _, text := range []string{"您最好先拍照", "最晚明天发货", "我是公司力气最小的"} {
		if fs := s.Scan(text, Reply); len(fs) != 0 {
			t.Errorf("reply %q flagged: %+v", text, fs)
		}
	}
}

// The forms reach terms the dictionary does not hold: each case is
// scanned by a scanner built with no dictionary at all (issue 16).
func TestFormsWithoutDictionary(t *testing.T) {
	t.Parallel()
	s := NewWithTerms(nil)
	for _, c := range []struct{ text, want, class string }{
		{"本品为同类之最", "之最", "superlative"},
		{"销量全国第一的面膜", "全国第一", "superlative"},
		{"行业第一", "行业第一", "superlative"},
		{"首家推出", "首家", "superlative"},
		{"唯一指定", "唯一", "superlative"},
		{"顶级工艺", "顶级", "superlative"},
		{"极致体验", "极致", "superlative"},
		{"独家配方", "独家", "superlative"},
		{"全网销量冠军", "全网", "superlative"},
		{"Top1 人气", "Top1", "superlative"},
		{"ｎｏ．１ 精华", "ｎｏ．１", "superlative"},
		{"No1品质", "No1", "superlative"},
		{"殿堂级音质", "殿堂级", "superlative"},
		{"性价比之王", "之王", "superlative"},
		{"史上最强", "史上最强", "superlative"},
		{"最舒适的枕头", "最舒适", "superlative"},
		{"国家级非遗", "国家级", "authority"},
		{"政协特供酒", "政协特供", "authority"},
		{"部委推荐用品", "部委", "authority"},
		{"零风险投资", "零风险", "guarantee"},
		{"100%有效", "100%", "guarantee"},
		{"无效退款", "无效退款", "guarantee"},
		{"一次通关保过", "通关保过", "guarantee"},
		{"三天根治脚气", "根治", "medical"},
		{"开光貔貅", "开光", "superstition"},
		{"镇宅之宝", "镇宅", "superstition"},
		{"招财貔貅摆件", "招财", "superstition"},
		{"防小人手串", "小人", "superstition"},
		{"点击领取优惠", "点击", "bait"},
		{"采用最新科技", "最新科技", "superlative"},
		{"三天学会弹吉他", "学会", "guarantee"},
		{"名师押题 考前冲刺", "押题", "guarantee"},
		{"保本理财", "保本", "guarantee"},
		{"黄水晶手链 有助于提升财运", "提升财运", "superstition"}, {"有助事业的貔貅", "有助", "superstition"},
		{"佩戴后增强运势", "增强", "superstition"},
		{"粉晶手串 招桃花", "招桃花", "superstition"},
		{"白水晶 吸收负能量", "负能量", "superstition"},
		{"净化能量场 摆件", "能量场", "superstition"},
		{"开发第六感的塔罗牌", "第六感", "superstition"},
		{"香薰精油 消除焦虑 助眠", "消除", "medical"},
		{"按摩披肩 快速消除疲劳", "消除", "medical"},
	} {
		fs := s.Scan(c.text, Listing)
		if len(fs) == 0 || fs[0].Text != c.want || fs[0].Class != c.class {
			t.Errorf("%q: want %s «%s», got %+v", c.text, c.class, c.want, fs)
		}
	}
}

// Look-alikes of the forms stay clean, with the full dictionary: names of
// games and products, specifications, time words, ordinals, fibre
// contents, brands and quoted titles.
func TestFormLookAlikes(t *testing.T) {
	t.Parallel()
	s := New()
	for _, text := range []string{
		"天下至尊 游戏点卡",           // a game title
		"数码兽之王 手办",            // a name
		"闪迪至尊超极速32g内存卡",       // a product line
		"王者荣耀点券充值",            // a game
		"最大码 4xl 胖mm",         // a size
		"最大容量50l 行李箱",         // a spec
		"最大承重150kg",           // a spec
		"2018最新款连衣裙",          // time word
		"第一次用 第一代 第一季全集",      // ordinals
		"李斯特第一钢琴协奏曲总谱",        // a work's name
		"100%棉 t恤",            // fibre content
		"纯棉100% 床单",           // fibre content
		"百分百真丝方巾",             // fibre content
		"100% cotton t-shirt", // fibre content
		"《最好的我们》 小说",          // a quoted title
		"“天下第一”牌匾",            // quoted
		"万能表 万能充电器",           // universal tools
		"lol英雄联盟 永久英雄",        // a game item's duration
		"丰田凯美瑞 领先版",           // a trim level
		"全网通 4g手机",            // not a rank
		"全国包邮",                // not a rank
		"六年免检 代办",             // vehicle inspection service
		"月光下的小人儿 童书",          // a book
		"眼底病诊断与治疗",            // a medical book
		"6v通关存档",              // a game save
		"诚信第一 老店",             // a motto
		"酵素 有助消化",             // 有助 without a domain of fortune
		"提升性能 固态硬盘",           // 提升 of a spec
		"带来清凉 夏季凉席",           // 带来 of comfort
		"能量棒 健身代餐",            // energy food
		"防静电喷雾 消除静电",          // 消除 of a physical nuisance
		"冰箱除味剂 消除异味",          // 消除 of a smell
		"五行针 拔罐器",             // a word of Chinese medicine
	} {
		if fs := s.Scan(text, Listing); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", text, fs)
		}
	}
}
