package abuse

import (
	"regexp"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Counter-speech: a message that names a prejudice in order to reject it
// ("这是地域歧视", "反对种族歧视", "不应该因此受到歧视", "别用“娘炮”形容别人",
// "歧视任何人都是不对的"). COLD labels most of its texts that discuss
// discrimination as offensive (about nine in ten of those saying 歧视), so
// a model trained on it flags the rebuttal as readily as the attack; the
// model's decision is withheld when the message has this framing. Lexicon
// findings (insults, threats, extortion) are never withheld. Written for
// this project from the description of anti-bias speech (the COLD paper's
// "anti-bias" category), not from its texts.
var counterSpeech = func() []*regexp.Regexp {
	const cl = `[^。！？!?;；]` // within one clause
	bias := `(歧视|偏见|刻板印象|地图炮|地域黑|以偏概全|仇恨言论|污名化?|谣言|贴标签)`
	return []*regexp.Regexp{
		// naming it: 这是歧视, 这种说法属于地域歧视, 这是典型的种族偏见
		regexp.MustCompile(`(这|这种|这样|那种|这些|此)` + cl + `{0,8}(就是|是|属于|叫做?|算是?)` + cl + `{0,6}` + bias),
		// opposing it: 反对歧视, 不应该因此受到歧视, 别再给人贴标签
		regexp.MustCompile(`(反对|抵制|谴责|拒绝|消除|停止|杜绝|不应该?|不该|不能|别再?|不要|请勿|没必要)` + cl + `{0,10}` + `(歧视|偏见|刻板印象|地域黑|地图炮|嘲笑|贴标签|开.{0,2}玩笑)`),
		// judging it wrong: 歧视任何种族都是不对的, 这种偏见早就被推翻了
		regexp.MustCompile(bias + cl + `{0,14}(是错误的|是错的|是不对的|都不对|不对的|没有道理|没有根据|不公平|要不得|太片面|很片面|站不住脚|被.{0,6}推翻)`),
		// not using the slur: 不要用“黑鬼”称呼别人
		regexp.MustCompile(`(别|不要|请不要|不应该?|不该)` + cl + `{0,4}(用|拿|说|叫|称呼|骂)` + cl + `{0,3}[“"「『‘]`),
	}
}()

// CounterSpeech reports whether text names a prejudice to reject it.
func CounterSpeech(text string) bool { return counterSpeechNorm(textnorm.String(text)) }

// addressed is a message that speaks to someone (你, 楼主 …): a reply in
// an argument, where "这是歧视" is as often an accusation as a rebuttal.
var addressed = regexp.MustCompile(`你|您|楼主|答主|题主|博主|up主`)

// conceding is a turn after the rebuttal ("种族歧视是不对的，但是……",
// "……怎么了"), which makes it a concession before the attack.
var conceding = regexp.MustCompile(`但|可是|不过|然而|只是|怎么了|活该|就是.{0,4}(看不惯|讨厌|歧视)`)

func counterSpeechNorm(n string) bool {
	if addressed.MatchString(n) || conceding.MatchString(n) {
		return false
	}
	for _, re := range counterSpeech {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}
