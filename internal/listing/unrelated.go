package listing

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// RuleUnrelated is 乱用关键词 (seed 003): words in the title that do not
// describe this item, such as "MISSHA杏子去角质面膜 瘦身健美用品热销中" —
// a face mask titled with fitness products to catch other searches.
const RuleUnrelated = "seed-listing-keyword-unrelated"

// productTypes is a small hand-written lexicon of product-type words by
// product family (written for this rule; no third-party list). A word is
// matched leftmost-longest, so "手机壳" is the case before "手机", "汽车香水"
// a car accessory rather than a perfume. Words that are ambiguous across
// families ("笔记本", "包", "杯") are left out on purpose.
var productTypes = map[string][]string{
	"apparel": { // 服饰鞋包配饰
		"连衣裙", "半身裙", "短裙", "长裙", "t恤", "衬衫", "衬衣", "卫衣", "毛衣", "针织衫", "外套", "夹克", "风衣", "大衣", "羽绒服", "棉服", "西装", "马甲",
		"牛仔裤", "铅笔裤", "毛巾袜", "休闲裤", "阔腿裤", "打底裤", "短裤", "西裤", "睡衣", "内衣", "内裤", "文胸", "袜子", "丝袜", "女装", "男装", "童装", "泳衣", "旗袍", "汉服",
		"运动鞋", "板鞋", "帆布鞋", "高跟鞋", "皮鞋", "凉鞋", "拖鞋", "靴子", "马丁靴", "雪地靴", "单鞋", "跑鞋", "女鞋", "男鞋", "童鞋",
		"帽子", "围巾", "手套", "腰带", "皮带", "领带", "项链", "手链", "耳环", "耳钉", "戒指", "手镯", "发夹", "墨镜", "手表",
	},
	"bags": { // 箱包
		"双肩包", "背包", "手提包", "斜挎包", "单肩包", "钱包", "行李箱", "拉杆箱", "女包", "男包", "腰包", "帆布包", "书包", "旅行包", "登山包", "电脑包", "相机包", "化妆包",
	},
	"digital": { // 数码电脑
		"手机", "手机壳", "手机膜", "钢化膜", "充电宝", "移动电源", "充电器", "数据线", "耳机", "蓝牙耳机", "音箱", "蓝牙音箱", "平板电脑", "笔记本电脑",
		"台式机", "显示器", "键盘", "鼠标", "鼠标垫", "路由器", "u盘", "移动硬盘", "硬盘", "内存条", "显卡", "主板", "cpu", "相机", "单反", "镜头", "自拍杆",
		"智能手表", "电话手表", "智能戒指", "电子书", "读卡器", "内存卡", "手机支架", "游戏机", "手柄",
	},
	"appliance": { // 家电
		"冰箱", "洗衣机", "空调", "电视", "电视机", "热水器", "电饭煲", "电饭锅", "微波炉", "烤箱", "电磁炉", "豆浆机", "榨汁机", "破壁机", "电水壶", "吹风机",
		"电吹风", "剃须刀", "电动牙刷", "吸尘器", "扫地机器人", "加湿器", "空气净化器", "电风扇", "取暖器", "油烟机", "燃气灶", "洗碗机", "净水器", "饮水机", "理发器",
	},
	"beauty": { // 美妆个护
		"面膜", "口红", "唇膏", "粉底", "粉底液", "气垫", "眼影", "眉笔", "睫毛膏", "眼线笔", "腮红", "香水", "洗面奶", "爽肤水", "化妆水", "乳液", "面霜", "精华液",
		"眼霜", "防晒霜", "卸妆水", "卸妆油", "洗发水", "护发素", "沐浴露", "身体乳", "护手霜", "指甲油", "化妆刷", "美妆蛋", "牙膏", "去角质",
	},
	"baby": { // 母婴玩具
		"奶粉", "婴儿睡袋", "纸尿裤", "尿不湿", "奶瓶", "奶嘴", "婴儿车", "推车", "学步车", "安全座椅", "婴儿床", "辅食", "积木", "玩具", "毛绒玩具", "玩偶", "拼图", "遥控车", "芭比",
	},
	"food": { // 食品饮料
		"茶叶", "绿茶", "红茶", "普洱", "咖啡", "零食", "坚果", "饼干", "巧克力", "糖果", "牛肉干", "大米", "食用油", "酱油", "蜂蜜", "月饼", "粽子", "白酒", "红酒",
		"啤酒", "葡萄酒", "牛奶", "酸奶", "矿泉水", "饮料", "方便面", "水果", "大枣", "枸杞", "腊肉", "香肠",
	},
	"home": { // 家居家纺厨具
		"床单", "被套", "四件套", "枕头", "枕套", "被子", "蚕丝被", "床垫", "窗帘", "地毯", "地垫", "沙发", "茶几", "餐桌", "椅子", "衣柜", "鞋柜", "书架", "收纳箱",
		"收纳盒", "衣架", "毛巾", "浴巾", "炒锅", "不粘锅", "汤锅", "菜刀", "砧板", "保温杯", "水杯", "餐具", "碗", "筷子", "茶具", "花瓶", "台灯", "吊灯", "灯泡", "墙纸", "睡袋",
	},
	"sports": { // 运动户外健身
		"瑜伽垫", "瑜伽服", "跑步机", "动感单车", "哑铃", "踏步机", "健身器材", "健身器", "健美用品", "瘦身用品", "帐篷", "登山杖", "鱼竿", "渔具", "自行车",
		"山地车", "滑板", "轮滑鞋", "篮球", "足球", "羽毛球拍", "网球拍", "乒乓球拍", "泳镜", "护膝", "运动服",
	},
	"auto": { // 汽车用品
		"脚垫", "座套", "坐垫", "方向盘套", "行车记录仪", "车载充电器", "车载香水", "汽车香水", "车衣", "雨刮器", "机油", "轮胎", "车载支架", "遮阳挡", "洗车",
	},
	"pet": { // 宠物
		"狗粮", "猫粮", "猫砂", "宠物", "猫爬架", "狗窝", "猫窝", "牵引绳", "狗绳",
	},
	"stationery": { // 图书文具
		"钢笔", "中性笔", "铅笔", "文具", "笔袋", "本子", "作业本", "图书", "教材", "绘本", "小说", "字帖",
	},
	"tools": { // 五金工具
		"电钻", "螺丝刀", "扳手", "锤子", "工具箱", "电锯", "角磨机", "胶带", "水龙头", "花洒", "门锁", "插座", "开关",
	},
}

