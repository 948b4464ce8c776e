package adlaw

import (
	"regexp"
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
	"unicode"
	"unicode/utf8"
)

// Forms: the shapes that 广告法 第九条 forbids, recognised without the term
// being in the dictionary (a dictionary finds only the terms it holds).
// Each cue is a short productive morpheme matched by the same automaton
// pass as the dictionary; its context check rejects the look-alikes:
// ordinals (第一次, 第一代), ranks inside a name (数码兽之王, 天下至尊 as a
// game title), specifications (最大码, 最大容量 50L — handled by the 最
// trigger), time words (最新款), and quoted titles (《…》, “…”).
//
//   - superlative (第九条(三) 最高级、最佳): 最…, …之最, 第一, 首个/首家/首款/
//     首选/首创/首发, 唯一, 独一无二, 顶级/顶尖, 极致/极品, 独家, 全网/全国/
//     全球/世界/中国/行业 + 第一/领先/冠军/销量, X级 of rank (世界级, 殿堂级 …),
//     TOP/NO.1 in any case and width, 冠军, 之王, 王者, 至尊, 巅峰, 问鼎,
//     领先/领导/领袖, 缔造者, 史无前例 / 前无古人 / 空前 / 史上, 无敌,
//     万能, 永久, 终身, 绝对;
//   - authority (第九条(二) 国家机关、国家机关工作人员的名义): 国家级, 国家 +
//     机关/领导/推荐/指定, 特供, 专供, 国宴, 政协, 人大, 人民大会堂, 中南海,
//     政府/部委/领导人推荐, 免检, 免抽检, 驰名商标, 指定 + 用品/产品/专用;
//   - guarantee (第二十八条 虚假, 第二十五条 投资回报): 100%, 百分百, 零风险,
//     无效退款, 保过/包过, 通关, 稳赚, 升值, 回报, 投资价值;
//   - medical (第十七条): 根治, 治愈, 痊愈, 即愈, 见效, 康复, 副作用, 依赖,
//     不反复, 药到病除, 包治, 特效, 秘方, 消除 + a complaint (压力, 疲劳,
//     失眠 …);
//   - superstition (第九条(八) 迷信): 开光, 镇宅, 招财, 辟邪, 旺夫/旺子/旺财/
//     旺人/旺家, 转运, 运气, 好运, 事业运, 财运, 挡灾, 消灾, 化解, 小人, 避凶,
//     护身, 亨通, 招福, 时来运转, an effect on fortune (有助/提升/增强/带来 +
//     事业/财运/运势/姻缘 …, 助旺, 催旺, 催桃花), metaphysical powers
//     (负能量, 能量场, 第六感);
//   - bait: 点击 + 有惊喜/获取/领取/试穿/翻转, 获奖, 中奖, 领取奖品, 大亏,
//     仅此一次, 最后一波, 免费赠送/治疗.
type cue struct {
	t     string
	class string
	ok    func(n string, a, b int) bool // context check; nil: always
}

// next returns the rune after byte b of n (0 at the end).
func next(n string, b int) rune {
	r, _ := utf8.DecodeRuneInString(n[b:])
	if b >= len(n) {
		return 0
	}
	return r
}

// prev returns the rune before byte a of n (0 at the start).
func prev(n string, a int) rune {
	if a <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(n[:a])
	return r
}

func han(r rune) bool { return r != 0 && unicode.Is(unicode.Han, r) }

func followedBy(ws ...string) func(n string, a, b int) bool {
	return func(n string, a, b int) bool {
		for _, w := range ws {
			if strings.HasPrefix(n[b:], w) {
				return false
			}
		}
		return true
	}
}

func notFollowed(ws ...string) func(n string, a, b int) bool { return followedBy(ws...) }

