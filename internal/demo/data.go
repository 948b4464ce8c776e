package demo

import "github.com/weiquan/weiquan/internal/aftersale"

// Everything in this file is written for the demo; none of it is real data.

// category is a shop category with its price range (yuan) and the keywords
// that sort real listing titles into it.
type category struct {
	Name     string
	English  string
	MinYuan  int
	MaxYuan  int
	Keywords []string
	Fallback []string // built-in titles, used without the real data set
	NoReturn bool     // excluded from 7-day no-reason return by nature (fresh food)
	Postage  []int64  // fen; 0 = free shipping (包邮)
}

// categories, in the order real titles are matched against them (the more
// specific first).
var categories = []*category{
	{Name: "母婴", English: "mother & baby", MinYuan: 39, MaxYuan: 499,
		Keywords: []string{"婴儿", "宝宝", "儿童", "奶粉", "纸尿裤", "尿不湿", "童装", "奶瓶", "孕妇", "童鞋", "女童", "男童", "新生儿", "辅食"},
		Fallback: []string{"婴儿纯棉连体衣 新生儿哈衣 春秋款 0-12个月", "宝宝学饮杯 防呛鸭嘴杯 带手柄 250ml", "儿童防蓝光护眼台灯 小学生书桌阅读灯", "超薄透气纸尿裤 L码 54片 男女宝宝通用"},
		Postage:  []int64{0, 0, 0, 600}},
	{Name: "美妆", English: "beauty", MinYuan: 49, MaxYuan: 599,
		Keywords: []string{"口红", "唇膏", "面膜", "精华液", "精华水", "护肤", "化妆", "粉底", "眼霜", "香水", "洗面奶", "乳液", "爽肤水", "防晒霜", "眼影", "睫毛膏", "bb霜", "卸妆"},
		Fallback: []string{"玻尿酸补水保湿面膜 20片 敏感肌可用", "哑光雾面口红 正红色 滋润不拔干", "氨基酸洗面奶 温和清洁 120g", "清爽防晒霜 SPF50+ 户外军训 50ml"},
		Postage:  []int64{0, 0, 0, 0}},
	{Name: "食品", English: "food", MinYuan: 9, MaxYuan: 199, NoReturn: true,
		Keywords: []string{"零食", "茶叶", "坚果", "饼干", "牛肉干", "咖啡", "红枣", "蜂蜜", "特产", "糖果", "大米", "绿茶", "红茶", "普洱", "枸杞", "核桃", "巧克力", "月饼", "小米"},
		Fallback: []string{"新疆若羌灰枣 一级 500g*2袋 农家特产", "每日坚果混合果仁 30袋 独立小包装", "云南普洱熟茶 357g 七子饼 古树茶", "手撕风干牛肉干 内蒙古特产 250g"},
		Postage:  []int64{0, 0, 600, 800, 1000}},
	{Name: "数码", English: "electronics", MinYuan: 29, MaxYuan: 2999,
		Keywords: []string{"手机壳", "手机", "耳机", "数据线", "充电器", "蓝牙", "平板", "笔记本电脑", "鼠标", "键盘", "音箱", "路由器", "移动电源", "充电宝", "手环", "相机", "u盘", "内存卡", "钢化膜", "自拍杆"},
		Fallback: []string{"真无线蓝牙耳机 主动降噪 超长续航 入耳式", "20000毫安移动电源 22.5W快充 双向充电宝", "机械键盘 青轴 87键 RGB背光 有线游戏键盘", "Type-C快充数据线 6A 1.5米 编织线"},
		Postage:  []int64{0, 0, 0, 0}},
	{Name: "运动户外", English: "sports & outdoor", MinYuan: 29, MaxYuan: 899,
		Keywords: []string{"跑步", "运动鞋", "瑜伽", "户外", "登山", "帐篷", "篮球", "健身", "骑行", "钓鱼", "羽毛球", "冲锋衣", "泳衣", "滑板"},
		Fallback: []string{"加厚防滑瑜伽垫 10mm 初学者健身垫", "轻量透气跑步鞋 男女款 减震回弹", "户外三合一冲锋衣 防水防风 可拆卸内胆", "自动速开帐篷 3-4人 防雨露营"},
		Postage:  []int64{0, 0, 0, 1000}},
	{Name: "男装", English: "menswear", MinYuan: 49, MaxYuan: 699,
		Keywords: []string{"男装", "t恤男", "夹克男", "衬衫男", "男士外套", "男款", "休闲裤男", "男士衬衫", "男士t恤", "男外套", "男裤", "男士夹克", "卫衣男", "男士毛衣"},
		Fallback: []string{"纯棉短袖T恤男 宽松圆领 夏季打底衫", "商务免烫长袖衬衫男 修身 白色", "男士休闲裤 直筒弹力 春秋款", "连帽卫衣男 加绒加厚 潮牌冬季"},
		Postage:  []int64{0, 0, 0, 800}},
	{Name: "女装", English: "womenswear", MinYuan: 59, MaxYuan: 899,
		Keywords: []string{"连衣裙", "女装", "半身裙", "雪纺衫", "打底衫", "衬衫女", "卫衣女", "阔腿裤", "针织衫", "毛衣女", "外套女", "女士外套", "大衣女", "吊带裙", "女士衬衫", "短裙"},
		Fallback: []string{"法式碎花连衣裙 收腰显瘦 夏季新款", "高腰阔腿裤女 垂感 宽松直筒 春秋款", "双面羊绒大衣女 中长款 2026秋冬新款", "V领针织开衫女 短款 外搭毛衣"},
		Postage:  []int64{0, 0, 0, 0, 1000}},
	{Name: "家居", English: "home", MinYuan: 19, MaxYuan: 899,
		Keywords: []string{"收纳", "四件套", "枕头", "枕芯", "家居", "窗帘", "地毯", "抱枕", "毛巾", "沙发", "餐具", "炒锅", "床单", "被套", "凉席", "置物架", "衣架", "保温杯", "拖鞋"},
		Fallback: []string{"全棉四件套 1.8m床 纯棉床单被套 简约", "记忆棉枕头 慢回弹 护颈椎 单人", "麦饭石不粘炒锅 32cm 燃气电磁炉通用", "可折叠收纳箱 布艺 衣柜整理 3件套"},
		Postage:  []int64{0, 0, 800, 1200}},
}