// compatibleFamilies are families that ordinary titles combine (a baby's
// clothes, a car phone holder, a pet's coat, sportswear, kitchen
// appliances): together they are not unrelated.
var compatibleFamilies = [][2]string{
	{"apparel", "baby"}, {"apparel", "sports"}, {"apparel", "pet"}, {"apparel", "beauty"},
	{"digital", "appliance"}, {"digital", "auto"}, {"digital", "stationery"},
	{"appliance", "home"}, {"appliance", "beauty"}, {"home", "tools"}, {"home", "food"}, {"home", "baby"}, {"home", "pet"},
	{"baby", "food"}, {"baby", "stationery"}, {"sports", "digital"}, {"auto", "tools"}, {"auto", "home"},
	{"baby", "beauty"}, {"beauty", "food"}, {"appliance", "tools"}, {"appliance", "food"}, {"apparel", "home"}, {"sports", "auto"}, {"sports", "tools"}, {"sports", "home"}, {"digital", "tools"},
	{"bags", "apparel"}, {"bags", "digital"}, {"bags", "stationery"}, {"bags", "sports"}, {"bags", "baby"}, {"bags", "beauty"},
}

// modifier is the pseudo-family of modifierWords.
const modifier = "-"

// modifierWords make the other product words of a title describe this item
// (a toy microwave, a pet's shampoo): such titles are not judged.
var modifierWords = []string{"玩具", "仿真", "模型", "过家家", "宠物", "猫咪", "狗狗", "配件", "周边", "贴纸", "图案", "印花", "造型", "礼盒", "套装", "组合"}

// accessorySuffixes after a product word make it a modifier of another
// item ("手机包", "空调被", "毛巾架", "内衣收纳盒"); accessoryPrefixes before
// it make it a purpose ("装文胸", "适用手机", "送耳机").
var (
	accessorySuffixes = []string{"包", "袋", "套", "罩", "架", "盒", "篮", "筐", "垫", "夹", "扣", "壳", "膜", "托", "座", "柜", "房", "被", "毯", "衫", "色", "味", "杆", "绳", "带", "挂", "收纳", "专用", "置物", "用", "款", "型", "式", "机"}
	accessoryPrefixes = []string{"装", "放", "配", "送", "赠", "带", "防", "给", "适用", "用于", "专用", "兼容", "配套", "for"}
)

// unrelatedMatcher finds the product-type words.
type unrelatedMatcher struct {
	m        *textnorm.Matcher // product words, then modifierWords
	patterns []string          // m's patterns (the scanner's one-pass matcher holds them too)
	family   []string          // pattern index → family (modifier for modifierWords)
	compat   map[[2]string]bool
}