// ordinal: 第一 / 首 counting something (第一次, 第一代, 第一季, 首次) is an
// order, not a rank.
var ordinalAfter = []string{"次", "代", "季", "集", "部", "章", "册", "卷", "课", "步", "天", "届", "批", "期", "阶段", "版", "人称", "眼", "口", "个", "件", "条", "节", "套", "张", "层", "排", "页", "段", "名字", "周", "年", "月", "日", "轮", "关", "站", "单", "笔", "位", "弹", "波", "款", "章", "回", "话", "道", "把", "根", "只", "双", "号", "组", "片", "瓶", "盒", "包", "颗", "粒", "手", "胎", "线", "时间", "辑", "分册", "乐章", "协奏曲", "交响曲", "奏鸣曲", "钢琴", "小提琴", "大提琴", "季度"}

// nameRank: 之王 / 至尊 / 王者 / 霸主 after a plain noun are part of a name
// (数码兽之王, 天下至尊, 派对之王); after an attribute (性价比之王, 销量之王)
// or standing alone they rank the goods.
var rankAttribute = []string{"性价比", "销量", "人气", "口碑", "品质", "质量", "音质", "续航", "颜值", "实力", "行业", "同类", "全网", "全国", "世界", "全球", "中国", "亚洲", "网红", "爆款", "热销", "销售", "美白", "补水", "保湿", "吸力", "动力", "省油", "节能", "减震", "防水", "静音", "降噪", "性能", "速度", "画质", "拍照"}

func rankClaim(n string, a, b int) bool {
	if whole(n, a, b) {
		return true
	}
	for _, w := range rankAttribute {
		if strings.HasSuffix(n[:a], w) {
			return true
		}
	}
	return false
}

// scopeRank: 全网 / 全国 / 世界 … only claim with a rank word after them
// (全网第一, 全国销量领先); 全网通 or 全国包邮 do not.
func scopeRank(n string, a, b int) bool {
	for _, w := range []string{"第一", "首", "最", "冠军", "领先", "领导", "销量", "排名", "no", "top", "独家", "唯一", "顶级", "级"} {
		if strings.HasPrefix(n[b:], w) {
			return true
		}
	}
	return b == len(n) && a == 0
}

// rankNo: no.1 / top1 / top 10 but not a model number (no.10, no12 are
// handled by the dictionary rule) or a garment (crop top).
func rankNo(n string, a, b int) bool {
	r := next(n, b)
	if r >= '0' && r <= '9' {
		return false // no.12, top10 as a model number
	}
	return true
}

func standalone(n string, a, b int) bool { return !han(prev(n, a)) || !han(next(n, b)) }