// shop is a demo seller.
type shop struct {
	ID       string
	Name     string
	Category *category
}

// shopSpecs: ID, Chinese name, category name.
var shopSpecs = [][3]string{
	{"shop-yunshang", "云裳女装旗舰店", "女装"},
	{"shop-juzi", "橘子小姐原创女装", "女装"},
	{"shop-musen", "木森男装工作室", "男装"},
	{"shop-jike", "极客数码专营店", "数码"},
	{"shop-shandian", "闪电3C配件店", "数码"},
	{"shop-beibei", "贝贝熊母婴生活馆", "母婴"},
	{"shop-kuihua", "小葵花童装童鞋", "母婴"},
	{"shop-huajian", "花间集美妆旗舰店", "美妆"},
	{"shop-suyan", "素颜研究所", "美妆"},
	{"shop-shanlihong", "山里红土特产铺", "食品"},
	{"shop-sanzhi", "三只小熊零食屋", "食品"},
	{"shop-jianju", "简居生活家居馆", "家居"},
	{"shop-mianma", "棉麻时光家纺", "家居"},
	{"shop-yejing", "野径户外专营店", "运动户外"},
}

// buyerIDs: Taobao-style nicknames (ASCII IDs).
var buyerIDs = []string{
	"xiaoyu_lin", "momo1993", "chen-jiajia", "tangguo_77", "wangdachui", "lily_zhou", "sunshine_hz", "ajie0826",
	"doudou_ma", "qiaoqiao_li", "zhangwei88", "mia-wu", "xiaohei_cat", "yangyang_sz", "liu-xiaoman", "kiki_he",
	"bigfish_gz", "nannan1101", "huang_lei", "coco-song", "panpan_bj", "zhaomin_cd", "tiantian_xa", "gu-xiaobei",
	"ericxu", "feifei_nj", "laoliu_wh", "miaomiao23", "jiang_yue", "dabao_mama", "shen-lu", "yoyo_cq",
	"xuxiaoqi", "hongdou_9", "he-wenjing", "pangpang_tj", "lucky_fang", "qingqing_km", "ye-zhiyuan", "xiaoman_ds",
}

// premiumEvery: every n-th buyer is a premium member (超级会员).
const premiumEvery = 8

type carrier struct {
	Name   string
	prefix string
	digits int
}

var carriers = []carrier{
	{"顺丰速运", "SF", 13}, {"中通快递", "78", 13}, {"圆通速递", "YT", 13},
	{"韵达快递", "43", 11}, {"京东物流", "JDVA", 11}, {"EMS", "11", 11},
}

var signedBy = []string{"本人签收", "菜鸟驿站代收", "丰巢快递柜", "家人代收", "门卫代收", "公司前台代收"}

var paymentMethods = []string{"alipay", "alipay", "alipay", "huabei", "huabei", "credit_card"}

