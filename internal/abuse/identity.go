package abuse

import (
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// identityTerms are the neutral names of groups by region, gender,
// sexuality and race or ethnicity (written for this project from the COLD
// topic definitions, not from its texts). MaskIdentity replaces each with
// one placeholder per category before the offensive-language model sees a
// text, in training and in use, so that the name of a group carries no
// weight of its own: "女性" and "男性", "河南" and "上海", "黑人" and
// "白人" are the same feature, and only what is said about them counts.
// Slurs (黑鬼, 阿三, 基佬, 娘炮, 女拳 …) are not names and stay as they are.
var identityTerms = map[rune]string{
	// region
	'\uE001': `北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 内蒙 广西 西藏 宁夏 新疆 香港 澳门
东北 西北 华北 华南 华东 华中 西南 江南 江浙 江浙沪 潮汕 温州 深圳 广州 武汉 成都 杭州 南京 西安 郑州 长沙 济南 哈尔滨 沈阳 大连 长春 苏州 青岛 厦门 昆明 南宁 贵阳 兰州
南方 北方 农村 乡下 城里 外地 本地 外省 老乡 大陆 内地`,
	// gender
	'\uE002': `女性 男性 女人 男人 女生 男生 女孩子 男孩子 女孩 男孩 妇女 女士 男士 女子 男子 女方 男方 女的 男的 女 男 妻子 丈夫 老婆 老公 媳妇 太太 母亲 父亲 妈妈 爸爸`,
	// race and ethnicity
	'\uE003': `黑人 白人 黄种人 黄人 黑种人 白种人 亚裔 华裔 非裔 拉丁裔 华人 中国人 外国人 老外 洋人 非洲人 非洲 欧洲人 欧洲 欧美 美国人 美国 日本人 日本 韩国人 韩国 朝鲜 印度人 印度 犹太人 犹太 穆斯林 回族 维吾尔族 维吾尔 维族 藏族 蒙古族 壮族 汉族 少数民族 移民 难民 留学生`,
	// sexuality and gender identity
	'\uE004': `同性恋者 同性恋 异性恋者 异性恋 双性恋者 双性恋 同性伴侣 同性 跨性别者 跨性别 性少数 lgbt 同志 拉拉 gay les`,
}

var identityMatcher, identityMark = func() (*textnorm.Matcher, []rune) {
	var pats []string
	var marks []rune
	for _, mark := range []rune{'\uE001', '\uE002', '\uE003', '\uE004'} {
		for _, w := range strings.Fields(identityTerms[mark]) {
			pats, marks = append(pats, w), append(marks, mark)
		}
	}
	return textnorm.NewMatcher(pats), marks
}()

// MaskIdentity is the normalised text (textnorm.String) with every group
// name replaced by its category's placeholder (leftmost, longest first).
func MaskIdentity(text string) string {
	n := textnorm.String(text)
	hits := identityMatcher.FindAll(n)
	if len(hits) == 0 {
		return n
	}
	// best hit starting at each byte: the longest
	best := map[int]textnorm.Hit{}
	for _, h := range hits {
		if b, ok := best[h.Start]; !ok || h.End > b.End {
			best[h.Start] = h
		}
	}
	var b strings.Builder
	for i := 0; i < len(n); {
		if h, ok := best[i]; ok && isWordEdge(n, h.Start, h.End) {
			b.WriteRune(identityMark[h.Pattern])
			i = h.End
			continue
		}
		b.WriteByte(n[i])
		i++
	}
	return b.String()
}

// isWordEdge: an ASCII name ("gay", "les") only as a word of its own.
func isWordEdge(n string, a, b int) bool { return !isASCIIWord(n, a, b) }