var cues = []cue{
	// superlative
	{"之最", "superlative", nil},
	{"第一", "superlative", textnorm.All(notFollowed(ordinalAfter...), textnorm.NotPreceded("周", "星期", "礼拜", "每", "前", "其", "这", "那", "诚信", "安全", "服务", "顾客", "客户", "健康", "信誉", "友谊", "质量", "用户"))},
	{"首个", "superlative", nil}, {"首家", "superlative", nil}, {"首款", "superlative", notFollowed("式")},
	{"首选", "superlative", nil}, {"首创", "superlative", nil}, {"首发", "superlative", nil}, {"首席", "superlative", nil},
	{"唯一", "superlative", notFollowed("id", "码", "的办法", "办法", "的方法", "方法", "的途径", "途径", "的区别", "区别", "的要求", "要求", "的不足", "不足", "的缺点", "缺点", "联系")}, {"独一", "superlative", nil}, {"无二", "superlative", nil},
	{"顶级", "superlative", nil}, {"顶尖", "superlative", nil}, {"极致", "superlative", nil}, {"极品", "superlative", nil},
	{"极佳", "superlative", nil}, {"绝佳", "superlative", nil}, {"独家", "superlative", nil},
	{"全网", "superlative", scopeRank}, {"全国", "superlative", scopeRank}, {"全球", "superlative", scopeRank},
	{"世界", "superlative", scopeRank}, {"中国", "superlative", scopeRank}, {"行业", "superlative", scopeRank},
	{"宇宙", "superlative", scopeRank}, {"全城", "superlative", scopeRank}, {"同类", "superlative", scopeRank},
	{"世界级", "superlative", nil}, {"国际级", "superlative", nil}, {"宇宙级", "superlative", nil}, {"全球级", "superlative", nil},
	{"殿堂级", "superlative", nil}, {"大师级", "superlative", nil}, {"旗舰级", "superlative", nil}, {"终极", "superlative", notFollowed("号")},
	{"no.1", "superlative", rankNo}, {"no1", "superlative", rankNo}, {"no 1", "superlative", rankNo},
	{"top1", "superlative", rankNo}, {"top 1", "superlative", rankNo}, {"top.1", "superlative", rankNo},
	{"冠军", "superlative", notFollowed("杯", "赛")}, {"之王", "superlative", rankClaim}, {"王者", "superlative", textnorm.All(rankClaim, notFollowed("荣耀"))},
	{"至尊", "superlative", textnorm.All(rankClaim, notFollowed("宝"))}, {"霸主", "superlative", rankClaim}, {"王牌", "superlative", rankClaim},
	{"巅峰", "superlative", nil}, {"问鼎", "superlative", nil}, {"领先", "superlative", notFollowed("版", "班", "型", "款")}, {"领导品牌", "superlative", nil},
	{"领导者", "superlative", nil}, {"领袖品牌", "superlative", nil}, {"创领", "superlative", nil}, {"缔造者", "superlative", nil},
	{"史无前例", "superlative", nil}, {"前无古人", "superlative", nil}, {"空前", "superlative", nil}, {"绝后", "superlative", nil},
	{"史上", "superlative", nil}, {"无敌", "superlative", nil}, {"无与伦比", "superlative", nil},
	{"绝无仅有", "superlative", nil}, {"万能", "superlative", func(n string, a, b int) bool {
		return whole(n, a, b) || !followedBy("药", "膏", "霜", "神药", "保健", "丹")(n, a, b)
	}}, {"永久", "superlative", notVirtual}, {"终身", "superlative", nil},
	{"绝对", "superlative", notFollowed("值", "温度", "湿度", "零度")}, {"仅此", "bait", nil},
	// authority
	{"国家级", "authority", nil}, {"国家机关", "authority", nil}, {"国家领导", "authority", nil}, {"国家推荐", "authority", nil},
	{"国家指定", "authority", nil}, {"领导人", "authority", nil}, {"特供", "authority", nil}, {"专供", "authority", nil},
	{"国宴", "authority", nil}, {"政协", "authority", nil}, {"人大", "authority", func(n string, a, b int) bool {
		return whole(n, a, b) || strings.HasSuffix(n[:a], "全国") || !followedBy("代表", "常委", "推荐", "专供", "会议")(n, a, b)
	}}, {"人民大会堂", "authority", nil},
	{"中南海", "authority", nil}, {"政府推荐", "authority", nil}, {"部委", "authority", nil}, {"免检", "authority", textnorm.NotPreceded("年")},
	{"免抽检", "authority", nil}, {"质量检测", "authority", func(n string, a, b int) bool {
		return strings.Contains(n[:a], "无需") || strings.Contains(n[:a], "免")
	}},
	{"驰名商标", "authority", nil}, {"指定用品", "authority", nil}, {"指定产品", "authority", nil}, {"指定专用", "authority", nil},
	{"指定品牌", "authority", nil}, {"官方指定", "authority", nil}, {"指定", "authority", func(n string, a, b int) bool { return a == 0 && b == len(n) }},
	// guarantee
	{"100%", "guarantee", material}, {"百分百", "guarantee", material}, {"百分之百", "guarantee", material},
	{"零风险", "guarantee", nil}, {"无效退款", "guarantee", nil}, {"无效退钱", "guarantee", nil}, {"保过", "guarantee", nil}, {"包过", "guarantee", nil},
	{"通关", "guarantee", func(n string, a, b int) bool {
		return whole(n, a, b) || textnorm.HasSuffixAny(n[:a], "一次", "保", "包", "轻松", "必")
	}}, {"稳赚", "guarantee", nil}, {"升值", "guarantee", nil}, {"回报", "guarantee", func(n string, a, b int) bool {
		return whole(n, a, b) || textnorm.HasSuffixAny(n[:a], "升值", "投资", "高", "稳定", "保本", "年化", "收益")
	}},
	{"投资价值", "guarantee", nil},
	// education (第二十四条(一)(二)): guaranteed admission, passing or
	// learning outcome, exam setters taking part
	{"升学率", "guarantee", nil}, {"通过率", "guarantee", nil}, {"必过", "guarantee", nil}, {"押题", "guarantee", nil},
	{"命题人", "guarantee", nil}, {"出题人", "guarantee", nil}, {"保录取", "guarantee", nil}, {"包录取", "guarantee", nil},
	{"直接选", "guarantee", nil}, {"学会", "guarantee", learnedIn}, {"移民", "guarantee", textnorm.NotPreceded("技术", "投资")},
	// investment (第二十五条(一)): 保本, 无风险, 保收益
	{"保本", "guarantee", nil}, {"无风险", "guarantee", nil}, {"保收益", "guarantee", nil},
	// medical
	{"根治", "medical", nil}, {"治愈", "medical", nil}, {"痊愈", "medical", nil}, {"即愈", "medical", nil}, {"见效", "medical", nil},
	{"康复", "medical", nil}, {"副作用", "medical", nil}, {"无依赖", "medical", nil}, {"不反复", "medical", nil}, {"药到病除", "medical", nil},
	{"包治", "medical", nil}, {"特效药", "medical", nil}, {"秘方", "medical", nil}, {"疗效", "medical", nil},
	{"有效率", "medical", nil},
	// superstition
	{"开光", "superstition", nil}, {"镇宅", "superstition", nil}, {"招财", "superstition", nil}, {"辟邪", "superstition", nil},
	{"旺夫", "superstition", nil}, {"旺子", "superstition", nil}, {"旺财", "superstition", nil}, {"旺人", "superstition", nil},
	{"旺家", "superstition", nil}, {"转运", "superstition", textnorm.All(notFollowed("中心", "站", "仓", "费", "进口", "清关", "物流", "公司", "服务", "代购", "单号"), textnorm.NotPreceded("香港", "海外", "美国", "日本", "国际", "德国", "澳洲", "英国", "韩国", "物流", "集运", "快递"))}, {"运气", "superstition", nil},
	{"好运", "superstition", nil}, {"事业运", "superstition", nil}, {"财运", "superstition", nil}, {"桃花运", "superstition", nil},
	{"挡灾", "superstition", nil}, {"消灾", "superstition", nil}, {"化解", "superstition", nil}, {"小人", "superstition", func(n string, a, b int) bool {
		return whole(n, a, b) || !followedBy()(n, a, b) || textnorm.HasSuffixAny(n[:a], "防", "化解", "避", "挡", "驱", "克", "打")
	}},
	{"避凶", "superstition", nil}, {"护身", "superstition", textnorm.NotPreceded("洗", "呵", "防")},
	{"亨通", "superstition", nil}, {"招福", "superstition", nil},
	{"时来运转", "superstition", nil},
	// a claimed effect on fortune (有助事业, 助姻缘, 提升财运, 催桃花) or a
	// metaphysical power (负能量, 能量场, 第六感), 第九条(八) 迷信; not 五行,
	// which is also a word of Chinese medicine (五行针)
	{"有助", "superstition", fortuneAfter}, {"助旺", "superstition", nil}, {"催旺", "superstition", nil},
	{"提升", "superstition", fortuneAfter}, {"增强", "superstition", fortuneAfter}, {"带来", "superstition", fortuneAfter},
	{"负能量", "superstition", nil}, {"能量场", "superstition", nil}, {"第六感", "superstition", nil},
	{"招桃花", "superstition", nil}, {"催桃花", "superstition", nil},
	// a claim to remove a mental or bodily complaint (消除精神压力, 消除疲劳),
	// 第十七条 (disease function in a non-medical advert)
	{"消除", "medical", complaintAfter},
	// bait
	{"点击", "bait", followedBy()}, {"获奖", "bait", nil}, {"中奖", "bait", nil}, {"领取奖品", "bait", nil}, {"大亏", "bait", nil},
	{"仅此一次", "bait", nil}, {"最后一波", "bait", nil}, {"免费赠送", "bait", nil}, {"免费治疗", "medical", nil}, {"免费领", "bait", nil},
}