func newUnrelatedMatcher() *unrelatedMatcher {
	u := &unrelatedMatcher{compat: map[[2]string]bool{}}
	fams := make([]string, 0, len(productTypes))
	for f := range productTypes {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	var pats []string
	for _, f := range fams {
		for _, w := range productTypes[f] {
			pats = append(pats, w)
			u.family = append(u.family, f)
		}
	}
	for _, w := range modifierWords {
		pats = append(pats, w)
		u.family = append(u.family, modifier)
	}
	u.m, u.patterns = textnorm.NewMatcher(pats), pats
	for _, p := range compatibleFamilies {
		u.compat[p], u.compat[[2]string{p[1], p[0]}] = true, true
	}
	return u
}

// unrelated flags a title whose product-type words come from two product
// families that ordinary titles do not combine. Words used as modifiers
// (followed by an accessory suffix, preceded by a purpose word) do not
// count; the item's family is the declared category's when it names one,
// else the family named most often (the later one on a tie: Chinese titles
// end with the head noun). The finding marks the first unrelated word.
// all is u.m.FindAll(tx.Norm) (the scanner's one pass finds them; all is
// reordered).
func (u *unrelatedMatcher) unrelated(tx *textnorm.Text, category string, all []textnorm.Hit, sc *scratch) (Finding, bool) {
	n := tx.Norm
	if len(all) < 2 && category == "" {
		return Finding{}, false
	}
	for _, h := range all {
		if u.family[h.Pattern] == modifier {
			return Finding{}, false
		}
	}
	var hits []textnorm.Hit
	for _, h := range longest(all) {
		if hasPrefixAny(n[h.End:], accessorySuffixes) || hasSuffixAny(n[:h.Start], accessoryPrefixes) {
			continue
		}
		hits = append(hits, h)
	}
	if len(hits) < 2 && category == "" {
		return Finding{}, false
	}
	item := ""
	if category != "" {
		item = u.categoryFamily(category, sc)
	}
	if item == "" {
		count := map[string]int{}
		for _, h := range hits {
			f := u.family[h.Pattern]
			count[f]++
			if count[f] >= count[item] {
				item = f
			}
		}
	}
	for _, h := range hits {
		f := u.family[h.Pattern]
		if f == item || u.compat[[2]string{item, f}] {
			continue
		}
		s, e := tx.Span(h.Start, h.End)
		w := tx.OrigSlice(s, e)
		return Finding{RuleID: RuleUnrelated, Kind: "unrelated_keywords", Start: s, End: e, Text: w, Severity: "low", Action: "demote",
			Reason: "标题含与本商品无关的商品词「" + w + "」(" + familyName[f] + "，本商品为" + familyName[item] + ") / a product word unrelated to the item (" + f + " in a " + item + " listing)"}, true
	}
	return Finding{}, false
}

// categoryFamily is the family a declared category names ("" for none),
// remembered per worker for the first few thousand categories.
func (u *unrelatedMatcher) categoryFamily(category string, sc *scratch) string {
	if f, ok := sc.catFamily[category]; ok {
		return f
	}
	f := ""
	if hs := longest(u.m.FindAll(textnorm.String(category))); len(hs) > 0 {
		f = u.family[hs[0].Pattern]
	}
	if sc.catFamily == nil {
		sc.catFamily = map[string]string{}
	}
	if len(sc.catFamily) < 4096 {
		sc.catFamily[strings.Clone(category)] = f
	}
	return f
}

func hasPrefixAny(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasSuffixAny(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}

var familyName = map[string]string{
	"apparel": "服饰鞋帽配饰", "bags": "箱包", "digital": "数码", "appliance": "家电", "beauty": "美妆个护", "baby": "母婴玩具", "food": "食品饮料",
	"home": "家居家纺", "sports": "运动户外", "auto": "汽车用品", "pet": "宠物", "stationery": "图书文具", "tools": "五金工具",
}

// longest keeps the hits not inside a longer hit (leftmost-longest words),
// in text order. (Hits with the same span are one word; the only words of
// two families are modifier words, which end the rule before this, so the
// order among them does not matter.)
func longest(hs []textnorm.Hit) []textnorm.Hit {
	slices.SortFunc(hs, func(a, b textnorm.Hit) int {
		if a.Start != b.Start {
			return cmp.Compare(a.Start, b.Start)
		}
		return cmp.Compare(b.End, a.End)
	})
	out := hs[:0]
	end := -1
	for _, h := range hs {
		if h.End <= end {
			continue // inside the previous, longer word
		}
		if h.Start < end {
			continue // overlaps the previous word: keep the leftmost
		}
		out = append(out, h)
		end = h.End
	}
	return out
}
