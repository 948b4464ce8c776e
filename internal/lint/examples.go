package lint

// The hand-written regression lists of the brush-off forms (not from any
// data set): the tests and `weiquan eval` both measure them.

// BrushOffExamples are brush-off phrasings written from the seed's × examples (淘宝客服培训客户
// 抱怨与投诉的应答规范: "我也没办法，刚才线路忙啊！我都忙死了，有什么事情快
// 说", "这又不是我的错", "我是新手啦", "刚才的电话不是我接的呀", "这不关我的
// 事，我不清楚，您打××电话吧") and the issue's list (你自己的问题, 平台不管,
// 没办法, 不知道, 爱买不买, 找快递去), said the other ways agents say them.
var BrushOffExamples = []string{
	// blame on the customer
	"这是你自己的问题", "你自己的问题，跟我们没关系", "那是您自己的原因", "都是你的问题", "这属于你自己的责任",
	"怪你自己没看清楚", "你自己不看详情页", "谁让你不早说", "是你的错，不是我们的", "你自己没注意尺码",
	// pushing away to someone else
	"找快递去", "你去找快递吧", "问快递去", "你自己去问物流", "您找平台去", "你找厂家去", "自己联系快递",
	"去问淘宝小二吧去", "您问银行吧", "你去找售后吧",
	// nobody is in charge
	"平台不管", "这个我们不管", "快递我们管不了", "这事我们管不着", "我们不负责", "店里不负责这个",
	"不关我们的事", "这跟我们没关系", "与我无关", "这不归我们管", "不是我们的问题", "这不是我的错",
	"不是我们能解决的", "那是快递的问题，不是我们", "是物流的事，跟我们无关",
	// excuses
	"我是新来的", "我刚上班不太懂", "刚才不是我接的", "最近忙死了", "线路忙啊",
	// refusing without a way forward
	"没办法", "我也没办法", "这个没办法了", "我们也没有办法", "不知道", "我也不知道", "我不清楚",
	"这个我们也不清楚哦", "不知道，你自己问快递", "你自己看吧", "自己查去", "您打客服电话吧",
	// rude or impatient
	"爱买不买", "爱要不要", "爱退不退", "不买拉倒", "嫌贵别买", "买不起就别买", "随便你",
	"你看着办", "有完没完", "你烦不烦", "有事快说", "说了你也不懂", "你听不懂吗", "随便投诉",
	"你去投诉吧", "投诉也没用", "差评就差评", "你给差评吧",
}

// LookAlikeExamples are ordinary agent replies that share words with the
// forms; none may be flagged.
var LookAlikeExamples = []string{
	"您的问题我已经记录下来了，马上帮您处理",
	"不管您在哪里都包邮哦",
	"不知道您收到货了吗？",
	"不知道亲需要什么尺码呢",
	"实在没办法再便宜了，已经是最低价了",
	"已经是最低价了哦",
	"亲价格最低了",
	"我帮您联系快递，稍后给您回复",
	"您可以联系快递员确认一下派送时间",
	"如果您不清楚的话，我给您发一下尺码表",
	"我这边不清楚，白天的客服会联系您哦",
	"请不要给差评哦，有问题我们一定处理",
	"随便您选，都是现货",
	"别烦恼，我马上帮您处理",
	"请您尽快说明一下情况",
	"爱不释手的宝贝哦",
	"快递的问题我们来处理，您放心",
	"我们会尽力做到最好",
	"质量有保证的，请放心",
	"我们的宝贝质量是保证的哦",
	"百分百纯棉的，不起球",
	"100%棉，亲放心",
	"最大码是xl哦",
	"这款最大容量是2升",
	"您的订单号是201712345678901，已经发货了",
	"物流单号3312345678901234",
	"下次购买的话我们绝对不会遗落送亲的礼品",
	"是您的订单吗？我帮您查一下",
	"第一时间给您回复",
	"唯一的办法是退货重拍",
	"我给您打电话吧",
	"我自己联系快递帮您问",
	"这个是快递的问题，我们帮您催一下",
	"找快递去签收就可以了",
	"不知道您方便什么时候收货呢",
	"我们这边没办法直接改价，您拍下后我帮您改",
	"平台会介入处理的，您放心",
	"不清楚的地方随时问我哦",
	"您自己的订单可以在我的淘宝里查看",
	"您看着合适就拍哦",
	"随便看看也欢迎哦",
	"您可以自己查看物流信息，也可以随时问我",
	"不要紧的亲，我们来处理",
	"您拨打的电话是我们的客服热线吗",
	"这边不清楚您说的是哪一款，能发个链接吗",
	"我也不知道怎么回事，我马上帮您查",
}

// IsBrushOff reports whether a finding is one of the brush-off, blame or
// rudeness kinds (the forms, the rule lists and the seed's × phrasings of
// the blame and impatience scripts).
func IsBrushOff(f Finding) bool {
	switch f.RuleID {
	case RuleBlame, RuleRude, RuleBrushOff, "seed-script-authenticity", "seed-script-own-mistake", "seed-script-colleague-mistake",
		"seed-script-logistics", "seed-script-channel-chat", "seed-script-channel-phone", "seed-script-slow-response":
		return true
	}
	return false
}