// fortuneAfter: 有助 / 提升 / 增强 / 带来 claim an effect on fortune when
// a domain of fortune follows (有助事业, 提升财运, 带来好运, 增强运势); 提升
// 性能 or 有助消化 do not.
func fortuneAfter(n string, a, b int) bool {
	rest := strings.TrimPrefix(n[b:], "于")
	for _, w := range []string{"事业", "财运", "运势", "运气", "好运", "官运", "考运", "姻缘", "桃花", "人缘", "贵人", "风水", "气运", "福气", "福运", "旺财"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// complaintAfter: 消除 claims to cure when a mental or bodily complaint
// follows (消除精神压力, 消除疲劳, 消除失眠); 消除静电, 消除异味 do not.
func complaintAfter(n string, a, b int) bool {
	for _, w := range []string{"精神压力", "压力", "焦虑", "疲劳", "疲惫", "失眠", "抑郁", "头痛", "疼痛", "炎症", "病痛", "水肿", "疾病", "病菌感染"} {
		if strings.HasPrefix(n[b:], w) {
			return true
		}
	}
	return false
}

// quoted reports whether byte range [a, b) of n lies inside 《…》, 「…」,
// 『…』 or “…”: a quoted title is a name, not a claim.
func quoted(n string, a, b int) bool {
	for _, q := range [][2]string{{"《", "》"}, {"「", "」"}, {"『", "』"}, {"“", "”"}, {"<", ">"}} {
		o := strings.LastIndex(n[:a], q[0])
		if o < 0 {
			continue
		}
		if c := strings.Index(n[o:], q[1]); c >= 0 && o+c >= b && !strings.Contains(n[o+len(q[0]):a], q[1]) {
			return true
		}
	}
	return false
}

func whole(n string, a, b int) bool { return a == 0 && b == len(n) }

// material: 100% / 百分百 stating a fibre content (100%棉, 纯棉…100%,
// 百分百真丝, 100% cotton) is a specification, not a guarantee.
var materials = []string{"棉", "全棉", "纯棉", "涤", "羊毛", "蚕丝", "真丝", "桑蚕", "聚酯", "纤维", "锦纶", "氨纶", "亚麻", "麻", "莫代尔",
	"粘胶", "羊绒", "纯", "cotton", " cotton", "wool", " wool", "silk", " silk", "polyester", " polyester", "皮", "真皮", "牛皮", "铜", "纯铜", "银", "木", "实木", "乳胶"}

func material(n string, a, b int) bool {
	for _, w := range materials {
		if strings.HasPrefix(n[b:], w) || strings.HasSuffix(n[:a], w) || strings.HasSuffix(n[:a], w+"线") {
			return false
		}
	}
	return true
}

// notVirtual: 永久 of a game item or a subscription (永久英雄, 套装永久,
// 模板永久) is how long the item lasts, not a claim about the goods.
func notVirtual(n string, a, b int) bool {
	for _, w := range []string{"英雄", "皮肤", "道具", "点券", "点卷", "游戏", "套装", "武器", "模板", "会员", "cf", "qq", "lol", "激活", "软件", "账号", "永久拍", "天", "月"} {
		if strings.Contains(n, w) {
			return false
		}
	}
	return true
}

// cueOf maps a cue's normalised text to the cue.
var cueOf = func() map[string]cue {
	m := map[string]cue{}
	for _, c := range cues {
		m[textnorm.String(c.t)] = c
	}
	return m
}()

// learnedIn: 学会 after a quantity of study (一套题学会, 三天学会, 10小时
// 学会) promises the outcome of a course (第二十四条(一)).
var learnedIn = func(n string, a, b int) bool {
	before := n[:a]
	if len(before) > 18 {
		before = before[len(before)-18:]
	}
	return quantityOfStudy.MatchString(before)
}

var quantityOfStudy = regexp.MustCompile(`([0-9]+|[一二两三四五六七八九十几半])(套|本|次|天|日|周|个月|小时|节|课)(题|课|书)?(就|即可|便|包|保|轻松|快速)?(能)?$`)