// Service codes promised on listings (SPEC §2).
const (
	svcNoReason  = "no_reason_7day"     // 七天无理由退货
	svcInsurance = "shipping_insurance" // 运费险
	svcFlash     = "flash_delivery"     // 闪电发货
	svcGenuine   = "fake_pays_ten"      // 假一赔十
)

// Buyers' descriptions by reason.
var descriptions = map[aftersale.Reason][]string{
	aftersale.NotReceived: {
		"物流信息三天没有更新了，一直停在中转站，联系客服也没有回复，申请退款。",
		"显示已签收，但我本人没有收到，驿站和快递柜都查过了，没有这个包裹。",
		"快递说包裹在运输途中丢失了，商家让我等，已经等了一周。",
	},
	aftersale.NotAsDescribed: {
		"颜色和商品详情页差别很大，图片是雾霾蓝，收到的是灰绿色，附实物照片。",
		"尺码严重偏小，按尺码表选的L码，实际只有M码大小。",
		"详情页写的支持快充，实际只有5W充电，和描述不符。",
		"页面写的100%纯棉，洗标显示涤纶65%，属于描述不符。",
		"宣传的是实木，收到是颗粒板贴皮。",
	},
	aftersale.QualityProblem: {
		"穿了一次就开线了，袖口和腋下脱线严重，附照片。",
		"右边耳机没有声音，重新配对、恢复出厂都试过了，还是不行。",
		"用了两天脸上发红发痒，已停用，怀疑产品有问题。",
		"锅底涂层第一次使用就掉了，附视频。",
		"拉链拉了几次就坏了，质量太差。",
	},
	aftersale.DamagedInTransit: {
		"快递外箱被压扁，里面的玻璃杯碎了两个，有开箱视频。",
		"收到时包装破损，瓶子漏了一半，盒子全湿了。",
		"屏幕有一道裂痕，开箱时就有，外包装有明显撞击痕迹。",
	},
	aftersale.Counterfeit: {
		"和专柜买的对比，外包装字体和颜色不一样，防伪码查询不到，怀疑不是正品。",
		"批号在品牌官网查不到，气味也和以前买的不一样。",
	},
	aftersale.MissingParts: {
		"买了两件只收到一件，包裹重量也不对。",
		"少发了充电头，盒子里只有数据线。",
		"详情页写的送收纳袋，赠品没有发。",
	},
	aftersale.NoReason7Day: {
		"不太喜欢，吊牌未拆，包装完好，申请七天无理由退货。",
		"买重复了，全新未拆封，申请退货。",
		"上身效果不适合自己，未洗未穿，吊牌完好。",
	},
	aftersale.SellerAgreed: {
		"已和客服协商一致，退部分差价。",
		"客服答应降价后退还差价，按约定申请。",
	},
	aftersale.OtherReason: { // after receipt
		"买多了，商品全新未使用，申请退货。",
		"家里已经有了，不需要了，包装完好。",
		"送人的礼物对方不喜欢，未拆封，申请退货。",
	},
}

// exchangeDescriptions are used for exchange requests.
var exchangeDescriptions = []string{
	"尺码偏小，想换大一码，商品未穿未洗，吊牌完好。",
	"发错颜色了，下单的是米白色，收到的是卡其色，要求换货。",
	"有一处明显瑕疵，想换一件新的。",
}

// unshippedDescriptions: refund-only before shipment.
var unshippedDescriptions = []string{
	"付款后一直不发货，客服说缺货要等十天，不想等了，申请退款。",
	"超过承诺的发货时间还没发货，申请退款。",
	"拍错了，卖家还没发货，申请退款。",
}

// refusal is a seller's refusal text with evidence.
type refusal struct {
	Text     string
	Evidence []string // file names; a per-order prefix is added
}

