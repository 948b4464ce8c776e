package abuse

import (
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// groupWords name groups by region, gender or sexuality, and race or
// ethnicity: the topics of COLD, the only texts the offensive-language
// model was trained on. The model judges a message only when it mentions
// one of them; on other text (a buyer's complaint about packaging) its
// score is an extrapolation, and insults there are the lexicon's job.
// Written for this project from the COLD topic definitions (race, gender,
// region), not from its texts.
var groupWords = strings.Fields(`
北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙 广西 西藏 宁夏 新疆 香港 澳门
东北 西北 华北 华南 江南 江浙 沪 粤 川 湘 鄂 豫 鲁 晋 冀 苏 浙 闽 赣 皖 潮汕 温州 深圳 广州 武汉 成都 杭州 南京 西安 郑州 长沙 济南 哈尔滨 沈阳 大连 长春
天朝 中国 国人 南方 北方 农村 乡下 城里 外地 本地 地域 老乡 地图炮 家乡
女 男 妇 娘 母 妻 夫 媳 姐 妹 嫂 婆 闺 彩礼 婚 同性 基佬 拉拉 跨性别 性别 性取向 性少数 lgbt 同志 gay 女权 女拳 田园 直男 渣男 娘炮 仙女 老公 老婆 丈夫 太太 伴侣 父亲 爸 妈
黑 白人 白皮 黄种 黄皮 种族 民族 人种 肤色 非洲 欧美 美国 日本 韩国 朝鲜 印度 阿三 老外 外国 洋人 鬼子 棒子 犹太 穆斯林 回族 维族 维吾尔 藏族 蒙古 壮族 移民 留学生 亚裔 华人 华裔 尼哥 欧洲 拉丁 西方 白左 难民`)

var groupMatcher = textnorm.NewMatcher(groupWords)

// AboutGroup reports whether text mentions a group by region, gender or
// sexuality, or race or ethnicity (the scope of the offensive-language
// model).
func AboutGroup(text string) bool { return aboutGroupNorm(textnorm.String(text)) }

func aboutGroupNorm(n string) bool { return len(groupMatcher.FindAll(n)) > 0 }