var refusals = map[aftersale.Reason][]refusal{
	aftersale.NotReceived: {
		{"物流显示本人已签收，附快递签收底单和派送记录，请买家再核实一下家人或驿站。", []string{"签收底单.jpg", "派送记录截图.png"}},
		{"快递员已电话联系并放入约定的快递柜，附取件通知短信截图和派送记录。", []string{"取件通知截图.png", "派送记录截图.png"}},
	},
	aftersale.NotAsDescribed: {
		{"详情页已注明“尺码偏小，建议拍大一码”，且买家下单前咨询过客服，不属于描述不符。", []string{"详情页尺码说明截图.png", "客服聊天记录.png"}},
		{"颜色存在正常色差，详情页已提示不同显示器显示效果不同。", []string{"详情页色差说明截图.png"}},
	},
	aftersale.QualityProblem: {
		{"商品出库前经过逐件质检，买家照片显示为人为损坏，不属于质量问题。", []string{"出库质检记录.jpg", "买家照片比对.png"}},
		{"请买家提供第三方检测报告，照片无法证明质量问题。", []string{"聊天记录截图.png"}},
	},
	aftersale.DamagedInTransit: {
		{"发货时包装完好，已购买运输保险，请买家先向快递公司申请理赔。", []string{"打包视频.mp4", "保价单.jpg"}},
	},
	aftersale.Counterfeit: {
		{"本店为品牌授权店，商品均为正品，附品牌授权书及进货凭证。", []string{"品牌授权书.pdf", "进货凭证.pdf", "报关单.pdf"}},
	},
	aftersale.MissingParts: {
		{"发货时已按订单配齐，附打包视频和称重记录，重量与满件一致。", []string{"打包视频.mp4", "称重记录.png"}},
	},
	aftersale.NoReason7Day: {
		{"买家退回前发来的照片显示吊牌已拆、有明显穿着痕迹，不符合七天无理由退货条件。", []string{"买家照片.jpg", "吊牌说明.png"}},
		{"该商品为贴身用品，拆封后不支持七天无理由退货，详情页已标注。", []string{"详情页不支持七天无理由标注截图.png"}},
	},
	aftersale.SellerAgreed: {
		{"客服未承诺退差价，聊天记录中没有相关约定。", []string{"客服聊天记录.png"}},
	},
	aftersale.OtherReason: { // after receipt
		{"商品已拆封使用，影响二次销售，不支持退货。", []string{"买家发来的商品照片.jpg"}},
		{"定制商品已按买家要求制作，不支持退货，下单前已确认。", []string{"定制确认聊天记录.png"}},
	},
}

// Refusals before the goods reached the buyer.
var (
	refusalsUnshipped = []refusal{ // not shipped yet
		{"商品已打包完成，快递今天下午揽收，附打包照片和电子面单，请不要退款。", []string{"打包照片.jpg", "电子面单截图.png"}},
		{"已与买家沟通延迟发货并获得同意，附聊天记录。", []string{"客服聊天记录.png"}},
		{"定制商品已按买家要求开始制作，不支持退款。", []string{"定制确认聊天记录.png"}},
	}
	refusalsInTransit = []refusal{ // shipped, not delivered
		{"包裹已按时发出，物流正常流转中，预计两天内送达，请耐心等待。", []string{"物流轨迹截图.png"}},
		{"商品已经发出，无法拦截，请收到后再申请退货。", []string{"发货底单.jpg", "物流轨迹截图.png"}},
	}
)

var counterOfferNotes = []string{
	"商品不影响正常使用，给您补偿部分金额可以吗？",
	"非常抱歉给您带来不便，退您一部分差价，商品您留着用，可以吗？",
	"小瑕疵不影响使用，补偿您一半的金额，您看可以吗？",
}

var agreeNotes = []string{
	"同意，给您带来不便非常抱歉。",
	"同意退货，请按退货地址寄回，不要发到付，运费由运费险承担。",
	"已核实，同意处理。",
	"",
}

var escalateNotes = []string{
	"卖家拒绝理由不成立，申请平台客服介入。",
	"卖家提供的签收底单不是我本人签的，要求客服介入核实。",
	"协商无果，卖家态度很差，申请小二介入。",
	"卖家给的补偿太少，不同意，申请平台介入。",
}

var refuseReceiptNotes = []refusal{
	{"退回的商品已被使用，吊牌缺失，与发出时不一致，附开箱视频。", []string{"退货开箱视频.mp4", "商品照片.jpg"}},
	{"收到的退货包裹少了一件配件，附称重记录和开箱视频。", []string{"退货开箱视频.mp4", "称重记录.png"}},
	{"退回的不是本店发出的商品，防伪扣编号对不上。", []string{"防伪扣照片.jpg", "发货记录.png"}},
}

var cancelNotes = []string{
	"已和卖家沟通解决，撤销申请。",
	"包裹找到了，不需要退款了。",
	"卖家已补发配件，撤销申请。",
	"想了想还是留着用吧。",
}

var modifyNotes = []string{
	"根据卖家意见修改申请，补充了照片。",
	"重新上传凭证，并修改了退款金额。",
}

var modifyDescriptions = []string{
	"补充说明：已附上细节照片和开箱视频，问题在收到当天就发现了。",
	"补充说明：同意只退部分金额，商品不退回。",
	"补充说明：仔细检查后发现做工有质量问题，修改退款原因，附细节照片。",
}
